/**
 * Many users into one wave at once (an admin's import), with the membership protocol of
 * ./membership.ts in Azure Tables entity-group transactions: up to 100 rows of one partition, all
 * or nothing, each replaced row under the ETag it was read with.
 */
import type { Deps } from '../deps';
import { type Wave, type WaveMember, waveMemberKey } from '../domain/campaign';
import { type Participant, participantKey } from '../domain/participant';
import type { MemberToSave } from '../domain/wave-membership';
import {
  ConcurrencyError,
  MAX_TRANSACTION_ACTIONS,
  type Stored,
  type TransactionAction,
} from '../ports/store';
import { forEachBounded } from '../shared/bounded';
import { decide, dropIndexRows, indexRow, type PlaceOutcome, placeInWave } from './membership';
import { byPartition, PARTITIONS_IN_FLIGHT, readIndexRows, readParticipants } from './partition-reads';
import { foldLegacyIndex } from './wave-index-legacy';

type MembershipDeps = Pick<Deps, 'store' | 'clock'>;

/** Whole attempts of one transaction, each from fresh reads, before its users are written one by one. */
const TRANSACTION_ATTEMPTS = 6;

/** A user of a batch whose rows could not be written: nothing changed for them but a stray index row. */
export type BatchOutcome = PlaceOutcome | { kind: 'failed'; error: unknown };

/**
 * `placeInWave` for many users, with the same outcomes, in transactions: the wave's index and every
 * participant partition concerned are read once (listed when many rows are wanted), then per
 * partition and per 100 users one transaction writes the index rows, one the participant rows (each
 * with the ETag read; a conflict retries that transaction whole from fresh reads) and one rewrites
 * the index rows; moved users' old index rows go last, per wave. Users of a transaction that keeps
 * failing are written one by one (`placeInWave`), so one bad row fails alone.
 */
export async function placeManyInWave(
  deps: MembershipDeps,
  wave: Wave,
  waves: ReadonlyMap<string, Wave>,
  members: Iterable<MemberToSave>,
): Promise<Map<string, BatchOutcome>> {
  const byId = new Map<string, MemberToSave>();
  for (const m of members) {
    const id = m.aadObjectId.toLowerCase();
    if (!byId.has(id)) byId.set(id, { ...m, aadObjectId: id });
  }
  const outcomes = new Map<string, BatchOutcome>();
  const oneByOne = (list: readonly MemberToSave[]) =>
    forEachBounded(list, PARTITIONS_IN_FLIGHT, async (m) => {
      try {
        outcomes.set(m.aadObjectId, await placeInWave(deps, wave, waves, m));
      } catch (error) {
        outcomes.set(m.aadObjectId, { kind: 'failed', error });
      }
    });
  // Rows of the wave's earlier one-partition layout into the buckets first, so that none is doubled;
  // when that fails they stay readable where they are.
  await foldLegacyIndex(deps.store, wave.id).catch(() => 0);
  let batch: Batch;
  try {
    const index = await readIndexRows(deps.store.waveMembers, wave.id, byId.keys());
    batch = { deps, wave, waves, index, lanes: new Map() };
  } catch {
    await oneByOne([...byId.values()]);
    return outcomes;
  }
  const partitions = byPartition(byId.values(), (m) => participantKey(m.aadObjectId));
  await forEachBounded(partitions, PARTITIONS_IN_FLIGHT, async ([pk, list]) => {
    let rows: Map<string, Stored<Participant>>;
    try {
      rows = await readParticipants(
        deps.store.participants,
        list.map((m) => m.aadObjectId),
      );
    } catch {
      return oneByOne(list);
    }
    for (let i = 0; i < list.length; i += MAX_TRANSACTION_ACTIONS) {
      const chunk = list.slice(i, i + MAX_TRANSACTION_ACTIONS);
      let placed: Map<string, PlaceOutcome>;
      let indexed: Map<string, string>;
      try {
        ({ placed, indexed } = await commitChunk(batch, pk, chunk, rows));
      } catch {
        await oneByOne(chunk);
        continue;
      }
      for (const [id, outcome] of placed) outcomes.set(id, outcome);
      try {
        await afterCommit(batch, chunk, placed, indexed);
      } catch {
        // Committed, but its index rows may be missing: the single-user protocol repairs them.
        const repair = chunk.filter((m) => placed.get(m.aadObjectId)?.kind !== 'conflict');
        await forEachBounded(repair, PARTITIONS_IN_FLIGHT, (m) =>
          placeInWave(deps, wave, waves, m).catch((error) =>
            outcomes.set(m.aadObjectId, { kind: 'failed', error }),
          ),
        );
      }
    }
  });

  // Moved users leave their old waves' index, each old wave read once. A row left behind (storage
  // failed here) is harmless: readers of the index keep only rows whose participant names the wave.
  const movedFrom = new Map<string, { id: string }[]>();
  for (const [id, o] of outcomes) {
    if (o.kind !== 'moved') continue;
    const list = movedFrom.get(o.from) ?? [];
    list.push({ id });
    movedFrom.set(o.from, list);
  }
  for (const [from, ids] of movedFrom) await dropIndexRows(deps.store, from, ids).catch(() => undefined);
  return outcomes;
}

