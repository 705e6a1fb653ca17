/**
 * The local stack's parts as child processes: the tenant simulator, the bot and the Microsoft 365
 * Agents Playground, and the settings and demo data that wire them to each other and to Azurite.
 * Shared by `npm run dev` (launcher.ts) and the browser tests.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { participantKey } from '../domain/participant';
import { createAzureStorage } from '../integrations/storage/azure-storage';
import { DEMO_MEGAN_CHAT_ID, DEMO_PILOT_MEMBERS, seedDemoCampaign, seedMeganNeedsIt } from './demo-campaign';
import { OLD_MDM_NAMES, OLD_MDM_SIM_PORTS, type OldMdmSimKind } from './old-mdm-sim-client';
import {
  type Env,
  type ManagedProcess,
  processError,
  REPO_ROOT,
  spawnManaged,
  TSX_CLI,
  waitForHttp,
  withLoopbackNoProxy,
} from './processes';
import { DEMO_RELEASE_CLIENT } from './workspace-one-sim/auth';

export const PLAYGROUND_CONFIG = path.join(REPO_ROOT, '.m365agentsplayground.yml');
export const PLAYGROUND_DEFAULT_PORT = 56150;
export const HELPDESK_CHANNEL_NAME = 'Migration escalations';

/** Keys of src/config.ts: test harnesses drop them from the inherited environment to stay hermetic. */
export const BOT_CONFIG_KEY =
  /^(NODE_ENV|PORT|LOG_LEVEL|PUBLIC_BASE_URL|SOURCE_MDM|DEFAULT_LOCALE|DEFAULT_TIME_ZONE|(BOT|STORAGE|GRAPH|HELPDESK|ADMIN|BUSINESS|BROADCAST|TEAMS|ANNOUNCEMENTS|EXPORT|OLD_MDM|WORKSPACE_ONE|JAMF)_\w+)$/;

