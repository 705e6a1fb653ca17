/**
 * Reading many rows at once, with their ETags: per partition, one listing of the key range the wanted
 * rows span (a page per 1,000 rows) when many are wanted, else one read per row. Used by the
 * import's preview (read-only) and by the membership writes that replace what they read.
 */
import { legacyWaveMemberKey, waveMemberKey } from '../domain/campaign';
import { participantKey } from '../domain/participant';
import type { EntityKey, Repository, Stored } from '../ports/store';
import { forEachBounded } from '../shared/bounded';

/** Partitions (and single-row reads) worked on at once. */
export const PARTITIONS_IN_FLIGHT = 8;
/** From this many keys a participant partition (about 1/64 of the campaign) is listed, not read row by row. */
const LIST_PARTICIPANTS_FROM = 8;
/** An index bucket holds about 1/64 of a wave, as a participant partition does of the campaign. */
const LIST_INDEX_FROM = LIST_PARTICIPANTS_FROM;
/** The earlier one-partition layout can hold a whole wave (100 pages): listed only for as many keys. */
const LIST_LEGACY_INDEX_FROM = 100;

/** Participant rows by (lower-case) object id; absent ones are left out. */
export function readParticipants<T>(
  participants: Repository<T>,
  aadObjectIds: Iterable<string>,
): Promise<Map<string, Stored<T>>> {
  return readMany(participants, [...aadObjectIds].map(participantKey), LIST_PARTICIPANTS_FROM);
}

/** A wave's index rows by (lower-case) object id; absent ones are left out. */
export function readIndexRows<T>(
  waveMembers: Repository<T>,
  waveId: string,
  aadObjectIds: Iterable<string>,
): Promise<Map<string, Stored<T>>> {
  const keys = [...aadObjectIds].map((id) => waveMemberKey(waveId, id));
  return readMany(waveMembers, keys, LIST_INDEX_FROM);
}

/** A wave's index rows in the earlier one-partition layout (`legacyWaveMemberKey`), by object id. */
export function readLegacyIndexRows<T>(
  waveMembers: Repository<T>,
  waveId: string,
  aadObjectIds: Iterable<string>,
): Promise<Map<string, Stored<T>>> {
  const keys = [...aadObjectIds].map((id) => legacyWaveMemberKey(waveId, id));
  return readMany(waveMembers, keys, LIST_LEGACY_INDEX_FROM);
}

/** Items grouped by the table partition `keyOf` puts them in. */
export function byPartition<I>(items: Iterable<I>, keyOf: (item: I) => EntityKey): Map<string, I[]> {
  const out = new Map<string, I[]>();
  for (const item of items) {
    const pk = keyOf(item).partitionKey;
    const list = out.get(pk);
    if (list) list.push(item);
    else out.set(pk, [item]);
  }
  return out;
}

/** Rows by row key (unique across the partitions asked for), each partition read as `readRows` does. */
async function readMany<T>(
  repo: Repository<T>,
  keys: readonly EntityKey[],
  listFrom: number,
): Promise<Map<string, Stored<T>>> {
  const out = new Map<string, Stored<T>>();
  await forEachBounded(
    byPartition(keys, (k) => k),
    PARTITIONS_IN_FLIGHT,
    async ([pk, list]) => {
      const rows = await readRows(
        repo,
        pk,
        list.map((k) => k.rowKey),
        listFrom,
      );
      for (const [rowKey, row] of rows) out.set(rowKey, row);
    },
  );
  return out;
}

/**
 * Rows of one partition by row key: from `listFrom` keys one listing of the key range they span,
 * below it one read per key.
 */
async function readRows<T>(
  repo: Repository<T>,
  partitionKey: string,
  rowKeys: readonly string[],
  listFrom: number,
): Promise<Map<string, Stored<T>>> {
  const wanted = [...new Set(rowKeys)].sort();
  const out = new Map<string, Stored<T>>();
  if (wanted.length < listFrom) {
    await forEachBounded(wanted, PARTITIONS_IN_FLIGHT, async (rowKey) => {
      const row = await repo.get({ partitionKey, rowKey });
      if (row) out.set(rowKey, row);
    });
    return out;
  }
  const keys = new Set(wanted);
  // Any key that extends the last one sorts after it: the range ends just past the last key wanted.
  const range = { from: wanted[0], to: `${wanted.at(-1)}!` };
  for await (const row of repo.listPartition(partitionKey, range)) {
    if (keys.has(row.key.rowKey)) out.set(row.key.rowKey, { value: row.value, etag: row.etag });
  }
  return out;
}
