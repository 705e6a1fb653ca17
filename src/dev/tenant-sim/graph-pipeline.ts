/**
 * One path for every Graph request, top-level or inside a $batch: statistics, latency, auth,
 * injected faults, routing, and Graph-shaped errors with request ids.
 */
import { randomUUID } from 'node:crypto';
import { serveBatch } from './batch';
import type { FaultHit, FaultInjector } from './faults';
import { defaultErrorCode, GraphHttpError, graphErrorBody } from './graph-error';
import { type GraphRequest, type GraphResponse, JSON_CONTENT_TYPE } from './graph-request';
import { matchRoute } from './graph-router';
import type { RequestStats } from './stats';
import type { Tenant } from './tenant';

export interface PipelineDeps {
  tenant: Tenant;
  faults: FaultInjector;
  stats: RequestStats;
}

const BATCH_PATH = /^\/\$batch\/?$/i;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What a fault is matched against: the path below /v1.0 plus its decoded query. */
function faultTarget(req: GraphRequest): string {
  const query = [...req.query].map(([k, v]) => `${k}=${v}`).join('&');
  let path = req.path;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep it encoded; it will fail routing with a clear 400 anyway
  }
  return query ? `${path}?${query}` : path;
}

function faultError(hit: FaultHit): GraphHttpError {
  const headers: Record<string, string> = {};
  if (hit.retryAfterSeconds !== undefined) headers['Retry-After'] = String(hit.retryAfterSeconds);
  const message =
    hit.status === 429
      ? 'Too many requests; retry after the time in Retry-After. (Injected by the tenant simulator.)'
      : `The tenant simulator injected a ${hit.status} fault for this request.`;
  return new GraphHttpError(hit.status, defaultErrorCode(hit.status), message, headers);
}

function checkAuthorization(headers: GraphRequest['headers']): void {
  const auth = headers.authorization;
  if (!auth) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  if (!/^Bearer\s+\S+/i.test(auth)) {
    throw new GraphHttpError(
      401,
      'InvalidAuthenticationToken',
      'Access token validation failure: expected a Bearer token.',
    );
  }
}

function errorResponse(err: unknown, ids: { requestId: string; clientRequestId: string }): GraphResponse {
  const e =
    err instanceof GraphHttpError
      ? err
      : new GraphHttpError(
          500,
          'InternalServerError',
          `Tenant simulator error: ${err instanceof Error ? err.message : String(err)}`,
        );
  return {
    status: e.status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, ...e.headers },
    body: graphErrorBody(e.code, e.message, ids, new Date()),
  };
}

export async function serveGraph(req: GraphRequest, deps: PipelineDeps): Promise<GraphResponse> {
  const ids = { requestId: randomUUID(), clientRequestId: req.headers['client-request-id'] ?? randomUUID() };
  const isBatch = BATCH_PATH.test(req.path) && req.method.toUpperCase() === 'POST';
  const match = isBatch ? undefined : matchRoute(req.method, req.path);
  const routeName = isBatch
    ? 'POST /$batch'
    : match && 'route' in match
      ? `${match.route.method} ${match.route.pattern}`
      : `${req.method} (unknown route)`;
  deps.stats.begin(routeName, req.inBatch);
  let faulted = false;
  let res: GraphResponse;
  try {
    // Synchronous up to the fault check, so faults are handed out in request order within a $batch.
    if (!req.inBatch && deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
    if (!req.inBatch) checkAuthorization(req.headers);
    const hit = deps.faults.take(req.method, faultTarget(req));
    if (hit) {
      faulted = true;
      if (hit.latencyMs) await sleep(hit.latencyMs);
      throw faultError(hit);
    }
    if (isBatch) {
      if (req.inBatch) throw new GraphHttpError(400, 'BadRequest', 'A $batch cannot contain another $batch.');
      res = await serveBatch(req, (inner) => serveGraph(inner, deps));
    } else if (match && 'route' in match) {
      res = match.route.handler(req, match.params, deps.tenant);
    } else {
      throw (
        match?.error ?? new GraphHttpError(404, 'ResourceNotFound', `No route for ${req.method} ${req.path}`)
      );
    }
  } catch (err) {
    res = errorResponse(err, ids);
  }
  res.headers['request-id'] = ids.requestId;
  res.headers['client-request-id'] = ids.clientRequestId;
  deps.stats.end(res.status, req.inBatch, faulted);
  return res;
}
