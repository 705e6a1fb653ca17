import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../../cards/message-card';
import type { Deps } from '../../deps';
import { turnLogger } from '../../logging';
import { actionVerbOf } from '../safe-invoke';
import { audienceOf } from '../user-context';
import { onUnrecognisedMessage } from '../welcome/welcome';

const isCardAction = async (context: TurnContext) =>
  context.activity.type === 'invoke' && context.activity.name === 'adaptiveCard/action';

/** Catch-all routes; registered last because the first matching route wins. */
export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(isCardAction, async (context) => {
    const verb = actionVerbOf(context);
    const { t } = audienceOf(context, deps);
    turnLogger(context, deps.logger).warn(
      { verb: verb ?? null },
      'card action with an unknown or missing verb',
    );
    return renderMessageCard(
      verb
        ? {
            title: t('error.title'),
            text: t('error.unknownAction', { verb: verb.slice(0, 60) }),
            style: 'warning',
          }
        : { title: t('error.title'), text: t('error.malformed', { detail: 'no verb' }), style: 'warning' },
    );
  });
  app.activity('message', onUnrecognisedMessage(deps));
}
