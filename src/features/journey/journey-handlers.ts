import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { STUCK_CATEGORIES } from '../../cards/journey-card';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { type DeviceJourney, type JourneyEvent, POST_CHECK_ITEMS } from '../../domain/journey';
import { type Participant, participantKey, withPendingEscalations } from '../../domain/participant';
import { defer } from '../../domain/schedule';
import { formatDateTime } from '../../i18n';
import { turnLogger } from '../../logging';
import { inBackground } from '../../shared/background';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { replyWithinBudget } from '../answer-in-time';
import { deviceFactsOf, oldMdmEntriesOf } from '../devices/device-facts';
import { dispatchInBackground } from '../helpdesk/helpdesk-service';
import { joinWave } from '../membership';
import { actionVerbOf } from '../safe-invoke';
import { type Audience, audienceOf, audienceOfActivity, rememberSender } from '../user-context';
import { checkDevice, lookUpUser } from './device-check';
import { recordDeviceOwners } from './device-owners';
import { applyAndRender, FAILURE_LOOKBACK_MS } from './journey-apply';
import {
  beginJourney,
  isInActiveWave,
  type JourneyState,
  journeyCard,
  loadJourneyState,
  withJourneys,
  withOldMdmJourneys,
} from './journey-service';

const yesNo = z.enum(['yes', 'no']);
/** Card payloads are untrusted: the version and device are checked against the stored journey. */
const actionData = z.object({
  v: z.coerce.number().int().nonnegative().optional(),
  device: z.string().min(1).max(200).optional(),
  email: yesNo.optional(),
  wifi: yesNo.optional(),
  vpn: yesNo.optional(),
  certificates: yesNo.optional(),
  apps: yesNo.optional(),
  category: z.enum(STUCK_CATEGORIES).optional(),
  said: z.string().max(500).optional(),
});
type ActionData = z.infer<typeof actionData>;

/** How far back "Check my device" looks for failed enrollment attempts. */

export function errorCard(a: Audience, text: string): CardJson {
  return renderMessageCard({ title: a.t('error.title'), text, style: 'warning' });
}

function notInWaveCard(a: Audience, state: JourneyState): CardJson {
  const optIn = state.campaign?.voluntaryOptIn && state.campaign.voluntaryWaveId;
  const card = renderMessageCard({
    title: a.t('journey.notInWave.heading'),
    text: `${a.t('journey.notInWave.text')}${optIn ? ` ${a.t('journey.notInWave.optIn')}` : ''}`,
    style: 'accent',
  });
  if (optIn) {
    card.actions = [
      { type: 'Action.Execute', title: a.t('journey.action.optIn'), verb: JOURNEY_VERBS.optIn, data: {} },
    ];
  }
  return card;
}

/**
 * Makes sure the sender has journeys (a live Graph look-up the first time) and returns the card
 * for where they are. Used by "start" in the chat and by the Start/opt-in buttons.
 */
async function startJourney(context: TurnContext, deps: Deps, optIn: boolean): Promise<CardJson> {
  // Past the budget this goes on after the turn has ended and its context is revoked: read the activity now.
  const activity = context.activity;
  const { participant: seen } = await rememberSender(context, deps);
  const audience = audienceOfActivity(activity, deps, seen);
  const aadObjectId = activity.from?.aadObjectId;
  if (!aadObjectId) return errorCard(audience, audience.t('error.noIdentity'));
  const key = participantKey(aadObjectId);
  let state = await loadJourneyState(deps, aadObjectId, seen);

  if (!isInActiveWave(state)) {
    const waveId = state.campaign?.voluntaryWaveId;
    if (!optIn || !state.campaign?.voluntaryOptIn || !waveId) return notInWaveCard(audience, state);
    // Joining early: a user sits in one wave at most, so only a user without a wave can volunteer.
    await joinWave(deps, waveId, { aadObjectId, userPrincipalName: seen?.userPrincipalName ?? '' });
    state = await loadJourneyState(deps, aadObjectId);
    if (!isInActiveWave(state)) return notInWaveCard(audience, state);
  }

  const now = deps.clock.now();
  const vendor = state.campaign?.sourceMdm ?? deps.config.sourceMdm;
  if (!state.participant?.journeys?.length) {
    const user = await lookUpUser(deps, aadObjectId, state.participant);
    if (!user) return errorCard(audience, audience.t('devices.unknownUser'));
    const since = new Date(now.getTime() - FAILURE_LOOKBACK_MS);
    const { devices, failures } = await deviceFactsOf(deps, user, since);
    if (devices.length === 0) return errorCard(audience, audience.t('journey.noDevices'));
    const updated = await deps.store.participants.update(key, (cur) => {
      if (!cur || cur.journeys?.length) return undefined;
      const upn = cur.userPrincipalName ?? user.userPrincipalName;
      return withJourneys({ ...cur, userPrincipalName: upn }, devices, failures, now).participant;
    });
    state = { ...state, participant: updated };
    // Entra's device records do not name their owner; the background refresh finds them through this index.
    if (updated?.journeys) {
      await recordDeviceOwners(
        deps.store.deviceOwners,
        aadObjectId,
        updated.journeys.map((j) => j.deviceKey),
      );
    }
  }
  // Devices the old MDM listed after the journeys were made join them (a storage read, no Graph call).
  const oldMdm = state.participant?.journeys?.length
    ? await oldMdmEntriesOf(deps, aadObjectId).catch((err) => {
        deps.logger.warn({ err }, 'could not read the old MDM inventory of a person');
        return [];
      })
    : [];
  const begun = await deps.store.participants.update(key, (cur) => {
    if (!cur?.journeys?.length) return undefined;
    const joined = withOldMdmJourneys(cur, oldMdm, now);
    const result = beginJourney(deps, joined, vendor, now, state.wave);
    if (joined !== cur && !result.changed) return joined;
    return result.changed ? result.participant : undefined;
  });
  if (begun) state = { ...state, participant: begun };
  if (begun?.pendingEscalations?.length) dispatchInBackground(deps, aadObjectId);

  const participant = state.participant!;
  if (activity.type === 'invoke' && activity.replyToId) {
    await rememberCard(deps, participant, activity.replyToId);
  }
  return (
    journeyCard(deps, audience, { ...state, participant }) ??
    errorCard(audience, audience.t('journey.noDevices'))
  );
}

