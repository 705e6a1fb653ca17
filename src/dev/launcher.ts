/**
 * `npm run dev`: Azurite → old-MDM simulator → tenant simulator → bot (tsx watch) → Microsoft 365 Agents Playground,
 * each started only once the previous one answers, with tagged output and one summary of URLs.
 * Ctrl+C or SIGTERM stops them all (whole process groups, in reverse order); a second Ctrl+C kills
 * at once. If a part fails to start, or dies later, the rest are stopped and we exit non-zero.
 *
 * Environment: DEV_IN_MEMORY=1 keeps Azurite in memory (nothing under .data/); DEV_NO_PLAYGROUND=1
 * skips the playground; SIM_PORT moves the simulator (default 5055); SOURCE_MDM=jamf starts the Jamf
 * Pro simulator (port 5057) instead of Workspace ONE's (5056). The bot's settings are the
 * development defaults, overridden by a .env file at the repository root, overridden in turn by
 * variables already set in the shell.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startAzurite } from './azurite';
import { OLD_MDM_NAMES, OLD_MDM_SIM_PORTS, OldMdmSimClient } from './old-mdm-sim-client';
import { describeExit, type Env, isPortFree, type ManagedProcess, paint, REPO_ROOT } from './processes';
import {
  devBotEnv,
  devOldMdmEnv,
  HELPDESK_CHANNEL_NAME,
  oldMdmSimKind,
  PLAYGROUND_CONFIG,
  PLAYGROUND_DEFAULT_PORT,
  playgroundChannelId,
  seedDemoStorage,
  startBotProcess,
  startOldMdmSimulatorProcess,
  startPlaygroundProcess,
  startTenantSimulatorProcess,
} from './stack';

const AZURITE_DEFAULT_PORTS = { blob: 10000, queue: 10001, table: 10002 };
const SIM_DEFAULT_PORT = 5055;
const BOT_DEFAULT_PORT = 3978;

interface Part {
  name: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

function say(message: string): void {
  process.stdout.write(`${paint('cyan', `${'dev'.padEnd(10)} │`)} ${message}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${paint('red', `${'dev'.padEnd(10)} │`)} ${message}\n`);
}

/** KEY=VALUE lines; `#` comments, `export ` prefixes and single or double quotes allowed. */
function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n') : quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}

function readDotEnv(): Record<string, string> {
  const file = path.join(REPO_ROOT, '.env');
  if (!existsSync(file)) return {};
  const values = parseDotEnv(readFileSync(file, 'utf8'));
  say(`.env: ${Object.keys(values).length} setting(s) override the development defaults`);
  return values;
}

const parts: Part[] = [];
let stopping: Promise<void> | undefined;
let started = false;

