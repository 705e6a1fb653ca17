/**
 * The broadcast sender runs on every instance: it takes delivery jobs (up to 100 recipients each)
 * from the durable queue, keeps each invisible to the other instances while it is worked on, and
 * hands it to the Deliverer (src/features/broadcast/deliverer.ts), which claims a chunk of rows in one
 * transaction, sends each message at its turn in the shared rate and records the chunk in one more.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { DeliveryJob } from '../domain/broadcast';
import { backoffMs } from '../domain/broadcast-pacing';
import type { BroadcastHooks } from '../features/broadcast/broadcast-service';
import {
  Deliverer,
  type HeldDelivery,
  type JobOutcomes,
  type SenderDeps,
} from '../features/broadcast/deliverer';
import type { QueueMessage, WorkQueue } from '../ports/queue';
import { AbortedError, type RateGate } from '../ports/rate-gate';

export type { JobOutcomes, SenderDeps, SendOutcome } from '../features/broadcast/deliverer';

export interface BroadcastSenderOptions {
  /**
   * Jobs worked on at once by this instance (default 6). While some jobs read, claim or record their
   * rows, the others must still have messages waiting at the gate, or instants this instance claimed
   * pass unused: two instances sharing 49/s used 77–81 % of Teams' limit with 2 jobs each, 91 % with
   * 4 and 95 % with 6 (8 gave no more), measured with bench:broadcast.
   */
  concurrency?: number;
  /**
   * Rows claimed per transaction (default: what the configured rate sends in half a second, 5…100).
   * Claimed rows not yet recorded are what a crash sends twice (as `uncertain`): keep it small.
   */
  chunkSize?: number;
  /** How long a received job stays invisible to other instances; renewed while it is worked on (default 30 s). */
  visibilitySeconds?: number;
  /**
   * A row `sending` for less than this may still be in another sender's hands (a duplicate job);
   * older, its sender is presumed dead (default: the visibility timeout).
   */
  inFlightGraceMs?: number;
  /**
   * Retries due within this many ms (a 5xx's first backoff) are sent by the job itself rather than
   * as a new delayed job (default 2 s; 0 sends every retry through the queue).
   */
  retryWithinMs?: number;
  /** Waits `ms`, rejecting when `signal` aborts (default: a timer). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How long a broadcast's state is cached between reads (default 2 s): a cancel takes effect within it. */
  broadcastCacheMs?: number;
  /** Polling an empty queue: every first-value ms for a minute after the last job, then backing off to the second (default 250 ms … 5 s). */
  idlePollMs?: [number, number];
  random?: () => number;
}

/** How long after its last job a sender keeps polling the queue at the shortest interval. */
const WARM_MS = 60_000;

