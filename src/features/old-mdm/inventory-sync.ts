/**
 * Reads one old-MDM source and stores what it lists (src/domain/inventory.ts decides the writes).
 * A full read keeps in memory only a small summary per stored device and the ids listed so far, so
 * 100,000 devices fit easily. Rows to write are gathered per partition and written as transactions
 * of up to 100 (grouped-writes.ts) once a partition has that many, the rest when the read ends; the
 * sync state moves on only after that, so a read cut short is read again and loses nothing. Devices
 * are marked gone only once the whole snapshot has been read. An incremental read never marks a
 * device gone. Logs carry ids and counts only.
 */
import type { Platform } from '../../domain/device';
import {
  clipped,
  goneNow,
  type InventoryDevice,
  type InventorySummary,
  inventoryKey,
  inventoryPartitions,
  listedAgain,
  oneEach,
  summarise,
  writeFor,
} from '../../domain/inventory';
import type { OldMdmDevice } from '../../domain/old-mdm';
import type { Logger } from '../../logging';
import type { Clock } from '../../ports/clock';
import { SourceMdmError, type SourceMdmInventory } from '../../ports/source-mdm';
import { MAX_TRANSACTION_ACTIONS, type Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { byPartition, changePartition } from './grouped-writes';
import { type InventorySyncState, type SyncFailureKind, type SyncKind, writeSyncState } from './sync-state';

export interface InventorySyncDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
}

export interface SyncOptions {
  /** Read the whole inventory (and mark what it no longer lists as gone). */
  full: boolean;
  /** Where an incremental read starts; required for one. */
  since?: Date;
  /** Only these platforms are taken from this source (OLD_MDM_SOURCES); empty or absent: all. */
  platforms?: readonly Platform[];
  signal?: AbortSignal;
  /** Storage writes in flight at once. Default 16. */
  concurrency?: number;
}

export interface SyncReport {
  source: string;
  kind: SyncKind;
  ok: boolean;
  failure?: SyncFailureKind;
  missing?: string;
  status?: number;
  /** Devices the source listed (once each), and those left out for their platform. */
  listed: number;
  skipped: number;
  inserted: number;
  updated: number;
  revived: number;
  gone: number;
  /** Vendor requests made (token requests included). */
  requests: number;
  durationMs: number;
  snapshotId?: string;
}

const DEFAULT_CONCURRENCY = 16;
/** Partitions scanned at once when a full read loads the stored summaries. */
const SCAN_CONCURRENCY = 8;

/** Summaries of the source's stored rows by vendor id; never whole rows, never personal data. */
async function storedSummaries(store: Store, source: string, signal?: AbortSignal) {
  const summaries = new Map<string, InventorySummary>();
  await forEachBounded(
    inventoryPartitions(),
    SCAN_CONCURRENCY,
    async (partition) => {
      for await (const row of store.oldMdmDevices.listPartition(partition)) {
        if (row.value.source === source) summaries.set(row.value.vendorId, summarise(row.value));
      }
    },
    { signal },
  );
  return summaries;
}

/**
 * One partition's listed devices written in transactions: a row the full read's summaries say is
 * absent is inserted without a read; any other is read, and its group redone if written meanwhile.
 */
async function storeListed(
  deps: InventorySyncDeps,
  partition: string,
  devices: readonly OldMdmDevice[],
  ctx: {
    source: string;
    at: { now: string; snapshotId?: string };
    summaries?: Map<string, InventorySummary>;
    report: SyncReport;
    signal?: AbortSignal;
  },
): Promise<void> {
  const { source, summaries, report } = ctx;
  const known = new Map<string, null>();
  const changes = devices.map((device) => {
    const rowKey = inventoryKey(source, device.vendorId).rowKey;
    if (summaries && !summaries.has(device.vendorId)) known.set(rowKey, null);
    return { rowKey, next: (current?: InventoryDevice) => listedAgain(current, device, ctx.at) };
  });
  await changePartition(deps.store.oldMdmDevices, partition, changes, {
    known,
    signal: ctx.signal,
    onWritten: (rows) => {
      for (const { before, after } of rows) {
        if (!before) report.inserted++;
        else if (before.goneAt) report.revived++;
        else report.updated++;
        if (after && summaries) summaries.set(after.vendorId, summarise(after));
      }
    },
  });
}

function failureOf(err: unknown, signal?: AbortSignal): Pick<SyncReport, 'failure' | 'missing' | 'status'> {
  if (err instanceof SourceMdmError) {
    return {
      failure: signal?.aborted ? 'time-budget' : err.failure,
      ...(err.missing ? { missing: err.missing } : {}),
      ...(err.status ? { status: err.status } : {}),
    };
  }
  return { failure: signal?.aborted ? 'time-budget' : 'internal' };
}

/**
 * One sync of one source. A vendor failure (SourceMdmError) or the time budget running out ends it
 * with `ok: false`, recorded on the source's sync state; what was read before is kept, and nothing
 * is marked gone. Storage failures are recorded and thrown.
 */
