/**
 * The matching pass: after a sync, every stored device of every old-MDM source is matched to an
 * Intune/Entra device and to a person (src/domain/device-matching.ts decides), and the result is
 * stored on its inventory row and copied into its person's partition of `oldMdmByPerson`. One Graph
 * read per pass; a row is written only when its match, its person or the listed device changed, so
 * a second pass over unchanged data writes nothing. The writes go as entity-group transactions
 * (match-pass-writes.ts). Logs carry ids and counts only.
 */
import {
  type DeviceMatch,
  guidKey,
  indexPeople,
  type MatchOptions,
  matchDevices,
  type Person,
} from '../../domain/device-matching';
import {
  type InventoryDevice,
  inventoryPartitions,
  MAX_STORED_CANDIDATES,
  type SourceMatchCounts,
  type StoredMatch,
  type StoredPerson,
} from '../../domain/inventory';
import type { OldMdmDevice } from '../../domain/old-mdm';
import { PARTICIPANT_PARTITIONS } from '../../domain/participant';
import type { Logger } from '../../logging';
import type { Clock } from '../../ports/clock';
import type { DeviceDirectory } from '../../ports/device-directory';
import type { EntityKey, JobState, Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { withLowHeapGrowth } from '../../shared/heap-growth';
import {
  detachErased,
  markChangedPeople,
  planOf,
  type ScannedRow,
  writeIndexCopies,
  writeRows,
} from './match-pass-writes';
import { countListed } from './match-views';
import { countByWave, writeWaveCounts } from './wave-counts';

export { personCopy } from './match-pass-writes';

export interface MatchPassDeps {
  store: Store;
  directory: DeviceDirectory;
  clock: Clock;
  logger: Logger;
}

export interface MatchPassOptions {
  signal?: AbortSignal;
  /** Index transactions in flight at once. Default 4. */
  concurrency?: number;
  /** How long a gone device stays in its person's index. Default one day (see `GONE_RETENTION_MS`). */
  goneRetentionMs?: number;
  /** The admin's mapping of old-MDM user names to UPNs. */
  personMapping?: Readonly<Record<string, string>>;
  matchOptions?: MatchOptions;
}

export interface MatchPassReport {
  /** Stored devices the sources list now (matched), and those gone from them (not matched again). */
  devices: number;
  gone: number;
  matched: number;
  ambiguous: number;
  unmatched: number;
  personMissing: number;
  /** Graph requests the candidates cost, and whether Entra's device list was among them. */
  graphRequests: number;
  entraRead: boolean;
  /** How Intune's devices were read (page by page, or one report export), and why not the export when it failed. */
  intuneRead: 'paged' | 'export';
  intuneReadNote?: string;
  rowsWritten: number;
  indexWritten: number;
  indexDeleted: number;
  /** People marked for the background refresh (those it follows whose copies changed). */
  peopleMarked: number;
  /** Waves whose members hold listed devices, and their summary rows written (see wave-counts.ts). */
  waves: number;
  waveRowsWritten: number;
  durationMs: number;
  /** Where the time went: reading and matching, the index copies, the markers, the inventory rows. */
  phaseMs: { match: number; copies: number; markers: number; rows: number };
}

/**
 * A gone device stays in its person's index for a day, so the journey can say "Workspace ONE no
 * longer lists it" on its next refresh (minutes away), then leaves so the partition stays small.
 */
export const GONE_RETENTION_MS = 24 * 3_600_000;
/**
 * Measured at 100,000 devices: 4 in flight wrote the 50,000 index transactions as fast as 16 did
 * (35.2 s vs 36.6 s; Azurite serves one at a time) and promoted a quarter of the request garbage
 * into the old generation (13 vs 52 MB a second).
 */
const DEFAULT_CONCURRENCY = 4;
const SCAN_CONCURRENCY = 8;

export const MATCH_PASS_STATE_KEY: EntityKey = { partitionKey: 'old-mdm-match', rowKey: 'pass' };

export interface MatchPassState extends JobState {
  lastPassAt?: string;
  lastPassDevices?: number;
  lastPassGraphRequests?: number;
  lastPassRowsWritten?: number;
  /** The sources the pass saw listed devices of, as a JSON array (a wave dashboard shows each). */
  lastPassSources?: string;
  /** Per source, what it listed and how that matched, as a JSON object (the admin home shows it). */
  lastPassCounts?: string;
}

/** The per-source counts of the last pass; undefined before the first pass (or an unreadable row). */
export function passCounts(state: MatchPassState): Record<string, SourceMatchCounts> | undefined {
  if (!state.lastPassCounts) return undefined;
  try {
    const parsed = JSON.parse(state.lastPassCounts) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, SourceMatchCounts>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The sources the last pass saw listed devices of. */
export function passSources(state: MatchPassState): string[] {
  try {
    const parsed = JSON.parse(state.lastPassSources ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export async function readMatchPassState(store: Store): Promise<MatchPassState> {
  return ((await store.jobState.get(MATCH_PASS_STATE_KEY))?.value ?? {}) as MatchPassState;
}

/**
 * One copy of each value that repeats across rows (source, platform, enrollment, the sync time all
 * rows of a snapshot share, the partition): each parsed row brings its own copy otherwise. With the
 * user fields shared where they are equal, this took 100,000 scanned rows from 81 to 59 MB (measured).
 */
class Interner {
  private readonly pool = new Map<string, string>();
  of<T extends string | undefined>(value: T): T {
    if (value === undefined) return value;
    const found = this.pool.get(value);
    if (found !== undefined) return found as T;
    this.pool.set(value, value);
    return value;
  }
}

function scanned(key: EntityKey, row: InventoryDevice, intern: Interner): ScannedRow {
  const upn = row.userPrincipalName;
  // Old MDMs often put the UPN in the mail and user-name fields too: keep one string for all three.
  const same = (v: string | undefined) => (v !== undefined && v === upn ? upn : v);
  const device: OldMdmDevice = {
    source: intern.of(row.source),
    vendor: intern.of(row.vendor),
    vendorId: row.vendorId,
    name: row.name,
    platform: intern.of(row.platform),
    serialNumber: row.serialNumber,
    imei: row.imei,
    udid: row.udid,
    entraDeviceId: row.entraDeviceId,
    userPrincipalName: upn,
    userEmail: same(row.userEmail),
    userName: same(row.userName),
    ownership: intern.of(row.ownership),
    supervised: row.supervised,
    enrollment: intern.of(row.enrollment),
    lastSeen: row.lastSeen,
  };
  return {
    key: { partitionKey: intern.of(key.partitionKey), rowKey: key.rowKey },
    device,
    lastSyncedAt: intern.of(row.lastSyncedAt),
    goneAt: intern.of(row.goneAt),
    match: row.match,
    person: row.person,
    matchedRowAt: intern.of(row.matchedRowAt),
    indexedUnder: row.indexedUnder,
  };
}

async function scanInventory(store: Store, signal?: AbortSignal): Promise<ScannedRow[]> {
  const rows: ScannedRow[] = [];
  const intern = new Interner();
  await forEachBounded(
    inventoryPartitions(),
    SCAN_CONCURRENCY,
    async (partition) => {
      for await (const row of store.oldMdmDevices.listPartition(partition))
        rows.push(scanned(row.key, row.value, intern));
    },
    { signal },
  );
  // Scans finish in any order; matching is order-independent, but writes and logs read better sorted.
  rows.sort((a, b) => (a.key.rowKey < b.key.rowKey ? -1 : a.key.rowKey > b.key.rowKey ? 1 : 0));
  return rows;
}

/**
 * The people the bot knows: participants with a UPN (the table stores no mail), every participant's
 * wave — the participant row is the truth of membership — for the per-wave counts, and the people
 * the background refresh follows (in a wave, or with journeys).
 */
async function scanPeople(
  store: Store,
  signal?: AbortSignal,
): Promise<{ people: Person[]; waveOf: Map<string, string>; followed: Set<string> }> {
  const people: Person[] = [];
  const waveOf = new Map<string, string>();
  const followed = new Set<string>();
  await forEachBounded(
    PARTICIPANT_PARTITIONS,
    SCAN_CONCURRENCY,
    async (partition) => {
      for await (const row of store.participants.listPartition(partition)) {
        const { aadObjectId, userPrincipalName, waveId, journeys } = row.value;
        const id = aadObjectId.toLowerCase();
        if (userPrincipalName) people.push({ id, userPrincipalName });
        if (waveId) waveOf.set(id, waveId);
        if (waveId || journeys) followed.add(id);
      }
    },
    { signal },
  );
  return { people, waveOf, followed };
}

export function storedMatchOf(found: DeviceMatch): StoredMatch {
  const r = found.result;
  if (r.kind === 'matched') {
    return { kind: 'matched', candidateKey: r.candidateKey, by: r.by, confidence: r.confidence };
  }
  if (r.kind === 'ambiguous') {
    return {
      kind: 'ambiguous',
      by: r.by,
      reason: r.reason,
      candidateKeys: [...r.candidates].sort().slice(0, MAX_STORED_CANDIDATES),
    };
  }
  return { kind: 'unmatched' };
}

export function storedPersonOf(found: DeviceMatch): StoredPerson {
  if (found.person) return { aadObjectId: found.person.person.id.toLowerCase(), by: found.person.by };
  return { missing: found.personMissing ?? 'not-found' };
}

/**
 * Reads both sides and matches them; each listed row gets its answer in `next`. Its own function so
 * that Graph's candidates, the people and the matching's working set are garbage once it returns:
 * the pass's long write phase then keeps only the scanned rows.
 */
async function matchStored(
  deps: MatchPassDeps,
  options: MatchPassOptions,
): Promise<{
  rows: ScannedRow[];
  live: ScannedRow[];
  waveOf: Map<string, string>;
  followed: Set<string>;
  counts: Pick<
    MatchPassReport,
    | 'matched'
    | 'ambiguous'
    | 'unmatched'
    | 'personMissing'
    | 'graphRequests'
    | 'entraRead'
    | 'intuneRead'
    | 'intuneReadNote'
  >;
}> {
  const { signal } = options;
  // One read after the other, Graph last: side by side, the garbage of parsing all three answers
  // piled up at once and set the pass's peak memory.
  const rows = await scanInventory(deps.store, signal);
  const { people, waveOf, followed } = await scanPeople(deps.store, signal);
  const live = rows.filter((r) => !r.goneAt);
  const entraIds = new Set(live.flatMap((r) => guidKey(r.device.entraDeviceId) ?? []));
  const graph = await deps.directory.matchCandidates(signal, entraIds);
  const outcome = matchDevices(
    live.map((r) => r.device),
    graph.candidates,
    indexPeople(people, options.personMapping),
    options.matchOptions,
  );
  let personMissing = 0;
  live.forEach((r, i) => {
    const found = outcome.matches[i]!;
    if (!found.person) personMissing++;
    r.next = { match: storedMatchOf(found), person: storedPersonOf(found) };
  });
  const { matched, ambiguous, unmatched } = outcome.counts;
  return {
    rows,
    live,
    waveOf,
    followed,
    counts: {
      matched,
      ambiguous,
      unmatched,
      personMissing,
      graphRequests: graph.requests,
      entraRead: graph.entraRead ?? true,
      intuneRead: graph.intuneRead ?? 'paged',
      ...(graph.intuneReadNote ? { intuneReadNote: graph.intuneReadNote } : {}),
    },
  };
}

/**
 * One pass. It runs with V8's heap growth lowered (shared/heap-growth.ts): its write phase's
 * request garbage otherwise grows the heap to about twice what the pass holds before V8 collects.
 */
export function runMatchPass(deps: MatchPassDeps, options: MatchPassOptions = {}): Promise<MatchPassReport> {
  return withLowHeapGrowth(() => matchPass(deps, options));
}

async function matchPass(deps: MatchPassDeps, options: MatchPassOptions): Promise<MatchPassReport> {
  const { store, clock, logger } = deps;
  const { signal } = options;
  const startedMs = Date.now();
  const now = clock.now();
  const nowIso = now.toISOString();
  const retention = options.goneRetentionMs ?? GONE_RETENTION_MS;

  const { rows, live, waveOf, followed, counts } = await matchStored(deps, options);
  const matchedMs = Date.now();

  const report: MatchPassReport = {
    devices: live.length,
    gone: rows.length - live.length,
    ...counts,
    rowsWritten: 0,
    indexWritten: 0,
    indexDeleted: 0,
    peopleMarked: 0,
    waves: 0,
    waveRowsWritten: 0,
    durationMs: 0,
    phaseMs: { match: matchedMs - startedMs, copies: 0, markers: 0, rows: 0 },
  };

  const plans = rows.flatMap((row) => planOf(row, now, retention) ?? []);
  const writes = {
    store,
    nowIso,
    signal,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
  };
  // The copies (and their people's markers) first and the inventory rows last: a pass stopped in
  // between left the rows as they were, so the next pass redoes them.
  const copies = await writeIndexCopies(plans, writes);
  report.indexWritten = copies.indexWritten;
  report.indexDeleted = copies.indexDeleted;
  const copiedMs = Date.now();
  report.phaseMs.copies = copiedMs - matchedMs;
  report.peopleMarked = await markChangedPeople(copies.people, followed, writes);
  const markedMs = Date.now();
  report.phaseMs.markers = markedMs - copiedMs;
  report.rowsWritten = await writeRows(plans, writes);
  report.phaseMs.rows = Date.now() - markedMs;
  // The people were read before these writes: anyone erased since is detached again at once.
  report.indexDeleted += await detachErased(plans, writes);

  const byWave = countByWave(
    live.map((r) => ({ source: r.device.source, ...r.next! })),
    waveOf,
  );
  report.waves = byWave.size;
  report.waveRowsWritten = (await writeWaveCounts(store, byWave, signal)).written;

  report.durationMs = Date.now() - startedMs;
  const sources = [...new Set(live.map((r) => r.device.source))].sort();
  const bySource: Record<string, SourceMatchCounts> = {};
  for (const r of live)
    countListed(bySource, { source: r.device.source, ...(r.next ?? { match: r.match, person: r.person }) });
  await store.jobState.update(MATCH_PASS_STATE_KEY, (current) => ({
    ...current,
    lastPassAt: nowIso,
    lastPassDevices: report.devices,
    lastPassGraphRequests: report.graphRequests,
    lastPassRowsWritten: report.rowsWritten,
    lastPassSources: JSON.stringify(sources),
    lastPassCounts: JSON.stringify(bySource),
  }));
  logger.info({ ...report }, 'old MDM matching pass done');
  return report;
}
