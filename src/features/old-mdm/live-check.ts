/**
 * "Check my device" asks the old MDM itself, not only the last sync: a user who has just removed the
 * management profile should hear that the old MDM no longer lists the device, not wait for the next
 * sync. What the vendor answers is written back to the stored inventory (row and person copy), so the
 * background refresh and the dashboards agree with what the user was told.
 */
import type { Deps } from '../../deps';
import type { OldMdmEntry } from '../../domain/device-sources';
import { clipped, type InventoryDevice, inventoryKey, listedFields } from '../../domain/inventory';
import type { OldMdmDevice } from '../../domain/old-mdm';
import { personCopy } from './match-pass';
import { markPersonChanged } from './person-changes';

/** The entries re-read from their sources where the source can look one device up; the rest as they were. */
export async function recheckOldMdm(
  deps: Pick<Deps, 'store' | 'clock' | 'logger' | 'oldMdmSources'>,
  aadObjectId: string,
  entries: readonly OldMdmEntry[],
  signal?: AbortSignal,
): Promise<OldMdmEntry[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const source = deps.oldMdmSources?.find((s) => s.inventory.source === entry.device.source);
      if (!source?.inventory.deviceById) return entry;
      try {
        const now = await source.inventory.deviceById(entry.device.vendorId, signal);
        return await writeBack(deps, aadObjectId, entry, now);
      } catch (err) {
        // The stored inventory still answers; the vendor's outage is the sync's to report.
        deps.logger.warn({ err, source: entry.device.source }, 'live old-MDM look-up failed');
        return entry;
      }
    }),
  );
}

async function writeBack(
  deps: Pick<Deps, 'store' | 'clock'>,
  aadObjectId: string,
  entry: OldMdmEntry,
  listed: OldMdmDevice | undefined,
): Promise<OldMdmEntry> {
  const at = deps.clock.now().toISOString();
  const key = inventoryKey(entry.device.source, entry.device.vendorId);
  const row = await deps.store.oldMdmDevices.update(key, (current) => nextRow(current, listed, at));
  const stored = row ?? (await deps.store.oldMdmDevices.get(key))?.value;
  if (!stored) return entry;
  const copy = personCopy(stored, stored.goneAt, stored.match);
  if (row) {
    await deps.store.oldMdmByPerson.update(
      { partitionKey: aadObjectId.toLowerCase(), rowKey: key.rowKey },
      (current) => (current ? copy : undefined),
    );
    await markPersonChanged(deps.store, aadObjectId, at);
  }
  return { ...entry, device: copy };
}

/** The row after the vendor's answer; undefined when nothing the journey reads changed. */
function nextRow(
  current: InventoryDevice | undefined,
  listed: OldMdmDevice | undefined,
  at: string,
): InventoryDevice | undefined {
  if (!current) return undefined;
  if (!listed) return current.goneAt ? undefined : { ...current, goneAt: at, lastSyncedAt: at };
  const fields = clipped({ ...listed, source: current.source });
  const before = listedFields(current);
  const same =
    !current.goneAt && before.enrollment === fields.enrollment && before.lastSeen === fields.lastSeen;
  if (same) return undefined;
  const { goneAt: _gone, ...kept } = current;
  return { ...kept, ...fields, lastSyncedAt: at };
}
