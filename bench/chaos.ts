/**
 * Chaos benchmark: two app instances (the production entry point, src/index.ts, as separate
 * processes) on one Azurite, with the tenant simulator for Graph and the connector simulator for
 * Teams, while 200 simulated people walk their journeys (start, check, "I'm stuck", "remind me
 * tomorrow", post-enrollment check) and an announcement is broadcast to all of them. Meanwhile:
 * SIGKILL of an instance (started again at once) several times, Azurite stopped (SIGSTOP) for 20 s
 * twice, and Graph answering 429 with Retry-After and then 503 for a while. Afterwards the invariants
 * are checked against storage and the connector's log (bench/chaos-check.ts). The last line is
 *
 *   chaos: users=200 turns=T faults=F unanswered=U lost=L corrupt=C duplicate_tickets=D duplicate_reminders=R hung_over_15s=H
 *
 * Instances run with BOT_APP_TYPE=local (no token check: the simulated people post unsigned
 * activities), business hours all day every day (so reminders and the helpdesk SLA run whenever the
 * benchmark does) and HELPDESK_SLA_ASSIGN_MINUTES=1. All traffic stays on 127.0.0.1.
 * Exits 1 when an invariant fails, 2 when it could not run.
 *
 * Environment (all optional): BENCH_USERS (200), BENCH_SECONDS (300, the people's walking time),
 * BENCH_THINK_MS (60000, the longest pause between two walks of a person), BENCH_ECHO=1 (show the
 * instances' output), BENCH_LOG_LEVEL (the instances', default warn), BENCH_FAULTS=0 (a baseline
 * run without any fault).
 * Run: npm run bench:chaos   (see docs/benchmarks.md, docs/operations.md)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite } from '../src/dev/azurite';
import { startConnectorSim } from '../src/dev/connector-sim';
import { type Env, freePort } from '../src/dev/processes';
import { BOT_CONFIG_KEY, type RunningService, startBotProcess } from '../src/dev/stack';
import { generateTenant, startTenantSimulator } from '../src/dev/tenant-sim';
import { broadcastKey, type DeliveryJob } from '../src/domain/broadcast';
import { confirm, createDraft, queueRecipients } from '../src/features/broadcast/broadcast-service';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import { checkInvariants, readRaw } from './chaos-check';
import { UserSimulator } from './chaos-users';
import { seedChatWave } from './chat-users';
import { log, runBenchmark } from './shared';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 60_000);
const PREFIX = 'chaos';
const TENANT_ID = '00000000-0000-4000-8000-00000000c4a0';
const HELPDESK_CHANNEL = '19:chaos-helpdesk@thread.tacv2';
const WAVE_ID = 'chaos-wave';
const ZONE = 'Europe/Stockholm';
/** After the walks: time for background work (posts, the SLA job, the broadcast) to finish. */
const SETTLE_MS = 100_000;

