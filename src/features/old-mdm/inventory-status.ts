/**
 * What admins see of each old-MDM source: how many devices it lists and how many have left it, and
 * its last sync (when, whether it worked, what to fix). Counting reads every row of the source, so
 * dashboards should call it sparingly (it is for the campaign view, not every card).
 */
import { inventoryPartitions } from '../../domain/inventory';
import type { Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { type InventorySyncState, readSyncState } from './sync-state';

export interface InventoryStatus {
  source: string;
  /** Devices the source lists now. */
  listed: number;
  /** Devices stored from it that it no longer lists. */
  gone: number;
  sync: InventorySyncState;
}

export async function inventoryStatus(store: Store, source: string): Promise<InventoryStatus> {
  let listed = 0;
  let gone = 0;
  await forEachBounded(inventoryPartitions(), 8, async (partition) => {
    for await (const row of store.oldMdmDevices.listPartition(partition)) {
      if (row.value.source !== source) continue;
      if (row.value.goneAt) gone++;
      else listed++;
    }
  });
  return { source, listed, gone, sync: await readSyncState(store, source) };
}
