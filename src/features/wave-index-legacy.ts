/**
 * The wave index's earlier layout kept a wave in one partition (`wave-<id>`); it now spreads over the
 * member's bucket (`waveMemberKey`). Rows a deployment wrote before stay valid where they are: every
 * listing and a person's rows read them too, and a member's removal or erasure deletes them, so none
 * is lost or left behind. What remains is a duplicate — a bucket row written for a user the old
 * partition already lists — which a listing hides but the live counters would count twice: an
 * import therefore first moves its wave's old rows into the buckets (`foldLegacyIndex`), and the
 * one-user write drops a member's old row when it finds them in the wave without a bucket row.
 *
 * The fold needs no lease: each step is safe to run twice or alongside another writer (a bucket row
 * already there is newer and stays; deleting a row already gone is a no-op; a copy whose user left
 * meanwhile goes as any stray index row does).
 */
import { legacyWaveMembersPartition, type WaveMember, waveMemberKey } from '../domain/campaign';
import {
  ConcurrencyError,
  type EntityKey,
  MAX_TRANSACTION_ACTIONS,
  type Store,
  type Stored,
  type TransactionAction,
  TransactionError,
} from '../ports/store';
import { forEachBounded } from '../shared/bounded';
import { dropIndexRows } from './membership';
import { byPartition, PARTITIONS_IN_FLIGHT } from './partition-reads';

type Row = Stored<WaveMember> & { key: EntityKey };

/**
 * Moves a wave's rows of the one-partition layout into their buckets; returns how many there were
 * (0, one request, once a wave has none).
 */
export async function foldLegacyIndex(
  store: Pick<Store, 'waveMembers' | 'participants'>,
  waveId: string,
): Promise<number> {
  const legacyPk = legacyWaveMembersPartition(waveId);
  const legacy: Row[] = [];
  for await (const row of store.waveMembers.listPartition(legacyPk)) legacy.push(row);
  if (legacy.length === 0) return 0;

  const copied: { id: string; etag: string }[] = [];
  const buckets = byPartition(legacy, (r) => waveMemberKey(waveId, r.key.rowKey));
  await forEachBounded(buckets, PARTITIONS_IN_FLIGHT, async ([pk, rows]) => {
    for (let i = 0; i < rows.length; i += MAX_TRANSACTION_ACTIONS) {
      const inserts = rows
        .slice(i, i + MAX_TRANSACTION_ACTIONS)
        .map(
          (r): TransactionAction<WaveMember> => ({ kind: 'insert', rowKey: r.key.rowKey, value: r.value }),
        );
      copied.push(...(await insertAbsent(store, pk, inserts)));
    }
  });

  for (let i = 0; i < legacy.length; i += MAX_TRANSACTION_ACTIONS) {
    const chunk = legacy.slice(i, i + MAX_TRANSACTION_ACTIONS);
    try {
      await store.waveMembers.transact(
        legacyPk,
        chunk.map((r) => ({ kind: 'delete', rowKey: r.key.rowKey })),
      );
    } catch (err) {
      // One went since it was listed (a member's removal): the rest one by one.
      if (!(err instanceof ConcurrencyError)) throw err;
      await forEachBounded(chunk, PARTITIONS_IN_FLIGHT, (r) => store.waveMembers.delete(r.key));
    }
  }
  await dropIndexRows(store, waveId, copied);
  return legacy.length;
}

/** Inserts the rows not yet in the bucket (a row there was written since and is newer): their ETags. */
async function insertAbsent(
  store: Pick<Store, 'waveMembers'>,
  pk: string,
  inserts: TransactionAction<WaveMember>[],
): Promise<{ id: string; etag: string }[]> {
  let actions = inserts;
  while (actions.length > 0) {
    try {
      const etags = await store.waveMembers.transact(pk, actions);
      return actions.map((a, i) => ({ id: a.rowKey, etag: etags[i]! }));
    } catch (err) {
      if (!(err instanceof TransactionError) || err.kind !== 'already-exists') throw err;
      const taken = err.index;
      if (taken === undefined) return insertOneByOne(store, pk, actions);
      actions = actions.filter((_, i) => i !== taken);
    }
  }
  return [];
}

async function insertOneByOne(
  store: Pick<Store, 'waveMembers'>,
  pk: string,
  actions: readonly TransactionAction<WaveMember>[],
): Promise<{ id: string; etag: string }[]> {
  const out: { id: string; etag: string }[] = [];
  await forEachBounded(actions, PARTITIONS_IN_FLIGHT, async (a) => {
    if (a.kind !== 'insert') return;
    try {
      const row = await store.waveMembers.insert({ partitionKey: pk, rowKey: a.rowKey }, a.value);
      out.push({ id: a.rowKey, etag: row.etag });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  });
  return out;
}
