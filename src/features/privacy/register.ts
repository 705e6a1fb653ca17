import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { PRIVACY_COMMAND, PRIVACY_VERBS } from '../../verbs/privacy';
import { adminAction, adminMessage } from '../admin/admin-action';
import { confirmErase, EraseData, privacyCommand } from './handlers';

/** Privacy routes: admins only (checked by adminAction / adminMessage before anything is read). */
export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(PRIVACY_VERBS.confirmErase, adminAction(EraseData, confirmErase)(deps));
  app.message(PRIVACY_COMMAND, adminMessage('privacy', privacyCommand)(deps));
}
