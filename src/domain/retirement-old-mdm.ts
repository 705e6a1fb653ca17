/**
 * The old MDM's own word on "ready to retire": the campaign is ready only when the old MDM lists no
 * device any more, or each device it still lists belongs to an exclusion an admin or IT gave a
 * reason for (the device itself was excluded, or every device of its owner was).
 */
import type { InventoryDevice } from './inventory';
import type { ParticipantRetirement } from './retirement';

export interface OldMdmDeviceLeft {
  source: string;
  vendorId: string;
  name?: string;
  platform: InventoryDevice['platform'];
  /** The owner's Entra object id, when the matching pass found them. */
  ownerId?: string;
  lastSeen?: string;
}

export interface OldMdmRetirement {
  /** Devices the old MDM still lists that block retiring it, by source and vendor id. */
  left: OldMdmDeviceLeft[];
  /** Devices it still lists under an exclusion with a reason. */
  excluded: number;
}

export function oldMdmRetirement(
  devices: Iterable<InventoryDevice>,
  participants: ReadonlyMap<string, Pick<ParticipantRetirement, 'status' | 'excludedDevices'>>,
): OldMdmRetirement {
  const left: OldMdmDeviceLeft[] = [];
  let excluded = 0;
  for (const d of devices) {
    if (d.goneAt) continue;
    const ownerId = d.person && 'aadObjectId' in d.person ? d.person.aadObjectId.toLowerCase() : undefined;
    const owner = ownerId ? participants.get(ownerId) : undefined;
    const deviceKey = d.match?.kind === 'matched' ? d.match.candidateKey : undefined;
    const isExcluded =
      owner?.status === 'excluded' ||
      (deviceKey !== undefined && owner?.excludedDevices.some((x) => x.deviceKey === deviceKey) === true);
    if (isExcluded) {
      excluded++;
      continue;
    }
    left.push({
      source: d.source,
      vendorId: d.vendorId,
      ...(d.name ? { name: d.name } : {}),
      platform: d.platform,
      ...(ownerId ? { ownerId } : {}),
      ...(d.lastSeen ? { lastSeen: d.lastSeen } : {}),
    });
  }
  left.sort((a, b) =>
    a.source === b.source ? (a.vendorId < b.vendorId ? -1 : 1) : a.source < b.source ? -1 : 1,
  );
  return { left, excluded };
}