export interface RunningService {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const SIM_MAIN = path.join(REPO_ROOT, 'src', 'dev', 'tenant-sim-main.ts');

/** The tenant simulator (demo tenant) as a child process, so a crash in it cannot take the caller down. */
export async function startTenantSimulatorProcess(options: {
  port: number;
  echo?: boolean;
  /** Base environment (default: ours, so SIM_USERS etc. from the shell apply). */
  env?: Env;
  /** The old-MDM simulator whose view the control page shows next to Graph's. */
  oldMdm?: { kind: OldMdmSimKind; url: string };
}): Promise<RunningService> {
  if (!existsSync(SIM_MAIN)) {
    throw new Error(`tenant simulator: ${path.relative(REPO_ROOT, SIM_MAIN)} does not exist yet`);
  }
  const env = withLoopbackNoProxy({
    ...(options.env ?? process.env),
    SIM_PORT: String(options.port),
    SIM_HOST: '127.0.0.1',
    ...(options.oldMdm ? { OLD_MDM_SIM: options.oldMdm.kind, OLD_MDM_SIM_URL: options.oldMdm.url } : {}),
  });
  const proc = spawnManaged('sim', process.execPath, [TSX_CLI, SIM_MAIN], env, {
    echo: options.echo ?? false,
    color: 'magenta',
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHttp(`${url}/`, 60_000, { whileRunning: proc, accept: (s) => s < 500 });
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return { url, port: options.port, process: proc, stop: () => proc.stop(5_000) };
}

const OLD_MDM_SIM_MAIN: Readonly<Record<OldMdmSimKind, string>> = {
  'workspace-one': path.join(REPO_ROOT, 'src', 'dev', 'workspace-one-sim', 'main.ts'),
  jamf: path.join(REPO_ROOT, 'src', 'dev', 'jamf-sim', 'main.ts'),
};

/** The campaign's source: Jamf Pro when SOURCE_MDM=jamf, else Workspace ONE (the demo's). */
export function oldMdmSimKind(sourceMdm: string | undefined): OldMdmSimKind {
  return sourceMdm?.toLowerCase() === 'jamf' ? 'jamf' : 'workspace-one';
}

/** The old MDM's simulator (demo devices) as a child process on its fixed port unless told otherwise. */
export async function startOldMdmSimulatorProcess(options: {
  kind: OldMdmSimKind;
  port?: number;
  echo?: boolean;
}): Promise<RunningService & { kind: OldMdmSimKind; name: string }> {
  const port = options.port ?? OLD_MDM_SIM_PORTS[options.kind];
  const portVar = options.kind === 'jamf' ? 'JAMF_SIM_PORT' : 'WS1_SIM_PORT';
  const hostVar = options.kind === 'jamf' ? 'JAMF_SIM_HOST' : 'WS1_SIM_HOST';
  const env = withLoopbackNoProxy({ ...process.env, [portVar]: String(port), [hostVar]: '127.0.0.1' });
  const tag = options.kind === 'jamf' ? 'jamf' : 'ws1';
  const proc = spawnManaged(tag, process.execPath, [TSX_CLI, OLD_MDM_SIM_MAIN[options.kind]], env, {
    echo: options.echo ?? false,
    color: 'blue',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/_sim/devices`, 60_000, { whileRunning: proc, accept: (s) => s === 200 });
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return {
    kind: options.kind,
    name: OLD_MDM_NAMES[options.kind],
    url,
    port,
    process: proc,
    stop: () => proc.stop(5_000),
  };
}

/**
 * The bot's settings for reading the old MDM from its simulator, with the simulators' demo API clients
 * (src/dev/workspace-one-sim/auth.ts, src/dev/jamf-sim/auth.ts), which are not secrets. The demo turns
 * release on for Workspace ONE (its demo client's role may send Enterprise Wipe), so the helpdesk can
 * remove Megan's supervised iPhone; production leaves OLD_MDM_ALLOW_RELEASE empty unless an admin sets it.
 */
export function devOldMdmEnv(kind: OldMdmSimKind, url: string): Record<string, string> {
  if (kind === 'jamf') {
    return {
      OLD_MDM_SOURCES: 'jamf:macos',
      JAMF_URL: url,
      JAMF_CLIENT_ID: 'migration-companion',
      JAMF_CLIENT_SECRET: 'jamf-sim-secret',
    };
  }
  return {
    OLD_MDM_SOURCES: 'workspace-one',
    WORKSPACE_ONE_API_URL: url,
    WORKSPACE_ONE_TOKEN_URL: `${url}/connect/token`,
    WORKSPACE_ONE_CLIENT_ID: DEMO_RELEASE_CLIENT.clientId,
    WORKSPACE_ONE_CLIENT_SECRET: DEMO_RELEASE_CLIENT.clientSecret,
    WORKSPACE_ONE_TENANT_CODE: 'SIMULATED-REST-API-KEY',
    OLD_MDM_ALLOW_RELEASE: 'workspace-one',
  };
}

/** What the bot prints when it gives up at start-up (ConfigError, startBot failure, port taken). */
const BOT_START_FAILURE = /cannot start|"level":60|EADDRINUSE/;

/**
 * The bot (`src/index.ts`) under tsx, optionally `tsx watch` (restarts on change). `env` is its
 * whole environment and must set PORT. Resolves once GET /healthz answers 200.
 */
export async function startBotProcess(options: {
  env: Env;
  watch: boolean;
  echo?: boolean;
}): Promise<RunningService> {
  const port = Number(options.env.PORT);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error('startBotProcess: env.PORT must be set to a port');
  if (options.env.STORAGE_CONNECTION_STRING && options.env.BOT_SERVICE_URL) {
    await pointDemoChatsAt(options.env.STORAGE_CONNECTION_STRING, options.env.BOT_SERVICE_URL);
  }
  const entry = path.join(REPO_ROOT, 'src', 'index.ts');
  // --clear-screen=false: tsx watch would otherwise wipe the other processes' output on each restart.
  const args = options.watch ? [TSX_CLI, 'watch', '--clear-screen=false', entry] : [TSX_CLI, entry];
  const proc = spawnManaged('bot', process.execPath, args, withLoopbackNoProxy(options.env), {
    echo: options.echo ?? false,
    color: 'green',
  });
  const url = `http://127.0.0.1:${port}`;
  // Under `tsx watch` the watcher outlives a bot that exits, so also look for the bot's own last words.
  const failed = proc.waitForLine(BOT_START_FAILURE, 120_000).then(
    () => 'failed' as const,
    () => 'quiet' as const,
  );
  try {
    const outcome = await Promise.race([
      waitForHttp(`${url}/healthz`, 120_000, { whileRunning: proc, accept: (s) => s === 200 }),
      failed,
    ]);
    if (outcome === 'failed') {
      await sleep(300); // let the rest of its message arrive
      throw processError(proc, 'stopped at start-up (see its output above)');
    }
  } catch (err) {
    await proc.stop(3_000);
    throw err;
  }
  return { url, port, process: proc, stop: () => proc.stop(10_000) };
}

/**
 * Telemetry off and nothing over the network: `--disable-telemetry` alone still starts the bundled
 * Application Insights SDK, whose statsbeat probes the Azure metadata address 169.254.169.254 and
 * resolves ingestion hosts at start; these settings switch that SDK off. TEAMSAPPTESTER_BROWSER=none
 * stops it from opening a browser.
 */
export const PLAYGROUND_OFFLINE_ENV: Env = {
  TEAMSAPPTESTER_BROWSER: 'none',
  APPLICATION_INSIGHTS_NO_STATSBEAT: '1',
  APPLICATIONINSIGHTS_CONFIGURATION_CONTENT: JSON.stringify({
    disableAppInsights: true,
    disableStatsbeat: true,
    enableAutoCollectHeartbeat: false,
    enableAutoCollectExceptions: false,
    enableAutoCollectPerformance: false,
    enableAutoCollectRequests: false,
    enableAutoCollectDependencies: false,
    enableUseDiskRetryCaching: false,
  }),
};

export interface PlaygroundOptions {
  port: number;
  botEndpoint: string;
  configPath?: string;
  /** Where its console goes: it writes to a file, not to stdout, when stdout is not a terminal. */
  logFile: string;
  echo?: boolean;
}

export interface RunningPlayground extends RunningService {
  logFile: string;
}

export async function startPlaygroundProcess(options: PlaygroundOptions): Promise<RunningPlayground> {
  const pkgDir = path.dirname(require.resolve('@microsoft/m365agentsplayground/package.json'));
  const configPath = options.configPath ?? PLAYGROUND_CONFIG;
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const env = withLoopbackNoProxy({
    ...process.env,
    ...PLAYGROUND_OFFLINE_ENV,
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
    M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile,
  });
  const args = [
    path.join(pkgDir, 'cli.js'),
    '-e',
    options.botEndpoint,
    '-c',
    'msteams',
    '-p',
    String(options.port),
    '--disable-telemetry',
  ];
  // Its cwd gets ./devTools/ for event recordings; keep that out of the repository root.
  const cwd = path.dirname(options.logFile);
  const proc = spawnManaged('playground', process.execPath, args, env, {
    cwd,
    echo: options.echo ?? false,
    color: 'yellow',
  });
  try {
    // It falls back to a random port when the one asked for is taken, and says which it got.
    const m = await proc.waitForLine(/Listening on (\d+)/, 60_000);
    const port = Number(m[1]);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/_debug/ping`, 30_000, { whileRunning: proc });
    return { url, port, logFile: options.logFile, process: proc, stop: () => proc.stop(5_000) };
  } catch (err) {
    await proc.stop(2_000);
    const log = readTail(options.logFile, 15);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${message}${log ? `\n  playground log (${options.logFile}):\n    ${log.join('\n    ')}` : ''}`,
    );
  }
}

function readTail(file: string, count: number): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Stack wiring shared by the launcher and the browser tests

/**
 * The conversation id of a channel in the playground's config. A line scan rather than a YAML
 * parser: the file is ours, flat, and `- id:` comes right before `name:` in each channel entry.
 */
export function playgroundChannelId(channelName: string, configPath = PLAYGROUND_CONFIG): string {
  const text = readFileSync(configPath, 'utf8');
  const unquote = (v: string) => v.trim().replace(/^(["'])(.*)\1$/, '$2');
  let lastId: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const id = /^\s*-\s*id:\s*(.+?)\s*$/.exec(line);
    if (id) {
      lastId = unquote(id[1]!);
      continue;
    }
    const name = /^\s*name:\s*(.+?)\s*$/.exec(line);
    if (name && lastId && unquote(name[1]!) === channelName) return lastId;
  }
  throw new Error(`${path.relative(REPO_ROOT, configPath)} has no channel named "${channelName}"`);
}

/** The bot's development settings (no credentials; Azurite; tenant simulator). */
export function devBotEnv(options: {
  port: number;
  storageConnectionString: string;
  graphBaseUrl: string;
  helpdeskChannelId: string;
  /** Where the Agents Playground's connector listens, for chats with users the bot has not met yet. */
  playgroundPort?: number;
}): Record<string, string> {
  return {
    ...(options.playgroundPort
      ? { BOT_SERVICE_URL: `http://localhost:${options.playgroundPort}/_connector` }
      : {}),
    PORT: String(options.port),
    STORAGE_CONNECTION_STRING: options.storageConnectionString,
    GRAPH_BASE_URL: options.graphBaseUrl,
    BOT_APP_TYPE: 'local',
    HELPDESK_CHANNEL_ID: options.helpdeskChannelId,
    HELPDESK_TEAM_ID: '19:mc-team-general@thread.tacv2',
    // Alex runs the campaign: named here and a member of the demo tenant's "Migration Admins" group.
    ADMIN_UPNS: 'alexw@example.com',
    ADMIN_GROUP_ID: '00000000-0000-0000-0000-000000000042',
    // The simulator installs any app id; the playground's General channel stands in for announcements.
    TEAMS_APP_ID: 'migration-companion-dev',
    ANNOUNCEMENTS_CHANNEL_ID: '19:mc-team-general@thread.tacv2',
    // The demo tenant's devices are managed by Workspace ONE.
    SOURCE_MDM: 'workspace-one',
    // Guide pages are served by the bot itself; cards link to them.
    PUBLIC_BASE_URL: `http://127.0.0.1:${options.port}`,
    DEFAULT_TIME_ZONE: 'Europe/Stockholm',
    LOG_LEVEL: 'info',
  };
}

/** The Agents Playground's connector on its default port, where `npm run dev` starts it. */
export const PLAYGROUND_DEFAULT_SERVICE_URL = `http://localhost:${PLAYGROUND_DEFAULT_PORT}/_connector`;

/**
 * Creates the tables and writes the demo campaign into Azurite: the Pilot wave (Alex, Megan, Adele) and
 * Megan's open "needs IT" ticket about her supervised iPhone, with her chat at the playground's connector.
 */
export async function seedDemoStorage(
  connectionString: string,
  prefix = 'mc',
  serviceUrl = PLAYGROUND_DEFAULT_SERVICE_URL,
): Promise<void> {
  const storage = createAzureStorage({ connectionString, prefix });
  await storage.ensureCreated();
  const now = new Date();
  await seedDemoCampaign(storage.store, now, { serviceUrl });
  // The helpdesk's demo ticket belongs to the running demo, not to every test that seeds the campaign.
  await seedMeganNeedsIt(storage.store, now, serviceUrl);
}

/**
 * The demo's seeded chats follow the connector the bot is started with (a browser test's playground
 * listens on a free port, known only after the seed): without this, the helpdesk job could not post
 * Megan's ticket. Only the seeded chat is touched, and only in demo storage that has it.
 */
export async function pointDemoChatsAt(
  connectionString: string,
  serviceUrl: string,
  prefix = 'mc',
): Promise<void> {
  const storage = createAzureStorage({ connectionString, prefix });
  const megan = DEMO_PILOT_MEMBERS[1]!.aadObjectId;
  try {
    await storage.store.participants.update(participantKey(megan), (cur) =>
      cur?.conversation?.conversationId === DEMO_MEGAN_CHAT_ID && cur.conversation.serviceUrl !== serviceUrl
        ? { ...cur, conversation: { ...cur.conversation, serviceUrl } }
        : undefined,
    );
  } catch {
    // Not the demo's storage (or not there yet): nothing seeded to follow.
  }
}
