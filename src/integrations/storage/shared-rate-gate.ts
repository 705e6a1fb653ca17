import {
  type BudgetState,
  blockLimit,
  budgetWithPause,
  claimBlock,
  claimSizeFor,
  othersAreBusy,
} from '../../domain/outgoing-budget';
import { AbortedError, type Priority, type RateGate } from '../../ports/rate-gate';
import { ConcurrencyError, type Repository, type Stored } from '../../ports/store';

export interface SharedRateGateOptions {
  /** Calls per second for all instances together. */
  ratePerSecond: number;
  /** Row of the gate; one per shared limit (default `teams`: Teams' per-app, per-tenant limit). */
  name?: string;
  /** Most instants one claim takes (default 25: a busy broadcast writes the row twice a second). */
  maxBatch?: number;
  /**
   * How far ahead of now an instance may claim (default 1,000 ms): all a dead instance can take with
   * it. Two instances taking turns claim each block while the other's runs, so the horizon must hold
   * a block plus a claim's storage round trips; 500 ms left the rate unused once storage took 100 ms.
   */
  maxAheadMs?: number;
  /**
   * How long an interactive call waits while storage does not answer before it goes ahead without an
   * instant (default 1,000 ms). A person's answer matters more than a call over the rate.
   */
  interactiveBypassMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Storage trouble while claiming; the gate keeps trying. */
  onError?: (err: unknown) => void;
  /** An interactive call went ahead without an instant because storage did not answer. */
  onBypass?: (info: { waitedMs: number }) => void;
}

export const RATE_GATE_PARTITION = 'gate';

/** What the gate did so far on this instance: where the rate went (for benchmarks and diagnosis). */
export interface RateGateStats {
  /** Instants handed to callers. */
  served: number;
  /** Claimed instants that passed with nobody waiting (or inside a pause): rate this instance left unused. */
  dropped: number;
  /** Of those, instants that fell due while callers waited but were reached more than an interval late (a busy event loop). */
  late: number;
  /** Interactive calls that went ahead without an instant because storage did not answer. */
  bypassed: number;
  /** Time during which callers waited and this instance held no instant (ms). */
  starvedMs: number;
  /** Writes of the row that landed, and those that met another instance's write first. */
  claims: number;
  conflicts: number;
}

interface Waiter {
  priority: Priority;
  since: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Cancels the waiter's own timers (abort listener, bypass watch) once it is served. */
  done: AbortController;
}

/** Wait after storage failed before the next claim. */
const STORAGE_RETRY_MS = 1_000;

/**
 * The one outgoing budget as a row in Azure Tables (generic cell rate algorithm, pure rules in
 * src/domain/outgoing-budget.ts). An instance claims blocks of consecutive instants with an
 * ETag-guarded write and hands each one out when it falls due: to an interactive caller if one
 * waits, else to a bulk caller. Instants are not promised to callers in advance, so a person who
 * arrives while a broadcast waits still gets the next one.
 *
 * Across instances interactive traffic is never starved: no instance holds instants more than
 * `maxAheadMs` ahead, and an instance with an interactive caller claims a single instant at once
 * rather than waiting for a whole block. Its caller waits at most `maxAheadMs` + two intervals + the
 * claim's storage round trips (interactiveWaitBoundMs) — about 1.1 s at 49/s — or a running pause.
 * If storage does not answer, an interactive caller goes ahead after `interactiveBypassMs`.
 *
 * There is no lease to lose: an instance that dies takes at most `maxAheadMs` of instants with it.
 * A 429 anywhere writes the pause into the row; every instance reads it with its next claim and
 * drops instants that fall inside it.
 */
