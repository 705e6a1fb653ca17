import { type Activity, INVOKE_RESPONSE_KEY, type TurnContext } from 'botbuilder';
import { renderMessageCard } from '../cards/message-card';
import type { CardJson } from '../cards/render';
import type { Deps } from '../deps';
import type { Translate } from '../i18n';
import { turnLogger } from '../logging';
import { isUnavailable } from '../shared/unavailable';
import { invokeKindOf } from './activity-input';
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
      return errorCardFor(audienceOf(context, deps).t, err);
    }
  };
}

export function actionVerbOf(context: TurnContext): string | undefined {
  const value = context.activity.value as { action?: { verb?: unknown } } | undefined;
  return typeof value?.action?.verb === 'string' ? value.action.verb : undefined;
}

/**
 * The card for a failure: storage, Graph or Teams out of reach says so and asks to try again in a
 * few minutes (nothing was changed); anything else is the generic apology. Never internal text.
 */
export function errorCardFor(t: Translate, err: unknown): CardJson {
  if (isUnavailable(err, 'storage')) {
    return renderMessageCard({
      title: t('errors.outage.title'),
      text: t('errors.outage.text'),
      style: 'warning',
    });
  }
  if (isUnavailable(err, 'graph')) {
    return renderMessageCard({ title: t('error.title'), text: t('errors.graph.text'), style: 'warning' });
  }
  if (isUnavailable(err, 'connector')) {
    return renderMessageCard({ title: t('error.title'), text: t('errors.connector.text'), style: 'warning' });
  }
  return renderMessageCard({ title: t('error.title'), text: t('error.generic'), style: 'attention' });
}

/** The text of `errorCardFor`, for answers that carry text only (message-extension and task answers). */
export function errorTextFor(t: Translate, err: unknown): string {
  if (isUnavailable(err, 'storage')) return t('errors.outage.text');
  if (isUnavailable(err, 'graph')) return t('errors.graph.text');
  if (isUnavailable(err, 'connector')) return t('errors.connector.text');
  return t('error.generic');
}

const ANSWERED = Symbol('invoke answered');

/** Notes when this turn sends its invoke response, whichever route or adapter sends it. */
export function trackInvokeAnswer(context: TurnContext): void {
  context.onSendActivities(async (ctx, activities, next) => {
    if (activities.some((a) => a.type === 'invokeResponse')) ctx.turnState.set(ANSWERED, true);
    return next();
  });
}

/** Whether this turn's invoke has been answered already (by a route, or by the error policy). */
export function invokeAnswered(context: TurnContext): boolean {
  return context.turnState.get(ANSWERED) === true || context.turnState.get(INVOKE_RESPONSE_KEY) !== undefined;
}

/**
 * Answers an invoke no route could answer (malformed, or failed before its handler could answer)
 * in the shape its kind expects: a card for a card action, a message for a search or a task
 * module, and a 400 or 500 with a short text for anything else (or, with `statusOnly`, for every
 * kind: a request for something the app does not have). Never 501, never empty.
 */
export async function answerInvoke(
  context: TurnContext,
  answer: { card: CardJson; text: string; status: 400 | 500; statusOnly?: boolean },
): Promise<void> {
  if (invokeAnswered(context)) return;
  const kind = answer.statusOnly ? 'other' : invokeKindOf(context.activity.name);
  const value =
    kind === 'card-action'
      ? {
          status: 200,
          body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer.card },
        }
      : kind === 'extension-query'
        ? { status: 200, body: { composeExtension: { type: 'message', text: answer.text } } }
        : kind === 'task'
          ? { status: 200, body: { task: { type: 'message', value: answer.text } } }
          : { status: answer.status, body: { error: answer.text } };
  const response: Partial<Activity> = { type: 'invokeResponse', value };
  await context.sendActivity(response);
}
