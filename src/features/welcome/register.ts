import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { GREETING } from './ids';
import { onGreeting, onMembersAdded } from './welcome';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.conversationUpdate('membersAdded', onMembersAdded(deps));
  app.message(GREETING, onGreeting(deps));
}