export class SharedRateGate implements RateGate {
  private readonly intervalMs: number;
  private readonly key: { partitionKey: string; rowKey: string };
  private readonly maxBatch: number;
  private readonly maxAheadMs: number;
  private readonly bypassMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  /** Claimed instants not handed out yet, ascending. */
  private tokens: number[] = [];
  private readonly queues: Record<Priority, Waiter[]> = { interactive: [], bulk: [] };
  /** When recent instants were handed out (within the last horizon): the demand estimate. */
  private served: number[] = [];
  private pumping = false;
  /** Ends the pump's sleep when nobody waits any more (a long pause must not hold a timer). */
  private pumpWake = new AbortController();
  private claiming?: Promise<void>;
  /** Wakes a claim that is waiting for a whole block, when a person starts waiting. */
  private claimWake?: AbortController;
  private knownPause = 0;
  /** How long a claim's write takes (moving average): instants are handed out at least this far ahead. */
  private writeLatencyMs = 0;
  /** The row's nextAt as this instance last wrote it. */
  private ownNextAt?: number;
  /** Another instance claims whole blocks too: claim only when ours run out (see othersAreBusy). */
  private sharing = false;
  private sharingSeenAt = Number.NEGATIVE_INFINITY;
  /** When storage last answered (a result or an ETag conflict). */
  private lastAnswerAt: number;
  /** The last storage call failed (no answer, or an error other than a conflict). */
  private failing = false;
  private readonly counters: RateGateStats = {
    served: 0,
    dropped: 0,
    late: 0,
    bypassed: 0,
    starvedMs: 0,
    claims: 0,
    conflicts: 0,
  };

  constructor(
    private readonly rows: Repository<BudgetState>,
    private readonly options: SharedRateGateOptions,
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error(`rate gate: ratePerSecond must be above 0`);
    this.intervalMs = 1000 / options.ratePerSecond;
    this.key = { partitionKey: RATE_GATE_PARTITION, rowKey: options.name ?? 'teams' };
    this.maxBatch = Math.max(1, options.maxBatch ?? 25);
    this.maxAheadMs = Math.max(this.intervalMs, options.maxAheadMs ?? 1_000);
    this.bypassMs = Math.max(1, options.interactiveBypassMs ?? 1_000);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
    this.lastAnswerAt = this.now();
  }

