/**
 * The progress refresher's baseline at scale: the first look at many participants at once.
 *
 * - Where devices come from: per-user look-ups cost requests in proportion to the people looked up,
 *   a tenant-wide read in proportion to the tenant's devices; `chooseDeviceSource` takes the cheaper.
 * - How the results are stored: reads by whole partitions instead of one row at a time, and writes
 *   in entity-group transactions grouped by partition. Participant rows are replaced with the ETag
 *   they were read with, so a concurrent change (a user pressing a button) is never overwritten: a
 *   group that meets a conflict is read again and redone, as `Repository.update` does for one row.
 */
import type { Wave } from '../domain/campaign';
import type { DeviceObservation } from '../domain/device';
import { advanceJourneys, type JourneyAdvance, type ParticipantChanges } from '../domain/device-changes';
import { type DeviceOwner, deviceOwnerKey } from '../domain/device-owner';
import { mergeSources, type OldMdmEntry } from '../domain/device-sources';
import { type Participant, participantKey } from '../domain/participant';
import { clearPersonChanged } from '../features/old-mdm/person-changes';
import type { DeviceChanges } from '../ports/device-changes';
import {
  ConcurrencyError,
  MAX_TRANSACTION_ACTIONS,
  type Repository,
  type Store,
  type Stored,
  type TransactionAction,
} from '../ports/store';
import { forEachBounded } from '../shared/bounded';

/** From this many rows on, whole partitions are listed rather than rows read one by one. */
export const BULK_THRESHOLD = 2_000;
/** Participant partitions (participantKey) and device-owner partitions (deviceOwnerKey). */
const PARTICIPANT_PARTITIONS = Array.from({ length: 64 }, (_, i) => `p${String(i).padStart(2, '0')}`);
const OWNER_PARTITIONS = Array.from({ length: 256 }, (_, i) => `d${i.toString(16).padStart(2, '0')}`);
/** Times a transaction group is read again and redone after a conflict before its rows are retried next cycle. */
const GROUP_ATTEMPTS = 5;

export interface SourceChoice {
  source: 'look-ups' | 'tenant-wide';
  lookUpRequests: number;
  /** Undefined when no full Entra round is in hand (the tenant-wide read needs its device count). */
  tenantWideRequests?: number;
}

/** Per-user look-ups or one tenant-wide read, whichever costs fewer requests (ties: look-ups). */
export function chooseDeviceSource(
  changes: DeviceChanges,
  users: number,
  fullEntraRound: { entraDevices: number } | undefined,
  managedDevices: number | undefined,
): SourceChoice {
  const lookUpRequests = changes.lookUpCost(users);
  if (!fullEntraRound || users === 0) return { source: 'look-ups', lookUpRequests };
  const tenantWideRequests = changes.tenantReadCost({
    entraDevices: fullEntraRound.entraDevices,
    ...(managedDevices !== undefined ? { managedDevices } : {}),
  });
  return {
    source: tenantWideRequests < lookUpRequests ? 'tenant-wide' : 'look-ups',
    lookUpRequests,
    tenantWideRequests,
  };
}

/** Every row of the given partitions, by row key. */
async function listAll<T>(
  repo: Repository<T>,
  partitions: readonly string[],
  concurrency: number,
): Promise<Map<string, Stored<T>>> {
  const out = new Map<string, Stored<T>>();
  await forEachBounded(partitions, concurrency, async (pk) => {
    for await (const row of repo.listPartition(pk))
      out.set(row.key.rowKey, { value: row.value, etag: row.etag });
  });
  return out;
}

/** All participant rows, by lower-case Entra object id. */
export function listParticipants(
  repo: Repository<Participant>,
  concurrency: number,
): Promise<Map<string, Stored<Participant>>> {
  return listAll(repo, PARTICIPANT_PARTITIONS, concurrency);
}

/** The whole device → owner index, by device key. */
export async function listDeviceOwners(
  repo: Repository<DeviceOwner>,
  concurrency: number,
): Promise<Map<string, string>> {
  const rows = await listAll(repo, OWNER_PARTITIONS, concurrency);
  return new Map([...rows].map(([key, row]) => [key, row.value.aadObjectId]));
}

