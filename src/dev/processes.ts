/**
 * Process plumbing for the local stack (`npm run dev`) and the test harnesses: spawn children in
 * their own process groups with tagged output, wait for ports and URLs, stop whole process trees,
 * and start the four parts of the stack (Azurite, tenant simulator, bot, Agents Playground).
 * Development and test tooling only; production code never imports it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { createAzureStorage } from '../integrations/storage/azure-storage';
import { seedDemoCampaign } from './demo-campaign';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** tsx's CLI, run with this Node binary: no shell, no npx, so the pid we hold is the real process. */
export const TSX_CLI = require.resolve('tsx/cli');
export const PLAYGROUND_CONFIG = path.join(REPO_ROOT, '.m365agentsplayground.yml');
export const PLAYGROUND_DEFAULT_PORT = 56150;
export const HELPDESK_CHANNEL_NAME = 'Migration escalations';

export type Env = Record<string, string | undefined>;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type TagColor = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'red' | 'gray';
const ANSI: Record<TagColor, string> = {
  cyan: '\x1b[36m',
  magenta: '\x1b[35m',
  yellow: '\x1b[33m',
  green: '\x1b[32m',
  blue: '\x1b[34m',
  red: '\x1b[31m',
  gray: '\x1b[90m',
};
const RESET = '\x1b[0m';
const KEPT_LINES = 400;
const TAG_WIDTH = 10;

export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

export function paint(color: TagColor, text: string): string {
  return useColor() ? `${ANSI[color]}${text}${RESET}` : text;
}

export interface SpawnOptions {
  cwd?: string;
  /** Print every output line, tagged, to our stdout (default true). Lines are kept for errors either way. */
  echo?: boolean;
  color?: TagColor;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Whether its output is already shown on our stdout. */
  readonly echoes: boolean;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  /** The last output lines (stdout and stderr, colour codes removed), for error messages. */
  recentOutput(count?: number): string[];
  /** First output line (already printed or still to come) that matches; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the whole process group, SIGKILL after graceMs; resolves when no process of it is left. */
  stop(graceMs?: number): Promise<void>;
}

/** Every group still running, so that an unplanned exit of this process takes them down too. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a last-resort SIGKILL, the orderly stop happens earlier.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops a process and everything it started: the child was spawned detached, so it leads its own
 * process group and grandchildren (tsx watch → node, npx → node) are in that group too.
 */
export async function stopProcessTree(pgid: number, graceMs = 5_000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) {
    liveGroups.delete(pgid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!signalGroup(pgid, 0)) {
      liveGroups.delete(pgid);
      return;
    }
    await sleep(100);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 50 && signalGroup(pgid, 0); i++) await sleep(100);
  liveGroups.delete(pgid);
}

/** Starts `cmd args` in its own process group, with `env` as its whole environment. */
export function spawnManaged(
  name: string,
  cmd: string,
  args: readonly string[],
  env: Env,
  options: SpawnOptions = {},
): ManagedProcess {
  installExitHook();
  const child = spawn(cmd, [...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    child.once('error', () => undefined); // reported by the throw below, not as an unhandled 'error'
    throw new Error(`${name}: could not start ${cmd}`);
  }
  const pid = child.pid;
  liveGroups.add(pid);

  const echo = options.echo ?? true;
  const tag = paint(options.color ?? 'gray', `${name.padEnd(TAG_WIDTH).slice(0, TAG_WIDTH)} │`);
  const lines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const onLine = (raw: string) => {
    const line = stripVTControlCharacters(raw);
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    if (echo) process.stdout.write(`${tag} ${raw}\n`);
    for (const listener of lineListeners) listener(line);
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      onLine(`(could not run ${cmd}: ${err.message})`);
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  return {
    name,
    pid,
    echoes: echo,
    exited,
    exitInfo: () => exitInfo,
    recentOutput: (count = 30) => lines.slice(-count),
    waitForLine: (pattern, timeoutMs) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        for (const line of lines) {
          const m = line.match(pattern);
          if (m) return resolve(m);
        }
        const cleanup = () => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        const listener = (line: string) => {
          const m = line.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name} printed no line matching ${pattern} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        // The child's own handles keep us alive while it runs; a forgotten wait must not.
        timer.unref();
        lineListeners.add(listener);
        void exited.then((info) => {
          cleanup();
          reject(new Error(`${name} ${describeExit(info)} before printing a line matching ${pattern}`));
        });
      }),
    stop: (graceMs) => stopProcessTree(pid, graceMs),
  };
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
}

/** An error that says which process failed and shows what it printed last. */
export function processError(proc: ManagedProcess, what: string): Error {
  const tail = proc.echoes ? [] : proc.recentOutput(25);
  return new Error(
    `${proc.name}: ${what}` + (tail.length > 0 ? `\n  last output:\n    ${tail.join('\n    ')}` : ''),
  );
}

/** A port the OS says is free right now (another process may still take it before we use it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canListen(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code !== 'EADDRINUSE' && err.code !== 'EACCES'),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when nobody listens on the port, on loopback or on all interfaces (the playground binds
 * all interfaces, Azurite and the bot loopback; either blocks the other).
 */
export async function isPortFree(port: number): Promise<boolean> {
  return (await canListen(port, '127.0.0.1')) && (await canListen(port, undefined));
}

