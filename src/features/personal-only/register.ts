import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../../cards/message-card';
import type { Deps } from '../../deps';
import { isPersonalChat } from '../../integrations/bot/teams-context';
import { turnLogger } from '../../logging';
import { ADMIN_VERB_LIST } from '../../verbs/admin';
import { DEVICE_VERBS } from '../../verbs/devices';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { actionVerbOf } from '../safe-invoke';
import { audienceOf } from '../user-context';

/** Card verbs whose answers show one person's devices, steps or the campaign's data. */
const PERSONAL_VERBS: ReadonlySet<string> = new Set([
  ...Object.values(DEVICE_VERBS),
  ...Object.values(JOURNEY_VERBS),
  ...ADMIN_VERB_LIST,
]);

const outsidePersonalChat = (context: TurnContext) => !isPersonalChat(context.activity);

/**
 * The app also lives in teams and group chats (helpdesk channel cards, the message extension), but
 * everything a person sees about their own devices and steps, and everything an admin sees about
 * the campaign, stays in the 1:1 chat: what is posted in a channel is read by all of its members.
 * Registered first, so these routes win over the features' own.
 */
export function register(app: Application<TurnState>, deps: Deps): void {
  app.message(
    // A function selector sees every activity: only messages are answered here.
    async (context) => context.activity.type === 'message' && outsidePersonalChat(context),
    async (context) => {
      const { t } = audienceOf(context, deps);
      await context.sendActivity(t('spaces.personalOnly'));
    },
  );
  app.adaptiveCards.actionExecute(
    async (context) =>
      context.activity.type === 'invoke' &&
      context.activity.name === 'adaptiveCard/action' &&
      outsidePersonalChat(context) &&
      PERSONAL_VERBS.has(actionVerbOf(context) ?? ''),
    async (context) => {
      const { t } = audienceOf(context, deps);
      turnLogger(context, deps.logger).warn(
        { verb: actionVerbOf(context), conversationType: context.activity.conversation?.conversationType },
        'personal card action outside the 1:1 chat refused',
      );
      return renderMessageCard({
        title: t('spaces.title'),
        text: t('spaces.personalOnly'),
        style: 'warning',
      });
    },
  );
}
