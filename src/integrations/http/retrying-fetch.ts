/**
 * The one retry policy for the old MDMs' REST APIs (Workspace ONE UEM, Jamf Pro), the same as the
 * Graph client's: 429 honouring Retry-After, 5xx and timeouts with jittered exponential backoff
 * capped at 8 s, a bounded number of attempts, then a typed error an admin can act on
 * (`SourceMdmError`). It also counts the HTTP requests it sends so a sync can log its cost.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SourceMdmError, type SourceMdmFailure } from '../../ports/source-mdm';

/**
 * 500/502 are retried as well as Graph's 429/503/504: the Omnissa UEM SDK retries exactly this
 * set (docs/vendor-apis.md §1.6, W5 `client/retry.go`).
 */
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 8_000;
const FIRST_BACKOFF_MS = 250;

/** What an admin must fix when the vendor refuses a request. */
export interface AccessHints {
  /** 401: the setting(s) holding the credential, e.g. `WORKSPACE_ONE_CLIENT_SECRET`. */
  credentials: string;
  /** 403: the API role or privilege the account lacks, e.g. `Read Computers`. */
  permission: string;
  /**
   * Refines a refusal (any 4xx that is not retried) from the vendor's error body, e.g. Workspace ONE's
   * 403 errorCode 1013 is a wrong tenant code, not a missing role; or a token endpoint's 400
   * `invalid_client`. Undefined keeps the default: 401 credentials, 403 permission, else bad-response.
   */
  refine?: (status: number, body: string) => { failure: SourceMdmFailure; missing?: string } | undefined;
}

export interface VendorRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  url: string | URL;
  /** Read before every attempt, so a refreshed bearer token is picked up. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  body?: string | URLSearchParams;
  access: AccessHints;
  /**
   * Called once on the first 401; the request is then sent again (outside the attempt budget). A
   * bearer token can expire mid-sync: drop the cached one here so `headers` fetches a new one.
   */
  onUnauthorized?: () => void | Promise<void>;
  /** Statuses answered as a response rather than an error, e.g. 404 for "the vendor no longer lists it". */
  accept?: readonly number[];
  signal?: AbortSignal;
}

export interface VendorResponse {
  status: number;
  headers: Headers;
  /** The body as text ('' for 204). Read within the attempt, so a reset mid-body is retried too. */
  text: string;
}

export interface RetryInfo {
  /** Path without the query: never personal data. */
  path: string;
  /** HTTP status, or 0 for a timeout or network failure. */
  status: number;
  attempt: number;
  delayMs: number;
}

export interface RetryingFetchOptions {
  /** The configured source id, carried by every SourceMdmError. */
  source: string;
  /** The vendor's name as admins know it, for error messages ("Workspace ONE"). */
  vendorName: string;
  /** Attempts per request, the first included. Default 5. */
  maxAttempts?: number;
  /** Per-attempt timeout (headers and body). Default 30 s. */
  timeoutMs?: number;
  /** A Retry-After (or rate-limit reset) beyond this gives up now instead of holding a sync for minutes. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Injected so tests can observe waits; defaults to a real, abortable timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  fetch?: typeof fetch;
  onRetry?: (info: RetryInfo) => void;
}

export class RetryingFetch {
  private sent = 0;
  private pausedUntil = 0;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: RetryingFetchOptions) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** HTTP requests sent so far (every attempt counts): the cost of a sync. */
  get requests(): number {
    return this.sent;
  }

