/**
 * The helpdesk channel side of escalations: where the channel is, how a ticket's card looks, and
 * posting or updating that card after the user's pending escalations were drained into the ticket.
 */

import {
  type EscalationNotice,
  type EscalationView,
  escalationView,
  renderEscalationCard,
} from '../../cards/escalation-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { DEFAULT_THROTTLE_SECONDS } from '../../domain/broadcast-pacing';
import { campaignKey, waveKey } from '../../domain/campaign';
import { attachCard, escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import { routeFor } from '../../domain/helpdesk-routing';
import { type ConversationAddress, type Participant, participantKey } from '../../domain/participant';
import { languageOf, translator } from '../../i18n';
import { ConnectorError, type Messenger } from '../../ports/messenger';
import { inBackground } from '../../shared/background';
import { focusOf } from '../journey/journey-service';
import { releaseOffered } from '../old-mdm/release-offer';
import { assignableMembers } from './assignees';
import { drainPendingEscalations } from './escalation-service';
import { helpdeskThreads } from './thread-pacer';

/** An appended trigger with no card yet may be racing the instance that is posting it: let that one finish. */
const POSTING_GRACE_MS = 60_000;

/**
 * A helpdesk channel (or a thread in it) as a place to send to: `channelId` (a routed channel, or
 * the one a ticket's card lives in), else the default `HELPDESK_CHANNEL_ID`; undefined when none.
 */
export function channelAddress(
  deps: Pick<Deps, 'config'>,
  via: Pick<ConversationAddress, 'serviceUrl' | 'botId'> & Partial<ConversationAddress>,
  threadOf?: string,
  channelId: string | undefined = deps.config.helpdesk?.channelId,
): ConversationAddress | undefined {
  if (!channelId || !via.serviceUrl) return undefined;
  return {
    serviceUrl: via.serviceUrl,
    channelId: via.channelId ?? 'msteams',
    conversationId: threadOf ? `${channelId};messageid=${threadOf}` : channelId,
    conversationType: 'channel',
    ...(via.tenantId ? { tenantId: via.tenantId } : {}),
    botId: via.botId,
    ...(via.botName ? { botName: via.botName } : {}),
    userId: '',
  };
}

/** Whether any helpdesk channel is configured: the default one or a routing rule. */
export function helpdeskConfigured(deps: Pick<Deps, 'config'>): boolean {
  return !!deps.config.helpdesk?.channelId || !!deps.config.helpdesk?.routes?.length;
}

/** The channel a ticket's card lives in: the one stored with it, else (older tickets) the default. */
export function ticketChannelId(deps: Pick<Deps, 'config'>, e: Escalation): string | undefined {
  return e.cardChannelId ?? deps.config.helpdesk?.channelId;
}

/**
 * The channel a new card for this ticket goes to (`HELPDESK_ROUTES`, first match, else the default):
 * its wave, its language (the user's locale), and the platform of the device it is about — the
 * newest trigger naming a device, else the user's focus device, as on the card.
 */
export function routedChannelId(
  deps: Pick<Deps, 'config'>,
  e: Escalation,
  participant: Participant | undefined,
): string | undefined {
  const journeys = participant?.journeys ?? [];
  const deviceKey = [...e.triggers].reverse().find((x) => x.deviceKey)?.deviceKey;
  const device = deviceKey
    ? journeys.find((j) => j.deviceKey === deviceKey)
    : participant
      ? focusOf(participant)
      : undefined;
  return routeFor(
    deps.config.helpdesk?.routes,
    {
      waveId: e.participant.waveId ?? participant?.waveId,
      platform: device?.platform,
      language: e.participant.locale ?? participant?.locale ?? deps.config.defaults.locale,
    },
    deps.config.helpdesk?.channelId,
  );
}

/** The channel's language: HELPDESK_LANGUAGE, else the campaign default (agents share one card). */
export function channelAudience(deps: Pick<Deps, 'config'>) {
  const fallback = deps.config.defaults.locale;
  const language = deps.config.languages.helpdesk ?? languageOf(fallback);
  const locale = languageOf(fallback) === language ? fallback : language;
  return { locale, timeZone: deps.config.defaults.timeZone, t: translator(language) };
}

export async function escalationViewFor(
  deps: Deps,
  escalation: Escalation,
  notice?: EscalationNotice,
  participant?: Participant,
): Promise<EscalationView> {
  const waveId = escalation.participant.waveId;
  const [stored, campaign, wave] = await Promise.all([
    participant
      ? Promise.resolve({ value: participant })
      : deps.store.participants.get(participantKey(escalation.participant.aadObjectId)),
    deps.store.campaigns.get(campaignKey()),
    waveId ? deps.store.waves.get(waveKey(waveId)) : Promise.resolve(undefined),
  ]);
  const a = channelAudience(deps);
  const members = await assignableMembers(deps, stored?.value.conversation?.serviceUrl);
  const view = escalationView({
    ...a,
    members,
    now: deps.clock.now(),
    escalation,
    journeys: stored?.value.journeys ?? [],
    ...(stored?.value ? { focusDeviceKey: focusOf(stored.value)?.deviceKey } : {}),
    vendor: a.t(`vendor.${campaign?.value.sourceMdm ?? deps.config.sourceMdm}`),
    ...(wave ? { waveName: wave.value.name } : {}),
    ...(notice ? { notice } : {}),
  });
  // "Remove from …" only where release is turned on for the device's old MDM.
  return releaseOffered(deps, stored?.value.journeys, view.releaseData)
    ? view
    : { ...view, canRelease: false };
}

export async function escalationCardFor(
  deps: Deps,
  escalation: Escalation,
  notice?: EscalationNotice,
): Promise<CardJson> {
  return renderEscalationCard(await escalationViewFor(deps, escalation, notice));
}

export type DispatchOutcome = 'nothing' | 'posted' | 'updated' | 'no-channel' | 'deferred';

/**
 * Drains the participant's pending escalations into their ticket and shows the result in the
 * helpdesk channel: a new card for a new (or reopened) ticket, an in-place update otherwise.
 */
export async function dispatchEscalations(deps: Deps, aadObjectId: string): Promise<DispatchOutcome> {
  const log = deps.logger.child({ feature: 'helpdesk', user: aadObjectId });
  const drained = await drainPendingEscalations(deps.store, deps.clock, aadObjectId);
  if (drained.invalid.length)
    log.warn({ invalid: drained.invalid }, 'dropped pending escalations with an unknown reason');
  const escalation = drained.escalation;
  if (drained.outcome === 'nothing' || drained.outcome === 'duplicate' || !escalation) return 'nothing';

  const participant = (await deps.store.participants.get(participantKey(aadObjectId)))?.value;
  const via = participant?.conversation;
  const post = drained.outcome === 'created' || drained.outcome === 'reopened' || !escalation.cardActivityId;
  // A new card goes where the routes say; an update goes to the channel the card already lives in.
  const channelId = post ? routedChannelId(deps, escalation, participant) : ticketChannelId(deps, escalation);
  const channel = via ? channelAddress(deps, via, undefined, channelId) : undefined;
  if (!channel || !channelId) {
    log.warn(
      { ticket: escalation.ticketId, configured: helpdeskConfigured(deps), conversation: !!via },
      'escalation recorded but not posted: no helpdesk channel configured or no service URL known yet',
    );
    return 'no-channel';
  }
  const summary = channelAudience(deps).t('helpdesk.title', {
    number: escalation.ticketNumber,
    name: escalation.participant.displayName ?? escalation.participant.userPrincipalName ?? aadObjectId,
  });
  const card = renderEscalationCard(await escalationViewFor(deps, escalation, undefined, participant));

  if (!post) {
    await channelMessenger(deps.messenger).update(channel, escalation.cardActivityId!, { card, summary });
    log.info({ ticket: escalation.ticketId, outcome: drained.outcome }, 'escalation card updated');
    return 'updated';
  }
  if (drained.outcome === 'appended') {
    const age = deps.clock.now().getTime() - Date.parse(escalation.createdAt);
    if (age < POSTING_GRACE_MS) return 'deferred';
  }
  await postEscalationCard(deps, escalation, channel, channelId, card, summary, drained.outcome);
  return 'posted';
}

/** Sends a ticket's card to its channel and remembers where it lives on the ticket. */
/**
 * Posts a ticket's card in its helpdesk channel and keeps the card's id on the ticket (unless the
 * ticket changed hands meanwhile); a ticket that changed while the card was on its way gets its
 * card updated at once. Returns the card's activity id.
 */
export async function postEscalationCard(
  deps: Deps,
  escalation: Escalation,
  channel: ConversationAddress,
  channelId: string,
  card: CardJson,
  summary: string,
  outcome: string,
): Promise<string | undefined> {
  const log = deps.logger.child({ feature: 'helpdesk', user: escalation.participant.aadObjectId });
  const key = escalationKey(escalation.participant.aadObjectId);
  // Room in the channel first: a claim held while waiting would be lost with an instance that dies.
  await helpdeskThreads.turn(channel.conversationId);
  // Claimed before it is sent: an instance that dies between the send and storing the card's id
  // must not leave a ticket that another instance posts a second time.
  let claimed = false;
  await deps.store.escalations.update(key, (cur) => {
    claimed = false;
    if (!cur || cur.ticketId !== escalation.ticketId || cur.cardActivityId || cur.cardPostingAt)
      return undefined;
    claimed = true;
    return { ...cur, cardPostingAt: deps.clock.now().toISOString() };
  });
  if (!claimed) {
    log.info({ ticket: escalation.ticketId, outcome }, 'escalation card already posted or on its way');
    return undefined;
  }
  let activityId: string | undefined;
  try {
    ({ activityId } = await intoChannel(
      channel,
      () => deps.messenger.send(channel, { card, summary }),
      true,
    ));
  } catch (err) {
    // This instance lived to hear of the failure: a later try may post it (only a death keeps the claim).
    await releaseCardClaim(deps, escalation).catch(() => undefined);
    throw err;
  }
  if (!activityId) {
    log.warn({ ticket: escalation.ticketId }, 'the connector returned no id for the escalation card');
    return undefined;
  }
  const saved = await deps.store.escalations.update(key, (cur) => {
    if (!cur || cur.ticketId !== escalation.ticketId) return undefined;
    const { cardPostingAt: _claim, ...unclaimed } = cur;
    const result = attachCard(unclaimed, activityId, channelId);
    return result.ok ? result.escalation : undefined;
  });
  // Something changed the ticket while the card was on its way: show that too.
  if (saved && saved.ticketId === escalation.ticketId && saved.version !== escalation.version) {
    const updated = await escalationCardFor(deps, saved);
    await channelMessenger(deps.messenger).update(channel, activityId, { card: updated, summary });
  }
  log.info(
    { ticket: escalation.ticketId, outcome, activityId, channel: channelId },
    'escalation card posted',
  );
  return activityId;
}

/**
 * The messenger for helpdesk channels and their ticket threads: every send and update waits for its
 * thread's turn within Teams' per-thread limits, and a 429 holds that thread's next calls.
 */
export function channelMessenger(messenger: Messenger): Pick<Messenger, 'send' | 'update'> {
  return {
    send: (to, message) => intoChannel(to, () => messenger.send(to, message)),
    update: (to, activityId, message) => intoChannel(to, () => messenger.update(to, activityId, message)),
  };
}

/**
 * A call into a helpdesk channel or one of its ticket threads, within Teams' per-thread limits
 * (`reserved`: the caller already waited for its turn); a 429 holds that thread's next calls for
 * its Retry-After.
 */
async function intoChannel<T>(
  channel: ConversationAddress,
  call: () => Promise<T>,
  reserved = false,
): Promise<T> {
  if (!reserved) await helpdeskThreads.turn(channel.conversationId);
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConnectorError && err.status === 429) {
      const seconds = err.retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS;
      helpdeskThreads.holdUntil(channel.conversationId, Date.now() + seconds * 1000);
    }
    throw err;
  }
}

