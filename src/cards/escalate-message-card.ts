import template from '../../adaptiveCards/escalate-message.json';
import { MAX_TEXT_LENGTH } from '../domain/escalation-model';
import { formatDateTime, type Translate } from '../i18n';
import {
  ESCALATE_CATEGORIES,
  ESCALATE_INPUTS,
  ESCALATE_SUBMIT,
  type EscalateCategory,
} from '../verbs/message-extension';
import { type CardJson, renderCard } from './render';

export interface EscalateMessageInput {
  t: Translate;
  locale: string;
  timeZone: string;
  /** The message's author: the person the ticket is for. */
  authorName: string;
  /** When the message was sent (ISO), if Teams said. */
  sentAt?: string;
  /** The vendor's display name, for the "can't remove …" category. */
  vendor: string;
  /** What the form shows: the message text at first, the sender's edit after a refused submit. */
  text: string;
  category?: EscalateCategory;
  /** Why the last submit was refused. */
  error?: string;
}

/**
 * The dialog of "Escalate to migration helpdesk": the message prefilled, a category, one button.
 * Dialogs answer with `Action.Submit` (Teams sends it as `composeExtension/submitAction`).
 */
export function escalateMessageView(input: EscalateMessageInput) {
  const { t } = input;
  const facts = [{ title: t('extension.escalate.for'), value: input.authorName }];
  if (input.sentAt && !Number.isNaN(Date.parse(input.sentAt))) {
    facts.push({
      title: t('extension.escalate.sentAt'),
      value: formatDateTime(new Date(input.sentAt), input.locale, input.timeZone),
    });
  }
  return {
    title: t('extension.escalate.title'),
    intro: t('extension.escalate.intro', { name: input.authorName }),
    facts,
    error: input.error ?? '',
    categoryId: ESCALATE_INPUTS.category,
    categoryLabel: t('extension.escalate.category'),
    categoryError: t('extension.escalate.badCategory'),
    category: input.category ?? 'other',
    categories: ESCALATE_CATEGORIES.map((value) => ({
      title: t(`extension.escalate.cat.${value}`, { vendor: input.vendor }),
      value,
    })),
    textId: ESCALATE_INPUTS.text,
    textLabel: t('extension.escalate.textLabel'),
    maxLength: MAX_TEXT_LENGTH,
    textError: t('extension.escalate.textError', { max: MAX_TEXT_LENGTH }),
    text: input.text.slice(0, MAX_TEXT_LENGTH),
    submit: t('extension.escalate.submit'),
    submitMarker: ESCALATE_SUBMIT,
  };
}

export function renderEscalateMessageCard(input: EscalateMessageInput): CardJson {
  return renderCard(template, escalateMessageView(input));
}
