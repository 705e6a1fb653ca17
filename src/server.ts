import { randomUUID } from 'node:crypto';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Activity } from 'botbuilder';
import restify from 'restify';
import { type ExportRouteDeps, registerExportRoutes } from './exports/export-routes';
import type { Guidance } from './guidance/guidance';
import { registerGuideRoutes } from './guidance/guide-routes';
import type { BotAdapter } from './integrations/bot/bot-adapter';
import { type Refusal, readBody, refuseFromHeaders } from './integrations/bot/inbound-request';
import { type Logger, setTurnLogger } from './logging';
import { settleBackground } from './shared/background';

export interface ServerDeps {
  adapter: Pick<BotAdapter, 'handle' | 'requiresToken'>;
  app: Application<TurnState>;
  logger: Logger;
  /** Resolves when storage answers; used by /readyz. */
  ping(): Promise<void>;
  /** When given, the guide web pages are served under /guides. */
  guidance?: Guidance;
  /** When given, signed CSV downloads are served under /exports. */
  exports?: ExportRouteDeps;
}

export interface BotServer {
  server: restify.Server;
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting requests and waits, within `timeoutMs` in all, for turns in flight and then for
   * the background work they started (card updates promised to users).
   */
  drain(timeoutMs: number): Promise<void>;
}

const MAX_ACTIVITY_BYTES = 512 * 1024;
const READY_TIMEOUT_MS = 3_000;
/** A caller's correlation id is echoed only when it is plainly an id; otherwise one is made. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createServer(deps: ServerDeps): BotServer {
  const server = restify.createServer({ name: 'migration-companion', handleUncaughtExceptions: false });
  server.pre((_req, res, next) => {
    res.header('X-Content-Type-Options', 'nosniff');
    next();
  });
  // restify's own errors (404, 405 …) would echo the path or method; answer with the status alone.
  server.on('restifyError', (_req, _res, err: Error & { body?: { code?: string } }, done: () => void) => {
    const code = err.body?.code ?? 'Error';
    Object.assign(err, { toJSON: () => ({ code, message: code }) });
    done();
  });
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  server.post('/api/messages', async (req, res) => {
    const header: unknown = req.header('x-correlation-id');
    const correlationId = typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
    res.header('x-correlation-id', correlationId);
    const log = deps.logger.child({ cid: correlationId });
    const refuse = (refusal: Refusal, reason: string) => {
      log.warn({ status: refusal.status, reason }, 'refused a request to /api/messages');
      // Whatever of the body was not read is not wanted: close rather than drain it.
      res.header('Connection', 'close');
      res.send(refusal.status, { error: refusal.error, correlationId });
    };
    if (draining) {
      res.header('Retry-After', '5');
      res.send(503, { error: 'shutting down', correlationId });
      return;
    }
    const early = refuseFromHeaders(req.headers, {
      maxBytes: MAX_ACTIVITY_BYTES,
      requiresToken: deps.adapter.requiresToken,
    });
    if (early) return refuse(early, early.error);
    const text = await readBody(req, MAX_ACTIVITY_BYTES).catch(() => undefined);
    if (text === undefined)
      return refuse({ status: 400, error: 'the request body could not be read' }, 'read failed');
    if (typeof text !== 'string') return refuse(text, 'body over the limit');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return refuse({ status: 400, error: 'malformed activity: the body is not JSON' }, 'not JSON');
    }
    const problem = activityProblem(body);
    if (problem) return refuse({ status: 400, error: `malformed activity: ${problem}` }, problem);
    const activity = body as Activity & { name?: unknown };
    const turnLog = log.child({ activityId: activity.id, activityType: activity.type, name: activity.name });
    inFlight++;
    try {
      const outcome = await deps.adapter.handle(
        withDates(activity),
        req.header('authorization') ?? '',
        async (context) => {
          setTurnLogger(context, turnLog);
          await deps.app.run(context);
        },
      );
      if (outcome.kind === 'unauthorized') {
        turnLog.warn({ reason: outcome.reason }, 'refused an activity: its token is not valid');
        res.send(401, { error: 'unauthorized', correlationId });
      } else if (outcome.kind === 'unavailable') {
        turnLog.error({ reason: outcome.reason }, 'the Bot Framework signing keys could not be fetched');
        res.header('Retry-After', String(outcome.retryAfterSeconds));
        res.send(503, { error: 'temporarily unavailable', correlationId });
      } else if (outcome.body === undefined) {
        res.send(outcome.status);
      } else {
        res.send(outcome.status, outcome.body);
      }
    } catch (err) {
      turnLog.error({ err }, 'activity could not be processed');
      if (!res.headersSent) res.send(500, { error: 'internal error', correlationId });
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    if (draining) {
      res.send(503, { status: 'draining' });
      return;
    }
    try {
      await withTimeout(deps.ping(), READY_TIMEOUT_MS, 'storage did not answer');
      res.send(200, { status: 'ready' });
    } catch (err) {
      // The storage client's message can name hosts and accounts: it goes to the log only.
      deps.logger.warn({ err }, 'not ready: storage did not answer');
      res.send(503, { status: 'unavailable' });
    }
  });

  if (deps.guidance) registerGuideRoutes(server, deps.guidance);
  if (deps.exports) registerExportRoutes(server, deps.exports);

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      }),
    drain: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      draining = true;
      server.server.close();
      if (inFlight > 0) {
        await withTimeout(
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          timeoutMs,
          'turns still running',
        ).catch((err) => deps.logger.warn({ err, inFlight }, 'shutting down with turns in flight'));
      }
      const unfinished = await settleBackground(Math.max(0, deadline - Date.now()));
      if (unfinished > 0) deps.logger.warn({ unfinished }, 'shutting down with background work unfinished');
      server.server.closeAllConnections?.();
    },
  };
}

/** The minimum every Bot Framework activity carries; anything less is refused before it reaches a handler. */
export function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'the body is not a JSON object';
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return '"type" is missing';
  if (typeof a.serviceUrl !== 'string' || !a.serviceUrl) return '"serviceUrl" is missing';
  const conversation = a.conversation as { id?: unknown } | undefined;
  if (typeof conversation?.id !== 'string') return '"conversation.id" is missing';
  const from = a.from as { id?: unknown } | undefined;
  if (typeof from?.id !== 'string') return '"from.id" is missing';
  return undefined;
}

/** Timestamps as Date objects, as botbuilder's own request handling leaves them; the raw text is kept. */
function withDates(activity: Activity): Activity {
  const a = activity as Activity & Record<string, unknown>;
  for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    const raw = a[field];
    if (typeof raw === 'string') {
      a[`raw${field[0]!.toUpperCase()}${field.slice(1)}`] = raw;
      a[field] = new Date(raw);
    }
  }
  return activity;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
