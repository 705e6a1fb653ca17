/**
 * One app instance of the broadcast benchmark (bench/broadcast.ts starts two and kills one). It is
 * the production broadcast path with nothing stubbed: Azure Storage through createAzureStorage with
 * the counting store in front, as the runtime has it (tables, the deliveries queue, the shared rate gate, the scheduler's blob lease), BotMessenger
 * over a credential-less botbuilder CloudAdapter (as BOT_APP_TYPE=local builds it) talking to the
 * connector simulator, GraphAppInstaller over GraphApi talking to the tenant simulator, the
 * BroadcastSender on this instance and the leased BroadcastJob under a Scheduler. Beside the
 * broadcast, simulated users' cards are updated in place through withOutgoingBudget (interactive
 * turns at the same shared gate), as the bot does while people use it.
 *
 * It prints `ready` once running, writes its peak resident memory (bytes) and its storage requests
 * so far (JSON) to BENCH_RSS_FILE and BENCH_STORAGE_FILE every 250 ms, and stops cleanly on SIGTERM
 * (SIGKILL is the crash the benchmark is about).
 *
 * Environment: BENCH_CONNECTION_STRING, BENCH_PREFIX, BENCH_CONNECTOR_URL, BENCH_GRAPH_URL,
 * BENCH_TEAMS_APP_ID, BENCH_RSS_FILE, BENCH_STORAGE_FILE; optional: BENCH_QUEUE_BROADCAST (a confirmed
 * broadcast this instance queues in the background, pipeline mode), BENCH_RATE (the broadcast rate for
 * all instances together; default: the product's BROADCAST_RATE_PER_SECOND default), BENCH_GATE_RATE
 * (the gate's rate when the connector has no limit), BENCH_INTERACTIVE_PER_SECOND (card updates a
 * second from this instance, default 0), BENCH_CONCURRENCY, BENCH_INSTANCE.
 */