async function rememberCard(deps: Deps, p: Participant, activityId: string | undefined): Promise<void> {
  if (!activityId || p.journeyCardId === activityId) return;
  await deps.store.participants.update(participantKey(p.aadObjectId), (cur) =>
    cur ? { ...cur, journeyCardId: activityId } : undefined,
  );
}

/** "start" / "status" typed in the chat: the journey card as a new message, remembered for updates. */
export const onStartMessage = (deps: Deps) => async (context: TurnContext) => {
  // "start" may look the person's devices up in Graph for the first time: inside the budget, else a
  // still-working card replaced in place, so a slow or throttled Graph never leaves the chat silent.
  const a = audienceOf(context, deps);
  const { activityId, answer } = await replyWithinBudget(context, deps, startJourney(context, deps, false), {
    what: 'start',
    pending: renderMessageCard({ title: a.t('app.name'), text: a.t('journey.check.slow'), style: 'accent' }),
    failed: () => errorCard(a, a.t('journey.check.unavailable')),
    summary: a.t('app.name'),
  });
  const aadObjectId = context.activity.from?.aadObjectId;
  if (!activityId || !aadObjectId) return;
  // Only the journey card (the one with `refresh`) is kept current in place; notices are not.
  const remember = async () => {
    const card = await answer;
    if (card.refresh === undefined) return;
    const stored = await deps.store.participants.get(participantKey(aadObjectId));
    if (stored) await rememberCard(deps, stored.value, activityId);
  };
  inBackground(remember(), (err) => deps.logger.warn({ err }, 'could not remember the journey card'));
};

export const onStartAction = (deps: Deps) => (context: TurnContext) => startJourney(context, deps, false);
export const onOptIn = (deps: Deps) => (context: TurnContext) => startJourney(context, deps, true);

