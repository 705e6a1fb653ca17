import { createApp } from './app';
import type { Config, OldMdmSourceConfig } from './config';
import type { ConfiguredInventory, Deps } from './deps';
import type { DeliveryJob } from './domain/broadcast';
import { isAdmin } from './features/admin/admin-access';
import { broadcastHooks } from './features/admin/announce-service';
import { BroadcastJob } from './features/broadcast/broadcast-job';
import { withCounters } from './features/counters/counting-store';
import { oldMdmEntriesOf } from './features/devices/device-facts';
import { onProgress } from './features/journey/on-progress';
import { withOutgoingBudget } from './features/outgoing-budget';
import { personDocument } from './features/privacy/export-person';
import { loadGuidance } from './guidance/guidance';
import { BotAdapter } from './integrations/bot/bot-adapter';
import { BotMessenger } from './integrations/bot/bot-messenger';
import { TeamsHelpdeskRoster } from './integrations/bot/teams-helpdesk-roster';
import { GraphConditionalAccess } from './integrations/graph/conditional-access';
import { credentialFor } from './integrations/graph/credential';
import { GraphApi } from './integrations/graph/graph-api';
import { GraphAppInstaller } from './integrations/graph/graph-app-installer';
import { GraphDeviceChanges } from './integrations/graph/graph-device-changes';
import { GraphDeviceDirectory } from './integrations/graph/graph-device-directory';
import { JamfInventory } from './integrations/jamf/jamf-inventory';
import { createAzureStorage } from './integrations/storage/azure-storage';
import { WorkspaceOneInventory } from './integrations/workspace-one/ws1-inventory';
import type { Logger } from './logging';
import { systemClock } from './ports/clock';
import type { SourceMdmRelease } from './ports/source-mdm-release';
import { createServer } from './server';
import { hurryBackground } from './shared/background';
import { BroadcastSender } from './workers/broadcast-sender';
import { CounterRepairJob } from './workers/counter-repair';
import { EscalationTriggerJob } from './workers/escalation-triggers';
import { GraceEndJob } from './workers/grace-end';
import { HelpdeskSlaJob } from './workers/helpdesk-sla';
import { OldMdmReleaseJob } from './workers/old-mdm-release';
import { OldMdmSyncJob } from './workers/old-mdm-sync';
import { ProgressRefresher } from './workers/progress-refresher';
import { ReminderJob } from './workers/reminders';
import { RetentionJob } from './workers/retention';
import { Scheduler } from './workers/scheduler';

export interface RunningBot {
  port: number;
  /**
   * Graceful stop: no new requests, turns in flight and the background work they started finish,
   * workers stop, lease released.
   */
  stop(): Promise<void>;
}

const INVOKE_BUDGET_MS = 4_000;
const DRAIN_TIMEOUT_MS = 20_000;
/** The end of the drain kept for late card answers that were hurried to show their failure card. */
const HURRY_RESERVE_MS = 5_000;

/** The bot's adapter: tokens checked on every request unless the development-only `local` type. */
function adapterFor(config: Config): BotAdapter {
  return new BotAdapter(config.bot);
}

/**
 * The old-MDM APIs OLD_MDM_SOURCES names, each reached only through its connector; a release client
 * (same connection) goes into `releases` only for a source OLD_MDM_ALLOW_RELEASE names.
 */
export function oldMdmInventories(
  sources: readonly OldMdmSourceConfig[],
  logger: Logger,
  releases: Map<string, SourceMdmRelease>,
): ConfiguredInventory[] {
  const onRetry = (info: object) => logger.warn(info, 'the old MDM asked us to wait; retrying');
  return sources.map((s) => {
    if (s.source === 'workspace-one') {
      const { platforms, source, allowRelease, ...settings } = s;
      const inventory = new WorkspaceOneInventory(settings, { source, logger, onRetry });
      if (allowRelease) releases.set(source, inventory.release());
      return { platforms, inventory };
    }
    const all = s.platforms.length === 0;
    const inventory = new JamfInventory({
      baseUrl: s.baseUrl,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      source: s.source,
      // Only the inventories the campaign takes from Jamf are read (least privilege, fewer requests).
      computers: all || s.platforms.includes('macos'),
      mobileDevices: all || s.platforms.some((p) => p === 'ios' || p === 'ipados'),
      onRetry,
    });
    if (s.allowRelease) releases.set(s.source, inventory.release());
    return { platforms: s.platforms, inventory };
  });
}