  take(signal?: AbortSignal, priority: Priority = 'bulk'): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    if (priority === 'interactive' && this.storageDown()) {
      // Known to be down: the next person does not wait the bound again (a turn makes several calls).
      this.counters.bypassed++;
      this.options.onBypass?.({ waitedMs: 0 });
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const done = new AbortController();
      const waiter: Waiter = { priority, since: this.now(), resolve, reject, done };
      this.queues[priority].push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.settle(waiter)) reject(new AbortedError());
        },
        { once: true, signal: done.signal },
      );
      if (priority === 'interactive') {
        // Held instants serve people first; beyond them, a claim for this person starts now.
        if (this.queues.interactive.length > this.tokens.length) this.claimWake?.abort();
        void this.watchStorage(waiter);
        this.claimIfShort();
      }
      void this.pump();
    });
  }

  async pauseUntil(until: Date): Promise<void> {
    const ms = until.getTime();
    this.notePause(ms);
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await this.rows.get(this.key);
        this.answered(this.now());
        if (current && current.value.pausedUntil >= ms && current.value.nextAt >= ms) {
          this.notePause(current.value.pausedUntil);
          return;
        }
        const next = budgetWithPause(current?.value, ms);
        if (current) await this.rows.replace(this.key, next, current.etag);
        else await this.rows.insert(this.key, next);
        return;
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) {
          this.options.onError?.(err);
          if (attempt >= 5) throw err;
        }
        await this.sleep(this.conflictDelay(attempt));
      }
    }
  }

  pausedUntil(): Date | undefined {
    return this.knownPause > this.now() ? new Date(this.knownPause) : undefined;
  }

  stats(): RateGateStats {
    return { ...this.counters, starvedMs: Math.round(this.counters.starvedMs) };
  }

  /** Hands out instants as they fall due, interactive callers first; runs while anyone waits. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Whether the loop has been running since the last instant it looked at (drops are then lateness).
      let running = false;
      while (this.waiting() > 0) {
        const now = this.now();
        if (this.knownPause > now) {
          await this.pumpSleep(this.knownPause - now);
          continue;
        }
        // An instant a whole interval past was missed; using it now would crowd the ones after it.
        // One less than that late can still share a sliding second with the rate's worth after it:
        // at most rate + 1 calls in any second, which is why the default rate is one below Teams' limit.
        while (this.tokens.length > 0 && this.tokens[0]! <= now - this.intervalMs) {
          this.tokens.shift();
          this.counters.dropped++;
          if (running) this.counters.late++;
        }
        running = true;
        this.claimIfShort();
        const at = this.tokens[0];
        if (at === undefined) {
          await this.claiming;
          this.counters.starvedMs += this.now() - now;
          continue;
        }
        if (at > now) {
          await this.pumpSleep(at - now);
          continue;
        }
        const waiter = this.queues.interactive[0] ?? this.queues.bulk[0];
        if (!waiter) break;
        this.tokens.shift();
        this.counters.served++;
        this.served.push(now);
        this.settle(waiter);
        waiter.resolve();
      }
    } finally {
      this.pumping = false;
    }
    // A caller that arrived while the loop was finishing.
    if (this.waiting() > 0) void this.pump();
  }

  private async pumpSleep(ms: number): Promise<void> {
    if (this.pumpWake.signal.aborted) this.pumpWake = new AbortController();
    try {
      await this.sleep(ms, this.pumpWake.signal);
    } catch {
      // Everyone left; the loop sees it.
    }
  }

  private waiting(): number {
    return this.queues.interactive.length + this.queues.bulk.length;
  }

  /** Takes the waiter out of its queue; false when it was already served or gone. */
  private settle(waiter: Waiter): boolean {
    const queue = this.queues[waiter.priority];
    const i = queue.indexOf(waiter);
    if (i < 0) return false;
    queue.splice(i, 1);
    waiter.done.abort();
    if (this.waiting() === 0) this.pumpWake.abort();
    return true;
  }

  /**
   * Storage down must not leave a person without an answer: an interactive caller that has waited
   * `interactiveBypassMs` while storage gave no answer at all goes ahead, logged. A running pause is
   * still honoured (the connector would refuse the call anyway).
   */
  private async watchStorage(waiter: Waiter): Promise<void> {
    for (;;) {
      try {
        await this.sleep(this.bypassMs, waiter.done.signal);
      } catch {
        return;
      }
      if (this.knownPause > this.now()) continue;
      if (!this.storageSilent()) continue;
      const now = this.now();
      if (!this.settle(waiter)) return;
      this.counters.bypassed++;
      this.options.onBypass?.({ waitedMs: Math.round(now - waiter.since) });
      waiter.resolve();
      return;
    }
  }

  /**
   * Claims when the held instants do not cover the callers waiting; while taking turns with another
   * busy instance, bulk callers wait until the held ones run out (see othersAreBusy).
   */
  private claimIfShort(): void {
    const held = this.tokens.length;
    if (held >= this.waiting()) return;
    if (!this.sharing || held === 0 || this.queues.interactive.length > held) void this.refill();
  }

  private answered(at: number): void {
    this.lastAnswerAt = at;
    this.failing = false;
  }

  /** Storage has not answered for the whole bound. */
  private storageSilent(): boolean {
    return this.now() - this.lastAnswerAt >= this.bypassMs;
  }

  /** Silent, and the last call to it failed: not merely slow. */
  private storageDown(): boolean {
    return this.failing && this.storageSilent() && !(this.knownPause > this.now());
  }

  /** One claim at a time per instance. */
  private refill(): Promise<void> {
    this.claiming ??= this.claim().finally(() => {
      this.claiming = undefined;
    });
    return this.claiming;
  }

  private demand() {
    const now = this.now();
    this.served = this.served.filter((t) => t > now - this.maxAheadMs);
    const size = claimSizeFor(
      {
        interactiveWaiting: this.queues.interactive.length,
        bulkWaiting: this.queues.bulk.length,
        held: this.tokens.length,
        servedRecently: this.served.length,
      },
      this.budgetOptions(),
    );
    const limit = Math.min(
      this.maxBatch,
      blockLimit(this.budgetOptions(), this.sharing, this.writeLatencyMs),
    );
    return { count: Math.min(size.count, limit), minCount: Math.min(size.minCount, limit) };
  }

  private async claim(): Promise<void> {
    // The row as last read; a wait for the horizon does not read it again: the write's ETag says
    // whether anyone claimed meanwhile.
    let read: Stored<BudgetState> | undefined | null = null;
    for (let attempt = 1; ; attempt++) {
      if (this.demand().count === 0) return;
      try {
        if (read === null) {
          read = await this.rows.get(this.key);
          const readAt = this.now();
          this.answered(readAt);
          if (read) {
            this.notePause(read.value.pausedUntil);
            if (othersAreBusy(read.value.nextAt, this.ownNextAt, this.budgetOptions())) {
              this.sharingSeenAt = readAt;
            }
          }
          // Taking turns lasts a while: right after our own claim the row shows only ours.
          this.sharing = readAt - this.sharingSeenAt < 3 * this.maxAheadMs;
        }
        const size = this.demand();
        if (size.count === 0) return;
        // Instants start no earlier than the write is expected to land, so they are not missed on arrival.
        const decidedAt = this.now();
        const grant = claimBlock(read?.value, decidedAt + this.writeLatencyMs, size, this.budgetOptions());
        if (grant.kind === 'wait') {
          await this.waitForHorizon(grant.waitMs);
          continue;
        }
        if (read) await this.rows.replace(this.key, grant.next, read.etag);
        else await this.rows.insert(this.key, grant.next);
        this.answered(this.now());
        this.counters.claims++;
        this.writeLatencyMs = 0.7 * this.writeLatencyMs + 0.3 * (this.now() - decidedAt);
        this.ownNextAt = grant.next.nextAt;
        this.tokens.push(...grant.instants.filter((t) => t >= this.knownPause));
        this.tokens.sort((a, b) => a - b);
        return;
      } catch (err) {
        read = null;
        if (err instanceof ConcurrencyError) {
          this.answered(this.now());
          this.counters.conflicts++;
          // A person waiting reads again at once; broadcasts back off so two instances do not collide again.
          const hurry = this.queues.interactive.length > this.tokens.length;
          await this.sleep(hurry ? this.random() * 2 : this.conflictDelay(attempt));
        } else {
          this.failing = true;
          this.options.onError?.(err);
          await this.sleep(STORAGE_RETRY_MS);
        }
      }
    }
  }

  /** Waits for more of the horizon to open; a person starting to wait cuts it short. */
  private async waitForHorizon(ms: number): Promise<void> {
    const wake = new AbortController();
    this.claimWake = wake;
    try {
      await this.sleep(ms, wake.signal);
    } catch {
      // Woken: the claim is sized again, now for the person waiting.
    } finally {
      if (this.claimWake === wake) this.claimWake = undefined;
    }
  }

  private budgetOptions() {
    return { intervalMs: this.intervalMs, maxAheadMs: this.maxAheadMs };
  }

  private notePause(until: number): void {
    if (until <= this.knownPause) return;
    this.knownPause = until;
    const held = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t >= until);
    this.counters.dropped += held - this.tokens.length;
  }

  /** Another instance wrote first: a short, jittered wait, so the two do not collide again. */
  private conflictDelay(attempt: number): number {
    return Math.min(50, 2 * 2 ** attempt) * (0.5 + this.random());
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
