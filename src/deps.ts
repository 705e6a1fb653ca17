import type { Config } from './config';
import type { Guidance } from './guidance/guidance';
import type { Logger } from './logging';
import type { Clock } from './ports/clock';
import type { DeviceDirectory } from './ports/device-directory';
import type { HelpdeskRoster } from './ports/helpdesk-roster';
import type { Messenger } from './ports/messenger';
import type { Store } from './ports/store';

/** Everything a feature may use; built once in the composition root (or by a test). */
export interface Deps {
  config: Pick<Config, 'sourceMdm' | 'defaults' | 'bot' | 'publicBaseUrl'> &
    Partial<Pick<Config, 'helpdesk' | 'escalation'>>;
  guidance: Guidance;
  store: Store;
  directory: DeviceDirectory;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
  /** Time an invoke handler may spend on slow look-ups before answering with what it knows (Teams allows 5 s). */
  invokeBudgetMs: number;
  /** Members of the helpdesk team; without it nobody may act on escalation cards (fail closed). */
  helpdeskRoster?: HelpdeskRoster;
}
