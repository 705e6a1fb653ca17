import type { Config } from './config';
import type { DeliveryJob } from './domain/broadcast';
import type { Platform } from './domain/device';
import type { Guidance } from './guidance/guidance';
import type { Logger } from './logging';
import type { AppInstaller } from './ports/app-installer';
import type { Clock } from './ports/clock';
import type { ConditionalAccessReader } from './ports/conditional-access';
import type { DeviceDirectory } from './ports/device-directory';
import type { HelpdeskRoster } from './ports/helpdesk-roster';
import type { Messenger } from './ports/messenger';
import type { WorkQueue } from './ports/queue';
import type { SourceMdmInventory } from './ports/source-mdm';
import type { SourceMdmRelease } from './ports/source-mdm-release';
import type { Store } from './ports/store';

/** Everything a feature may use; built once in the composition root (or by a test). */
export interface Deps {
  /** The whole validated configuration (tests build theirs with readConfig too). */
  config: Config;
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
  /** Installs the app for users the bot has never talked to (broadcasts); absent: such users fail as "no chat". */
  appInstaller?: AppInstaller;
  /** Durable per-recipient work of broadcasts (Azure Queues); absent: broadcasts cannot be sent. */
  deliveryQueue?: WorkQueue<DeliveryJob>;
  /** The old-MDM APIs the background sync reads (OLD_MDM_SOURCES); absent or empty: none. */
  oldMdmSources?: readonly ConfiguredInventory[];
  /** Release clients by source, only for those OLD_MDM_ALLOW_RELEASE names; absent: nothing may be released. */
  oldMdmRelease?: ReadonlyMap<string /* source */, SourceMdmRelease>;
  /** Entra conditional-access policies (Graph, Policy.Read.All); absent: the runbook says they are not read. */
  conditionalAccess?: ConditionalAccessReader;
}

/** An old-MDM API and the platforms taken from it; empty `platforms`: every platform it lists. */
export interface ConfiguredInventory {
  inventory: SourceMdmInventory;
  platforms: readonly Platform[];
}
