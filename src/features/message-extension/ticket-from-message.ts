/**
 * A helpdesk ticket opened from someone's message ("Escalate to migration helpdesk"). The ticket is
 * the author's one ticket (raiseEscalation: one per user, under concurrency); the message is its
 * trigger. The author need not have talked to the bot: then the ticket still opens, and the channel
 * is reached through the Bot Connector of the conversation the action came from.
 */

import { renderEscalationCard } from '../../cards/escalation-card';
import { renderMessageCard } from '../../cards/message-card';
import type { Deps } from '../../deps';
import { isOpen } from '../../domain/escalation';
import {
  type Escalation,
  type EscalationParticipant,
  MAX_DETAIL_CHARS,
  type RaiseOutcome,
} from '../../domain/escalation-model';
import { type ConversationAddress, type Participant, participantKey } from '../../domain/participant';
import { languageOf, translator } from '../../i18n';
import type { Logger } from '../../logging';
import { inBackground } from '../../shared/background';
import type { EscalateCategory } from '../../verbs/message-extension';
import { recordAudit } from '../audit';
import { participantOf, raiseEscalation } from '../helpdesk/escalation-service';
import {
  channelAddress,
  channelAudience,
  channelMessenger,
  escalationViewFor,
  postEscalationCard,
  routedChannelId,
  ticketChannelId,
} from '../helpdesk/helpdesk-service';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { excerpt } from './message-text';

export interface MessageTicketRequest {
  /** The message's author, from the message payload Teams sent (not from the dialog's data). */
  author: { aadObjectId: string; displayName?: string };
  /** Who used the action. */
  reporter: { aadObjectId: string; name?: string };
  text: string;
  category: EscalateCategory;
  messageId?: string;
  messageLink?: string;
  /** The Bot Connector of the conversation the action came from, for when the author has no chat with the bot. */
  via: Pick<ConversationAddress, 'serviceUrl' | 'botId'> & Partial<ConversationAddress>;
}

/** What became of the channel card: still on its way (`pending`) or not sendable now (`failed`) included. */
export type ChannelOutcome =
  | 'posted'
  | 'updated'
  | 'deferred'
  | 'no-channel'
  | 'nothing'
  | 'pending'
  | 'failed';

export type MessageTicketResult =
  | { ok: true; outcome: RaiseOutcome; escalation: Escalation; channel: ChannelOutcome }
  | { ok: false; reason: string };

/** A trigger just raised without a card may be racing the instance that is posting it (as in helpdesk-service). */
const POSTING_GRACE_MS = 60_000;
const THREAD_EXCERPT_CHARS = 200;

export async function openTicketFromMessage(
  deps: Deps,
  request: MessageTicketRequest,
  log: Logger,
): Promise<MessageTicketResult> {
  const authorId = request.author.aadObjectId.toLowerCase();
  const participant = (await deps.store.participants.get(participantKey(authorId)))?.value;
  const who = participant ? participantOf(participant) : await fromDirectory(deps, request.author, log);
  const raised = await raiseEscalation(deps.store, deps.clock, {
    participant: who,
    trigger: {
      reason: 'user-stuck',
      deviceKey: '',
      detail: detailOf(request),
      at: deps.clock.now().toISOString(),
    },
  });
  if (!raised.ok) return { ok: false, reason: raised.reason };
  const { outcome, escalation } = raised;

  await auditTicket(deps, request, escalation, outcome, log);
  // The same message again changes nothing, unless its card never reached the channel: then it is another try.
  const unposted = !escalation.cardActivityId && isOpen(escalation);
  if (outcome === 'duplicate' && !unposted) return { ok: true, outcome, escalation, channel: 'nothing' };

  const via = participant?.conversation ?? request.via;
  const posting = showInChannel(deps, escalation, outcome, participant, via, request);
  inBackground(posting, (err) =>
    log.error({ err }, 'the escalated message did not reach the helpdesk channel'),
  );
  const channel = await withinBudget(posting, Math.max(1, deps.invokeBudgetMs / 2)).catch(
    () => 'failed' as const,
  );
  if (participant?.conversation && (outcome === 'created' || outcome === 'reopened')) {
    inBackground(tellAuthor(deps, participant, escalation, request), (err) =>
      log.error({ err }, 'the author was not told of the ticket'),
    );
  }
  return { ok: true, outcome, escalation, channel: channel === OVER_BUDGET ? 'pending' : channel };
}

