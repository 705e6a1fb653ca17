import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../deps';
import { DEVICE_VERBS } from '../../verbs/devices';
import { safeInvoke } from '../safe-invoke';
import { onCheckDevices } from './check-devices';

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(DEVICE_VERBS.check, safeInvoke(deps, onCheckDevices(deps)));
}
