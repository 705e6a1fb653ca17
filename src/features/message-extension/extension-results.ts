/**
 * Shapes of message-extension answers, and the one error policy for them: an exception becomes a
 * logged error and a short message in the sender's language, never Teams' generic failure.
 */
import type { TurnState } from '@microsoft/teams-ai';
import {
  type Attachment,
  CardFactory,
  type MessagingExtensionAttachment,
  type MessagingExtensionResult,
  type TaskModuleTaskInfo,
  type TurnContext,
} from 'botbuilder';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { turnLogger } from '../../logging';
import { audienceOf } from '../user-context';

/** A list of results (search) or the one card to insert (selected item, unfurled link). */
export function resultList(attachments: MessagingExtensionAttachment[]): MessagingExtensionResult {
  return { type: 'result', attachmentLayout: 'list', attachments };
}

/** Text instead of results: Teams shows it where the results would be. */
export function messageResult(text: string): MessagingExtensionResult {
  return { type: 'message', text };
}

/** What a search result looks like in the list; tapping it asks the bot for the card (selectItem). */
export function preview(title: string, text: string, item?: Record<string, unknown>): Attachment {
  return CardFactory.thumbnailCard(
    title,
    text,
    undefined,
    undefined,
    item ? { tap: { type: 'invoke', title, value: item } } : {},
  );
}

/** A search result: the preview in the list, a copy of it as content until the item is selected. */
export function searchResult(
  title: string,
  text: string,
  item: Record<string, unknown>,
): MessagingExtensionAttachment {
  return { ...preview(title, text), preview: preview(title, text, item) };
}

/** The card to insert, with the preview Teams shows while the message is being composed. */
export function cardResult(card: CardJson, title: string, text: string): MessagingExtensionAttachment {
  return { ...CardFactory.adaptiveCard(card), preview: preview(title, text) };
}

export function taskInfo(title: string, card: CardJson): TaskModuleTaskInfo {
  return { title, width: 'medium', height: 'large', card: CardFactory.adaptiveCard(card) };
}

type ExtensionHandler<A extends unknown[], R> = (
  context: TurnContext,
  state: TurnState,
  ...args: A
) => Promise<R>;

/** For search, select and unfurl: on failure, a message result. */
export function safeResult<A extends unknown[]>(
  deps: Deps,
  what: string,
  handler: ExtensionHandler<A, MessagingExtensionResult>,
): ExtensionHandler<A, MessagingExtensionResult> {
  return async (context, state, ...args) => {
    try {
      return await handler(context, state, ...args);
    } catch (err) {
      turnLogger(context, deps.logger).error({ err, what }, 'message extension failed');
      return messageResult(audienceOf(context, deps).t('extension.error'));
    }
  };
}

/** For dialogs (fetch and submit): on failure, a message the dialog shows. */
export function safeTask<A extends unknown[]>(
  deps: Deps,
  what: string,
  handler: ExtensionHandler<A, TaskModuleTaskInfo | string>,
): ExtensionHandler<A, TaskModuleTaskInfo | string> {
  return async (context, state, ...args) => {
    try {
      return await handler(context, state, ...args);
    } catch (err) {
      turnLogger(context, deps.logger).error({ err, what }, 'message extension action failed');
      return audienceOf(context, deps).t('extension.error');
    }
  };
}