/** Every button on the journey card. */
export const onJourneyAction =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson> => {
    const log = turnLogger(context, deps.logger);
    const { participant: seen } = await rememberSender(context, deps);
    const audience = audienceOf(context, deps, seen);
    const aadObjectId = context.activity.from?.aadObjectId;
    if (!aadObjectId) return errorCard(audience, audience.t('error.noIdentity'));
    const verb = actionVerbOf(context) ?? '';
    const parsed = actionData.safeParse(
      (context.activity.value as { action?: { data?: unknown } })?.action?.data ?? {},
    );
    if (!parsed.success) {
      log.warn(
        { verb, issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'malformed journey card data',
      );
      return errorCard(
        audience,
        audience.t('error.malformed', {
          detail: parsed.error.issues.map((i) => i.path.join('.')).join(', '),
        }),
      );
    }
    const data = parsed.data;
    const state = await loadJourneyState(deps, aadObjectId, seen);
    const participant = state.participant;
    if (!participant?.journeys?.length || !isInActiveWave(state)) return notInWaveCard(audience, state);
    const current = { ...state, participant };
    // Only an action that is accepted names the card to keep current: a refused one (stale card,
    // a device they do not have) may carry any replyToId and must not move the user's card.
    const remember = () => rememberCard(deps, participant, context.activity.replyToId);

    if (verb === JOURNEY_VERBS.refresh) {
      await remember();
      return journeyCard(deps, audience, current)!;
    }
    // A card older than the journey may show steps that no longer apply: answer with the current card.
    if (data.v === undefined || data.v !== (participant.journeyVersion ?? 0)) {
      return journeyCard(deps, audience, current, {
        notice: { text: audience.t('journey.stale'), style: 'accent' },
      })!;
    }
    const device = participant.journeys.find((j) => j.deviceKey === data.device);
    if (!device) {
      log.warn({ verb, device: data.device }, 'journey action for a device the user does not have');
      return errorCard(audience, audience.t('error.malformed', { detail: 'device' }));
    }
    await remember();

    const now = deps.clock.now();
    const key = participantKey(aadObjectId);
    if (verb === JOURNEY_VERBS.focus) {
      const updated = await deps.store.participants.update(key, (cur) =>
        cur
          ? { ...cur, focusDeviceKey: device.deviceKey, journeyVersion: (cur.journeyVersion ?? 0) + 1 }
          : undefined,
      );
      return journeyCard(deps, audience, { ...state, participant: updated! })!;
    }
    if (verb === JOURNEY_VERBS.defer) return deferReminders(deps, audience, current, now);
    if (verb === JOURNEY_VERBS.check) return checkDevice(context, deps, audience, current, device);
    if (verb === JOURNEY_VERBS.stuck) return reportStuck(deps, audience, current, device, data);

    const event = eventFor(verb, data, audience, state);
    if (!event) return errorCard(audience, audience.t('error.unknownAction', { verb: verb.slice(0, 60) }));
    return applyAndRender(deps, audience, state, device, event);
  };

function eventFor(
  verb: string,
  data: ActionData,
  a: Audience,
  state: JourneyState,
): JourneyEvent | undefined {
  switch (verb) {
    case JOURNEY_VERBS.unenrolled:
      return { kind: 'user-says-unenrolled' };
    case JOURNEY_VERBS.enrolling:
      return { kind: 'begin-enroll' };
    case JOURNEY_VERBS.cannot:
      return {
        kind: 'cannot-self-unenroll',
        reason: `The user says they cannot remove ${a.t(`vendor.${state.campaign?.sourceMdm ?? 'other'}`)} themselves.`,
      };
    case JOURNEY_VERBS.postCheck: {
      const answers = Object.fromEntries(POST_CHECK_ITEMS.map((i) => [i, data[i]]));
      if (POST_CHECK_ITEMS.some((i) => answers[i] === undefined)) return undefined;
      return {
        kind: 'post-check',
        answers: answers as Record<(typeof POST_CHECK_ITEMS)[number], 'yes' | 'no'>,
      };
    }
    default:
      return undefined;
  }
}

/** "Remind me tomorrow": no reminders before the next business morning, within the wave's limit. */
async function deferReminders(
  deps: Deps,
  a: Audience,
  state: JourneyState & { participant: Participant },
  now: Date,
): Promise<CardJson> {
  const limit = state.wave?.reminders.enabled ? state.wave.reminders.deferralLimit : 0;
  const hours = deps.config.defaults.businessHours;
  const result = defer({ now, zone: a.timeZone, hours, used: state.participant.deferrals?.used ?? 0, limit });
  if (!result.ok) {
    const notice = {
      text: a.t('journey.deferLimit', { count: result.error.used }),
      style: 'warning' as const,
    };
    return journeyCard(deps, a, state, { notice })!;
  }
  const until = result.deferredUntil.toISOString();
  const updated = await deps.store.participants.update(
    participantKey(state.participant.aadObjectId),
    (cur) =>
      cur
        ? {
            ...cur,
            deferrals: { used: (cur.deferrals?.used ?? 0) + 1, until },
            journeyVersion: (cur.journeyVersion ?? 0) + 1,
          }
        : undefined,
  );
  const when = formatDateTime(result.deferredUntil, a.locale, a.timeZone);
  return journeyCard(
    deps,
    a,
    { ...state, participant: updated! },
    {
      notice: { text: a.t('journey.deferred', { when }), style: 'accent' },
    },
  )!;
}

/** "I'm stuck" on the card: the category and the user's words go to the helpdesk with the device. */
async function reportStuck(
  deps: Deps,
  a: Audience,
  state: JourneyState & { participant: Participant },
  device: DeviceJourney,
  data: ActionData,
): Promise<CardJson> {
  if (!data.category) return errorCard(a, a.t('error.malformed', { detail: 'category' }));
  const vendor = a.t(`vendor.${state.campaign?.sourceMdm ?? deps.config.sourceMdm}`);
  const category = a.t(`journey.stuck.cat.${data.category}`, { vendor });
  const words = data.said?.trim();
  const said = words ? `${category}: ${words}` : category;
  const at = deps.clock.now().toISOString();
  const aadObjectId = state.participant.aadObjectId;
  const entry = {
    reason: 'user-stuck',
    deviceKey: device.deviceKey,
    detail: { said, category: data.category },
    at,
  };
  const updated = await deps.store.participants.update(participantKey(aadObjectId), (cur) =>
    cur ? withPendingEscalations(cur, [entry]) : undefined,
  );
  // Answer within the invoke budget; the helpdesk card is posted right after.
  dispatchInBackground(deps, aadObjectId);
  return journeyCard(
    deps,
    a,
    { ...state, participant: updated ?? state.participant },
    {
      notice: { text: a.t('help.stuck.text'), style: 'accent' },
    },
  )!;
}