/**
 * Points every device at its owner, 100 rows to a transaction per partition. Returns the owners
 * whose rows could not be written (their participants are retried next cycle).
 */
export async function writeDeviceOwners(
  repo: Repository<DeviceOwner>,
  owners: ReadonlyMap<string, string>,
  concurrency: number,
): Promise<Map<string, unknown>> {
  const byPartition = new Map<string, TransactionAction<DeviceOwner>[]>();
  for (const [deviceKey, aadObjectId] of owners) {
    const key = deviceOwnerKey(deviceKey);
    const action: TransactionAction<DeviceOwner> = {
      kind: 'upsert',
      rowKey: key.rowKey,
      value: { aadObjectId, deviceKey: key.rowKey },
    };
    const list = byPartition.get(key.partitionKey);
    if (list) list.push(action);
    else byPartition.set(key.partitionKey, [action]);
  }
  const failed = new Map<string, unknown>();
  const groups = [...byPartition].flatMap(([pk, actions]) => chunks(actions).map((c) => ({ pk, c })));
  await forEachBounded(groups, concurrency, async ({ pk, c }) => {
    try {
      await repo.transact(pk, c);
    } catch (err) {
      for (const a of c) if (a.kind === 'upsert') failed.set(a.value.aadObjectId, err);
    }
  });
  return failed;
}

/** What to write for one participant, decided on the row as it is now; `undefined`: nothing. */
export type Decide = (current: Participant, id: string) => Participant | undefined;

export interface BulkWrite {
  /** Participants written, with the value stored. */
  written: Map<string, Participant>;
  /** Participants not written because of an error (retried next cycle). */
  failed: Map<string, unknown>;
}

/**
 * Writes participants partition by partition, 100 to a transaction, each replaced with the ETag it
 * was read with. A conflict (someone else wrote one of the rows) redoes the whole group from fresh
 * reads; `decide` runs again on each fresh row. A group still conflicting after five rounds is left
 * to the next cycle.
 */
export async function writeParticipants(
  repo: Repository<Participant>,
  rows: ReadonlyMap<string, Stored<Participant>>,
  decide: Decide,
  concurrency: number,
): Promise<BulkWrite> {
  const written = new Map<string, Participant>();
  const failed = new Map<string, unknown>();
  const byPartition = new Map<string, string[]>();
  for (const id of rows.keys()) {
    const pk = participantKey(id).partitionKey;
    const list = byPartition.get(pk);
    if (list) list.push(id);
    else byPartition.set(pk, [id]);
  }
  const groups = [...byPartition].flatMap(([pk, ids]) => chunks(ids).map((c) => ({ pk, ids: c })));
  await forEachBounded(groups, concurrency, async ({ pk, ids }) => {
    const current = new Map(ids.map((id) => [id, rows.get(id)!]));
    for (let attempt = 1; ; attempt++) {
      const actions: TransactionAction<Participant>[] = [];
      const values = new Map<string, Participant>();
      for (const [id, row] of current) {
        try {
          const next = decide(row.value, id);
          if (!next) continue;
          values.set(id, next);
          actions.push({ kind: 'replace', rowKey: participantKey(id).rowKey, value: next, etag: row.etag });
        } catch (err) {
          failed.set(id, err);
          current.delete(id);
        }
      }
      if (actions.length === 0) return;
      try {
        await repo.transact(pk, actions);
        for (const [id, value] of values) written.set(id, value);
        return;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= GROUP_ATTEMPTS) {
          for (const id of values.keys()) failed.set(id, err);
          return;
        }
      }
      // Someone wrote to the group meanwhile: read it again and decide anew.
      for (const id of [...current.keys()]) {
        const fresh = await repo.get(participantKey(id));
        if (fresh) current.set(id, fresh);
        else current.delete(id);
      }
    }
  });
  return { written, failed };
}

