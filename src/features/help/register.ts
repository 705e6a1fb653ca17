import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { GUIDE_WORDS, onGuideWords, onStuck, STUCK_WORDS } from './help';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.message(STUCK_WORDS, onStuck(deps));
  app.message(GUIDE_WORDS, onGuideWords(deps));
}