/** Someone who never talked to the bot: their name from the message, their UPN from the directory if it answers in time. */
async function fromDirectory(
  deps: Deps,
  author: MessageTicketRequest['author'],
  log: Logger,
): Promise<EscalationParticipant> {
  const id = author.aadObjectId.toLowerCase();
  const base: EscalationParticipant = {
    aadObjectId: id,
    ...(author.displayName ? { displayName: author.displayName } : {}),
  };
  try {
    const user = await withinBudget(deps.directory.findUser(id), Math.max(1, deps.invokeBudgetMs / 4));
    if (user === OVER_BUDGET || !user) return base;
    return {
      ...base,
      userPrincipalName: user.userPrincipalName,
      displayName: author.displayName ?? user.displayName,
      ...(user.preferredLanguage ? { locale: user.preferredLanguage } : {}),
    };
  } catch (err) {
    log.warn({ err }, 'directory look-up of the message author failed; the ticket carries the name only');
    return base;
  }
}

/**
 * What the helpdesk card shows as the user's words, with the category. The message id makes the same
 * message escalated twice one trigger; the detail is kept under the ticket's size limit for details
 * (a longer one would be stored as truncated text and lose its shape).
 */
export function detailOf(request: Pick<MessageTicketRequest, 'text' | 'category' | 'messageId'>) {
  const rest = {
    category: request.category,
    source: 'message',
    ...(request.messageId ? { messageId: request.messageId } : {}),
  };
  let said = request.text.trim();
  while (said.length > 0 && JSON.stringify({ said, ...rest }).length > MAX_DETAIL_CHARS) {
    said = `${said.slice(0, Math.max(0, said.length - 20)).trimEnd()}…`;
  }
  return { said, ...rest };
}

/** Posts (or updates) the ticket's card in the helpdesk channel, then a line in its thread saying where it came from. */
async function showInChannel(
  deps: Deps,
  escalation: Escalation,
  outcome: RaiseOutcome,
  participant: Participant | undefined,
  via: MessageTicketRequest['via'],
  request: MessageTicketRequest,
): Promise<ChannelOutcome> {
  const post = outcome === 'created' || outcome === 'reopened' || !escalation.cardActivityId;
  if (post && outcome === 'appended') {
    const age = deps.clock.now().getTime() - Date.parse(escalation.createdAt);
    if (age < POSTING_GRACE_MS) return 'deferred';
  }
  const channelId = post ? routedChannelId(deps, escalation, participant) : ticketChannelId(deps, escalation);
  const channel = channelId ? channelAddress(deps, via, undefined, channelId) : undefined;
  if (!channel || !channelId) return 'no-channel';
  const ch = channelAudience(deps);
  const name =
    escalation.participant.displayName ??
    escalation.participant.userPrincipalName ??
    escalation.participant.aadObjectId;
  const summary = ch.t('helpdesk.title', { number: escalation.ticketNumber, name });
  const card = renderEscalationCard(await escalationViewFor(deps, escalation, undefined, participant));

  let cardId = escalation.cardActivityId;
  if (post) {
    cardId = await postEscalationCard(deps, escalation, channel, channelId, card, summary, outcome);
  } else {
    await channelMessenger(deps.messenger).update(channel, cardId!, { card, summary });
  }
  if (cardId) {
    const thread = channelAddress(deps, via, cardId, channelId);
    const line = [
      ch.t('extension.escalate.thread', {
        reporter: request.reporter.name ?? request.reporter.aadObjectId,
        name,
        excerpt: excerpt(request.text, THREAD_EXCERPT_CHARS),
      }),
      request.messageLink && /^https:\/\//i.test(request.messageLink)
        ? ch.t('extension.escalate.threadLink', { url: request.messageLink })
        : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    if (thread) {
      await channelMessenger(deps.messenger).send(thread, {
        card: renderMessageCard({ title: ch.t('helpdesk.appName'), text: line, style: 'default' }),
        summary: line,
      });
    }
  }
  return post ? 'posted' : 'updated';
}

/** The author hears it from the bot, in their language, when the bot has a chat with them. */
async function tellAuthor(
  deps: Deps,
  p: Participant,
  e: Escalation,
  request: MessageTicketRequest,
): Promise<void> {
  if (!p.conversation) return;
  const t = translator(languageOf(p.locale, deps.config.defaults.locale));
  const text = t('extension.escalate.toAuthor.text', {
    reporter: request.reporter.name ?? t('journey.ticket.someone'),
    number: e.ticketNumber,
  });
  await deps.messenger.send(p.conversation, {
    card: renderMessageCard({ title: t('extension.escalate.toAuthor.title'), text, style: 'accent' }),
    summary: text,
  });
}

async function auditTicket(
  deps: Deps,
  request: MessageTicketRequest,
  e: Escalation,
  outcome: RaiseOutcome,
  log: Logger,
): Promise<void> {
  await recordAudit(
    deps.store,
    {
      at: deps.clock.now(),
      actor: request.reporter,
      action: 'extension.escalate',
      target: e.ticketId,
      after: { state: e.state, version: e.version, outcome, category: request.category },
      ...(request.messageId ? { reason: `message ${request.messageId.slice(0, 100)}` } : {}),
    },
    (err) => log.error({ err }, 'audit write failed'),
  );
}