/** A received job kept invisible while worked on; ends by completing it or letting it come back later. */
class HeldJob implements HeldDelivery {
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly queue: WorkQueue<DeliveryJob>,
    public message: QueueMessage<DeliveryJob>,
    private readonly visibilitySeconds: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(
      () => {
        this.serial(async () => {
          this.message = await this.queue.postpone(this.message, this.visibilitySeconds);
        }).catch(this.onError);
      },
      Math.max(1_000, (this.visibilitySeconds * 1000) / 3),
    );
    this.timer.unref?.();
  }

  complete(): Promise<void> {
    return this.end(() => this.queue.complete(this.message));
  }

  retryIn(ms: number): Promise<void> {
    const seconds = Math.max(0, Math.min(7 * 24 * 3600, Math.ceil(ms / 1000)));
    return this.end(async () => {
      this.message = await this.queue.postpone(this.message, seconds);
    });
  }

  /** Errors are reported, not thrown: a job we could not complete or postpone simply comes back later. */
  private end(action: () => Promise<void>): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    clearInterval(this.timer);
    return this.serial(action).catch(this.onError);
  }

  private serial(action: () => Promise<void>): Promise<void> {
    const next = this.chain.then(action);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

export class BroadcastSender {
  private readonly concurrency: number;
  private readonly receiveBatch: number;
  private readonly visibilitySeconds: number;
  private readonly idlePollMs: [number, number];
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<JobOutcomes>>();
  private readonly deliverer: Deliverer;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly deps: SenderDeps,
    hooks: BroadcastHooks,
    gate: RateGate,
    options: BroadcastSenderOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 6);
    this.receiveBatch = Math.max(1, Math.min(32, Math.ceil(this.concurrency / 2)));
    this.visibilitySeconds = Math.max(5, options.visibilitySeconds ?? 30);
    this.idlePollMs = options.idlePollMs ?? [250, 5_000];
    this.random = options.random ?? Math.random;
    this.deliverer = new Deliverer(deps, hooks, gate, {
      inFlightGraceMs: options.inFlightGraceMs ?? this.visibilitySeconds * 1000,
      broadcastCacheMs: options.broadcastCacheMs ?? 2_000,
      retryWithinMs: options.retryWithinMs ?? 2_000,
      sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
      chunkSize: Math.max(
        1,
        Math.min(100, options.chunkSize ?? Math.max(5, Math.ceil(deps.config.broadcast.ratePerSecond / 2))),
      ),
      random: this.random,
      signal: this.abort.signal,
    });
    // Every message waiting at the gate listens for the stop.
    setMaxListeners(this.concurrency * 200 + 10, this.abort.signal);
  }

  private get queue(): WorkQueue<DeliveryJob> {
    const q = this.deps.deliveryQueue;
    if (!q) throw new Error('the broadcast sender needs deps.deliveryQueue');
    return q;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
  }

  /** Stops taking jobs; jobs waiting for their turn go back to the queue, sends in flight finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let idle = this.idlePollMs[0];
    let lastJobAt = 0;
    while (!signal.aborted) {
      const free = this.concurrency - this.inFlight.size;
      // Receive in batches: every receive costs the queue service a look at all of its messages.
      if (free < this.receiveBatch && this.inFlight.size > 0) {
        await Promise.race([...this.inFlight, this.wakeUp()]);
        continue;
      }
      let messages: QueueMessage<DeliveryJob>[];
      try {
        messages = await this.queue.receive(Math.min(32, free), this.visibilitySeconds);
      } catch (err) {
        this.deps.logger.warn({ err }, 'broadcast sender could not read the delivery queue');
        await this.pause(5_000);
        continue;
      }
      if (signal.aborted) {
        // Received while stopping: hand them straight back.
        await Promise.allSettled(messages.map((m) => this.queue.postpone(m, 0)));
        break;
      }
      if (messages.length === 0) {
        await this.pause(idle);
        // Retries come back within seconds: poll briskly for a minute after the last job, then slow down.
        if (Date.now() - lastJobAt > WARM_MS) idle = Math.min(this.idlePollMs[1], idle * 2);
        continue;
      }
      idle = this.idlePollMs[0];
      lastJobAt = Date.now();
      for (const m of messages) {
        const work = this.handle(m).finally(() => {
          this.inFlight.delete(work);
          this.wake?.();
        });
        this.inFlight.add(work);
      }
    }
  }

  private wakeUp(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Works one delivery job to its end; exposed for tests. Returns each recipient's outcome by row key. */
  async handle(message: QueueMessage<DeliveryJob>): Promise<JobOutcomes> {
    const job = { broadcastId: message.body.broadcastId, recipients: message.body.recipients.length };
    const held = new HeldJob(this.queue, message, this.visibilitySeconds, (err) =>
      this.deps.logger.warn({ err, job }, 'could not keep a delivery job invisible'),
    );
    try {
      return await this.deliverer.deliver(held, message.body);
    } catch (err) {
      const delay = err instanceof AbortedError ? 0 : backoffMs(message.dequeueCount, this.random);
      if (!(err instanceof AbortedError))
        this.deps.logger.error(
          { err, job, retryInMs: delay },
          'broadcast delivery failed unexpectedly; the job will be tried again',
        );
      // Whatever was recorded stays recorded; the job's other rows are looked at again when it returns.
      await held.retryIn(delay);
      return Object.fromEntries(message.body.recipients.map((r) => [r.id, 'retry']));
    }
  }
}
