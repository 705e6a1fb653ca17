/**
 * A local Bot Connector that enforces Teams' rate limits, for the broadcast benchmark and tests.
 * It speaks the v3 wire format the bot uses (create a conversation, send, reply, update) and:
 * - allows 50 requests per sliding second for the whole tenant, and per conversation (thread)
 *   7 per 1 s, 8 per 2 s, 60 per 30 s and 1,800 per hour; beyond them it answers 429 with a
 *   Retry-After of the seconds until the window has room again;
 * - fails a configurable share of requests at random with a 5xx (not accepted, nothing recorded);
 * - records every message it accepts (conversation, activity id, time, the activity itself).
 * Requests it refuses do not count against the windows. Development and test tool only.
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

export interface RateWindow {
  count: number;
  windowMs: number;
}

export const TEAMS_TENANT_WINDOW: RateWindow = { count: 50, windowMs: 1_000 };
export const TEAMS_THREAD_WINDOWS: readonly RateWindow[] = [
  { count: 7, windowMs: 1_000 },
  { count: 8, windowMs: 2_000 },
  { count: 60, windowMs: 30_000 },
  { count: 1_800, windowMs: 3_600_000 },
];

export interface ConnectorSimOptions {
  port?: number;
  host?: string;
  tenantWindow?: RateWindow;
  threadWindows?: readonly RateWindow[];
  /** Share of requests (0…1) answered with a random 5xx before anything else is checked. */
  failureRate?: number;
  failureStatuses?: readonly number[];
  /** Answer delay, uniformly between the two values (ms). */
  latencyMs?: [number, number];
  /** Keep each accepted activity's body (default true; the benchmark only needs ids). */
  keepActivities?: boolean;
  random?: () => number;
  now?: () => number;
}

export interface SimMessage {
  conversationId: string;
  activityId: string;
  /** Epoch ms when it was accepted. */
  at: number;
  activity?: Record<string, unknown>;
}

export interface ConnectorSimStats {
  requests: number;
  /** Messages accepted (POST …/activities). */
  accepted: number;
  /** In-place updates accepted (PUT …/activities/{id}). */
  updates: number;
  conversationsCreated: number;
  throttled: number;
  /** Random and injected 5xx answers. */
  failed: number;
  /** Answers forced by failNext(). */
  injected: number;
  firstAcceptedAt?: number;
  lastAcceptedAt?: number;
  /** The most requests accepted within one tenant window. */
  peakTenantWindow: number;
  /** The most requests accepted within one conversation's shortest window. */
  peakThreadWindow: number;
}

/** `GET /_sim/record`: what the simulator accepted and refused so far. */
export interface ConnectorSimRecord {
  stats: ConnectorSimStats;
  messages: { conversationId: string; at: number }[];
  updateTimes: number[];
  throttleTimes: number[];
  /** Personal chats created: [member id, conversation id]. */
  conversations: [string, string][];
}

export interface InjectedFailure {
  status: number;
  code?: string;
  retryAfterSeconds?: number;
  /** How many requests get it (default 1). */
  times?: number;
  /** Only requests whose method and path match, e.g. /^POST \/v3\/conversations$/. */
  match?: RegExp;
}

export interface ConnectorSim {
  url: string;
  port: number;
  readonly messages: readonly SimMessage[];
  /** Epoch ms of every accepted in-place update (PUT …/activities/{id}). */
  readonly updateTimes: readonly number[];
  /** When each request refused with 429 for the tenant's or a thread's limit arrived (epoch ms). */
  readonly throttleTimes: readonly number[];
  /** Personal chats created, by the member id asked for. */
  readonly conversations: ReadonlyMap<string, string>;
  stats(): ConnectorSimStats;
  failNext(failure: InjectedFailure): void;
  reset(): void;
  close(): Promise<void>;
}

class SlidingWindow {
  private readonly times: number[] = [];
  private head = 0;
  constructor(readonly limit: RateWindow) {}

  /** Milliseconds until there is room, 0 when there is room now. */
  waitMs(now: number): number {
    this.prune(now);
    if (this.times.length - this.head < this.limit.count) return 0;
    return this.times[this.head]! + this.limit.windowMs - now;
  }

  add(now: number): number {
    this.times.push(now);
    return this.times.length - this.head;
  }

