/**
 * The sync state of each old-MDM source: one small `jobState` row per source, read by the worker
 * (when to resync in full, where an incremental read starts) and by the admin dashboards (time of
 * the last sync, what failed and what to fix).
 */
import type { JobState, Store } from '../../ports/store';

export const INVENTORY_SYNC_PARTITION = 'inventory-sync';

export function syncStateKey(source: string) {
  return { partitionKey: INVENTORY_SYNC_PARTITION, rowKey: encodeURIComponent(source) };
}

export type SyncKind = 'full' | 'incremental' | 'file';

/** Why a sync did not finish: the vendor's failure kind, the time budget, or our own fault. */
export type SyncFailureKind =
  | 'credentials'
  | 'permission'
  | 'throttled'
  | 'unavailable'
  | 'bad-response'
  | 'time-budget'
  | 'internal';

export interface InventorySyncState extends JobState {
  /** Start of the last complete full snapshot (ISO). */
  lastFullSyncAt?: string;
  /** Start of the last successful incremental read (ISO); the next one starts at the later of the two. */
  lastIncrementalAt?: string;
  lastSnapshotId?: string;
  /** Devices the last complete full snapshot listed. */
  devices?: number;
  lastRunAt?: string;
  lastRunKind?: SyncKind;
  lastRunOk?: boolean;
  /** Vendor requests the last run made (token requests included) and how long it took. */
  lastRequests?: number;
  lastDurationMs?: number;
  lastErrorKind?: SyncFailureKind;
  /** The setting, API role or privilege to fix (SourceMdmError.missing). */
  lastErrorMissing?: string;
  lastErrorStatus?: number;
  lastErrorAt?: string;
}

export async function readSyncState(store: Store, source: string): Promise<InventorySyncState> {
  return ((await store.jobState.get(syncStateKey(source)))?.value ?? {}) as InventorySyncState;
}

/** Every source's sync state (one partition read), by source. */
export async function listSyncStates(store: Store): Promise<Map<string, InventorySyncState>> {
  const out = new Map<string, InventorySyncState>();
  for await (const row of store.jobState.listPartition(INVENTORY_SYNC_PARTITION))
    out.set(decodeURIComponent(row.key.rowKey), row.value as InventorySyncState);
  return out;
}

export async function writeSyncState(
  store: Store,
  source: string,
  change: (current: InventorySyncState) => InventorySyncState,
): Promise<void> {
  await store.jobState.update(syncStateKey(source), (current) =>
    change((current ?? {}) as InventorySyncState),
  );
}