export interface WaitOptions {
  /** Give up at once when this process exits while we wait. */
  whileRunning?: ManagedProcess;
}

/** Resolves when a TCP connection to host:port succeeds. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  options: WaitOptions & { host?: string } = {},
): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.setTimeout(1_000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    const proc = options.whileRunning;
    const info = proc?.exitInfo();
    if (proc && info)
      throw processError(proc, `${describeExit(info)} before ${host}:${port} accepted connections`);
    if (Date.now() > deadline)
      throw new Error(`${host}:${port} did not accept connections within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/**
 * Polls a URL until it answers with an accepted status (default: 200-399) and returns that status.
 * Each attempt has its own short timeout, so a server that accepts but never answers cannot hang us.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  options: WaitOptions & { accept?: (status: number) => boolean } = {},
): Promise<number> {
  const accept = options.accept ?? ((s: number) => s >= 200 && s < 400);
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      await res.arrayBuffer();
      if (accept(res.status)) return res.status;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    const proc = options.whileRunning;
    const info = proc?.exitInfo();
    if (proc && info) throw processError(proc, `${describeExit(info)} before ${url} answered`);
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
    await sleep(250);
  }
}

/** Keys of src/config.ts: test harnesses drop them from the inherited environment to stay hermetic. */
export const BOT_CONFIG_KEY =
  /^(NODE_ENV|PORT|LOG_LEVEL|PUBLIC_BASE_URL|SOURCE_MDM|DEFAULT_LOCALE|DEFAULT_TIME_ZONE|(BOT|STORAGE|GRAPH|HELPDESK|ADMIN|BUSINESS|BROADCAST|TEAMS|ANNOUNCEMENTS|EXPORT)_\w+)$/;

/** Loopback must never go through a proxy a developer may have configured (the playground and Azure SDKs honour *_PROXY). */
export function withLoopbackNoProxy(env: Env): Env {
  const loopback = ['127.0.0.1', 'localhost', '::1'];
  const current = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').filter(Boolean);
  const noProxy = [...new Set([...current, ...loopback])].join(',');
  return { ...env, NO_PROXY: noProxy, no_proxy: noProxy };
}

// ---------------------------------------------------------------------------------------------
// Azurite

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /** Keep everything in memory (tests, DEV_IN_MEMORY=1); otherwise data lives under `location`. */
  inMemory: boolean;
  /** Workspace folder for persisted data (default .data/azurite). */
  location?: string;
  /** Ports to listen on; 0 or missing lets the OS choose. */
  ports?: Partial<AzuritePorts>;
  echo?: boolean;
  /** Cap for in-memory blob/queue content (Azurite's default is half of the machine's memory). */
  extentMemoryLimitMb?: number;
}

export interface RunningAzurite {
  connectionString: string;
  ports: AzuritePorts;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT}`,
  ].join(';');
}

export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const script = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist',
    'src',
    'azurite.js',
  );
  const args = [script, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'];
  args.push('--blobPort', String(options.ports?.blob ?? 0));
  args.push('--queuePort', String(options.ports?.queue ?? 0));
  args.push('--tablePort', String(options.ports?.table ?? 0));
  let cwd: string;
  if (options.inMemory) {
    args.push('--inMemoryPersistence', '--extentMemoryLimit', String(options.extentMemoryLimitMb ?? 1024));
    cwd = os.tmpdir(); // nothing is written, but never litter the repository if a version does
  } else {
    cwd = path.resolve(options.location ?? path.join(REPO_ROOT, '.data', 'azurite'));
    mkdirSync(cwd, { recursive: true });
    args.push('--location', cwd);
  }
  const proc = spawnManaged('azurite', process.execPath, args, withLoopbackNoProxy({ ...process.env }), {
    cwd,
    echo: options.echo ?? false,
    color: 'blue',
  });
  try {
    // Azurite prints the port it actually got, which is how port 0 becomes a connection string.
    const listening = (service: string) =>
      proc
        .waitForLine(
          new RegExp(`Azurite ${service} service is successfully listening at http://[^:]+:(\\d+)`),
          30_000,
        )
        .then((m) => Number(m[1]));
    const [blob, queue, table] = await Promise.all([
      listening('Blob'),
      listening('Queue'),
      listening('Table'),
    ]);
    const ports = { blob, queue, table };
    for (const port of [blob, queue, table]) await waitForPort(port, 10_000, { whileRunning: proc });
    return {
      connectionString: azuriteConnectionString(ports),
      ports,
      process: proc,
      stop: () => proc.stop(5_000),
    };
  } catch (err) {
    await proc.stop(2_000);
    throw processError(proc, `did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Tenant simulator, bot and Agents Playground as child processes

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
}): Promise<RunningService> {
  if (!existsSync(SIM_MAIN)) {
    throw new Error(`tenant simulator: ${path.relative(REPO_ROOT, SIM_MAIN)} does not exist yet`);
  }
  const env = withLoopbackNoProxy({
    ...(options.env ?? process.env),
    SIM_PORT: String(options.port),
    SIM_HOST: '127.0.0.1',
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

/** Creates the tables and writes the demo campaign (Pilot wave: Alex, Megan, Adele) into Azurite. */
export async function seedDemoStorage(connectionString: string, prefix = 'mc'): Promise<void> {
  const storage = createAzureStorage({ connectionString, prefix });
  await storage.ensureCreated();
  await seedDemoCampaign(storage.store, new Date());
}