/** What happens when, in seconds after the people start walking. */
const SCHEDULE: { at: number; fault: 'kill-a' | 'kill-b' | 'pause' | 'graph-429' | 'graph-503' }[] = [
  { at: 30, fault: 'kill-a' },
  { at: 55, fault: 'graph-429' },
  { at: 80, fault: 'pause' },
  { at: 125, fault: 'kill-b' },
  { at: 150, fault: 'graph-503' },
  { at: 175, fault: 'kill-a' },
  { at: 200, fault: 'pause' },
  { at: 245, fault: 'kill-b' },
  { at: 270, fault: 'kill-a' },
];
const PAUSE_MS = 20_000;
const STORM_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small deterministic generator, so two runs walk the same way. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function main(): Promise<number> {
  log(
    `nproc=${os.cpus().length} load=${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-chaos-'));
  const azurite = await startAzurite({ inMemory: false, location: path.join(work, 'azurite') });
  const connector = await startConnectorSim({ latencyMs: [5, 30], keepActivities: true });
  const seed = generateTenant({ users: USERS, devicesPerUser: 1 });
  const tenant = await startTenantSimulator({ seed });
  const instances = new Map<'a' | 'b', RunningService>();
  try {
    const storage = createAzureStorage({ connectionString: azurite.connectionString, prefix: PREFIX });
    await storage.ensureCreated();
    const now = new Date();
    const users = await seedChatWave(storage.store, seed, {
      prefix: PREFIX,
      waveId: WAVE_ID,
      name: 'Chaos',
      deferralLimit: 50,
      now,
    });

    const ports = { a: await freePort(), b: await freePort() };
    const base: Env = {};
    for (const [k, v] of Object.entries(process.env)) if (!BOT_CONFIG_KEY.test(k)) base[k] = v;
    const envOf = (port: number): Env => ({
      ...base,
      NODE_ENV: 'development',
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      STORAGE_PREFIX: PREFIX,
      GRAPH_BASE_URL: tenant.url,
      BOT_APP_TYPE: 'local',
      BOT_SERVICE_URL: connector.url,
      BOT_TENANT_ID: TENANT_ID,
      HELPDESK_CHANNEL_ID: HELPDESK_CHANNEL,
      HELPDESK_SLA_ASSIGN_MINUTES: '1',
      TEAMS_APP_ID: 'migration-companion-chaos',
      SOURCE_MDM: 'workspace-one',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DEFAULT_TIME_ZONE: ZONE,
      BUSINESS_HOURS: '00:00-23:59',
      BUSINESS_DAYS: 'mon-sun',
      ADMIN_UPNS: 'chaos-admin@contoso.example',
    });
    const launch = async (name: 'a' | 'b') => {
      for (let attempt = 1; ; attempt++) {
        try {
          instances.set(
            name,
            await startBotProcess({
              env: envOf(ports[name]),
              watch: false,
              echo: process.env.BENCH_ECHO === '1',
            }),
          );
          return;
        } catch (err) {
          if (attempt >= 3) throw err;
          log(`instance-${name} did not start (attempt ${attempt}); trying again`);
        }
      }
    };
    await Promise.all([launch('a'), launch('b')]);
    log(`two app instances on ports ${ports.a} and ${ports.b}`);

    const sim = new UserSimulator(
      () => [`http://127.0.0.1:${ports.a}`, `http://127.0.0.1:${ports.b}`],
      connector,
      TENANT_ID,
    );
    const started = Date.now();
    const endAt = started + SECONDS * 1000;
    const walkers = users.map(async (u) => {
      const random = prng(u.index + 1);
      await sleep(random() * THINK_MS);
      for (let round = 0; Date.now() < endAt; round++) {
        await sim.walk(u, round, random);
        await sleep(2_000 + random() * THINK_MS);
      }
    });

    // The announcement, sent by the instances' broadcast job while everything else goes on.
    const admin = { aadObjectId: 'chaos-admin', name: 'Chaos Admin' };
    const bdeps = {
      store: storage.store,
      clock: systemClock,
      logger: createLogger('warn'),
      deliveryQueue: storage.queue<DeliveryJob>('deliveries'),
    };
    const hooks = {
      recipients: async () => users.map((u) => ({ aadObjectId: u.aadObjectId, displayName: u.name })),
      compose: async () => {
        throw new Error('the instances compose the cards');
      },
    };
    const draft = await createDraft(
      bdeps,
      { kind: 'announcement', waveId: WAVE_ID, createdBy: admin },
      USERS,
    );
    await confirm(bdeps, hooks, draft.id, { actor: admin });
    await queueRecipients(bdeps, hooks, draft.id);
    log('announcement confirmed: the instances send it');

    let faults = 0;
    let graphFaulted = 0;
    const faulting: Promise<void>[] = [];
    const launching = new Map<'a' | 'b', Promise<void>>();
    for (const step of process.env.BENCH_FAULTS === '0' ? [] : SCHEDULE) {
      const wait = started + ((step.at * SECONDS) / 300) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      faults++;
      if (step.fault === 'kill-a' || step.fault === 'kill-b') {
        const name = step.fault === 'kill-a' ? 'a' : 'b';
        await launching.get(name);
        const victim = instances.get(name)!;
        log(`SIGKILL instance-${name} (pid ${victim.process.pid}); starting it again`);
        process.kill(-victim.process.pid, 'SIGKILL');
        await victim.process.exited;
        const back = launch(name).then(() => log(`instance-${name} is back`));
        launching.set(name, back);
        faulting.push(back);
      } else if (step.fault === 'pause') {
        log(`SIGSTOP Azurite for ${PAUSE_MS / 1000} s`);
        process.kill(-azurite.process.pid, 'SIGSTOP');
        await sleep(PAUSE_MS);
        process.kill(-azurite.process.pid, 'SIGCONT');
        log('SIGCONT Azurite');
      } else {
        const status = step.fault === 'graph-429' ? 429 : 503;
        const fault = tenant.faults.add({
          status,
          times: Number.POSITIVE_INFINITY,
          ...(status === 429 ? { retryAfterSeconds: 2 } : {}),
        });
        log(`Graph answers ${status} to everything for ${STORM_MS / 1000} s`);
        faulting.push(
          sleep(STORM_MS).then(() => {
            graphFaulted += tenant.faults.list().find((f) => f.id === fault.id)?.hits ?? 0;
            tenant.faults.remove(fault.id);
            log(`Graph storm (${status}) over`);
          }),
        );
      }
      log(
        `turns so far: ${sim.stats.turns} (${sim.stats.unanswered} unanswered, ${sim.stats.retried} retries)`,
      );
    }
    await Promise.all(faulting);
    await Promise.all(walkers);
    log(`the people are done: ${sim.stats.turns} turns; letting background work settle`);

    // Background work that was due: the broadcast, helpdesk cards of the stuck, the SLA round.
    const settleUntil = Date.now() + SETTLE_MS;
    for (;;) {
      const b = (await storage.store.broadcasts.get(broadcastKey(draft.id)).catch(() => undefined))?.value;
      if ((b?.state === 'done' && Date.now() > settleUntil - SETTLE_MS / 2) || Date.now() > settleUntil)
        break;
      await sleep(2_000);
    }
    await Promise.all([...instances.values()].map((s) => s.stop()));
    instances.clear();

    const raw = await readRaw(azurite.connectionString, PREFIX);
    const verdict = checkInvariants({
      raw,
      told: sim.told,
      messages: connector.messages,
      helpdeskChannelId: HELPDESK_CHANNEL,
      reminderSummary: /^(Reminder|Påminnelse)\b/,
      timeZone: ZONE,
      chatOf: new Map(users.map((u) => [u.aadObjectId, u.conversationId])),
    });
    const s = sim.stats;
    const cs = connector.stats();
    log(`checked: ${verdict.detail}`);
    for (const [text, n] of [...sim.errorTexts].sort((x, y) => y[1] - x[1]).slice(0, 6))
      log(`  ${n} × error card: ${text}`);
    for (const [why, n] of sim.unansweredWhy) log(`  ${n} × unanswered: ${why}`);
    log(
      `turns: ${s.answered} answered (${s.errorCards} with an error card), ${s.unanswered} unanswered, ${s.retried} re-sent to the other instance, slowest ${(s.slowestMs / 1000).toFixed(1)} s`,
    );
    log(
      `connector: ${cs.accepted} messages, ${cs.updates} updates, ${cs.throttled} × 429; Graph: ${graphFaulted} requests answered by a fault; wall ${((Date.now() - started) / 1000).toFixed(0)} s; load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const ok =
      s.unanswered === 0 &&
      verdict.lost === 0 &&
      verdict.corrupt === 0 &&
      verdict.duplicateTickets === 0 &&
      verdict.duplicateReminders === 0 &&
      s.hung === 0;
    process.stdout.write(
      `chaos: users=${USERS} turns=${s.turns} faults=${faults} unanswered=${s.unanswered} lost=${verdict.lost} corrupt=${verdict.corrupt} duplicate_tickets=${verdict.duplicateTickets} duplicate_reminders=${verdict.duplicateReminders} hung_over_15s=${s.hung}\n`,
    );
    return ok ? 0 : 1;
  } finally {
    try {
      process.kill(-azurite.process.pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
    await Promise.all([...instances.values()].map((s) => s.stop()));
    await connector.close();
    await tenant.close();
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

runBenchmark('chaos benchmark', main);
