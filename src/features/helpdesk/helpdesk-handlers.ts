import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { assign, escalationKey, reopen, resolve, waitOnUser } from '../../domain/escalation';
import {
  type ActionRejectReason,
  type ActionResult,
  type Agent,
  type Escalation,
  MAX_TEXT_LENGTH,
} from '../../domain/escalation-model';
import { participantKey } from '../../domain/participant';
import type { MessageKey } from '../../i18n';
import { turnLogger } from '../../logging';
import type { HelpdeskMember } from '../../ports/helpdesk-roster';
import { ASSIGNEE_INPUT_ID, HELPDESK_VERBS, NOTE_INPUT_ID } from '../../verbs/helpdesk';
import { actorOf, recordAudit } from '../audit';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { journeyCard, loadJourneyState } from '../journey/journey-service';
import { audienceForParticipant, onProgress } from '../journey/on-progress';
import { actionVerbOf } from '../safe-invoke';
import { audienceOf } from '../user-context';
import {
  channelAddress,
  channelAudience,
  channelMessenger,
  escalationCardFor,
  ticketChannelId,
} from './helpdesk-service';

/** Card data is untrusted: the ticket and version are checked against the stored ticket. */
const actionData = z.object({
  ticket: z.string().min(3).max(300),
  v: z.coerce.number().int().nonnegative(),
  [NOTE_INPUT_ID]: z.string().max(5_000).optional(),
  [ASSIGNEE_INPUT_ID]: z.string().max(300).optional(),
});

const REJECT_NOTICE: Record<ActionRejectReason, MessageKey> = {
  'invalid-for-state': 'helpdesk.notice.invalidForState',
  'already-assigned': 'helpdesk.notice.alreadyAssigned',
  'actor-required': 'error.noIdentity',
  'note-required': 'helpdesk.notice.noteRequired',
  'note-too-long': 'helpdesk.notice.noteTooLong',
  'text-required': 'helpdesk.notice.invalidForState',
  'text-too-long': 'helpdesk.notice.invalidForState',
  'activity-id-required': 'helpdesk.notice.invalidForState',
};

type StateAction = 'assign' | 'wait-on-user' | 'resolve' | 'reopen';
const ACTION_OF: Record<string, StateAction | 'resend' | 'assign-to'> = {
  [HELPDESK_VERBS.assignMe]: 'assign',
  [HELPDESK_VERBS.assignTo]: 'assign-to',
  [HELPDESK_VERBS.waitOnUser]: 'wait-on-user',
  [HELPDESK_VERBS.resolve]: 'resolve',
  [HELPDESK_VERBS.reopen]: 'reopen',
  [HELPDESK_VERBS.resend]: 'resend',
};

/** The user a ticket id belongs to (`<aadObjectId>-<n>`). */
function ownerOf(ticketId: string): string {
  return ticketId.replace(/-\d+$/, '').toLowerCase();
}

function snapshot(e: Escalation | undefined) {
  return e
    ? { state: e.state, assignee: e.assignee?.name ?? e.assignee?.aadObjectId, version: e.version }
    : undefined;
}

/**
 * Every button on the escalation card. Answers with the ticket's current card (which replaces the
 * card for everyone in the channel), or with a text banner for the sender alone when the action is
 * refused, so that a refusal never hides the card from the rest of the helpdesk.
 */
