/**
 * "Check my device": a live look-up of Graph and of the old MDM itself; their answer moves the journey.
 * Past the invoke budget the card says the look-up is slow, and is replaced in place once it lands.
 */
import type { TurnContext } from 'botbuilder';
import { failureText } from '../../cards/journey-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import type { DeviceJourney, GraphView } from '../../domain/journey';
import { graphViewOf } from '../../domain/journey-observation';
import type { Participant } from '../../domain/participant';
import { formatDateTime } from '../../i18n';
import { answerWithinBudget } from '../answer-in-time';
import { type DeviceFacts, deviceFactsOf } from '../devices/device-facts';
import type { Audience } from '../user-context';
import { applyAndRender, FAILURE_LOOKBACK_MS, type Notice } from './journey-apply';
import { carryJourneys, failuresFor, type JourneyState, journeyCard } from './journey-service';

export function checkDevice(
  context: TurnContext,
  deps: Deps,
  a: Audience,
  state: JourneyState & { participant: Participant },
  device: DeviceJourney,
): Promise<CardJson> {
  const withNotice = (text: string, style: Notice['style']) =>
    journeyCard(deps, a, state, { notice: { text, style } })!;
  const pending = withNotice(a.t('journey.check.slow'), 'accent');
  const now = deps.clock.now();
  const aadObjectId = state.participant.aadObjectId;
  const work = (async () => {
    const user = await lookUpUser(deps, aadObjectId, state.participant);
    if (!user) return withNotice(a.t('journey.check.unavailable'), 'attention');
    const facts = await deviceFactsOf(deps, user, new Date(now.getTime() - FAILURE_LOOKBACK_MS), {
      journeys: state.participant.journeys,
      recheck: device,
    });
    // The device may have just shown up in Intune under its own key: the journey follows it there.
    const carried = await carryJourneys(deps, state.participant, facts.devices);
    const index = (state.participant.journeys ?? []).findIndex((j) => j.deviceKey === device.deviceKey);
    const followed = carried.journeys?.[index] ?? device;
    return observeAndRender(deps, a, { ...state, participant: carried }, followed, facts);
  })();
  return answerWithinBudget(context, deps, work, {
    what: 'device check',
    pending,
    failed: () => withNotice(a.t('journey.check.unavailable'), 'attention'),
    summary: a.t('app.name'),
  });
}

/**
 * Who to look devices up for. Graph's device look-up goes by object id and needs the UPN only to
 * name the person in its errors, so a stored UPN spares a sequential Graph round trip per check.
 */
export async function lookUpUser(
  deps: Deps,
  aadObjectId: string,
  participant: Participant | undefined,
): Promise<{ id: string; userPrincipalName: string } | undefined> {
  const upn = participant?.userPrincipalName;
  if (upn) return { id: aadObjectId, userPrincipalName: upn };
  return deps.directory.findUser(aadObjectId);
}

/** Turns what Graph and the old MDM said about the device into words, and into an `observed` event. */
async function observeAndRender(
  deps: Deps,
  a: Audience,
  state: JourneyState & { participant: Participant },
  device: DeviceJourney,
  facts: DeviceFacts,
): Promise<CardJson> {
  const observed = facts.devices.find((d) => d.key === device.deviceKey);
  if (!observed) {
    return journeyCard(deps, a, state, {
      notice: { text: a.t('journey.check.unavailable'), style: 'attention' },
    })!;
  }
  const view = graphViewOf(observed, failuresFor(device, facts.failures));
  const style = view.management.kind === 'intune' && view.complianceState === 'compliant' ? 'good' : 'accent';
  const vendor = state.campaign?.sourceMdm ?? deps.config.sourceMdm;
  const text = checkWords(a, a.t(`vendor.${vendor}`), device, view);
  return applyAndRender(deps, a, state, device, { kind: 'observed', view }, { text, style });
}

function checkWords(a: Audience, campaignVendor: string, device: DeviceJourney, view: GraphView): string {
  const old = view.oldMdm;
  const oldVendor = old ? a.t(`vendor.${old.vendor}`) : campaignVendor;
  const name = device.name || a.t(`platform.${device.platform}`);
  const m = view.management;
  const latestFailure = view.enrollmentFailures?.at(-1);
  switch (m.kind) {
    case 'partner':
      if (!m.oldMdm || !old) return a.t('journey.check.partner', { vendor: campaignVendor });
      return old.lastSeen
        ? a.t('journey.check.oldMdmListed', {
            vendor: oldVendor,
            device: name,
            time: formatDateTime(new Date(old.lastSeen), a.locale, a.timeZone),
          })
        : a.t('journey.check.oldMdmListedNever', { vendor: oldVendor, device: name });
    case 'none':
      if (latestFailure)
        return a.t('journey.check.failed', {
          reason: failureText(a.t, latestFailure.category, latestFailure.reason),
        });
      return old
        ? a.t('journey.check.oldMdmGone', { vendor: oldVendor, device: name })
        : a.t('journey.check.none', { vendor: campaignVendor });
    case 'intune':
      if (m.alsoOldMdm) return a.t('journey.check.dualOldMdm', { vendor: oldVendor, device: name });
      if (m.alsoPartnerMdmAppId) return a.t('journey.check.dual', { vendor: campaignVendor });
      return view.complianceState === 'compliant'
        ? a.t('journey.check.compliant')
        : a.t('journey.check.enrolled');
  }
}
