/**
 * The user's side of their helpdesk ticket, from the journey card: "Send to the helpdesk" (details,
 * `userAddsDetail`) and "It works now" (`userWithdraws`). The ticket is always the sender's own (looked
 * up by their identity); the card's ticket id and version are only checked against it.
 */

import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { type JourneyCardInput, TICKET_DETAIL_INPUT_ID } from '../../cards/journey-card';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { escalationKey, userAddsDetail, userWithdraws } from '../../domain/escalation';
import type { ActionRejectReason, ActionResult, Escalation } from '../../domain/escalation-model';
import { type Participant, participantKey } from '../../domain/participant';
import type { MessageKey } from '../../i18n';
import { turnLogger } from '../../logging';
import { inBackground } from '../../shared/background';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { actorOf, recordAudit } from '../audit';
import {
  channelAddress,
  channelAudience,
  channelMessenger,
  escalationCardFor,
  ticketChannelId,
} from '../helpdesk/helpdesk-service';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { actionVerbOf } from '../safe-invoke';
import { audienceOf, rememberSender } from '../user-context';
import { errorCard } from './journey-handlers';
import { journeyCard, loadJourneyState } from './journey-service';

/** Card data is untrusted: ticket id and version are compared with the sender's own ticket. */
const ticketData = z.object({
  ticket: z.string().min(3).max(300),
  tv: z.coerce.number().int().nonnegative(),
  [TICKET_DETAIL_INPUT_ID]: z.string().max(5_000).optional(),
});

const REJECT_NOTICE: Partial<Record<ActionRejectReason, MessageKey>> = {
  'text-required': 'journey.ticket.textRequired',
  'text-too-long': 'journey.ticket.textTooLong',
  'invalid-for-state': 'journey.ticket.closed',
};

function snapshot(e: Escalation) {
  return { state: e.state, assignee: e.assignee?.name ?? e.assignee?.aadObjectId, version: e.version };
}

export const onTicketAction =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson> => {
    const log = turnLogger(context, deps.logger).child({ feature: 'helpdesk-user' });
    const { participant: seen } = await rememberSender(context, deps);
    const audience = audienceOf(context, deps, seen);
    const aadObjectId = context.activity.from?.aadObjectId?.toLowerCase();
    if (!aadObjectId) return errorCard(audience, audience.t('error.noIdentity'));
    const verb = actionVerbOf(context) ?? '';
    const parsed = ticketData.safeParse(
      (context.activity.value as { action?: { data?: unknown } })?.action?.data ?? {},
    );
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
      log.warn({ verb, detail }, 'malformed ticket action on the journey card');
      return errorCard(audience, audience.t('error.malformed', { detail }));
    }
    const data = parsed.data;
    const draft = (data[TICKET_DETAIL_INPUT_ID] ?? '').trim();
    const state = await loadJourneyState(deps, aadObjectId);
    const participant = state.participant;
    const current = state.escalation;
    // Only the sender's own, current ticket: an edited ticket id (someone else's, an earlier one) changes nothing.
    if (!participant || !current || current.ticketId !== data.ticket) {
      log.warn(
        { verb, ticket: data.ticket, stored: current?.ticketId },
        'ticket action for a ticket that is not the sender’s current one',
      );
      return errorCard(audience, audience.t('error.malformed', { detail: 'ticket' }));
    }
    const show = (e: Escalation, notice: JourneyCardInput['notice'], keep = '') =>
      journeyCard(
        deps,
        audience,
        { ...state, participant, escalation: e },
        { notice, ...(keep ? { detailDraft: keep } : {}) },
      ) ?? errorCard(audience, notice?.text ?? audience.t('journey.noDevices'));
    if (context.activity.replyToId && participant.journeyCardId !== context.activity.replyToId) {
      await deps.store.participants.update(participantKey(aadObjectId), (cur) =>
        cur ? { ...cur, journeyCardId: context.activity.replyToId } : undefined,
      );
    }
    const stale = (e: Escalation) => show(e, { text: audience.t('journey.stale'), style: 'accent' }, draft);
    // The ticket changed since this card was drawn (an agent acted): show what is true now, keep the text.
    if (data.tv !== current.version) return stale(current);

    const withdraw = verb === JOURNEY_VERBS.ticketWithdraw;
    let result: ActionResult | 'stale' | undefined;
    const saved = await deps.store.escalations.update(escalationKey(aadObjectId), (cur) => {
      if (!cur || cur.ticketId !== data.ticket || cur.version !== data.tv) {
        result = 'stale';
        return undefined;
      }
      const now = deps.clock.now();
      result = withdraw ? userWithdraws(cur, now) : userAddsDetail(cur, draft, now);
      return result.ok ? result.escalation : undefined;
    });
    if (result === 'stale' || !saved) {
      const fresh = (await deps.store.escalations.get(escalationKey(aadObjectId)))?.value ?? current;
      return stale(fresh);
    }
    if (!result?.ok) {
      const key = REJECT_NOTICE[result?.reason ?? 'invalid-for-state'] ?? 'journey.ticket.closed';
      return show(saved, { text: audience.t(key), style: 'warning' }, draft);
    }
    const action = withdraw ? 'user-withdrew' : 'user-detail';
    const now = deps.clock.now();
    await recordAudit(
      deps.store,
      {
        at: now,
        actor: { ...actorOf(context.activity), aadObjectId },
        action: `helpdesk.${action}`,
        target: saved.ticketId,
        before: snapshot(current),
        after: snapshot(saved),
      },
      (err) => log.error({ err, action }, 'audit write failed'),
    );
    log.info({ ticket: saved.ticketId, action, state: saved.state }, 'user updated their ticket');
    await tellHelpdesk(context, deps, participant, saved, action, draft);
    return show(saved, {
      text: audience.t(withdraw ? 'journey.ticket.withdrawn' : 'journey.ticket.sent'),
      style: 'good',
    });
  };

