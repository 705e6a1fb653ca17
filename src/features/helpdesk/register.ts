import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { HELPDESK_VERB_LIST } from '../../verbs/helpdesk';
import { register as registerRelease } from '../old-mdm/release-routes';
import { safeInvoke } from '../safe-invoke';
import { onHelpdeskAction } from './helpdesk-handlers';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute([...HELPDESK_VERB_LIST], safeInvoke(deps, onHelpdeskAction(deps)));
  // Releasing a device from the old MDM: offered on tickets, status cards and the straggler list.
  registerRelease(app, deps);
}
