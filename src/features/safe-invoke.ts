import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../cards/message-card';
import type { CardJson } from '../cards/render';
import type { Deps } from '../deps';
import { turnLogger } from '../logging';
import { audienceOf } from './user-context';

/**
 * Card actions must always be answered with a card: an exception becomes a logged error and a card
 * that tells the user something useful, instead of Teams' generic "something went wrong".
 */
export function safeInvoke(
  deps: Deps,
  handler: (context: TurnContext) => Promise<CardJson>,
): (context: TurnContext) => Promise<CardJson> {
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