/** What the bulk write needs of a planned participant. */
export interface BulkPlan {
  work: ParticipantChanges & { aadObjectId: string; oldMdmChangedAt?: string };
  stored: Stored<Participant>;
  /** The participant's journey keys when planned (old-MDM devices no longer listed stay in view). */
  tracked: ReadonlySet<string>;
}

export type Advanced = Extract<JourneyAdvance, { kind: 'advanced' }>;

export interface BulkContext<P extends BulkPlan> {
  store: Store;
  waves: ReadonlyMap<string, Wave>;
  /** Participants that failed, by id: added to here, retried next cycle. */
  failed: Map<string, unknown>;
  concurrency: number;
  now: () => Date;
  oldMdmOf?: (aadObjectId: string) => Promise<OldMdmEntry[]>;
  /** A participant's change is stored: count it and tell whoever listens. */
  changed: (plan: P, written: Participant, result: Advanced) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * The refresher's "apply and store" for many participants: the same decisions its per-row path makes
 * (advanceJourneys on the row as stored, nothing for rows that left their wave or were erased), with
 * the owner index written first and then the participant rows, both in transactions by partition.
 */
export async function applyInBulk<P extends BulkPlan>(
  plans: readonly P[],
  lookups: ReadonlyMap<string, DeviceObservation[] | Error>,
  ctx: BulkContext<P>,
): Promise<void> {
  const { store, failed, concurrency, signal } = ctx;
  const looked = new Map<string, DeviceObservation[] | undefined>();
  await forEachBounded(
    plans,
    concurrency,
    async (plan) => {
      const id = plan.work.aadObjectId;
      try {
        const graph = lookups.get(id);
        if (graph instanceof Error) throw graph;
        const oldMdm = graph && ctx.oldMdmOf ? await ctx.oldMdmOf(id) : undefined;
        looked.set(id, graph && oldMdm ? mergeSources(graph, oldMdm, plan.tracked) : graph);
      } catch (err) {
        failed.set(id, err);
      }
    },
    { signal },
  );
  // Index first: if a participant write below fails, a later Entra change still finds the owner.
  const owners = new Map<string, string>();
  for (const [id, devices] of looked) for (const d of devices ?? []) owners.set(d.key.toLowerCase(), id);
  for (const [id, err] of await writeDeviceOwners(store.deviceOwners, owners, concurrency))
    failed.set(id, err);

  const byId = new Map<string, P>();
  for (const p of plans) {
    const id = p.work.aadObjectId;
    if (looked.has(id) && !failed.has(id)) byId.set(id, p);
  }
  const outcomes = new Map<string, Advanced>();
  const decide: Decide = (current, id) => {
    outcomes.delete(id);
    if (!current.waveId || current.erasedAt || !ctx.waves.has(current.waveId)) return undefined;
    const outcome = advanceJourneys(current, byId.get(id)!.work, looked.get(id), ctx.now());
    // The journeys changed under us since planning; a full look-up next cycle settles it.
    if (outcome.kind === 'look-up')
      throw new Error('the participant changed while its devices were being refreshed');
    outcomes.set(id, outcome);
    return outcome.changed ? outcome.participant : undefined;
  };
  const rows = new Map([...byId].map(([id, p]) => [id, p.stored]));
  const result = await writeParticipants(store.participants, rows, decide, concurrency);
  for (const [id, err] of result.failed) failed.set(id, err);
  await forEachBounded(
    byId.values(),
    concurrency,
    async (plan) => {
      const id = plan.work.aadObjectId;
      if (failed.has(id)) return;
      const written = result.written.get(id);
      const outcome = outcomes.get(id);
      if (written && outcome) await ctx.changed(plan, written, outcome);
      const changedAt = plan.work.oldMdmChangedAt;
      if (changedAt !== undefined) await clearPersonChanged(store, id, changedAt);
    },
    { signal },
  );
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_TRANSACTION_ACTIONS)
    out.push(items.slice(i, i + MAX_TRANSACTION_ACTIONS));
  return out;
}