async function releaseCardClaim(deps: Deps, escalation: Escalation): Promise<void> {
  await deps.store.escalations.update(escalationKey(escalation.participant.aadObjectId), (cur) => {
    if (!cur || cur.ticketId !== escalation.ticketId || !cur.cardPostingAt) return undefined;
    const { cardPostingAt: _claim, ...rest } = cur;
    return rest;
  });
}

/**
 * A ticket that has been open past the posting grace period without a card (its post failed, or
 * the instance posting it died) gets its card now. Called by the periodic helpdesk job.
 */
export async function postMissingCard(deps: Deps, escalation: Escalation): Promise<boolean> {
  if (escalation.state === 'resolved' || escalation.cardActivityId) return false;
  if (escalation.cardPostingAt) {
    // Sent by an instance that died before it stored the card's id: it may be in the channel already.
    deps.logger.warn({ ticket: escalation.ticketId }, 'escalation card outcome unknown; not posted again');
    return false;
  }
  const age = deps.clock.now().getTime() - Date.parse(escalation.updatedAt ?? escalation.createdAt);
  if (!(age >= POSTING_GRACE_MS)) return false;
  const participant = (await deps.store.participants.get(participantKey(escalation.participant.aadObjectId)))
    ?.value;
  const via = participant?.conversation;
  const channelId = routedChannelId(deps, escalation, participant);
  const channel = via && channelId ? channelAddress(deps, via, undefined, channelId) : undefined;
  if (!channel || !channelId) return false;
  const summary = channelAudience(deps).t('helpdesk.title', {
    number: escalation.ticketNumber,
    name:
      escalation.participant.displayName ??
      escalation.participant.userPrincipalName ??
      escalation.participant.aadObjectId,
  });
  const card = renderEscalationCard(await escalationViewFor(deps, escalation, undefined, participant));
  await postEscalationCard(deps, escalation, channel, channelId, card, summary, 'repaired');
  return true;
}

/**
 * Fire-and-forget for turns that must answer fast (invokes): failures are logged, never thrown.
 * Tests (and shutdown) await `settleBackground()`.
 */
export function dispatchInBackground(deps: Deps, aadObjectId: string): void {
  inBackground(dispatchEscalations(deps, aadObjectId), (err) =>
    deps.logger.error({ err, user: aadObjectId }, 'posting the escalation to the helpdesk failed'),
  );
}
