import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { Deps } from '../../deps';
import { STUCK_WORDS } from '../help/help';
import { GREETING } from './ids';
import { onGreeting, onMembersAdded } from './welcome';

/** "help me, it doesn't work" starts with a greeting word but says the user is stuck: not a greeting. */
const isGreeting = async (context: TurnContext) => {
  const text = context.activity.type === 'message' ? (context.activity.text ?? '') : '';
  return GREETING.test(text) && !STUCK_WORDS.test(text);
};

export function register(app: Application<TurnState>, deps: Deps): void {
  app.conversationUpdate('membersAdded', onMembersAdded(deps));
  app.message(isGreeting, onGreeting(deps));
}