export async function syncSource(
  deps: InventorySyncDeps,
  inventory: SourceMdmInventory,
  options: SyncOptions,
  kindOverride?: SyncKind,
): Promise<SyncReport> {
  const { store, clock, logger } = deps;
  const source = inventory.source;
  const full = options.full || !inventory.listChangedSince || !options.since;
  const kind: SyncKind = kindOverride ?? (full ? 'full' : 'incremental');
  const started = clock.now();
  const startedAt = started.toISOString();
  const snapshotId = full ? `${kind}-${startedAt}` : undefined;
  const requestsBefore = inventory.requests;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const platforms = options.platforms?.length ? new Set(options.platforms) : undefined;
  const report: SyncReport = {
    source,
    kind,
    ok: false,
    listed: 0,
    skipped: 0,
    inserted: 0,
    updated: 0,
    revived: 0,
    gone: 0,
    requests: 0,
    durationMs: 0,
    ...(snapshotId ? { snapshotId } : {}),
  };
  const finish = () => {
    report.requests = inventory.requests - requestsBefore;
    report.durationMs = Date.now() - started.getTime();
  };

  try {
    const summaries = full ? await storedSummaries(store, source, options.signal) : undefined;
    const listedIds = new Set<string>();
    // Rows to write, by partition, until a partition has a full transaction's worth (or the read ends).
    const pending = new Map<string, OldMdmDevice[]>();
    const write = (partitions: readonly string[]) =>
      forEachBounded(
        partitions,
        concurrency,
        async (partition) => {
          const devices = pending.get(partition) ?? [];
          pending.delete(partition);
          await storeListed(deps, partition, devices, {
            source,
            at: { now: startedAt, snapshotId },
            summaries,
            report,
            signal: options.signal,
          });
        },
        { signal: options.signal },
      );
    const pages =
      full || !options.since
        ? inventory.listAll(options.signal)
        : inventory.listChangedSince!(options.since, options.signal);
    for await (const page of pages) {
      const ready: string[] = [];
      for (const device of oneEach(page.map(clipped)).values()) {
        if (platforms && !platforms.has(device.platform)) {
          report.skipped++;
          continue;
        }
        if (listedIds.has(device.vendorId)) continue;
        listedIds.add(device.vendorId);
        report.listed++;
        // A full read knows what is stored and skips the unchanged; an incremental one reads each row.
        if (summaries && !writeFor(summaries.get(device.vendorId), device)) continue;
        const partition = inventoryKey(source, device.vendorId).partitionKey;
        const list = pending.get(partition) ?? [];
        list.push(device);
        pending.set(partition, list);
        if (list.length === MAX_TRANSACTION_ACTIONS) ready.push(partition);
      }
      await write(ready);
    }
    await write([...pending.keys()]);
    if (summaries) {
      // The snapshot is complete: whatever it did not list has left the old MDM.
      const goneIds = [...summaries].filter(([id, s]) => !s.gone && !listedIds.has(id)).map(([id]) => id);
      const byPart = byPartition(goneIds, (id) => inventoryKey(source, id).partitionKey);
      await forEachBounded(
        byPart,
        concurrency,
        ([partition, ids]) =>
          changePartition(
            store.oldMdmDevices,
            partition,
            ids.map((id) => ({
              rowKey: inventoryKey(source, id).rowKey,
              next: (current) => goneNow(current, startedAt),
            })),
            {
              signal: options.signal,
              onWritten: (rows) => {
                report.gone += rows.length;
              },
            },
          ),
        { signal: options.signal },
      );
    }
    report.ok = true;
  } catch (err) {
    Object.assign(report, failureOf(err, options.signal));
    finish();
    await recordRun(deps, report, startedAt);
    logger.warn(
      {
        source,
        kind,
        failure: report.failure,
        status: report.status,
        missing: report.missing,
        listed: report.listed,
        requests: report.requests,
      },
      'old MDM sync did not finish; nothing was marked gone',
    );
    if (report.failure === 'internal') throw err;
    return report;
  }
  finish();
  await recordRun(deps, report, startedAt);
  const { source: _s, ok: _o, ...counts } = report;
  logger.info({ source, ...counts }, 'old MDM sync done');
  return report;
}

async function recordRun(deps: InventorySyncDeps, report: SyncReport, startedAt: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  await writeSyncState(deps.store, report.source, (current) => {
    const next: InventorySyncState = {
      ...current,
      lastRunAt: now,
      lastRunKind: report.kind,
      lastRunOk: report.ok,
      lastDurationMs: report.durationMs,
      lastRequests: report.requests,
    };
    if (!report.ok) {
      return {
        ...next,
        lastErrorKind: report.failure,
        lastErrorMissing: report.missing,
        lastErrorStatus: report.status,
        lastErrorAt: now,
      };
    }
    const ok: InventorySyncState = {
      ...next,
      lastErrorKind: undefined,
      lastErrorMissing: undefined,
      lastErrorStatus: undefined,
    };
    if (report.kind === 'incremental') return { ...ok, lastIncrementalAt: startedAt };
    return { ...ok, lastFullSyncAt: startedAt, lastSnapshotId: report.snapshotId, devices: report.listed };
  });
}

/**
 * An admin's confirmed export file as a new full snapshot of its source (`file` by default): the
 * same rules as an API read, so a device missing from the file is gone from the old MDM.
 */
export async function applyFileSnapshot(
  deps: InventorySyncDeps,
  devices: readonly OldMdmDevice[],
  options: { source?: string; signal?: AbortSignal } = {},
): Promise<SyncReport> {
  const source = options.source ?? 'file';
  const snapshot: SourceMdmInventory = {
    source,
    vendor: devices[0]?.vendor ?? 'other',
    requests: 0,
    async *listAll() {
      // Pages keep each round of writes small; the file itself is already in memory.
      for (let i = 0; i < devices.length; i += 500) {
        yield devices.slice(i, i + 500).map((d) => ({ ...d, source }));
      }
    },
  };
  return syncSource(deps, snapshot, { full: true, signal: options.signal }, 'file');
}