  private prune(now: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - this.limit.windowMs) this.head++;
    if (this.head > 1024) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
  }
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export async function startConnectorSim(options: ConnectorSimOptions = {}): Promise<ConnectorSim> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const tenantLimit = options.tenantWindow ?? TEAMS_TENANT_WINDOW;
  const threadLimits = options.threadWindows ?? TEAMS_THREAD_WINDOWS;
  const failureStatuses = options.failureStatuses ?? [500, 502, 503, 504];
  const keep = options.keepActivities ?? true;

  let tenant = new SlidingWindow(tenantLimit);
  let threads = new Map<string, SlidingWindow[]>();
  const messages: SimMessage[] = [];
  const updateTimes: number[] = [];
  const throttleTimes: number[] = [];
  const conversations = new Map<string, string>();
  const activities = new Set<string>();
  const injected: InjectedFailure[] = [];
  let counter = 0;
  const blank = (): ConnectorSimStats => ({
    requests: 0,
    accepted: 0,
    updates: 0,
    conversationsCreated: 0,
    throttled: 0,
    failed: 0,
    injected: 0,
    peakTenantWindow: 0,
    peakThreadWindow: 0,
  });
  let stats = blank();

  const threadWindows = (conversationId: string) => {
    // A channel reply chain is its own thread; a new post in a channel belongs to the channel.
    let w = threads.get(conversationId);
    if (!w) {
      w = threadLimits.map((l) => new SlidingWindow(l));
      threads.set(conversationId, w);
    }
    return w;
  };

  /** 0 when the request may go through, else the seconds to put in Retry-After. */
  const throttle = (at: number, thread: SlidingWindow[] | undefined): number => {
    const waits = [tenant.waitMs(at), ...(thread ?? []).map((w) => w.waitMs(at))];
    const wait = Math.max(...waits);
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
  };

  const admit = (at: number, thread: SlidingWindow[] | undefined) => {
    stats.peakTenantWindow = Math.max(stats.peakTenantWindow, tenant.add(at));
    thread?.forEach((w, i) => {
      const n = w.add(at);
      if (i === 0) stats.peakThreadWindow = Math.max(stats.peakThreadWindow, n);
    });
  };

  const handle = async (
    req: IncomingMessage,
    body: string,
  ): Promise<{ status: number; headers?: Record<string, string>; body: string }> => {
    const at = now();
    const path = (req.url ?? '').split('?')[0]!;
    const method = req.method ?? 'GET';

    if (path.startsWith('/_sim/')) {
      if (method === 'GET' && path === '/_sim/stats') return { status: 200, body: JSON.stringify(stats) };
      if (method === 'GET' && path === '/_sim/messages') {
        return {
          status: 200,
          body: JSON.stringify(
            messages.map(({ conversationId, activityId, at: t }) => ({ conversationId, activityId, at: t })),
          ),
        };
      }
      if (method === 'GET' && path === '/_sim/record') {
        // Everything a benchmark scores, for a simulator running in a process of its own.
        return {
          status: 200,
          body: JSON.stringify({
            stats,
            messages: messages.map(({ conversationId, at: t }) => ({ conversationId, at: t })),
            updateTimes,
            throttleTimes,
            conversations: [...conversations],
          } satisfies ConnectorSimRecord),
        };
      }
      if (method === 'POST' && path === '/_sim/reset') {
        reset();
        return { status: 200, body: '{}' };
      }
      return { status: 404, body: errorBody('NotFound', `no simulator route ${method} ${path}`) };
    }

    const create = method === 'POST' && path === '/v3/conversations';
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (!create && !m)
      return { status: 404, body: errorBody('NotFound', `${method} ${path} is not a connector route`) };
    if (m && method !== 'POST' && method !== 'PUT') {
      return { status: 405, body: errorBody('MethodNotAllowed', `${method} is not supported on ${path}`) };
    }
    stats.requests++;

    let payload: Record<string, unknown>;
    try {
      payload = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        throw new Error('not an object');
    } catch {
      return { status: 400, body: errorBody('BadSyntax', 'The body is not a JSON object.') };
    }

    const forced = injected.find(
      (f) => (f.times ?? 1) > 0 && (!f.match || f.match.test(`${method} ${path}`)),
    );
    if (forced) {
      forced.times = (forced.times ?? 1) - 1;
      if (forced.times <= 0) injected.splice(injected.indexOf(forced), 1);
      stats.injected++;
      if (forced.status >= 500) stats.failed++;
      if (forced.status === 429) stats.throttled++;
      return {
        status: forced.status,
        headers:
          forced.retryAfterSeconds !== undefined ? { 'Retry-After': String(forced.retryAfterSeconds) } : {},
        body: errorBody(forced.code ?? `Status${forced.status}`, 'Injected by the connector simulator.'),
      };
    }
    if ((options.failureRate ?? 0) > 0 && random() < options.failureRate!) {
      stats.failed++;
      const status = failureStatuses[Math.floor(random() * failureStatuses.length)] ?? 503;
      return { status, body: errorBody('ServiceError', 'Simulated connector failure.') };
    }

    const conversationId = m ? decodeURIComponent(m[1]!) : undefined;
    const thread = conversationId ? threadWindows(conversationId) : undefined;
    const retryAfter = throttle(at, thread);
    if (retryAfter > 0) {
      stats.throttled++;
      throttleTimes.push(at);
      return {
        status: 429,
        headers: { 'Retry-After': String(retryAfter) },
        body: errorBody('ThrottledTooManyRequests', 'Too many requests; slow down.'),
      };
    }

    if (create) {
      const members = Array.isArray(payload.members) ? (payload.members as { id?: unknown }[]) : [];
      const member = typeof members[0]?.id === 'string' ? members[0].id : '';
      if (payload.isGroup === true) {
        const channel = (payload.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
        if (!channel)
          return {
            status: 400,
            body: errorBody('BadArgument', 'A group conversation needs channelData.channel.id.'),
          };
        admit(at, undefined);
        const activityId = `${++counter}`;
        stats.conversationsCreated++;
        return {
          status: 201,
          body: JSON.stringify({ id: `${channel};messageid=${activityId}`, activityId }),
        };
      }
      if (!member) return { status: 400, body: errorBody('BadArgument', 'members[0].id is required.') };
      admit(at, undefined);
      let id = conversations.get(member);
      if (!id) {
        id = `a:1${createHash('sha256').update(member).digest('base64url').slice(0, 30)}`;
        conversations.set(member, id);
        stats.conversationsCreated++;
      }
      return { status: 201, body: JSON.stringify({ id }) };
    }

    if (method === 'PUT') {
      const activityId = decodeURIComponent(m![2] ?? '');
      if (!activities.has(`${conversationId}\u0000${activityId}`)) {
        return {
          status: 404,
          body: errorBody('ActivityNotFoundInConversation', `No activity ${activityId}.`),
        };
      }
      admit(at, thread);
      stats.updates++;
      updateTimes.push(at);
      return { status: 200, body: JSON.stringify({ id: activityId }) };
    }

    if (typeof payload.type !== 'string') {
      return { status: 400, body: errorBody('BadSyntax', 'The activity has no type.') };
    }
    admit(at, thread);
    const activityId = `${at}-${++counter}`;
    activities.add(`${conversationId}\u0000${activityId}`);
    messages.push({
      conversationId: conversationId!,
      activityId,
      at,
      ...(keep ? { activity: payload } : {}),
    });
    stats.accepted++;
    stats.firstAcceptedAt ??= at;
    stats.lastAcceptedAt = at;
    return { status: 201, body: JSON.stringify({ id: activityId }) };
  };

  const reset = () => {
    tenant = new SlidingWindow(tenantLimit);
    threads = new Map();
    messages.length = 0;
    updateTimes.length = 0;
    throttleTimes.length = 0;
    conversations.clear();
    activities.clear();
    injected.length = 0;
    stats = blank();
  };

  const delay = () => {
    const [min, max] = options.latencyMs ?? [0, 0];
    return max > 0 ? min + random() * (max - min) : 0;
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8')).then(
        (answer) => {
          const send = () => {
            res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
            res.end(answer.body);
          };
          const ms = delay();
          if (ms > 0) setTimeout(send, ms);
          else send();
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(errorBody('SimulatorError', err instanceof Error ? err.message : String(err)));
        },
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    messages,
    updateTimes,
    throttleTimes,
    conversations,
    stats: () => ({ ...stats }),
    failNext: (failure) => injected.push({ ...failure }),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
