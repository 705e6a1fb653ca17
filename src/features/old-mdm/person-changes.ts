/**
 * People whose old-MDM devices changed (a sync, the matching pass, a live check), so that the
 * background refresh moves their journeys without waiting for a Graph change. A durable set in
 * `jobState` (one row per person): the refresh reads it, looks those people up, and removes each
 * marker only if it was not set again meanwhile.
 *
 * The markers are spread over the participants' 64 hash buckets (`old-mdm-person-changed-p00` …
 * `-p63`): in one partition, every marker write looks its row up among all the others (Azurite scans
 * the partition for it), so marking 50,000 people cost time that grew with the square of their
 * number. Markers written before the buckets (partition `old-mdm-person-changed`) are still read,
 * cleared and erased until the refresh has drained them.
 */
import { PARTICIPANT_PARTITIONS, participantKey } from '../../domain/participant';
import type { EntityKey, Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { byPartition, putPartition } from './grouped-writes';

/** The partition of markers written before the buckets; read until it is empty. */
const LEGACY_PARTITION = 'old-mdm-person-changed';
/** Every partition a marker can be in: the former one first, then the buckets. */
export const PERSON_CHANGED_PARTITIONS: readonly string[] = [
  LEGACY_PARTITION,
  ...PARTICIPANT_PARTITIONS.map((p) => `${LEGACY_PARTITION}-${p}`),
];
const IN_FLIGHT = 8;

const keyOf = (aadObjectId: string): EntityKey => {
  const { partitionKey, rowKey } = participantKey(aadObjectId);
  return { partitionKey: `${LEGACY_PARTITION}-${partitionKey}`, rowKey };
};
const legacyKeyOf = (aadObjectId: string): EntityKey => ({
  partitionKey: LEGACY_PARTITION,
  rowKey: aadObjectId.toLowerCase(),
});

export async function markPersonChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
  at: string,
): Promise<void> {
  await store.jobState.update(keyOf(aadObjectId), () => ({ changedAt: at }));
}

/**
 * Marks many people at once (the matching pass): up to 100 markers of one bucket a transaction. A
 * marker only says "look again", so it is written whole, without reading what was there.
 */
export async function markPeopleChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectIds: Iterable<string>,
  at: string,
  signal?: AbortSignal,
): Promise<number> {
  const keys = new Map<string, EntityKey>();
  for (const id of aadObjectIds) keys.set(id.toLowerCase(), keyOf(id));
  const buckets = byPartition(keys.values(), (k) => k.partitionKey);
  await forEachBounded(
    buckets,
    IN_FLIGHT,
    ([partition, list]) =>
      putPartition(
        store.jobState,
        partition,
        list.map((k) => ({ rowKey: k.rowKey, value: { changedAt: at } })),
        signal,
      ),
    { signal },
  );
  return keys.size;
}

/** Up to `limit` people marked, with the time of their marker (to clear it only if unchanged). */
export async function peopleChanged(
  store: Pick<Store, 'jobState'>,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ aadObjectId: string; changedAt: string }[]> {
  const out: { aadObjectId: string; changedAt: string }[] = [];
  await forEachBounded(PERSON_CHANGED_PARTITIONS, IN_FLIGHT, async (partition) => {
    if (out.length >= limit) return;
    for await (const row of store.jobState.listPartition(partition)) {
      if (out.length >= limit) break;
      out.push({ aadObjectId: row.key.rowKey, changedAt: String(row.value.changedAt ?? '') });
    }
  });
  return out;
}

/** Clears a marker unless it was set again after the refresh read it. */
export async function clearPersonChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
  changedAt: string,
): Promise<void> {
  for (const key of [keyOf(aadObjectId), legacyKeyOf(aadObjectId)]) {
    const current = await store.jobState.get(key);
    if (!current || String(current.value.changedAt ?? '') !== changedAt) continue;
    try {
      await store.jobState.delete(key, current.etag);
    } catch {
      // Set again (or removed) meanwhile: the next cycle reads it again, which is harmless.
    }
    return;
  }
}

/** Removes a person's marker whatever it says (their erasure). */
export async function forgetPersonChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
): Promise<void> {
  await store.jobState.delete(keyOf(aadObjectId));
  await store.jobState.delete(legacyKeyOf(aadObjectId));
}

/** Whether a marker is set for the person, and since when (their data export). */
export async function personChangedAt(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
): Promise<string | undefined> {
  const row =
    (await store.jobState.get(keyOf(aadObjectId))) ?? (await store.jobState.get(legacyKeyOf(aadObjectId)));
  return row ? String(row.value.changedAt ?? '') : undefined;
}
