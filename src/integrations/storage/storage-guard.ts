import { DependencyUnavailableError } from '../../shared/unavailable';

/** How long storage may keep a caller waiting. */
export interface StorageTimeouts {
  /** One call in all, the SDK's own retries included. */
  callMs: number;
  /** After an outage is seen, calls fail at once for this long instead of each waiting `callMs`. */
  coolDownMs: number;
}

/**
 * A message turn must answer within a few seconds and an invoke within Teams' 5 s, so one storage
 * call may take at most 3 s (retries included); a turn makes its calls in sequence and the first
 * one that runs into an outage opens the cool-down, so the rest fail at once.
 */
export const DEFAULT_STORAGE_TIMEOUTS: StorageTimeouts = { callMs: 3_000, coolDownMs: 5_000 };

/**
 * A call is given up after `callMs` only when nothing else on the account answered meanwhile. While
 * other calls keep succeeding, storage is reachable and the call waits behind them (this instance's
 * own load) up to this many times `callMs`.
 */
const BUSY_FACTOR = 4;

/** The SDKs' own retries inside one call: few and short, so that `callMs` bounds them. */
export const SDK_RETRIES = { maxRetries: 2, retryDelayInMs: 100, maxRetryDelayInMs: 800 } as const;

/**
 * Bounds every Azure Storage call of one account and recognises an outage: a call that times out,
 * cannot connect, or still gets a 5xx after the SDK's retries becomes a DependencyUnavailableError.
 * While an outage was seen in the last `coolDownMs`, calls fail at once (no pile-up of waiting
 * turns and workers); the first call after that tries again for real.
 */
export class StorageGuard {
  private downUntil = 0;
  private lastAnswerAt = 0;

  constructor(
    readonly timeouts: StorageTimeouts = DEFAULT_STORAGE_TIMEOUTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an outage was seen within the cool-down. */
  get isDown(): boolean {
    return this.now() < this.downUntil;
  }

  async run<T>(what: string, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.isDown) throw new DependencyUnavailableError('storage', `storage is unreachable (${what})`);
    const controller = new AbortController();
    const stop = this.deadline(controller);
    try {
      const result = await call(controller.signal);
      this.answered();
      return result;
    } catch (err) {
      if (!controller.signal.aborted && !isOutage(err)) this.answered();
      throw this.classify(err, what, controller.signal.aborted);
    } finally {
      stop();
    }
  }

  /**
   * Pages of a listing, each page bounded on its own (an export may take long in all, but no page
   * may hang). `open` starts the listing with the signal every page request observes.
   */
  async *pages<P>(what: string, open: (abortSignal: AbortSignal) => AsyncIterator<P>): AsyncGenerator<P> {
    const controller = new AbortController();
    const iterator = open(controller.signal);
    for (;;) {
      if (this.isDown) throw new DependencyUnavailableError('storage', `storage is unreachable (${what})`);
      const stop = this.deadline(controller);
      let step: IteratorResult<P>;
      try {
        step = await iterator.next();
        this.answered();
      } catch (err) {
        throw this.classify(err, what, controller.signal.aborted);
      } finally {
        stop();
      }
      if (step.done) return;
      yield step.value;
    }
  }

  private answered(): void {
    this.downUntil = 0;
    this.lastAnswerAt = this.now();
  }

  /** Aborts the call after `callMs` without any answer on the account, or after the busy limit. */
  private deadline(controller: AbortController): () => void {
    const started = this.now();
    const { callMs } = this.timeouts;
    let timer: NodeJS.Timeout;
    const check = () => {
      const now = this.now();
      const busyButAlive = now - this.lastAnswerAt < callMs && now - started < callMs * BUSY_FACTOR;
      if (busyButAlive) timer = setTimeout(check, Math.max(10, this.lastAnswerAt + callMs - now));
      else controller.abort();
    };
    timer = setTimeout(check, callMs);
    return () => clearTimeout(timer);
  }

  private classify(err: unknown, what: string, timedOut: boolean): unknown {
    if (!timedOut && !isOutage(err)) return err;
    this.downUntil = this.now() + this.timeouts.coolDownMs;
    const why = timedOut ? `no answer within ${this.timeouts.callMs} ms` : 'connection failed';
    return new DependencyUnavailableError('storage', `storage is unreachable (${what}: ${why})`, {
      cause: err,
    });
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/** A failure of the account rather than of the request: no connection, or the service failing. */
function isOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; code?: unknown; statusCode?: unknown; cause?: unknown };
  if (e.name === 'AbortError') return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.statusCode === 'number' && (e.statusCode === 500 || e.statusCode === 503)) return true;
  return e.cause !== undefined && e.cause !== err && isOutage(e.cause);
}
