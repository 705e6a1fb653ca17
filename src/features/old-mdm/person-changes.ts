/**
 * People whose old-MDM devices changed (a sync, the matching pass, a live check), so that the
 * background refresh moves their journeys without waiting for a Graph change. A durable set in
 * `jobState` (one row per person): the refresh reads it, looks those people up, and removes each
 * marker only if it was not set again meanwhile.
 */
import type { EntityKey, Store } from '../../ports/store';
import { putPartition } from './grouped-writes';

const PARTITION = 'old-mdm-person-changed';

const keyOf = (aadObjectId: string): EntityKey => ({
  partitionKey: PARTITION,
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
 * Marks many people at once (the matching pass): all markers live in one partition, so they go
 * as transactions of up to 100 rows instead of one write each. A marker only says "look again",
 * so it is written whole, without reading what was there.
 */
export async function markPeopleChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectIds: Iterable<string>,
  at: string,
  signal?: AbortSignal,
): Promise<number> {
  const rows = [...new Set([...aadObjectIds].map((id) => keyOf(id).rowKey))].map((rowKey) => ({
    rowKey,
    value: { changedAt: at },
  }));
  await putPartition(store.jobState, PARTITION, rows, signal);
  return rows.length;
}

/** Up to `limit` people marked, with the time of their marker (to clear it only if unchanged). */
export async function peopleChanged(
  store: Pick<Store, 'jobState'>,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ aadObjectId: string; changedAt: string }[]> {
  const out: { aadObjectId: string; changedAt: string }[] = [];
  for await (const row of store.jobState.listPartition(PARTITION)) {
    if (out.length >= limit) break;
    out.push({ aadObjectId: row.key.rowKey, changedAt: String(row.value.changedAt ?? '') });
  }
  return out;
}

/** Clears a marker unless it was set again after the refresh read it. */
export async function clearPersonChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
  changedAt: string,
): Promise<void> {
  const key = keyOf(aadObjectId);
  const current = await store.jobState.get(key);
  if (!current || String(current.value.changedAt ?? '') !== changedAt) return;
  try {
    await store.jobState.delete(key, current.etag);
  } catch {
    // Set again (or removed) meanwhile: the next cycle reads it again, which is harmless.
  }
}

/** Removes a person's marker whatever it says (their erasure). */
export async function forgetPersonChanged(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
): Promise<void> {
  await store.jobState.delete(keyOf(aadObjectId));
}

/** Whether a marker is set for the person, and since when (their data export). */
export async function personChangedAt(
  store: Pick<Store, 'jobState'>,
  aadObjectId: string,
): Promise<string | undefined> {
  const row = await store.jobState.get(keyOf(aadObjectId));
  return row ? String(row.value.changedAt ?? '') : undefined;
}
