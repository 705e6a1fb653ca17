import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../cards/message-card';
import type { CardJson } from '../cards/render';
import type { Deps } from '../deps';
import { turnLogger } from '../logging';
import { audienceOf } from './user-context';

/**
 * Card actions must always be answered with a card: an exception becomes a logged error and a card
 * that tells the user something useful, instead of Teams' generic "something went wrong".
 * A handler may answer with a string instead: Teams shows it as a banner and leaves the card as it is.
 */
export function safeInvoke<R extends CardJson | string = CardJson>(
  deps: Deps,
  handler: (context: TurnContext) => Promise<R>,
): (context: TurnContext) => Promise<R | CardJson> {
  return async (context) => {
    try {
      return await handler(context);
    } catch (err) {
      turnLogger(context, deps.logger).error({ err, verb: actionVerbOf(context) }, 'card action failed');
      const { t } = audienceOf(context, deps);
      return renderMessageCard({ title: t('error.title'), text: t('error.generic'), style: 'attention' });
    }
  };
}

export function actionVerbOf(context: TurnContext): string | undefined {
  const value = context.activity.value as { action?: { verb?: unknown } } | undefined;
  return typeof value?.action?.verb === 'string' ? value.action.verb : undefined;
}
