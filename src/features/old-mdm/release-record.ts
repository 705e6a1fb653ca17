/**
 * The durable record of one release: a `jobState` row per device (partition `old-mdm-release`, row
 * key = the inventory row key of source + vendor id). Inserting it is the claim — of two helpdesk
 * members pressing at once exactly one insert lands, so exactly one command is sent — and its state
 * says how far the release got: queued (a bulk release waiting for its turn) → requested (claimed,
 * command on its way) → sent (the old MDM accepted it) → confirmed (the old MDM no longer manages
 * the device) | failed (with the reason and the role or setting to fix).
 */
import { inventoryRowKey } from '../../domain/inventory';
import type { JobState, Stored } from '../../ports/store';
import { ConcurrencyError, type Store } from '../../ports/store';

export const RELEASE_PARTITION = 'old-mdm-release';

export type ReleaseState = 'queued' | 'requested' | 'sent' | 'confirmed' | 'failed';

/** Kept flat: `jobState` rows hold plain values only. */
export interface ReleaseRecord extends JobState {
  state: ReleaseState;
  source: string;
  vendorId: string;
  platform: string;
  /** The person whose journey follows the device (Entra object id, lower case). */
  person: string;
  /** The journey's device key. */
  deviceKey: string;
  deviceName?: string;
  /** Who asked (Entra object id) and their display name, for the ticket and the audit. */
  by: string;
  byName?: string;
  requestedAt: string;
  sentAt?: string;
  confirmedAt?: string;
  /** `already-gone`: the old MDM no longer managed the device, so no command was needed. */
  outcome?: 'released' | 'already-gone';
  commandId?: string;
  failedAt?: string;
  /** A `SourceMdmFailure` or our own reason (`release-off`). */
  failure?: string;
  /** The setting, API role or privilege an admin must fix. */
  missing?: string;
  /** When the ticket was told that the old MDM has not confirmed yet. */
  unconfirmedNotedAt?: string;
  /** The bulk release this device belongs to. */
  bulkId?: string;
}

export function releaseKey(source: string, vendorId: string) {
  return { partitionKey: RELEASE_PARTITION, rowKey: inventoryRowKey(source, vendorId) };
}

/** A claim left in `requested` this long belongs to an instance that died; it may be taken over. */
export const STALE_CLAIM_MS = 2 * 60_000;

/** Whether a new press may take the record over: only a failed one, or a claim whose owner died. */
export function mayReclaim(record: ReleaseRecord, now: Date): boolean {
  if (record.state === 'failed') return true;
  if (record.state !== 'requested') return false;
  return now.getTime() - Date.parse(record.requestedAt) >= STALE_CLAIM_MS;
}

export type Claim = { ok: true; record: ReleaseRecord } | { ok: false; current: ReleaseRecord };

/**
 * Claims the release of one device: an insert, or an ETag replace of a record that `mayReclaim`. A
 * concurrent claimer loses either race with a ConcurrencyError and gets the winner's record.
 */
export async function claimRelease(
  store: Pick<Store, 'jobState'>,
  record: ReleaseRecord,
  now: Date,
  options: { fromQueued?: boolean } = {},
): Promise<Claim> {
  const key = releaseKey(record.source, record.vendorId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = (await store.jobState.get(key)) as Stored<ReleaseRecord> | undefined;
    try {
      if (!existing) {
        await store.jobState.insert(key, record);
        return { ok: true, record };
      }
      const current = existing.value;
      const queuedTurn = options.fromQueued && current.state === 'queued';
      if (!queuedTurn && !mayReclaim(current, now)) return { ok: false, current };
      const next = { ...record, ...(current.bulkId ? { bulkId: current.bulkId } : {}) };
      await store.jobState.replace(key, next, existing.etag);
      return { ok: true, record: next };
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  const after = (await store.jobState.get(key))?.value as ReleaseRecord | undefined;
  if (after) return { ok: false, current: after };
  throw new Error('the release record could not be claimed');
}

/** Writes the next state of a record (ETag read-modify-write); undefined when the record is gone. */
export async function updateRelease(
  store: Pick<Store, 'jobState'>,
  source: string,
  vendorId: string,
  change: (current: ReleaseRecord) => ReleaseRecord | undefined,
): Promise<ReleaseRecord | undefined> {
  const saved = await store.jobState.update(releaseKey(source, vendorId), (cur) =>
    cur ? change(cur as ReleaseRecord) : undefined,
  );
  return saved as ReleaseRecord | undefined;
}

export async function releaseOf(
  store: Pick<Store, 'jobState'>,
  source: string,
  vendorId: string,
): Promise<ReleaseRecord | undefined> {
  return (await store.jobState.get(releaseKey(source, vendorId)))?.value as ReleaseRecord | undefined;
}

/** Every release record; the partition holds one row per device ever released. */
export async function* allReleases(store: Pick<Store, 'jobState'>): AsyncIterable<ReleaseRecord> {
  for await (const row of store.jobState.listPartition(RELEASE_PARTITION)) yield row.value as ReleaseRecord;
}
