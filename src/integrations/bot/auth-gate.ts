/**
 * Puts Bot Framework's token validation behind one rule: a request is authenticated, unauthorized
 * (401) or, when the signing keys cannot be fetched, refused for now (503). The library throws its
 * own messages (and, for a key endpoint it cannot reach, that endpoint's URL) for bad tokens; those
 * are logged here, never sent back. Keys are cached by the library once fetched; while they cannot
 * be, requests are answered 503 for a growing pause instead of each retrying the fetch.
 */

export type AuthOutcome<T> =
  | { kind: 'authenticated'; result: T }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'unavailable'; reason: string; retryAfterSeconds: number };

export interface AuthGateOptions {
  /** How long one authentication (a key fetch included) may take before it counts as unreachable. */
  timeoutMs?: number;
  /** The first pause after a failed key fetch; each further failure doubles it, up to `maxPauseMs`. */
  pauseMs?: number;
  maxPauseMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_PAUSE_MS = 10_000;
const DEFAULT_MAX_PAUSE_MS = 5 * 60_000;

class KeyEndpointTimeout extends Error {
  constructor() {
    super('token validation did not finish in time');
    this.name = 'KeyEndpointTimeout';
  }
}

/**
 * True for failures to fetch the signing keys: the HTTP client's own error (refused, reset, bad
 * JSON), the library's "Failed to load …" (a 5xx AuthenticationError) or our timeout. A bad token
 * never produces one of these, so a caller cannot trip the pause with a crafted token.
 */
export function isKeyEndpointFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'FetchError' || err instanceof KeyEndpointTimeout) return true;
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 500 && /^Failed to load/.test(err.message);
}

/** The name of what went wrong, for the log: the library's message for a token, no URL. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown';
  return `${err.name}: ${err.message}`.replace(/https?:\/\/\S+/g, '<url>').slice(0, 200);
}

export class AuthGate {
  private readonly timeoutMs: number;
  private readonly pauseMs: number;
  private readonly maxPauseMs: number;
  private readonly now: () => number;
  /** Keys were fetched since the last failure: requests validate in parallel from the cache. */
  private keysKnownGood = false;
  private failures = 0;
  private pausedUntil = 0;
  /** While the keys are not known good, one authentication at a time, so one fetch at a time. */
  private probe: Promise<unknown> = Promise.resolve();

  constructor(options: AuthGateOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
    this.maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
    this.now = options.now ?? Date.now;
  }

  async authenticate<T>(validate: () => Promise<T>): Promise<AuthOutcome<T>> {
    const paused = this.pausedOutcome();
    if (paused) return paused;
    if (this.keysKnownGood) return this.run(validate);
    const turn = this.probe.then(async () => this.pausedOutcome() ?? this.run(validate));
    this.probe = turn.catch(() => undefined);
    return turn;
  }

  private pausedOutcome(): AuthOutcome<never> | undefined {
    const left = this.pausedUntil - this.now();
    if (left <= 0) return undefined;
    return {
      kind: 'unavailable',
      reason: 'the signing keys could not be fetched recently; paused',
      retryAfterSeconds: Math.ceil(left / 1000),
    };
  }

  private async run<T>(validate: () => Promise<T>): Promise<AuthOutcome<T>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        validate(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new KeyEndpointTimeout()), this.timeoutMs);
        }),
      ]);
      this.keysKnownGood = true;
      this.failures = 0;
      return { kind: 'authenticated', result };
    } catch (err) {
      if (!isKeyEndpointFailure(err)) return { kind: 'unauthorized', reason: reasonOf(err) };
      this.keysKnownGood = false;
      this.failures++;
      const pause = Math.min(this.pauseMs * 2 ** (this.failures - 1), this.maxPauseMs);
      this.pausedUntil = this.now() + pause;
      return { kind: 'unavailable', reason: reasonOf(err), retryAfterSeconds: Math.ceil(pause / 1000) };
    } finally {
      clearTimeout(timer);
    }
  }
}