export const onHelpdeskAction =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson | string> => {
    const log = turnLogger(context, deps.logger).child({ feature: 'helpdesk' });
    const a = channelAudience(deps);
    const verb = actionVerbOf(context) ?? '';
    const action = ACTION_OF[verb];
    const senderId = context.activity.from?.aadObjectId?.toLowerCase();
    if (!senderId) return audienceOf(context, deps).t('error.noIdentity');
    const now = deps.clock.now();
    const audit = (
      what: string,
      extra: { target?: string; before?: unknown; after?: unknown; reason?: string },
    ) =>
      recordAudit(deps.store, { at: now, actor: actorOf(context.activity), action: what, ...extra }, (err) =>
        log.error({ err, what }, 'audit write failed'),
      );

    // Authorisation first, from the sender's identity only.
    const roster = deps.helpdeskRoster;
    let agent: Agent | undefined;
    let members: HelpdeskMember[] = [];
    try {
      if (!roster) throw new Error('no helpdesk roster configured');
      const listed = await withinBudget(
        roster.members(context.activity.serviceUrl ?? ''),
        deps.invokeBudgetMs,
      );
      if (listed === OVER_BUDGET) throw new Error('helpdesk roster look-up over the invoke budget');
      members = listed;
      const member = members.find((m) => m.aadObjectId.toLowerCase() === senderId);
      if (member)
        agent = { aadObjectId: senderId, name: context.activity.from?.name || member.name || senderId };
    } catch (err) {
      log.warn({ err, verb }, 'helpdesk roster unavailable; refusing the action');
      await audit('helpdesk.refused', { reason: 'roster-unavailable' });
      return a.t('helpdesk.refuse.rosterUnavailable');
    }
    if (!agent) {
      log.warn({ verb, sender: senderId }, 'helpdesk action from someone outside the helpdesk team');
      await audit('helpdesk.refused', { reason: 'not-a-helpdesk-member' });
      return a.t('helpdesk.refuse.notMember');
    }

    const parsed = actionData.safeParse(
      (context.activity.value as { action?: { data?: unknown } })?.action?.data ?? {},
    );
    if (!action || !parsed.success) {
      const detail = parsed.success
        ? `verb ${verb.slice(0, 60)}`
        : parsed.error.issues.map((i) => i.path.join('.')).join(', ');
      log.warn({ verb, detail }, 'malformed helpdesk card action');
      await audit('helpdesk.refused', { reason: `malformed: ${detail}` });
      return a.t('error.malformed', { detail });
    }
    const data = parsed.data;
    const key = escalationKey(ownerOf(data.ticket));
    const current = (await deps.store.escalations.get(key))?.value;
    const cardId = context.activity.replyToId;
    // The payload must name the ticket this very card shows: a ticket id edited into the payload, or
    // the card of an earlier ticket, changes nothing.
    if (
      !current ||
      current.ticketId !== data.ticket ||
      (cardId && current.cardActivityId && cardId !== current.cardActivityId)
    ) {
      log.warn(
        { verb, ticket: data.ticket, cardId, stored: current?.ticketId },
        'helpdesk action for a ticket this card does not show',
      );
      await audit('helpdesk.refused', { target: data.ticket, reason: 'ticket-not-this-card' });
      return a.t('helpdesk.refuse.forged');
    }
    if (data.v !== current.version) {
      await audit('helpdesk.stale', {
        target: current.ticketId,
        before: snapshot(current),
        reason: `card v${data.v}`,
      });
      return escalationCardFor(deps, current, { text: a.t('helpdesk.notice.stale'), style: 'accent' });
    }

    if (action === 'resend') return resend(context, deps, current, agent, audit);

    // "Assign to…": the chosen id must be on the roster read above; the name comes from there too.
    let assignee: Agent = agent;
    if (action === 'assign-to') {
      const chosen = (data[ASSIGNEE_INPUT_ID] ?? '').trim().toLowerCase();
      if (!chosen) {
        return escalationCardFor(deps, current, {
          text: a.t('helpdesk.notice.chooseAssignee'),
          style: 'warning',
        });
      }
      const member = members.find((m) => m.aadObjectId.toLowerCase() === chosen);
      if (!member) {
        log.warn(
          { verb, ticket: current.ticketId, chosen },
          '"Assign to…" someone outside the helpdesk team',
        );
        await audit('helpdesk.refused', {
          target: current.ticketId,
          reason: `assignee-not-a-member: ${chosen.slice(0, 60)}`,
        });
        return a.t('helpdesk.refuse.notAssignable');
      }
      assignee = {
        aadObjectId: chosen,
        name: member.name || (chosen === agent.aadObjectId ? agent.name : undefined) || chosen,
      };
    }

    // ETag read-modify-write: a concurrent change makes this card stale rather than being overwritten.
    let result: ActionResult | 'stale' | undefined;
    const note = (data[NOTE_INPUT_ID] ?? '').trim();
    const saved = await deps.store.escalations.update(key, (cur) => {
      if (!cur || cur.ticketId !== data.ticket || cur.version !== data.v) {
        result = 'stale';
        return undefined;
      }
      const at = deps.clock.now();
      result =
        action === 'assign' || action === 'assign-to'
          ? assign(cur, assignee, agent, at)
          : action === 'wait-on-user'
            ? waitOnUser(cur, agent, at)
            : action === 'resolve'
              ? note.length > MAX_TEXT_LENGTH
                ? { ok: false, reason: 'note-too-long', escalation: cur }
                : resolve(cur, agent, note, at)
              : reopen(cur, agent, at);
      return result.ok ? result.escalation : undefined;
    });
    if (result === 'stale' || !saved) {
      const fresh = (await deps.store.escalations.get(key))?.value ?? current;
      return escalationCardFor(deps, fresh, { text: a.t('helpdesk.notice.stale'), style: 'accent' });
    }
    if (!result?.ok) {
      const reason = result?.reason ?? 'invalid-for-state';
      if (
        action === 'assign-to' &&
        reason === 'already-assigned' &&
        assignee.aadObjectId !== agent.aadObjectId
      ) {
        return escalationCardFor(deps, saved, {
          text: a.t('helpdesk.notice.alreadyAssignedTo', { assignee: assignee.name ?? assignee.aadObjectId }),
          style: 'warning',
        });
      }
      await audit(`helpdesk.${action}.rejected`, {
        target: current.ticketId,
        before: snapshot(current),
        reason,
      });
      return escalationCardFor(deps, saved, { text: a.t(REJECT_NOTICE[reason]), style: 'warning' });
    }
    await audit(`helpdesk.${action}`, {
      target: saved.ticketId,
      before: snapshot(current),
      after: snapshot(saved),
      ...(action === 'resolve' ? { reason: note } : {}),
    });
    log.info({ ticket: saved.ticketId, action, state: saved.state }, 'helpdesk action applied');
    const done = action === 'assign-to' ? 'assign' : action;
    await tellEveryone(context, deps, saved, done, agent, note, assignee);
    return escalationCardFor(deps, saved);
  };