interface Batch {
  deps: MembershipDeps;
  wave: Wave;
  waves: ReadonlyMap<string, Wave>;
  /** The wave's index rows as last read or written by this batch. */
  index: Map<string, Stored<WaveMember>>;
  /** The last index transaction sent to each index partition. */
  lanes: Map<string, Promise<unknown>>;
}

/**
 * One index transaction in flight per index partition: the participant partitions are written in
 * parallel, but their index rows may share a partition, which takes a bounded number of rows a
 * second (Azure Tables: about 2,000); parallel batches to it would only wait there, each against
 * the storage call's time bound.
 */
function inLane<R>(batch: Batch, pk: string, work: () => Promise<R>): Promise<R> {
  const run = (batch.lanes.get(pk) ?? Promise.resolve()).then(work, work);
  batch.lanes.set(
    pk,
    run.catch(() => undefined),
  );
  return run;
}

/** One transaction's users into the wave: their index rows first, then their participant rows. */
async function commitChunk(
  batch: Batch,
  pk: string,
  chunk: readonly MemberToSave[],
  rows: ReadonlyMap<string, Stored<Participant>>,
): Promise<{ placed: Map<string, PlaceOutcome>; indexed: Map<string, string> }> {
  const { store, clock } = batch.deps;
  /** Index rows this writer wrote, by user: the ETag it left them with. */
  const indexed = new Map<string, string>();
  let current = rows;
  for (let attempt = 1; ; attempt++) {
    const now = clock.now();
    const decided = chunk.map((m) => {
      const cur = current.get(m.aadObjectId);
      return { m, cur, ...decide(cur?.value, m, batch.wave, batch.waves, now) };
    });
    // Every user the participant write puts in the wave has an index row first; a lost one is repaired.
    const unindexed = decided.flatMap(({ m, next, outcome }) =>
      !indexed.has(m.aadObjectId) && (next || (outcome.kind === 'already' && !batch.index.has(m.aadObjectId)))
        ? [m]
        : [],
    );
    for (const [id, etag] of await writeIndexRows(batch, unindexed, now)) indexed.set(id, etag);
    const actions = decided.flatMap(({ m, cur, next }): TransactionAction<Participant>[] => {
      if (!next) return [];
      return cur
        ? [{ kind: 'replace', rowKey: m.aadObjectId, value: next, etag: cur.etag }]
        : [{ kind: 'insert', rowKey: m.aadObjectId, value: next }];
    });
    try {
      if (actions.length > 0) await store.participants.transact(pk, actions);
      return { placed: new Map(decided.map((d) => [d.m.aadObjectId, d.outcome])), indexed };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= TRANSACTION_ATTEMPTS) throw err;
      // Someone wrote one of these rows since it was read: nothing of the transaction landed.
      await backOff(attempt);
      current = await readParticipants(
        store.participants,
        chunk.map((m) => m.aadObjectId),
      );
    }
  }
}

