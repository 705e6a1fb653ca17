/**
 * "Escalate to migration helpdesk" on any message: a dialog prefilled with the message opens a
 * ticket for its author. The author is always read from the message payload Teams sends with both
 * the dialog's fetch and its submit; the dialog's own data only carries the sender's words.
 */
import type { TurnState } from '@microsoft/teams-ai';
import type { TaskModuleTaskInfo, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { renderEscalateMessageCard } from '../../cards/escalate-message-card';
import type { Deps } from '../../deps';
import { campaignKey } from '../../domain/campaign';
import { MAX_TEXT_LENGTH } from '../../domain/escalation-model';
import type { MessageKey } from '../../i18n';
import { turnLogger } from '../../logging';
import { ESCALATE_CATEGORIES, ESCALATE_INPUTS, type EscalateCategory } from '../../verbs/message-extension';
import { helpdeskConfigured } from '../helpdesk/helpdesk-service';
import { type Audience, audienceOf } from '../user-context';
import { taskInfo } from './extension-results';
import { excerpt, messageText } from './message-text';
import { type ChannelOutcome, openTicketFromMessage } from './ticket-from-message';

/** The parts of Teams' `messagePayload` this uses; anything else in it is ignored. */
const messagePayload = z.object({
  id: z.string().max(300).optional(),
  createdDateTime: z.string().max(64).optional(),
  linkToMessage: z.string().max(2048).optional(),
  from: z
    .object({
      user: z
        .object({
          id: z.string().regex(/^[0-9A-Za-z-]{1,64}$/),
          displayName: z.string().max(256).optional(),
          userIdentityType: z.string().max(64).optional(),
        })
        .nullish(),
      application: z.unknown().optional(),
    })
    .nullish(),
  body: z.object({ contentType: z.string().max(32).optional(), content: z.string().optional() }).nullish(),
});

/** Identity types of people in the tenant; guests invited into it are `aadUser` too. */
const TENANT_USERS = new Set(['aaduser', 'onpremiseaaduser']);

export interface SourceMessage {
  author: { aadObjectId: string; displayName?: string };
  text: string;
  sentAt?: string;
  messageId?: string;
  link?: string;
}

type SourceResult = { ok: true; message: SourceMessage } | { ok: false; reason: MessageKey; name?: string };

/** The message the action was used on, from the invoke's `messagePayload`. */
export function sourceMessageOf(value: unknown): SourceResult {
  const raw = (value as { messagePayload?: unknown } | undefined)?.messagePayload;
  const parsed = messagePayload.safeParse(raw);
  if (raw === undefined || raw === null || !parsed.success)
    return { ok: false, reason: 'extension.escalate.noMessage' };
  const m = parsed.data;
  const user = m.from?.user;
  if (!user) return { ok: false, reason: 'extension.escalate.notPerson' };
  const name = user.displayName?.trim() || undefined;
  if (user.userIdentityType && !TENANT_USERS.has(user.userIdentityType.toLowerCase())) {
    return { ok: false, reason: 'extension.escalate.external', ...(name ? { name } : {}) };
  }
  return {
    ok: true,
    message: {
      author: { aadObjectId: user.id.toLowerCase(), ...(name ? { displayName: name } : {}) },
      text: messageText(m.body ?? undefined),
      ...(m.createdDateTime ? { sentAt: m.createdDateTime } : {}),
      ...(m.id ? { messageId: m.id } : {}),
      ...(m.linkToMessage ? { link: m.linkToMessage } : {}),
    },
  };
}

export const onEscalateFetch =
  (deps: Deps) =>
  async (context: TurnContext): Promise<TaskModuleTaskInfo | string> => {
    const a = audienceOf(context, deps);
    const source = sourceMessageOf(context.activity.value);
    if (!source.ok) return a.t(source.reason, { name: source.name ?? a.t('journey.ticket.someone') });
    if (!helpdeskConfigured(deps)) return a.t('extension.escalate.noHelpdesk');
    const text =
      source.message.text.length > MAX_TEXT_LENGTH
        ? excerpt(source.message.text, MAX_TEXT_LENGTH)
        : source.message.text;
    return dialog(deps, a, source.message, { text });
  };

/** The dialog's data: inputs merged with the submit button's own data. Untrusted like any card data. */
const submitted = z.object({
  [ESCALATE_INPUTS.category]: z.string().max(64).optional(),
  [ESCALATE_INPUTS.text]: z.string().max(20_000).optional(),
});

export const onEscalateSubmit =
  (deps: Deps) =>
  async (context: TurnContext, _state: TurnState, data: unknown): Promise<TaskModuleTaskInfo | string> => {
    const log = turnLogger(context, deps.logger).child({ feature: 'message-extension' });
    const a = audienceOf(context, deps);
    const source = sourceMessageOf(context.activity.value);
    if (!source.ok) return a.t(source.reason, { name: source.name ?? a.t('journey.ticket.someone') });
    const reporterId = context.activity.from?.aadObjectId;
    if (!reporterId) return a.t('error.noIdentity');
    if (!helpdeskConfigured(deps)) return a.t('extension.escalate.noHelpdesk');

    const parsed = submitted.safeParse(data ?? {});
    const rawText = parsed.success ? (parsed.data[ESCALATE_INPUTS.text] ?? '') : '';
    const rawCategory = parsed.success ? parsed.data[ESCALATE_INPUTS.category] : undefined;
    const category = (ESCALATE_CATEGORIES as readonly string[]).includes(rawCategory ?? '')
      ? (rawCategory as EscalateCategory)
      : undefined;
    const text = rawText.trim();
    // A refused submit shows the dialog again with the reason, keeping what was written.
    const again = (error: string) =>
      dialog(deps, a, source.message, { text: text.slice(0, MAX_TEXT_LENGTH), category, error });
    if (!parsed.success) {
      log.warn(
        { issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'malformed escalation dialog data',
      );
      return again(
        a.t('error.malformed', { detail: parsed.error.issues.map((i) => i.path.join('.')).join(', ') }),
      );
    }
    if (!category) return again(a.t('extension.escalate.badCategory'));
    if (!text) return again(a.t('extension.escalate.textRequired'));
    if (text.length > MAX_TEXT_LENGTH)
      return again(a.t('extension.escalate.textTooLong', { length: text.length, max: MAX_TEXT_LENGTH }));

    const activity = context.activity;
    const result = await openTicketFromMessage(
      deps,
      {
        author: source.message.author,
        reporter: { aadObjectId: reporterId, ...(activity.from?.name ? { name: activity.from.name } : {}) },
        text,
        category,
        ...(source.message.messageId ? { messageId: source.message.messageId } : {}),
        ...(source.message.link ? { messageLink: source.message.link } : {}),
        via: {
          serviceUrl: activity.serviceUrl,
          channelId: activity.channelId ?? 'msteams',
          botId: activity.recipient?.id ?? '',
          ...(activity.recipient?.name ? { botName: activity.recipient.name } : {}),
          ...(tenantOf(context) ? { tenantId: tenantOf(context) } : {}),
        },
      },
      log,
    );
    if (!result.ok) {
      log.warn({ reason: result.reason }, 'ticket from a message refused');
      return a.t('error.malformed', { detail: result.reason });
    }
    const e = result.escalation;
    const name = e.participant.displayName ?? e.participant.userPrincipalName ?? e.participant.aadObjectId;
    log.info(
      { ticket: e.ticketId, outcome: result.outcome, channel: result.channel },
      'ticket opened from a message',
    );
    const said = a.t(`extension.escalate.${result.outcome}`, { number: e.ticketNumber, name });
    return [said, channelNote(a, result.channel)].filter(Boolean).join(' ');
  };

function channelNote(a: Audience, channel: ChannelOutcome): string {
  if (channel === 'pending' || channel === 'deferred') return a.t('extension.escalate.later');
  if (channel === 'failed' || channel === 'no-channel') return a.t('extension.escalate.notPosted');
  return '';
}

async function dialog(
  deps: Deps,
  a: Audience,
  message: SourceMessage,
  form: { text: string; category?: EscalateCategory; error?: string },
): Promise<TaskModuleTaskInfo> {
  const campaign = await deps.store.campaigns.get(campaignKey()).catch(() => undefined);
  const authorName = message.author.displayName ?? message.author.aadObjectId;
  const card = renderEscalateMessageCard({
    t: a.t,
    locale: a.locale,
    timeZone: a.timeZone,
    authorName,
    ...(message.sentAt ? { sentAt: message.sentAt } : {}),
    vendor: a.t(`vendor.${campaign?.value.sourceMdm ?? deps.config.sourceMdm}`),
    text: form.text,
    ...(form.category ? { category: form.category } : {}),
    ...(form.error ? { error: form.error } : {}),
  });
  return taskInfo(a.t('extension.escalate.title'), card);
}

function tenantOf(context: TurnContext): string | undefined {
  return (
    context.activity.conversation?.tenantId ??
    (context.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id
  );
}