/** A short line in the card's thread and a message to the user in their language; bounded by the invoke budget. */
async function tellEveryone(
  context: TurnContext,
  deps: Deps,
  e: Escalation,
  action: StateAction | 'resend',
  agent: Agent,
  note: string,
  assignee: Agent = agent,
): Promise<void> {
  const log = turnLogger(context, deps.logger);
  const agentName = agent.name ?? agent.aadObjectId;
  const assigneeName = assignee.name ?? assignee.aadObjectId;
  // Assigned by someone else: the thread line @mentions the assignee, which notifies them in Teams.
  const assignedOther = action === 'assign' && assignee.aadObjectId !== agent.aadObjectId;
  const ch = channelAudience(deps);
  const work: Promise<unknown>[] = [];
  const thread = threadAddress(context, deps, e);
  if (thread) {
    const text = assignedOther
      ? ch.t('helpdesk.thread.assignTo', { agent: agentName, assignee: assigneeName })
      : ch.t(`helpdesk.thread.${action}`, { agent: agentName, note });
    const card = assignedOther
      ? mentioning(
          renderMessageCard({
            title: ch.t('helpdesk.appName'),
            text: ch.t('helpdesk.thread.assignTo', {
              agent: agentName,
              assignee: `<at>${assigneeName}</at>`,
            }),
            style: 'default',
          }),
          assignee,
          assigneeName,
        )
      : renderMessageCard({ title: ch.t('helpdesk.appName'), text, style: 'default' });
    work.push(channelMessenger(deps.messenger).send(thread, { card, summary: text }));
  }
  const participant = (await deps.store.participants.get(participantKey(e.participant.aadObjectId)))?.value;
  if (participant?.conversation && action !== 'resend') {
    const u = audienceForParticipant(deps, participant);
    const text = u.t(`helpdesk.user.${action}`, {
      agent: action === 'assign' ? assigneeName : agentName,
      note,
    });
    work.push(
      deps.messenger.send(participant.conversation, {
        card: renderMessageCard({
          title: u.t('helpdesk.user.title'),
          text,
          style: action === 'resolve' ? 'good' : 'accent',
        }),
        summary: text,
      }),
    );
    // The journey card shows the ticket's state: bring it up to date where the user sees it.
    work.push(onProgress(deps)(participant, [{ kind: 'card-changed' }]));
  }
  const all = Promise.allSettled(work).then((results) => {
    for (const r of results)
      if (r.status === 'rejected') log.warn({ err: r.reason, action }, 'helpdesk notice not delivered');
  });
  if ((await withinBudget(all, Math.max(1, deps.invokeBudgetMs / 2))) === OVER_BUDGET) {
    log.warn({ action }, 'helpdesk notices still on their way after the invoke budget');
  }
}

