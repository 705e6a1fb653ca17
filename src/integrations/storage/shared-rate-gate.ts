import { grantInstants, type RateGateState, withPause } from '../../domain/broadcast-pacing';
import { AbortedError, type RateGate } from '../../ports/rate-gate';
import { ConcurrencyError, type Repository } from '../../ports/store';

export interface SharedRateGateOptions {
  /** Calls per second for all instances together. */
  ratePerSecond: number;
  /** Row of the gate; one per shared limit (default `teams`: Teams' per-app, per-tenant limit). */
  name?: string;
  /** Most instants one claim takes (default 8). */
  maxBatch?: number;
  /** How far ahead of now an instance may claim (default 500 ms): all a dead instance can take with it. */
  maxAheadMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Storage trouble while claiming; the gate keeps trying. */
  onError?: (err: unknown) => void;
}

export const RATE_GATE_PARTITION = 'gate';

/**
 * The shared rate as one row in Azure Tables: the next unclaimed send instant and a "paused until"
 * (generic cell rate algorithm). An instance claims a few consecutive instants with an ETag-guarded
 * write, then lets one caller go at each of them; together every instance's calls stay one interval
 * apart. There is no lease to lose: an instance that dies takes at most `maxAheadMs` of instants with
 * it. A 429 anywhere writes the pause into the row; every instance reads it with its next claim and
 * drops instants that fall inside it.
 */
export class SharedRateGate implements RateGate {
  private readonly intervalMs: number;
  private readonly key: { partitionKey: string; rowKey: string };
  private readonly maxBatch: number;
  private readonly maxAheadMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  /** Claimed instants not handed out yet, ascending. */
  private tokens: number[] = [];
  /** Callers waiting for an instant. */
  private waiting = 0;
  private claiming?: Promise<void>;
  private knownPause = 0;
  /** How long a claim's write takes (moving average): instants are handed out at least this far ahead. */
  private writeLatencyMs = 0;

  constructor(
    private readonly rows: Repository<RateGateState>,
    private readonly options: SharedRateGateOptions,
  ) {
    if (!(options.ratePerSecond > 0)) throw new Error(`rate gate: ratePerSecond must be above 0`);
    this.intervalMs = 1000 / options.ratePerSecond;
    this.key = { partitionKey: RATE_GATE_PARTITION, rowKey: options.name ?? 'teams' };
    this.maxBatch = Math.max(1, options.maxBatch ?? 8);
    this.maxAheadMs = Math.max(this.intervalMs, options.maxAheadMs ?? 500);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new AbortedError();
      const now = this.now();
      if (this.knownPause > now) {
        await this.sleep(this.knownPause - now, signal);
        continue;
      }
      // An instant this far in the past was missed; using it now would crowd the ones after it.
      while (this.tokens.length > 0 && this.tokens[0]! < now - this.intervalMs) this.tokens.shift();
      const at = this.tokens.shift();
      if (at === undefined) {
        this.waiting++;
        try {
          await this.refill();
        } finally {
          this.waiting--;
        }
        continue;
      }
      if (at > now) await this.sleep(at - now, signal);
      // A pause that arrived while we waited wins over the instant.
      if (this.knownPause > at) continue;
      return;
    }
  }

  async pauseUntil(until: Date): Promise<void> {
    const ms = until.getTime();
    this.notePause(ms);
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await this.rows.get(this.key);
        if (current && current.value.pausedUntil >= ms && current.value.nextAt >= ms) {
          this.notePause(current.value.pausedUntil);
          return;
        }
        const next = withPause(current?.value, ms);
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

  /** One claim at a time per instance, sized to the callers waiting. */
  private refill(): Promise<void> {
    this.claiming ??= this.claim().finally(() => {
      this.claiming = undefined;
    });
    return this.claiming;
  }

  private async claim(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const count = Math.min(this.maxBatch, Math.max(1, this.waiting - this.tokens.length));
      try {
        const current = await this.rows.get(this.key);
        if (current) this.notePause(current.value.pausedUntil);
        // Instants start no earlier than the write is expected to land, so they are not missed on arrival.
        const decidedAt = this.now();
        const grant = grantInstants(current?.value, decidedAt + this.writeLatencyMs, count, {
          intervalMs: this.intervalMs,
          maxAheadMs: this.maxAheadMs,
        });
        if (grant.kind === 'wait') {
          await this.sleep(grant.waitMs);
          continue;
        }
        if (current) await this.rows.replace(this.key, grant.next, current.etag);
        else await this.rows.insert(this.key, grant.next);
        this.writeLatencyMs = 0.7 * this.writeLatencyMs + 0.3 * (this.now() - decidedAt);
        this.tokens.push(...grant.instants);
        this.tokens.sort((a, b) => a - b);
        return;
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) this.options.onError?.(err);
        await this.sleep(err instanceof ConcurrencyError ? this.conflictDelay(attempt) : 1_000);
      }
    }
  }

  private notePause(until: number): void {
    if (until <= this.knownPause) return;
    this.knownPause = until;
    this.tokens = this.tokens.filter((t) => t >= until);
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