/** Builds every dependency from configuration and starts the HTTP server and the workers. */
export async function startBot(
  config: Config,
  logger: Logger,
  options: { host?: string } = {},
): Promise<RunningBot> {
  // Content first: a broken guidance file is a configuration error and should stop start-up at once.
  const guidance = loadGuidance({ overridePath: config.guidanceOverridePath });
  const storage = createAzureStorage(config.storage);
  const counted = withCounters(storage.store, { logger });
  storage.store = counted;
  try {
    await storage.ensureCreated();
  } catch (err) {
    throw new Error(
      `Azure Storage is not reachable with STORAGE_CONNECTION_STRING (${err instanceof Error ? err.message : String(err)}). Is Azurite running (npm run dev starts it)?`,
    );
  }

  const graph = new GraphApi({
    baseUrl: config.graph.baseUrl,
    credential: credentialFor(config.graph.auth),
    maxAttempts: config.graph.maxAttempts,
    onRetry: (info) => logger.warn(info, 'Microsoft Graph asked us to wait; retrying'),
  });
  // One outgoing budget for every connector call of every instance: turns and the messenger take
  // interactive turns, broadcasts bulk ones (docs/operations.md, "One outgoing budget").
  const gate = storage.rateGate({
    ratePerSecond: config.broadcast.ratePerSecond,
    onError: (err) => logger.warn({ err }, 'the outgoing budget could not reach storage'),
    onBypass: ({ waitedMs }) =>
      logger.warn({ waitedMs }, 'storage did not answer: an interactive connector call went ahead unpaced'),
  });
  const adapter = adapterFor(config);
  adapter.useOutgoingBudget(gate);
  const newChats = { serviceUrl: config.broadcast.serviceUrl, tenantId: config.bot.tenantId };
  // Read-only by default: a release client exists only for the sources OLD_MDM_ALLOW_RELEASE names.
  const oldMdmRelease = new Map<string, SourceMdmRelease>();
  const oldMdmSources = oldMdmInventories(config.oldMdm.sources, logger, oldMdmRelease);
  const deps: Deps = {
    config,
    guidance,
    store: storage.store,
    directory: new GraphDeviceDirectory(graph),
    conditionalAccess: new GraphConditionalAccess(graph),
    messenger: withOutgoingBudget(new BotMessenger(adapter, config.bot.appId, newChats), gate),
    clock: systemClock,
    logger,
    invokeBudgetMs: INVOKE_BUDGET_MS,
    deliveryQueue: storage.queue<DeliveryJob>('deliveries'),
    oldMdmSources,
    ...(oldMdmRelease.size > 0 ? { oldMdmRelease } : {}),
    ...(config.broadcast.teamsAppId
      ? { appInstaller: new GraphAppInstaller(graph, config.broadcast.teamsAppId, config.graph.baseUrl) }
      : {}),
    ...(config.helpdesk.teamId
      ? {
          helpdeskRoster: new TeamsHelpdeskRoster(
            adapter,
            config.bot.appId,
            config.helpdesk.teamId,
            systemClock,
            undefined,
            gate,
          ),
        }
      : {}),
  };
  const app = createApp(deps, adapter);
  const server = createServer({
    adapter,
    app,
    logger,
    ping: storage.store.ping,
    guidance,
    exports: {
      store: storage.store,
      clock: systemClock,
      logger,
      signingKey: config.exportSigningKey,
      // A link outlives nothing: whoever it was issued to must still be an admin when it is used.
      mayExport: (aadObjectId) => isAdmin(deps, { aadObjectId }),
      personDocument: (personId) => personDocument(deps, personId),
    },
  });
  const refresher = new ProgressRefresher({
    changes: new GraphDeviceChanges(graph, logger),
    store: storage.store,
    clock: systemClock,
    logger,
    oldMdmOf: (aadObjectId) => oldMdmEntriesOf(deps, aadObjectId),
    onChanged: onProgress(deps),
  });
  // Broadcasts: one sender per instance, taking bulk turns of the same budget itself. Its messenger
  // is not wrapped (no second turn per call) and leaves retries to the sender, which counts every call.
  const hooks = broadcastHooks(deps);
  const broadcastDeps: Deps = {
    ...deps,
    messenger: new BotMessenger(adapter, config.bot.appId, newChats, { sdkRetries: false }),
  };
  const sender = new BroadcastSender(broadcastDeps, hooks, gate);
  const scheduler = new Scheduler(
    storage.lock,
    [
      refresher,
      new ReminderJob(deps),
      new EscalationTriggerJob(deps),
      new HelpdeskSlaJob(deps),
      new RetentionJob(deps),
      new GraceEndJob(deps),
      new CounterRepairJob(deps),
      new BroadcastJob(broadcastDeps, hooks, gate),
      // Also without API sources: an export file an admin confirms still needs its matching pass.
      new OldMdmSyncJob(deps, deps.oldMdmSources ?? [], {
        syncMinutes: config.oldMdm.syncMinutes,
        fullSyncHours: config.oldMdm.fullSyncHours,
      }),
      // Sends queued (bulk) releases, paced, and confirms sent ones with the old MDM.
      new OldMdmReleaseJob(deps, { confirmMinutes: config.oldMdm.releaseConfirmMinutes }),
    ],
    logger,
  );

  const port = await server.listen(config.port, options.host);
  scheduler.start();
  sender.start();
  logger.info(
    { port, graph: config.graph.baseUrl, graphAuth: config.graph.auth.kind, botAppType: config.bot.appType },
    'Migration Companion is listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    port,
    stop: () => {
      stopping ??= (async () => {
        logger.info('stopping: draining turns in flight and their background work');
        // Late answers still waiting near the end give up and put their error card up, never dropped.
        const hurry = setTimeout(hurryBackground, DRAIN_TIMEOUT_MS - HURRY_RESERVE_MS);
        await server.drain(DRAIN_TIMEOUT_MS);
        clearTimeout(hurry);
        // Sends in flight finish; queued jobs stay in the queue for the other instances.
        await sender.stop();
        await scheduler.stop();
        // The counts of the last writes go out now rather than wait for a recount.
        await counted.counterWriter.stop();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
