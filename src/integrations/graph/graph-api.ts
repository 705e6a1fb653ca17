import type { TokenCredential } from '@azure/identity';
import type { Context } from '@microsoft/microsoft-graph-client';
import { Client, GraphError, HTTPMessageHandler, type Middleware } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';

/** Graph answered with an error we do not retry, or kept failing after every allowed attempt. */
export class GraphRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'GraphRequestError';
  }
}

export interface BatchRequest {
  id: string;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchResponse<T = unknown> {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: T;
}

interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

export interface GraphApiOptions {
  baseUrl: string;
  credential: TokenCredential;
  maxAttempts: number;
  /** Injected so tests can observe waits; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { path: string; status: number; attempt: number; delayMs: number }) => void;
}

const RETRYABLE = new Set([429, 503, 504]);
export const MAX_BATCH_SIZE = 20;
/** Retry-After beyond this is treated as "give up now" rather than holding a request for minutes. */
const MAX_RETRY_AFTER_MS = 60_000;
/** One request that has not answered by then is given up and counted as a 504 (retried, bounded). */
const REQUEST_TIMEOUT_MS = 10_000;
const TIMED_OUT = Symbol('timed out');

/**
 * Adds the bearer token to every request. The library's own handler only does so for https Graph
 * hosts, which would leave requests to the local tenant simulator unauthenticated.
 */
class BearerTokenMiddleware implements Middleware {
  private next?: Middleware;
  constructor(private readonly provider: TokenCredentialAuthenticationProvider) {}
  async execute(context: Context): Promise<void> {
    const token = await this.provider.getAccessToken();
    const options = context.options ?? {};
    const headers = new Headers(options.headers as HeadersInit | undefined);
    headers.set('Authorization', `Bearer ${token}`);
    context.options = { ...options, headers: Object.fromEntries(headers.entries()) };
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Thin layer over graph-client: one retry policy (429/503/504, honouring Retry-After, bounded),
 * a pause shared by every caller of this client while Graph is throttling, paging and $batch.
 */
export class GraphApi {
  readonly client: Client;
  private readonly sleep: (ms: number) => Promise<void>;
  private pausedUntil = 0;

  constructor(private readonly options: GraphApiOptions) {
    const auth = new BearerTokenMiddleware(
      new TokenCredentialAuthenticationProvider(options.credential, {
        scopes: ['https://graph.microsoft.com/.default'],
      }),
    );
    auth.setNext(new HTTPMessageHandler());
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: `${options.baseUrl}/`,
      defaultVersion: 'v1.0',
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get<T>(path: string, headers?: Record<string, string>): Promise<T> {
    return this.withRetry(path, () => {
      const req = this.client.api(path);
      if (headers) req.headers(headers);
      return req.get() as Promise<T>;
    });
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.withRetry(path, () => this.client.api(path).post(body) as Promise<T>);
  }

  /** Every item of a collection, following @odata.nextLink page by page. */
  async *pageAll<T>(path: string, headers?: Record<string, string>): AsyncGenerator<T> {
    for await (const page of this.pages<T>(path, headers)) yield* page;
  }

  /** A collection one page (one request) at a time, so callers can count requests and stop between pages. */
  async *pages<T>(path: string, headers?: Record<string, string>): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    while (next) {
      const page: { items: T[]; next?: string } = await this.page<T>(next, headers);
      yield page.items;
      next = page.next;
    }
  }

  /** One page of a collection and the path of the next one (relative, ready for `page` or `pages`). */
  async page<T>(path: string, headers?: Record<string, string>): Promise<{ items: T[]; next?: string }> {
    const page = await this.get<GraphPage<T>>(path, headers);
    const link = page['@odata.nextLink'];
    return { items: page.value ?? [], ...(link ? { next: this.relative(link) } : {}) };
  }

  /**
   * Runs up to 20 requests per $batch call. Inner requests that were throttled are sent again
   * (in a new batch) after the longest Retry-After, within the same attempt budget.
   */
  async batch<T = unknown>(requests: BatchRequest[]): Promise<Map<string, BatchResponse<T>>> {
    const results = new Map<string, BatchResponse<T>>();
    for (let i = 0; i < requests.length; i += MAX_BATCH_SIZE) {
      let pending = requests.slice(i, i + MAX_BATCH_SIZE);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const res = await this.post<{ responses: BatchResponse<T>[] }>('/$batch', {
          requests: pending.map((r) => ({
            ...r,
            headers: r.body ? { 'Content-Type': 'application/json', ...r.headers } : r.headers,
          })),
        });
        let delayMs = 0;
        const retry: BatchRequest[] = [];
        for (const r of res.responses) {
          if (RETRYABLE.has(r.status) && attempt < this.options.maxAttempts) {
            retry.push(pending.find((p) => p.id === r.id)!);
            delayMs = Math.max(
              delayMs,
              this.delayFor(r.headers?.['Retry-After'] ?? r.headers?.['retry-after'], attempt),
            );
          } else {
            results.set(r.id, r);
          }
        }
        pending = retry;
        if (pending.length > 0) {
          this.options.onRetry?.({ path: '/$batch', status: 429, attempt, delayMs });
          await this.sleep(delayMs);
        }
      }
    }
    return results;
  }

  /** nextLink is absolute; graph-client wants a path relative to the configured base and version. */
  private relative(link: string): string {
    const u = new URL(link);
    return u.pathname.replace(/^\/v1\.0/, '') + u.search;
  }

  private async withRetry<T>(path: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // Throttling is per app and tenant: while Graph asks for a pause, new calls wait too.
      const wait = this.pausedUntil - Date.now();
      if (attempt === 1 && wait > 0) await this.sleep(wait);
      let timer: NodeJS.Timeout | undefined;
      try {
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(TIMED_OUT), REQUEST_TIMEOUT_MS);
        });
        return await Promise.race([call(), deadline]);
      } catch (err) {
        const status = err === TIMED_OUT ? 504 : err instanceof GraphError ? err.statusCode : -1;
        const code = err instanceof GraphError ? (err.code ?? undefined) : undefined;
        const retryAfter = err instanceof GraphError ? err.headers?.get('Retry-After') : undefined;
        if (!RETRYABLE.has(status)) {
          const what = err instanceof Error ? err.message : String(err);
          throw new GraphRequestError(
            `Microsoft Graph ${path} failed (${status}): ${what}`,
            status,
            code,
            attempt,
          );
        }
        const delayMs = this.delayFor(retryAfter ?? undefined, attempt);
        if (attempt >= this.options.maxAttempts || delayMs > MAX_RETRY_AFTER_MS) {
          throw new GraphRequestError(
            `Microsoft Graph ${path} is ${status === 429 ? 'throttling requests' : 'unavailable'} (${status}); gave up after ${attempt} attempt(s)${retryAfter ? `, last Retry-After ${retryAfter}s` : ''}`,
            status,
            code,
            attempt,
          );
        }
        if (status === 429) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delayMs);
        this.options.onRetry?.({ path, status, attempt, delayMs });
        await this.sleep(delayMs);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Retry-After when Graph sent one; else exponential backoff with jitter, capped. */
  private delayFor(retryAfter: string | undefined, attempt: number): number {
    const seconds = retryAfter !== undefined ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const base = Math.min(8_000, 250 * 2 ** (attempt - 1));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }
}
