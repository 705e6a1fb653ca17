/** What a release answer says, in words the helpdesk can act on. */
import type { Deps } from '../../deps';
import type { Translate } from '../../i18n';
import type { ReleaseAnswer, ReleaseTarget, TargetLookup } from './release-service';

export type ReleaseNotice = { text: string; style: 'good' | 'warning' | 'attention' | 'accent' };

/** Minutes after which the ticket hears that the old MDM has not confirmed a sent release. */
export const DEFAULT_CONFIRM_MINUTES = 30;

export function refusalText(
  _deps: Pick<Deps, 'config'>,
  t: Translate,
  found: Extract<TargetLookup, { ok: false }>,
): ReleaseNotice {
  const vendor = found.vendor ? t(`vendor.${found.vendor}`) : t('vendor.other');
  const device = found.deviceName || t('release.device.unnamed');
  switch (found.reason) {
    case 'no-device':
      return { text: t('release.refuse.noDevice'), style: 'warning' };
    case 'not-listed':
      return { text: t('release.refuse.notListed', { vendor, device }), style: 'accent' };
    case 'not-corporate':
      return { text: t('release.refuse.notCorporate', { vendor, device }), style: 'warning' };
    case 'release-off':
      return { text: t('release.refuse.off', { vendor }), style: 'warning' };
  }
}

export function failureText(t: Translate, vendor: string, failure: string, missing?: string): string {
  switch (failure) {
    case 'credentials':
      return t('release.failed.credentials', { vendor, missing: missing ?? '' });
    case 'permission':
      return t('release.failed.permissionOf', { vendor, missing: missing ?? '' });
    case 'throttled':
      return t('release.failed.throttled', { vendor });
    case 'unavailable':
      return t('release.failed.unavailable', { vendor });
    case 'release-off':
      return t('release.refuse.off', { vendor });
    default:
      return t('release.failed.badResponse', { vendor });
  }
}

export function answerText(
  t: Translate,
  vendor: string,
  answer: ReleaseAnswer,
  target: ReleaseTarget,
  confirmMinutes = DEFAULT_CONFIRM_MINUTES,
): ReleaseNotice {
  const device = target.journey.name || t('release.device.unnamed');
  const name = target.participant.displayName ?? t('release.user.unnamed');
  switch (answer.kind) {
    case 'confirmed':
      return answer.record.outcome === 'already-gone'
        ? { text: t('release.answer.alreadyGone', { vendor, device, name }), style: 'good' }
        : { text: t('release.answer.confirmed', { vendor, device, name }), style: 'good' };
    case 'sent':
      return { text: t('release.answer.sent', { vendor, device, minutes: confirmMinutes }), style: 'accent' };
    case 'already':
      return {
        text: t(`release.answer.already.${answer.record.state}`, {
          vendor,
          device,
          by: answer.record.byName ?? t('release.user.unnamed'),
        }),
        style: 'accent',
      };
    case 'failed':
      return {
        text: `${failureText(t, vendor, answer.failure, answer.missing)} ${t('release.failed.unchanged')}`,
        style: 'attention',
      };
    case 'refused':
      return { text: t('release.refuse.off', { vendor }), style: 'warning' };
  }
}
