/**
 * The "Remove from Workspace ONE" button that tickets, status cards and the straggler list show for a
 * device with IT (`needs-it`) that the old MDM still manages. Whether release is turned on and who
 * may press it are decided on the server when it is pressed; the card only offers it.
 */
import { isOldMdmKey } from '../domain/device-sources';
import type { DeviceJourney } from '../domain/journey';
import { SOURCE_MDMS, type SourceMdm } from '../domain/source-mdm';
import type { MessageKey, Translate } from '../i18n';
import { RELEASE_VERBS, type ReleaseOrigin } from '../verbs/release';

/** The old MDM of a journey's device, as its last observation (or its own key) names it. */
export function oldMdmOfJourney(j: DeviceJourney): SourceMdm | undefined {
  const seen = j.lastSeen?.oldMdm;
  if (seen?.listed) return seen.vendor;
  if (seen) return undefined;
  if (!isOldMdmKey(j.deviceKey)) return undefined;
  const source = j.deviceKey.split(':')[1];
  return SOURCE_MDMS.find((v) => v === source);
}

/** Offered for a device with IT that an old MDM still lists. */
export function releasable(j: DeviceJourney | undefined): SourceMdm | undefined {
  return j?.stage === 'needs-it' ? oldMdmOfJourney(j) : undefined;
}

export function releaseButtonOf(
  t: Translate,
  j: DeviceJourney | undefined,
  data: { person: string; from: ReleaseOrigin; ticket?: string; v?: number },
): { canRelease: boolean; releaseTitle: string; releaseData: Record<string, unknown> } {
  const vendor = releasable(j);
  if (!j || !vendor) return { canRelease: false, releaseTitle: '', releaseData: {} };
  return {
    canRelease: true,
    releaseTitle: t('release.action', { vendor: t(`vendor.${vendor}` as MessageKey) }),
    releaseData: { ...data, device: j.deviceKey },
  };
}

/** One button per device of a person that can be released (the straggler list's rows). */
export function releaseButtons(
  t: Translate,
  p: { aadObjectId: string; journeys?: DeviceJourney[] },
): { title: string; verb: string; data: Record<string, unknown> }[] {
  return (p.journeys ?? []).flatMap((j) => {
    const b = releaseButtonOf(t, j, { person: p.aadObjectId, from: 'admin' });
    return b.canRelease
      ? [{ title: `${b.releaseTitle}: ${j.name}`, verb: RELEASE_VERBS.ask, data: b.releaseData }]
      : [];
  });
}