/**
 * Index rows (at most one transaction's worth) inserted, or rewritten as they are under the ETag read;
 * one transaction per index partition, retried whole from fresh reads. Returns each row's new ETag.
 */
async function writeIndexRows(
  batch: Batch,
  members: readonly MemberToSave[],
  now: Date,
): Promise<Map<string, string>> {
  const { waveMembers } = batch.deps.store;
  const written = new Map<string, string>();
  for (const [pk, group] of byPartition(members, (m) => waveMemberKey(batch.wave.id, m.aadObjectId))) {
    for (let attempt = 1; ; attempt++) {
      const actions = group.map((m): TransactionAction<WaveMember> & { value: WaveMember } => {
        const cur = batch.index.get(m.aadObjectId);
        // Rewriting a row changes its ETag, which tells a loser's clean-up that it is claimed again.
        return cur
          ? { kind: 'replace', rowKey: m.aadObjectId, value: cur.value, etag: cur.etag }
          : { kind: 'insert', rowKey: m.aadObjectId, value: indexRow(batch.wave.id, m, now) };
      });
      try {
        const etags = await inLane(batch, pk, () => waveMembers.transact(pk, actions));
        for (const [i, a] of actions.entries()) {
          batch.index.set(a.rowKey, { value: a.value, etag: etags[i]! });
          written.set(a.rowKey, etags[i]!);
        }
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= TRANSACTION_ATTEMPTS) throw err;
        await backOff(attempt);
        const ids = group.map((m) => m.aadObjectId);
        const fresh = await readIndexRows(waveMembers, batch.wave.id, ids);
        for (const id of ids) {
          const row = fresh.get(id);
          if (row) batch.index.set(id, row);
          else batch.index.delete(id);
        }
      }
    }
  }
  return written;
}

/**
 * After the participants committed: the joiners' index rows written again (under the ETag this writer
 * left them with; when a row changed or went since, unconditionally), and the rows this writer wrote
 * for users who stayed out dropped.
 */
async function afterCommit(
  batch: Batch,
  chunk: readonly MemberToSave[],
  placed: ReadonlyMap<string, PlaceOutcome>,
  indexed: ReadonlyMap<string, string>,
): Promise<void> {
  const { store, clock } = batch.deps;
  const now = clock.now();
  const joined = chunk.filter((m) => ['added', 'moved'].includes(placed.get(m.aadObjectId)?.kind ?? ''));
  for (const [pk, group] of byPartition(joined, (m) => waveMemberKey(batch.wave.id, m.aadObjectId))) {
    const rows = group.map((m) => indexRow(batch.wave.id, m, now));
    const replace = rows.map((value): TransactionAction<WaveMember> => {
      const etag = indexed.get(value.aadObjectId);
      return etag
        ? { kind: 'replace', rowKey: value.aadObjectId, value, etag }
        : { kind: 'upsert', rowKey: value.aadObjectId, value };
    });
    let etags: string[];
    try {
      etags = await inLane(batch, pk, () => store.waveMembers.transact(pk, replace));
    } catch (err) {
      // A loser's clean-up removed one (or a writer rewrote it): the rows go in as they should be.
      if (!(err instanceof ConcurrencyError)) throw err;
      const upserts = rows.map(
        (value): TransactionAction<WaveMember> => ({
          kind: 'upsert',
          rowKey: value.aadObjectId,
          value,
        }),
      );
      etags = await inLane(batch, pk, () => store.waveMembers.transact(pk, upserts));
    }
    for (const [i, value] of rows.entries()) batch.index.set(value.aadObjectId, { value, etag: etags[i]! });
  }
  const stayedOut = [...indexed].filter(([id]) =>
    ['conflict', 'erased'].includes(placed.get(id)?.kind ?? ''),
  );
  await dropIndexRows(
    store,
    batch.wave.id,
    stayedOut.map(([id, etag]) => ({ id, etag })),
  );
}

/** A short, jittered pause before a transaction is tried again, so that racing writers spread out. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(resolve, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())),
  );
}
