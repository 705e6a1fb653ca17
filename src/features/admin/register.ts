import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { isPersonalChat } from '../../integrations/bot/teams-context';
import { safeInvoke } from '../safe-invoke';
import { onAdminAction, onAdminFile, onAdminMessage } from './admin-handlers';
import { ADMIN_VERB_LIST } from './ids';
import { isCsvAttachment } from './import-file';

/** "admin" (or "administratör", "dashboard") on its own in the 1:1 chat opens the admin home. */
export const ADMIN_WORDS = /^\s*(admin|administrat[oö]r|dashboard|instrumentpanel)\s*[.!]?\s*$/i;

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(
    [...ADMIN_VERB_LIST],
    safeInvoke<CardJson | string>(deps, onAdminAction(deps)),
  );
  // Only reached from the 1:1 chat: outside it the personal-only routes answer first.
  app.message(ADMIN_WORDS, onAdminMessage(deps));
  app.message(
    async (context: TurnContext) =>
      context.activity.type === 'message' &&
      isPersonalChat(context.activity) &&
      (context.activity.attachments ?? []).some(isCsvAttachment),
    onAdminFile(deps),
  );
}
