import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { safeInvoke } from '../safe-invoke';
import { onCheckDevices } from './check-devices';
import { DEVICE_VERBS } from './ids';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(DEVICE_VERBS.check, safeInvoke(deps, onCheckDevices(deps)));
}