import { writeFileSync } from 'node:fs';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { renderMessageCard } from '../src/cards/message-card';
import { readConfig } from '../src/config';
import type { Broadcast } from '../src/domain/broadcast';
import {
  type ConversationAddress,
  PARTICIPANT_PARTITIONS,
  type Participant,
} from '../src/domain/participant';
import { BroadcastJob } from '../src/features/broadcast/broadcast-job';
import {
  type BroadcastHooks,
  queueRecipients,
  type Recipient,
} from '../src/features/broadcast/broadcast-service';
import { withCounters } from '../src/features/counters/counting-store';
import { withOutgoingBudget } from '../src/features/outgoing-budget';
import { BotMessenger } from '../src/integrations/bot/bot-messenger';
import { credentialFor } from '../src/integrations/graph/credential';
import { GraphApi } from '../src/integrations/graph/graph-api';
import { GraphAppInstaller } from '../src/integrations/graph/graph-app-installer';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import type { SharedRateGate } from '../src/integrations/storage/shared-rate-gate';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import type { Messenger } from '../src/ports/messenger';
import type { RateGate } from '../src/ports/rate-gate';
import { BroadcastSender } from '../src/workers/broadcast-sender';
import { Scheduler } from '../src/workers/scheduler';
import { countStorageRequests } from './broadcast-storage-count';

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
  const rssFile = required('BENCH_RSS_FILE');
  const storageFile = required('BENCH_STORAGE_FILE');
  const storageRequests = countStorageRequests(required('BENCH_CONNECTION_STRING'));
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
  const storage = createAzureStorage({
    connectionString: required('BENCH_CONNECTION_STRING'),
    prefix: required('BENCH_PREFIX'),
  });
  // As the runtime builds it: every write also keeps the counters the dashboards and the job read.
  const store = withCounters(storage.store, { logger });
  // Read like production's, from the variables a developer's instance would have.
  const config = readConfig({
    STORAGE_CONNECTION_STRING: required('BENCH_CONNECTION_STRING'),
    STORAGE_PREFIX: required('BENCH_PREFIX'),
    GRAPH_BASE_URL: graphUrl,
    ...(process.env.BENCH_RATE ? { BROADCAST_RATE_PER_SECOND: process.env.BENCH_RATE } : {}),
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
    store,
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
        for await (const { value } of store.participants.listPartition(partition)) {
          out.push({
            aadObjectId: value.aadObjectId,
            displayName: value.displayName,
            ...(value.conversation ? { conversation: value.conversation } : {}),
          });
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
    // The card needs the name only, which the delivery row holds: no participant read per message.
    composeNeedsParticipant: false,
  };
  // Pipeline mode may run without a gate at all (`unlimited`): the engine's own pace then shows.
  const unlimited = process.env.BENCH_GATE_RATE === 'unlimited';
  const gateRate = unlimited ? 10_000 : Number(process.env.BENCH_GATE_RATE ?? config.broadcast.ratePerSecond);
  const gate: RateGate = unlimited
    ? { take: async () => {}, pauseUntil: async () => {}, pausedUntil: () => undefined }
    : storage.rateGate({
        ratePerSecond: gateRate,
        onError: (err) => logger.warn({ err }, 'rate gate could not reach storage'),
      });
  const sender = new BroadcastSender(deps, hooks, gate, {
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
    // Chunks of half a second at the gate's rate, as the product sizes them from its own rate.
    ...(process.env.BENCH_GATE_RATE ? { chunkSize: Math.min(100, Math.ceil(gateRate / 2)) } : {}),
  });
  const job = new BroadcastJob(deps, hooks, gate, { intervalMs: 5_000, progressIntervalMs: 5_000 });
  const interactive = new InteractiveUsers(
    withOutgoingBudget(deps.messenger, gate),
    connectorUrl,
    process.env.BENCH_INSTANCE ?? 'instance',
    Number(process.env.BENCH_INTERACTIVE_PER_SECOND ?? '0'),
  );
  const scheduler = new Scheduler(storage.lock, [job], logger, { tickMs: 2_000, leaseSeconds: 15 });

  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    writeFileSync(rssFile, String(peak));
    const gateStats = 'stats' in gate ? (gate as SharedRateGate).stats() : undefined;
    writeFileSync(storageFile, JSON.stringify({ ...storageRequests(), gate: gateStats }));
  };
  sample();
  const sampler = setInterval(sample, 250);

  sender.start();
  scheduler.start();
  interactive.start();
  // Pipeline mode: this instance queues the broadcast it was started for, in the background while
  // its sender sends, as the instance where the admin confirmed does; if the queueing stops, the
  // leased broadcast job resumes it.
  const toQueue = process.env.BENCH_QUEUE_BROADCAST;
  if (toQueue)
    queueRecipients(deps, hooks, toQueue).catch((err: unknown) =>
      logger.warn({ err }, 'queueing stopped; the broadcast job resumes it'),
    );
  process.stdout.write('ready\n');

  const stop = () => {
    void (async () => {
      await interactive.stop();
      await sender.stop();
      await scheduler.stop();
      await store.counterWriter.stop();
      clearInterval(sampler);
      sample();
      process.stdout.write('stopped\n');
      process.exit(0);
    })();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Simulated people using the bot while the broadcast runs: their cards are updated in place, a few a
 * second, each call taking an interactive turn at the shared gate. Spread over a few chats so that no
 * chat comes near Teams' per-thread limits.
 */
class InteractiveUsers {
  private timer?: NodeJS.Timeout;
  private readonly cards: { to: ConversationAddress; activityId?: string }[];
  private next = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly messenger: Messenger,
    serviceUrl: string,
    instance: string,
    private readonly perSecond: number,
  ) {
    this.cards = Array.from({ length: 12 }, (_, i) => ({
      to: {
        serviceUrl,
        channelId: 'msteams',
        conversationId: `a:bench-user-${instance}-${i}`,
        conversationType: 'personal',
        botId: '',
        userId: `29:bench-user-${instance}-${i}`,
      },
    }));
  }

  start(): void {
    if (!(this.perSecond > 0)) return;
    this.timer = setInterval(() => {
      const work = this.once().finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }, 1000 / this.perSecond);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private async once(): Promise<void> {
    const card = this.cards[this.next++ % this.cards.length]!;
    const message = {
      card: renderMessageCard({
        title: 'Your device',
        text: `Checked at ${new Date().toISOString()}`,
        style: 'good',
      }),
      summary: 'Your device',
    };
    try {
      if (card.activityId) await this.messenger.update(card.to, card.activityId, message);
      else card.activityId = (await this.messenger.send(card.to, message)).activityId;
    } catch {
      // A refused update is the connector's answer (a random 5xx); the next one comes anyway.
    }
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `instance failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(2);
  });
}