/** An Adaptive Card @mention of a helpdesk member by Entra object id (Teams resolves it and notifies them). */
function mentioning(card: CardJson, who: Agent, name: string): CardJson {
  return {
    ...card,
    msteams: {
      entities: [{ type: 'mention', text: `<at>${name}</at>`, mentioned: { id: who.aadObjectId, name } }],
    },
  };
}

function threadAddress(context: TurnContext, deps: Deps, e: Escalation) {
  const activity = context.activity;
  const root = e.cardActivityId ?? activity.replyToId;
  if (!activity.serviceUrl || !activity.recipient?.id || !root) return undefined;
  return channelAddress(
    deps,
    {
      serviceUrl: activity.serviceUrl,
      botId: activity.recipient.id,
      ...(activity.recipient.name ? { botName: activity.recipient.name } : {}),
      ...(activity.channelId ? { channelId: activity.channelId } : {}),
      ...(activity.conversation?.tenantId ? { tenantId: activity.conversation.tenantId } : {}),
    },
    root,
    // The channel the ticket's card lives in (routing may have put it outside the default one).
    ticketChannelId(deps, e),
  );
}

/** "Re-send instructions": the user's journey card again, as a new message they can act on. */
async function resend(
  context: TurnContext,
  deps: Deps,
  e: Escalation,
  agent: Agent,
  audit: (
    what: string,
    extra: { target?: string; before?: unknown; after?: unknown; reason?: string },
  ) => Promise<unknown>,
): Promise<CardJson> {
  const ch = channelAudience(deps);
  const state = await loadJourneyState(deps, e.participant.aadObjectId);
  const participant = state.participant;
  const u = participant ? audienceForParticipant(deps, participant) : undefined;
  const card = participant && u ? journeyCard(deps, u, { ...state, participant }) : undefined;
  if (!participant?.conversation || !card || !u) {
    await audit('helpdesk.resend.failed', { target: e.ticketId, reason: 'no conversation or no journey' });
    return escalationCardFor(deps, e, { text: ch.t('helpdesk.notice.resendFailed'), style: 'warning' });
  }
  const intro = u.t('helpdesk.user.resend');
  await deps.messenger.send(participant.conversation, {
    card: renderMessageCard({ title: u.t('helpdesk.user.title'), text: intro, style: 'accent' }),
    summary: intro,
  });
  const { activityId } = await deps.messenger.send(participant.conversation, {
    card,
    summary: u.t('app.name'),
  });
  // The newest journey card is the one kept current in place.
  if (activityId) {
    await deps.store.participants.update(participantKey(participant.aadObjectId), (cur) =>
      cur ? { ...cur, journeyCardId: activityId } : undefined,
    );
  }
  await audit('helpdesk.resend', { target: e.ticketId, before: snapshot(e), after: snapshot(e) });
  await tellEveryone(context, deps, e, 'resend', agent, '');
  return escalationCardFor(deps, e, { text: ch.t('helpdesk.notice.resent'), style: 'good' });
}
