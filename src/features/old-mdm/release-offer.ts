/**
 * Whether a card should offer "Remove from …" for a device: only where pressing it could work, i.e.
 * release is turned on (OLD_MDM_ALLOW_RELEASE) for the old MDM that lists the device. Who may press it
 * is still decided on the server when it is pressed.
 */
import type { Deps } from '../../deps';
import { isOldMdmKey } from '../../domain/device-sources';
import type { DeviceJourney } from '../../domain/journey';

/** The old-MDM source of a journey's device: its last observation, else its own inventory key. */
export function releaseSourceOf(j: DeviceJourney): string | undefined {
  const seen = j.lastSeen?.oldMdm;
  if (seen) return seen.source;
  return isOldMdmKey(j.deviceKey) ? j.deviceKey.split(':')[1] : undefined;
}

/** The offered device (`releaseData.device` of a card's view) may be released from its old MDM. */
export function releaseOffered(
  deps: Pick<Deps, 'oldMdmRelease'>,
  journeys: readonly DeviceJourney[] | undefined,
  offered: { device?: unknown },
): boolean {
  const j = journeys?.find((x) => x.deviceKey === offered.device);
  const source = j ? releaseSourceOf(j) : undefined;
  return source !== undefined && (deps.oldMdmRelease?.has(source) ?? false);
}
