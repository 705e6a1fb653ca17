/**
 * One app instance of the broadcast benchmark (bench/broadcast.ts starts two and kills one). It is
 * the production broadcast path with nothing stubbed: Azure Storage through createAzureStorage
 * (tables, the deliveries queue, the shared rate gate, the scheduler's blob lease), BotMessenger
 * over a credential-less botbuilder CloudAdapter (as BOT_APP_TYPE=local builds it) talking to the
 * connector simulator, GraphAppInstaller over GraphApi talking to the tenant simulator, the
 * BroadcastSender on this instance and the leased BroadcastJob under a Scheduler.
 *
 * It prints `ready` once running, writes its peak resident memory (bytes) to BENCH_RSS_FILE every
 * 250 ms, and stops cleanly on SIGTERM (SIGKILL is the crash the benchmark is about).
 *
 * Environment: BENCH_CONNECTION_STRING, BENCH_PREFIX, BENCH_CONNECTOR_URL, BENCH_GRAPH_URL,
 * BENCH_RATE (messages per second for all instances together), BENCH_TEAMS_APP_ID, BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { renderMessageCard } from '../src/cards/message-card';
import { readConfig } from '../src/config';
import type { Broadcast } from '../src/domain/broadcast';
import { PARTICIPANT_PARTITIONS, type Participant } from '../src/domain/participant';
import { BroadcastJob } from '../src/features/broadcast/broadcast-job';
import type { BroadcastHooks, Recipient } from '../src/features/broadcast/broadcast-service';
import { BotMessenger } from '../src/integrations/bot/bot-messenger';
import { credentialFor } from '../src/integrations/graph/credential';
import { GraphApi } from '../src/integrations/graph/graph-api';
import { GraphAppInstaller } from '../src/integrations/graph/graph-app-installer';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import { BroadcastSender } from '../src/workers/broadcast-sender';
import { Scheduler } from '../src/workers/scheduler';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this instance is started by bench/broadcast.ts)`);
  return value;
}

/** The card every recipient gets: their name, so each message is personal. */
export function benchCard(b: Broadcast, name: string | undefined) {
  return {
    card: renderMessageCard({
      title: `Your device move to Intune: ${b.waveId}`,
      text: `Hi ${name ?? 'there'}, your wave starts next week. Open the chat with Migration Companion to begin.`,
      style: 'accent',
    }),
    summary: `Your device move to Intune: ${b.waveId}`,
  };
}

async function main(): Promise<void> {
  const connectorUrl = required('BENCH_CONNECTOR_URL');
  const graphUrl = required('BENCH_GRAPH_URL');
  const rate = Number(required('BENCH_RATE'));
  const rssFile = required('BENCH_RSS_FILE');
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
  const storage = createAzureStorage({
    connectionString: required('BENCH_CONNECTION_STRING'),
    prefix: required('BENCH_PREFIX'),
  });
  // Read like production's, from the variables a developer's instance would have.
  const config = readConfig({
    STORAGE_CONNECTION_STRING: required('BENCH_CONNECTION_STRING'),
    STORAGE_PREFIX: required('BENCH_PREFIX'),
    GRAPH_BASE_URL: graphUrl,
    BROADCAST_RATE_PER_SECOND: String(rate),
    BROADCAST_MAX_ATTEMPTS: '6',
    BOT_SERVICE_URL: connectorUrl,
  });
  const graph = new GraphApi({
    baseUrl: graphUrl,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: 5,
  });
  const deps = {
    config,
    store: storage.store,
    clock: systemClock,
    logger,
    // The broadcast engine does its own pacing and retries: none hidden inside the connector SDK.
    messenger: new BotMessenger(
      new TeamsAdapter({}),
      '',
      { serviceUrl: connectorUrl },
      { sdkRetries: false },
    ),
    appInstaller: new GraphAppInstaller(graph, required('BENCH_TEAMS_APP_ID'), graphUrl),
    deliveryQueue: storage.queue<import('../src/domain/broadcast').DeliveryJob>('deliveries'),
  };
  const hooks: BroadcastHooks = {
    async recipients(): Promise<Recipient[]> {
      const out: Recipient[] = [];
      for (const partition of PARTICIPANT_PARTITIONS) {
        for await (const { value } of storage.store.participants.listPartition(partition)) {
          out.push({ aadObjectId: value.aadObjectId, displayName: value.displayName });
        }
      }
      return out;
    },
    async compose(b: Broadcast, r: Recipient, p: Participant | undefined) {
      return benchCard(b, p?.displayName ?? r.displayName);
    },
    async composeChannelPost(b: Broadcast) {
      return benchCard(b, 'everyone');
    },
  };
  const gate = storage.rateGate({
    ratePerSecond: rate,
    onError: (err) => logger.warn({ err }, 'rate gate could not reach storage'),
  });
  const sender = new BroadcastSender(deps, hooks, gate, {
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
  });
  const job = new BroadcastJob(deps, hooks, gate, {
    intervalMs: 5_000,
    progressIntervalMs: 5_000,
    queueAheadSeconds: Number(process.env.BENCH_QUEUE_AHEAD_SECONDS ?? '60'),
  });
  const scheduler = new Scheduler(storage.lock, [job], logger, { tickMs: 2_000, leaseSeconds: 15 });

  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    writeFileSync(rssFile, String(peak));
  };
  sample();
  const sampler = setInterval(sample, 250);

  sender.start();
  scheduler.start();
  process.stdout.write('ready\n');

  const stop = () => {
    void (async () => {
      await sender.stop();
      await scheduler.stop();
      clearInterval(sampler);
      sample();
      process.stdout.write('stopped\n');
      process.exit(0);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `instance failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  });
}