/** Stops every part in reverse start order (the playground stops sending, the bot drains, then its dependencies), then exits. */
function stopAll(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    say(
      `${reason}: stopping ${
        parts
          .map((p) => p.name)
          .reverse()
          .join(', ') || 'nothing'
      }…`,
    );
    for (const part of [...parts].reverse()) {
      await part.stop().catch((err: unknown) => fail(`${part.name}: ${String(err)}`));
    }
    say('all stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

/**
 * A Ctrl+C reaches us twice: from the terminal (we share the foreground process group with npm and
 * tsx) and again when tsx relays it, if our acknowledgement reaches tsx later than 30 ms. Signals
 * inside this window count as one; a deliberate second Ctrl+C comes later and kills at once.
 */
const SAME_INTERRUPT_MS = 1_500;
let firstSignalAt: number | undefined;
function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (firstSignalAt !== undefined) {
    if (now - firstSignalAt < SAME_INTERRUPT_MS) return;
    fail('second interrupt: killing everything now');
    for (const part of parts) {
      try {
        process.kill(-part.process.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  }
  firstSignalAt = now;
  void stopAll(signal, signal === 'SIGINT' ? 130 : 143);
}

/** Registers a started part; if it exits while we are not stopping, everything goes down with a non-zero code. */
function track(part: Part): void {
  parts.push(part);
  void part.process.exited.then((info) => {
    if (stopping) return;
    fail(`${part.name} ${describeExit(info)} ${started ? 'unexpectedly' : 'during start-up'}`);
    void stopAll(`${part.name} is gone`, 1);
  });
}

async function main(): Promise<void> {
  const inMemory = process.env.DEV_IN_MEMORY === '1';
  const withPlayground = process.env.DEV_NO_PLAYGROUND !== '1';

  // Settings first, so that a mistake in them costs no start-up time.
  const helpdeskChannelId = playgroundChannelId(HELPDESK_CHANNEL_NAME);
  const dotEnv = readDotEnv();
  const simPort = Number(process.env.SIM_PORT ?? SIM_DEFAULT_PORT);
  const botPortSetting = process.env.PORT ?? dotEnv.PORT ?? String(BOT_DEFAULT_PORT);
  const botPort = Number(botPortSetting);
  if (!Number.isInteger(botPort) || botPort < 1 || botPort > 65535) {
    throw new Error(`PORT: "${botPortSetting}" is not a port number (1-65535)`);
  }
  if (!Number.isInteger(simPort) || simPort < 1 || simPort > 65535) {
    throw new Error(`SIM_PORT: "${process.env.SIM_PORT}" is not a port number (1-65535)`);
  }
  const busy: string[] = [];
  if (!(await isPortFree(botPort))) busy.push(`${botPort} (bot; set PORT in .env to move it)`);
  if (!(await isPortFree(simPort))) busy.push(`${simPort} (tenant simulator; set SIM_PORT to move it)`);
  const oldMdmKind = oldMdmSimKind(process.env.SOURCE_MDM ?? dotEnv.SOURCE_MDM);
  const oldMdmPort = OLD_MDM_SIM_PORTS[oldMdmKind];
  if (!(await isPortFree(oldMdmPort))) busy.push(`${oldMdmPort} (${OLD_MDM_NAMES[oldMdmKind]} simulator)`);
  if (withPlayground && !(await isPortFree(PLAYGROUND_DEFAULT_PORT))) {
    busy.push(`${PLAYGROUND_DEFAULT_PORT} (Agents Playground)`);
  }
  if (busy.length > 0) {
    throw new Error(`port(s) already in use: ${busy.join(', ')}. Is another \`npm run dev\` running?`);
  }

  // 1. Azurite, on its usual ports when they are all free (tools such as Storage Explorer expect them).
  const defaultsFree = (
    await Promise.all(Object.values(AZURITE_DEFAULT_PORTS).map((port) => isPortFree(port)))
  ).every(Boolean);
  say(`starting Azurite (${inMemory ? 'in memory' : 'data under .data/azurite'})…`);
  const azurite = await startAzurite({
    inMemory,
    location: path.join(REPO_ROOT, '.data', 'azurite'),
    ports: defaultsFree ? AZURITE_DEFAULT_PORTS : undefined,
    echo: true,
  });
  track({ name: 'azurite', process: azurite.process, stop: azurite.stop });
  const { blob, queue, table } = azurite.ports;
  say(`Azurite is up: blob ${blob}, queue ${queue}, table ${table}`);
  await seedDemoStorage(azurite.connectionString);
  say('demo campaign ready: "Pilot" wave with Alex Wilber, Megan Bowen and Adele Vance');

  // 2. The campaign's old MDM (demo inventory), then the tenant simulator, whose control page shows both.
  say(`starting the ${OLD_MDM_NAMES[oldMdmKind]} simulator…`);
  const oldMdm = await startOldMdmSimulatorProcess({ kind: oldMdmKind, port: oldMdmPort, echo: true });
  track({ name: oldMdmKind === 'jamf' ? 'jamf' : 'ws1', process: oldMdm.process, stop: oldMdm.stop });
  say(`${oldMdm.name} simulator is up: ${oldMdm.url}/`);
  say('starting the tenant simulator…');
  const sim = await startTenantSimulatorProcess({
    port: simPort,
    echo: true,
    oldMdm: { kind: oldMdmKind, url: oldMdm.url },
  });
  track({ name: 'sim', process: sim.process, stop: sim.stop });
  say(`tenant simulator is up: ${sim.url}/`);
  await moveDemoPilotAlong(sim.url, new OldMdmSimClient({ kind: oldMdmKind, url: oldMdm.url }));
  say(
    "pilot progress: Adele's Galaxy Tab migrated, Megan's iPad unenrolled, Adele's MacBook failed to enroll",
  );

  // 3. The bot, restarted by tsx watch on every change under src/.
  const botEnv: Env = { ...process.env };
  const defaults = {
    ...devBotEnv({
      port: botPort,
      storageConnectionString: azurite.connectionString,
      graphBaseUrl: sim.url,
      helpdeskChannelId,
      ...(withPlayground ? { playgroundPort: PLAYGROUND_DEFAULT_PORT } : {}),
    }),
    ...(oldMdmKind === 'jamf' ? { SOURCE_MDM: 'jamf' } : {}),
    ...devOldMdmEnv(oldMdmKind, oldMdm.url),
  };
  for (const [key, value] of Object.entries({ ...defaults, ...dotEnv })) {
    // Precedence: defaults < .env < the shell (so `LOG_LEVEL=debug npm run dev` works as expected).
    if (process.env[key] === undefined) botEnv[key] = value;
  }
  say('starting the bot (tsx watch src/index.ts)…');
  const bot = await startBotProcess({ env: botEnv, watch: true, echo: true });
  track({ name: 'bot', process: bot.process, stop: bot.stop });
  say(`bot is up: ${bot.url}/api/messages`);

  // 4. The Agents Playground: chat UI and mock Bot Connector.
  let playgroundUrl: string | undefined;
  let playgroundLog: string | undefined;
  if (withPlayground) {
    say('starting the Microsoft 365 Agents Playground…');
    const playground = await startPlaygroundProcess({
      port: PLAYGROUND_DEFAULT_PORT,
      botEndpoint: `${bot.url}/api/messages`,
      configPath: PLAYGROUND_CONFIG,
      logFile: path.join(REPO_ROOT, '.data', 'playground', 'playground.log'),
      echo: true,
    });
    track({ name: 'playground', process: playground.process, stop: playground.stop });
    playgroundUrl = `http://localhost:${playground.port}`;
    playgroundLog = path.relative(REPO_ROOT, playground.logFile);
  }

  started = true;
  const row = (label: string, value: string) => `  ${label.padEnd(20)} ${value}`;
  const summary = [
    '',
    paint('cyan', 'Migration Companion: local stack is running'),
    row(
      'Playground (chat UI)',
      playgroundUrl ? paint('green', playgroundUrl) : '(not started: DEV_NO_PLAYGROUND=1)',
    ),
    row('Bot', `${bot.url}/api/messages   (health ${bot.url}/healthz, ${bot.url}/readyz)`),
    row('Tenant simulator', `${sim.url}/   (control page)`),
    row(`${oldMdm.name} sim`, `${oldMdm.url}/   (status page; the bot's old MDM)`),
    row(
      'Azurite',
      `blob ${blob} · queue ${queue} · table ${table}   (${inMemory ? 'in memory' : 'data in .data/azurite'})`,
    ),
    row('Helpdesk channel', `${HELPDESK_CHANNEL_NAME} (${helpdeskChannelId})`),
    ...(playgroundLog ? [row('Playground log', playgroundLog)] : []),
    '  You are Alex Wilber: open the playground and type "hello". Ctrl+C stops everything.',
    '',
  ];
  process.stdout.write(`${summary.join('\n')}\n`);
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
main().catch((err: unknown) => {
  fail(err instanceof Error ? err.message : String(err));
  void stopAll('start-up failed', 1);
});

/**
 * Gives the Pilot wave's dashboard something to show: one device through to compliant, one half-way,
 * one failed enrollment, moved along through the simulator's control API as a user would. Alex's own
 * devices are left alone for the walk-through.
 */
async function moveDemoPilotAlong(simUrl: string, oldMdm: OldMdmSimClient): Promise<void> {
  const steps: [string, string][] = [
    ["Adele's Galaxy Tab", 'unenroll'],
    ["Adele's Galaxy Tab", 'enroll'],
    ["Adele's Galaxy Tab", 'comply'],
    ["Megan's iPad", 'unenroll'],
    ["Adele's MacBook Pro", 'unenroll'],
    ["Adele's MacBook Pro", 'fail'],
  ];
  const listed = (await oldMdm.devices()) ?? [];
  for (const [device, action] of steps) {
    const res = await fetch(`${simUrl}/_sim/devices/${encodeURIComponent(device)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (!res.ok) throw new Error(`tenant simulator: ${action} ${device} → ${res.status} ${await res.text()}`);
    // The old MDM's inventory moves with the tenant, so both sides tell the same story.
    const old = listed.find((d) => d.name === device);
    if (action === 'unenroll' && old?.enrolled) await oldMdm.unenroll(old);
  }
}
