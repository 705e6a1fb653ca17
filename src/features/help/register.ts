import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { wordsPattern } from '../../i18n';
import { LANGUAGE_VERBS } from '../../verbs/language';
import { safeInvoke } from '../safe-invoke';
import { GUIDE_WORDS, onGuideWords, onStuck, STUCK_WORDS } from './help';
import { onLanguageChoose, onLanguageOpen, onLanguageWords } from './language';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(LANGUAGE_VERBS.open, safeInvoke(deps, onLanguageOpen(deps)));
  app.adaptiveCards.actionExecute(LANGUAGE_VERBS.choose, safeInvoke(deps, onLanguageChoose(deps)));
  app.message(wordsPattern('language', { at: 'whole' }), onLanguageWords(deps));
  app.message(STUCK_WORDS, onStuck(deps));
  app.message(GUIDE_WORDS, onGuideWords(deps));
}