  /** Sends the request with the retry policy; resolves with a 2xx answer or throws SourceMdmError. */
  async send(req: VendorRequest): Promise<VendorResponse> {
    const path = new URL(req.url).pathname;
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      // While the vendor asks for a pause, new requests through this client wait too, not only the one
      // throttled (which has waited already when it tries again).
      const wait = this.pausedUntil - Date.now();
      if (attempt === 1 && wait > 0) await this.sleep(wait, req.signal);
      const outcome = await this.attempt(req);
      if ('error' in outcome) {
        if (req.signal?.aborted) throw req.signal.reason;
        this.retryOrThrow(path, 0, attempt, undefined, `${outcome.error}`);
        const delayMs = backoff(attempt);
        this.options.onRetry?.({ path, status: 0, attempt, delayMs });
        await this.sleep(delayMs, req.signal);
        continue;
      }
      const res = outcome.response;
      this.notePause(res.headers);
      if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
      if (res.status === 401 && req.onUnauthorized && !reauthenticated) {
        reauthenticated = true;
        await req.onUnauthorized();
        attempt--;
        continue;
      }
      if (!RETRYABLE.has(res.status)) throw this.refusal(path, res, req.access);
      const retryAfter = res.headers.get('retry-after') ?? undefined;
      const delayMs = retryAfterMs(retryAfter) ?? backoff(attempt);
      this.retryOrThrow(path, res.status, attempt, delayMs, retryAfter);
      if (res.status === 429) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delayMs);
      this.options.onRetry?.({ path, status: res.status, attempt, delayMs });
      await this.sleep(delayMs, req.signal);
    }
  }

  /**
   * `send`, then the body parsed as JSON; undefined for 204 or an empty body (Workspace ONE answers
   * 204 when a search finds nothing). A body that is not JSON is a 'bad-response'.
   */
  async json(req: VendorRequest): Promise<unknown> {
    const res = await this.send(req);
    if (res.status === 204 || res.text.trim() === '') return undefined;
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw this.error(
        `${this.options.vendorName} answered ${new URL(req.url).pathname} with a body that is not JSON.`,
        'bad-response',
        res.status,
      );
    }
  }

  /** A SourceMdmError for this client's source. */
  error(message: string, failure: SourceMdmFailure, status?: number, missing?: string): SourceMdmError {
    return new SourceMdmError(message, failure, this.options.source, status, missing);
  }

  private async attempt(req: VendorRequest): Promise<{ response: VendorResponse } | { error: unknown }> {
    try {
      // Headers first: fetching a token has its own timeout and retries, outside this attempt's clock.
      const headers = (await req.headers?.()) ?? {};
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      this.sent++;
      const res = await this.fetchImpl(req.url, {
        method: req.method ?? 'GET',
        headers,
        body: req.body,
        signal,
      });
      const text = await res.text();
      return { response: { status: res.status, headers: res.headers, text } };
    } catch (err) {
      if (err instanceof SourceMdmError) throw err; // e.g. the token endpoint refused the credentials
      return { error: err };
    }
  }

  /** Throws when no attempt is left or the wait asked for is too long. */
  private retryOrThrow(
    path: string,
    status: number,
    attempt: number,
    delayMs: number | undefined,
    detail: string | undefined,
  ): void {
    const tooLong = delayMs !== undefined && delayMs > this.maxRetryAfterMs;
    if (attempt < this.maxAttempts && !tooLong) return;
    const vendor = this.options.vendorName;
    if (status === 429) {
      throw this.error(
        `${vendor} is throttling requests to ${path} (429); gave up after ${attempt} attempt(s)${detail ? `, last Retry-After ${detail}` : ''}.`,
        'throttled',
        429,
      );
    }
    const what =
      status === 0 ? `did not answer (${detail ?? 'network error'})` : `is unavailable (${status})`;
    throw this.error(
      `${vendor} ${path} ${what}; gave up after ${attempt} attempt(s).`,
      'unavailable',
      status || undefined,
    );
  }

  /** A refusal the retries cannot help with, in terms of what the admin must fix. */
  private refusal(path: string, res: VendorResponse, access: AccessHints): SourceMdmError {
    const vendor = this.options.vendorName;
    const refined = access.refine?.(res.status, res.text);
    const failure: SourceMdmFailure =
      refined?.failure ??
      (res.status === 401 ? 'credentials' : res.status === 403 ? 'permission' : 'bad-response');
    const missing =
      refined?.missing ??
      (failure === 'credentials'
        ? access.credentials
        : failure === 'permission'
          ? access.permission
          : undefined);
    const message =
      failure === 'credentials'
        ? `${vendor} refused the credentials (${res.status} on ${path}); check ${missing}.`
        : failure === 'permission'
          ? `${vendor} refused ${path} (${res.status}): the API account needs ${missing}.`
          : `${vendor} answered ${path} with ${res.status}, which the connector does not expect.`;
    return this.error(message, failure, res.status, missing);
  }

  /** Honours X-RateLimit-Remaining: 0 with its reset time (epoch seconds), within the same cap as Retry-After. */
  private notePause(headers: Headers): void {
    if (headers.get('x-ratelimit-remaining') !== '0') return;
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!Number.isFinite(reset)) return;
    const until = reset * 1000;
    if (until - Date.now() <= this.maxRetryAfterMs) this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Exponential backoff with jitter (half fixed, half random), capped: the Graph client's policy. */
function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base / 2 + Math.random() * (base / 2));
}
