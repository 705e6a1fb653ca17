/**
 * Turn-latency benchmark: the production app (src/index.ts as a child process) on Azurite, with
 * the tenant simulator for Graph (150 ms on every request) and the connector simulator for Teams
 * (src/dev/connector-sim.ts: Teams' rate limits, 5–30 ms answers) behind a recording relay, while
 * 100 simulated people use the bot at once. Each says "hello" and "start", then presses "Check my
 * device", "Remind me tomorrow" and "I'm stuck" on the journey card (bench/turns-users.ts says
 * what a turn's latency is). The people arrive within the ramp and pause between turns as someone
 * reading a card does. The last two lines are
 *
 *   per-kind: hello p50=… p99=… start … check … remind … stuck … non_graph_p99_ms=N
 *   turns: users=100 turns=T errors=E p50_ms=A p95_ms=B p99_ms=C peak_rss_mb=M
 *
 * Percentiles are over every turn taken (an error's time is the time until it was given up); M is
 * the app process's peak resident memory (VmHWM). Exits 1 when E > 0, 2 when it could not run.
 *
 * Options: --users N (100), --ramp-ms N (5000: people arrive spread over this), --think-ms A,B
 * (1000,3000: pause between two turns of a person), --graph-latency-ms N (150), --trace (count the
 * storage and Graph requests of every turn; meaningful with --users 1), --cpu-prof DIR (the app
 * writes a V8 CPU profile there when it stops), --log-level L (the app's, default warn), --echo.
 * Run: npm run bench:turns   (see docs/bench/turns.md)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite } from '../src/dev/azurite';
import { startConnectorSim } from '../src/dev/connector-sim';
import {
  type Env,
  freePort,
  REPO_ROOT,
  spawnManaged,
  waitForHttp,
  withLoopbackNoProxy,
} from '../src/dev/processes';
import { BOT_CONFIG_KEY, type RunningService } from '../src/dev/stack';
import { generateTenant, startTenantSimulator } from '../src/dev/tenant-sim';
import { prng } from '../src/dev/tenant-sim/generate';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { seedChatWave } from './chat-users';
import { log, runBenchmark } from './shared';
import { type StorageCounter, startConnectorRecorder, startStorageCounter } from './turns-relay';
import { GRAPH_KINDS, TURN_KINDS, type TurnRecord, TurnUsers } from './turns-users';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const USERS = Number(option('users') ?? 100);
const RAMP_MS = Number(option('ramp-ms') ?? 5_000);
const [THINK_MIN, THINK_MAX] = (option('think-ms') ?? '1000,3000').split(',').map(Number) as [number, number];
const GRAPH_LATENCY_MS = Number(option('graph-latency-ms') ?? 150);
const TRACE = flag('trace');
const SETTLE_MS = Number(option('settle-ms') ?? 15_000);
const CPU_PROF = option('cpu-prof');
const PREFIX = 'turns';
const TENANT_ID = '00000000-0000-4000-8000-0000000074a0';
const HELPDESK_CHANNEL = '19:turns-helpdesk@thread.tacv2';
const WAVE_ID = 'turns-wave';
const ZONE = 'Europe/Stockholm';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const timesOf = (records: readonly TurnRecord[]) =>
  records
    .filter((r) => !r.why?.startsWith('skipped'))
    .map((r) => r.ms)
    .sort((a, b) => a - b);

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * What /proc says of a process group: the largest peak resident memory (VmHWM) of its processes,
 * and the CPU seconds (user + system) they used so far. Linux only.
 */
function groupUsage(pgid: number): { peakRssMb: number; cpuS: number } {
  let peakKb = 0;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces): state, ppid, pgrp … utime, stime.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return { peakRssMb: Math.round(peakKb / 1024), cpuS: ticks / TICKS_PER_S };
}

const ownCpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * The production entry point (src/index.ts) in one Node process — TypeScript loaded by tsx's hook
 * rather than its CLI, so that the process measured and profiled is the app itself.
 */
async function startApp(options: { env: Env; echo: boolean }): Promise<RunningService> {
  const port = Number(options.env.PORT);
  const profile = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] : [];
  const entry = path.join(REPO_ROOT, 'src', 'index.ts');
  const proc = spawnManaged(
    'app',
    process.execPath,
    [...profile, '--import', 'tsx', entry],
    withLoopbackNoProxy(options.env),
    {
      echo: options.echo,
      color: 'green',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, 120_000, { whileRunning: proc, accept: (s) => s === 200 });
  } catch (err) {
    await proc.stop(3_000);
    throw err;
  }
  return { url, port, process: proc, stop: () => proc.stop(20_000) };
}

