import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { wordsPattern } from '../../i18n';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { safeInvoke } from '../safe-invoke';
import { onJourneyAction, onOptIn, onStartAction, onStartMessage } from './journey-handlers';
import { onTicketAction } from './ticket-handlers';

/** "start", "starta", "my status" … in every language (words.json `start`), at the start of the message. */
export const START_WORDS = wordsPattern('start', { at: 'start' });

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(JOURNEY_VERBS.start, safeInvoke(deps, onStartAction(deps)));
  app.adaptiveCards.actionExecute(JOURNEY_VERBS.optIn, safeInvoke(deps, onOptIn(deps)));
  app.adaptiveCards.actionExecute(
    [
      JOURNEY_VERBS.refresh,
      JOURNEY_VERBS.focus,
      JOURNEY_VERBS.unenrolled,
      JOURNEY_VERBS.cannot,
      JOURNEY_VERBS.enrolling,
      JOURNEY_VERBS.check,
      JOURNEY_VERBS.postCheck,
      JOURNEY_VERBS.defer,
      JOURNEY_VERBS.stuck,
    ],
    safeInvoke(deps, onJourneyAction(deps)),
  );
  app.adaptiveCards.actionExecute(
    [JOURNEY_VERBS.ticketDetail, JOURNEY_VERBS.ticketWithdraw],
    safeInvoke(deps, onTicketAction(deps)),
  );
  app.message(START_WORDS, onStartMessage(deps));
}
