import { randomUUID } from 'node:crypto';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { CloudAdapter } from 'botbuilder';
import restify from 'restify';
import { type ExportRouteDeps, registerExportRoutes } from './exports/export-routes';
import type { Guidance } from './guidance/guidance';
import { registerGuideRoutes } from './guidance/guide-routes';
import { type Logger, setTurnLogger } from './logging';
import { settleBackground } from './shared/background';

export interface ServerDeps {
  adapter: CloudAdapter;
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

export function createServer(deps: ServerDeps): BotServer {
  const server = restify.createServer({ name: 'migration-companion', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_ACTIVITY_BYTES, mapParams: false }));
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  server.post('/api/messages', async (req, res) => {
    if (draining) {
      res.header('Retry-After', '5');
      res.send(503, { error: 'shutting down' });
      return;
    }
    const problem = activityProblem(req.body);
    if (problem) {
      deps.logger.warn({ problem }, 'rejected a malformed activity');
      res.send(400, { error: `malformed activity: ${problem}` });
      return;
    }
    const correlationId = (req.header('x-correlation-id') as string | undefined) || randomUUID();
    const body = req.body as { type?: unknown; id?: unknown; name?: unknown } | undefined;
    const log = deps.logger.child({
      cid: correlationId,
      activityId: body?.id,
      activityType: body?.type,
      name: body?.name,
    });
    inFlight++;
    try {
      await deps.adapter.process(req, res, async (context) => {
        setTurnLogger(context, log);
        await deps.app.run(context);
      });
    } catch (err) {
      log.error({ err }, 'activity could not be processed');
      if (!res.headersSent) res.send(500, { error: 'internal error' });
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
      res.send(503, { status: 'unavailable', reason: err instanceof Error ? err.message : String(err) });
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

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