async function main(): Promise<number> {
  log(
    `nproc=${os.cpus().length} load=${load()} users=${USERS} ramp_ms=${RAMP_MS} think_ms=${THINK_MIN}-${THINK_MAX} graph_latency_ms=${GRAPH_LATENCY_MS}${TRACE ? ' trace' : ''}`,
  );
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-turns-'));
  const azurite = await startAzurite({ inMemory: false, location: path.join(work, 'azurite') });
  const connectorSim = await startConnectorSim({ latencyMs: [5, 30], keepActivities: false });
  const connector = await startConnectorRecorder(connectorSim.url);
  const seed = generateTenant({ users: USERS, devicesPerUser: 1 });
  const tenant = await startTenantSimulator({ seed });
  tenant.faults.setLatency(GRAPH_LATENCY_MS);
  let counter: StorageCounter | undefined;
  let bot: RunningService | undefined;
  try {
    if (TRACE) counter = await startStorageCounter(azurite.connectionString);
    const storage = createAzureStorage({ connectionString: azurite.connectionString, prefix: PREFIX });
    await storage.ensureCreated();
    const now = new Date();
    const users = await seedChatWave(storage.store, seed, {
      prefix: PREFIX,
      waveId: WAVE_ID,
      name: 'Turns',
      deferralLimit: 3,
      now,
    });

    const port = await freePort();
    const base: Env = {};
    for (const [k, v] of Object.entries(process.env)) if (!BOT_CONFIG_KEY.test(k)) base[k] = v;
    bot = await startApp({
      env: {
        ...base,
        NODE_ENV: 'development',
        PORT: String(port),
        LOG_LEVEL: option('log-level') ?? 'warn',
        STORAGE_CONNECTION_STRING: counter?.connectionString ?? azurite.connectionString,
        STORAGE_PREFIX: PREFIX,
        GRAPH_BASE_URL: tenant.url,
        BOT_APP_TYPE: 'local',
        BOT_SERVICE_URL: connector.url,
        BOT_TENANT_ID: TENANT_ID,
        HELPDESK_CHANNEL_ID: HELPDESK_CHANNEL,
        TEAMS_APP_ID: 'migration-companion-turns',
        SOURCE_MDM: 'workspace-one',
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        DEFAULT_TIME_ZONE: ZONE,
        ADMIN_UPNS: 'turns-admin@contoso.example',
      },
      echo: flag('echo'),
    });
    log(`app on port ${port} (pid group ${bot.process.pid})`);

    const sim = new TurnUsers(
      `http://127.0.0.1:${port}`,
      connector,
      TENANT_ID,
      TRACE ? { storage: () => counter!.count, graph: () => tenant.stats.total } : {},
    );
    // The workers' first round (progress baseline, counters, reminders …) runs right after start-up:
    // the people arrive once it is over, so the figures are of a running app, not of its start.
    await sleep(SETTLE_MS);
    if (TRACE) {
      const [s0, g0] = [counter!.count, tenant.stats.total];
      await sleep(10_000);
      log(
        `idle app: ${((counter!.count - s0) / 10).toFixed(1)} storage and ${((tenant.stats.total - g0) / 10).toFixed(1)} Graph requests per second (workers)`,
      );
    }
    const graphBefore = tenant.stats.total;
    const cpu0 = {
      app: groupUsage(bot.process.pid).cpuS,
      azurite: groupUsage(azurite.process.pid).cpuS,
      bench: ownCpuS(),
    };
    const started = Date.now();
    const ticker = setInterval(() => log(`turns so far: ${sim.records.length} (load ${load()})`), 5_000);
    await Promise.all(
      users.map(async (u) => {
        const random = prng(u.index + 1);
        await sleep(random() * RAMP_MS);
        await sim.walk(u, () => sleep(THINK_MIN + random() * (THINK_MAX - THINK_MIN)));
      }),
    );
    clearInterval(ticker);
    const wallS = (Date.now() - started) / 1000;
    const appUsage = groupUsage(bot.process.pid);
    const peakRss = appUsage.peakRssMb;
    const share = (cpuS: number) => `${cpuS.toFixed(1)} s (${Math.round((100 * cpuS) / wallS)} % of a core)`;
    log(
      `CPU during the walks: app ${share(appUsage.cpuS - cpu0.app)}, Azurite ${share(groupUsage(azurite.process.pid).cpuS - cpu0.azurite)}, benchmark with both simulators ${share(ownCpuS() - cpu0.bench)}`,
    );
    await bot.stop();
    bot = undefined;

    const records = sim.records;
    const errors = records.filter((r) => !r.ok);
    const all = timesOf(records);
    const nonGraph = timesOf(records.filter((r) => !GRAPH_KINDS.includes(r.kind)));
    const late = records.filter((r) => r.late).length;
    const whys = new Map<string, number>();
    for (const e of errors) whys.set(`${e.kind}: ${e.why}`, (whys.get(`${e.kind}: ${e.why}`) ?? 0) + 1);
    for (const [why, n] of [...whys].sort((a, b) => b[1] - a[1]).slice(0, 8)) log(`  ${n} × ${why}`);
    const byKind = new Map<string, number>();
    for (const c of connector.calls) {
      const kind =
        c.method === 'PUT'
          ? c.conversationId.startsWith('a:turns-')
            ? "card updates in people's chats"
            : 'card updates in the helpdesk channel'
          : c.conversationId === ''
            ? 'conversations created'
            : c.replyToId?.startsWith('turns-')
              ? 'replies'
              : c.conversationId.startsWith('a:turns-')
                ? 'other messages to people'
                : 'other messages';
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    log(`connector calls accepted: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
    // People's chats together, the helpdesk channel and anything else by name.
    const refusedBy = new Map<string, number>();
    for (const [key, n] of connector.refused) {
      const k = key.replace(/ a:turns-\d+$/, " in people's chats");
      refusedBy.set(k, (refusedBy.get(k) ?? 0) + n);
    }
    const refused = [...refusedBy].map(([k, n]) => `${n} × ${k}`).join(', ') || 'none';
    log(
      `wall ${wallS.toFixed(1)} s; ${late} turns answered late (still-working card replaced); connector: ${connector.calls.length} accepted, refused ${refused}; Graph: ${tenant.stats.total - graphBefore} requests; load ${load()}`,
    );
    if (TRACE) {
      for (const kind of TURN_KINDS) {
        const of = records.filter((r) => r.kind === kind);
        const mean = (f: (r: TurnRecord) => number) =>
          (of.reduce((s, r) => s + f(r), 0) / Math.max(1, of.length)).toFixed(1);
        log(
          `  trace ${kind}: storage requests ${mean((r) => r.storageOps ?? 0)}, Graph requests ${mean((r) => r.graphRequests ?? 0)}, mean ${mean((r) => r.ms)} ms`,
        );
      }
      const byTable = new Map<string, number>();
      for (const q of counter!.requests.filter((x) => x.at >= started)) {
        const what = q.line.replace(/^(\S+) \/[^/]+\/([A-Za-z-]+).*$/, '$1 $2');
        byTable.set(what, (byTable.get(what) ?? 0) + 1);
      }
      log(
        `  storage requests during the walks: ${[...byTable]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
      );
      // The first person's turns, request by request, with the ms since the turn's POST.
      for (const r of records.filter((x) => x.startedAt > 0).slice(0, TURN_KINDS.length)) {
        log(`  ${r.kind} (${r.ms} ms):`);
        for (const q of counter!.requests.filter((x) => x.at >= r.startedAt && x.at <= r.startedAt + r.ms))
          log(`    +${q.at - r.startedAt} ms ${q.line.replace(/^(\S+) \/[^/]+\//, '$1 ')}`);
      }
    }
    const perKind = TURN_KINDS.map((kind) => {
      const t = timesOf(records.filter((r) => r.kind === kind));
      return `${kind} p50=${percentile(t, 50)} p99=${percentile(t, 99)}`;
    }).join(' ');
    process.stdout.write(`per-kind: ${perKind} non_graph_p99_ms=${percentile(nonGraph, 99)}\n`);
    process.stdout.write(
      `turns: users=${USERS} turns=${records.length} errors=${errors.length} p50_ms=${percentile(all, 50)} p95_ms=${percentile(all, 95)} p99_ms=${percentile(all, 99)} peak_rss_mb=${peakRss}\n`,
    );
    return errors.length === 0 ? 0 : 1;
  } finally {
    await bot?.stop();
    await counter?.close();
    await connector.close();
    await connectorSim.close();
    await tenant.close();
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

runBenchmark('turns benchmark', main);