/**
 * The channel card updated in place and a line in its thread, bounded by half the invoke budget
 * (then left to finish in the background). Without a posted card there is nothing to update: the
 * ticket holds the change and the next card shows it.
 */
async function tellHelpdesk(
  context: TurnContext,
  deps: Deps,
  participant: Participant,
  e: Escalation,
  action: 'user-detail' | 'user-withdrew',
  text: string,
): Promise<void> {
  const log = turnLogger(context, deps.logger);
  const via = participant.conversation;
  const cardId = e.cardActivityId;
  const channelId = ticketChannelId(deps, e);
  const channel = via && cardId ? channelAddress(deps, via, undefined, channelId) : undefined;
  const thread = via && cardId ? channelAddress(deps, via, cardId, channelId) : undefined;
  if (!channel || !thread || !cardId) {
    log.warn({ ticket: e.ticketId, action }, 'no helpdesk card to update for the user’s change');
    return;
  }
  const ch = channelAudience(deps);
  const name = e.participant.displayName ?? e.participant.userPrincipalName ?? e.participant.aadObjectId;
  const line = ch.t(`helpdesk.thread.${action}`, { name, text });
  const summary = ch.t('helpdesk.title', { number: e.ticketNumber, name });
  const toChannel = channelMessenger(deps.messenger);
  const work = Promise.allSettled([
    escalationCardFor(deps, e).then((card) => toChannel.update(channel, cardId, { card, summary })),
    toChannel.send(thread, {
      card: renderMessageCard({ title: ch.t('helpdesk.appName'), text: line, style: 'default' }),
      summary: line,
    }),
  ]).then((results) => {
    for (const r of results)
      if (r.status === 'rejected')
        log.warn({ err: r.reason, action }, 'helpdesk not told of the user’s change');
  });
  inBackground(work, (err) => log.warn({ err, action }, 'helpdesk not told of the user’s change'));
  if ((await withinBudget(work, Math.max(1, deps.invokeBudgetMs / 2))) === OVER_BUDGET) {
    log.warn({ action }, 'helpdesk updates still on their way after the invoke budget');
  }
}
