/**
 * The simulator's HTTP server (node:http): Graph under /v1.0, control API under /_sim/, control
 * page at /. Listens on 127.0.0.1 and an ephemeral port unless told otherwise.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, lowerCaseHeaders, originOf, readBodyText } from '../http-server';
import type { OldMdmSimTarget } from '../old-mdm-sim-client';
import { conditionalAccessControl, demoPolicies, setPolicies } from './conditional-access';
import { handleControl } from './control-routes';
import { demoSeed } from './demo';
import { FaultInjector } from './faults';
import { graphErrorBody } from './graph-error';
import { type PipelineDeps, serveGraph } from './graph-pipeline';
import { type GraphRequest, type GraphResponse, JSON_CONTENT_TYPE } from './graph-request';
import { oldMdmView } from './old-mdm-view';
import { exportDownload } from './routes-reports';
import type { TenantSeed } from './seed';
import { RequestStats } from './stats';
import { Tenant } from './tenant';

export interface TenantSimulator {
  /** e.g. http://127.0.0.1:PORT (Graph base is `${url}/v1.0`). */
  url: string;
  /** The in-memory model, for tests to inspect and seed. */
  tenant: Tenant;
  /** Per-test fault injection. */
  faults: FaultInjector;
  /** Counts of requests served. */
  stats: RequestStats;
  close(): Promise<void>;
}

export interface TenantSimulatorOptions {
  port?: number;
  host?: string;
  /** Default 'demo'. */
  seed?: TenantSeed | 'demo' | 'empty';
  /** The old-MDM simulator whose view the control page shows next to Graph's (GET /_sim/old-mdm). */
  oldMdm?: OldMdmSimTarget;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function loadSeed(tenant: Tenant, seed: TenantSimulatorOptions['seed']): void {
  if (seed === 'empty') tenant.load({ users: [] });
  else if (seed === undefined || seed === 'demo') tenant.load(demoSeed());
  else tenant.load(seed);
  setPolicies(tenant, seed === undefined || seed === 'demo' ? demoPolicies() : []);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBodyText(req, MAX_BODY_BYTES);
  if (text === undefined) throw new BodyError(413, `Request body larger than ${MAX_BODY_BYTES} bytes.`);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'The request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, headers);
  res.end(payload);
}

function sendGraph(res: ServerResponse, r: GraphResponse): void {
  send(res, r.status, r.headers, r.body);
}

function plainGraphError(status: number, code: string, message: string): GraphResponse {
  const ids = { requestId: randomUUID(), clientRequestId: randomUUID() };
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'request-id': ids.requestId },
    body: graphErrorBody(code, message, ids, new Date()),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PipelineDeps & { fallbackOrigin: string; oldMdm?: OldMdmSimTarget },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const isGraph = url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/');
  let body: unknown;
  try {
    body = await readBody(req);
  } catch (err) {
    const e = err instanceof BodyError ? err : new BodyError(400, String(err));
    if (isGraph) return sendGraph(res, plainGraphError(e.status, 'BadRequest', e.message));
    return send(
      res,
      e.status,
      { 'Content-Type': 'application/json' },
      { error: { code: 'BadRequest', message: e.message } },
    );
  }
  if (isGraph) {
    const graphReq: GraphRequest = {
      method,
      path: url.pathname.slice('/v1.0'.length) || '/',
      query: url.searchParams,
      headers: lowerCaseHeaders(req),
      body,
      origin: req.headers.host ? `http://${req.headers.host}` : deps.fallbackOrigin,
      inBatch: false,
    };
    return sendGraph(res, await serveGraph(graphReq, deps));
  }
  if (url.pathname.startsWith('/_blob/exports/') && method === 'GET') {
    // A finished report export, as Intune hands it out: outside Graph, no bearer token.
    const zip = exportDownload(deps.tenant, decodeURIComponent(url.pathname.slice('/_blob/exports/'.length)));
    if (!zip)
      return send(
        res,
        404,
        { 'Content-Type': 'application/xml' },
        '<Error><Code>BlobNotFound</Code></Error>',
      );
    res.writeHead(200, {
      'Content-Type': 'application/x-zip-compressed',
      'Content-Length': String(zip.length),
    });
    res.end(zip);
    return;
  }
  if (url.pathname === '/_sim/old-mdm' && method === 'GET') {
    return send(
      res,
      200,
      { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      await oldMdmView(deps.oldMdm),
    );
  }
  const ca = conditionalAccessControl(method, url.pathname, body, deps.tenant);
  if (ca)
    return send(res, ca.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, ca.body);
  if (url.pathname === '/' || url.pathname.startsWith('/_sim/')) {
    const r = handleControl(
      { method, path: url.pathname, query: url.searchParams, body },
      { ...deps, reseed: (seed) => loadSeed(deps.tenant, seed) },
    );
    return send(res, r.status, { 'Content-Type': r.contentType, 'Cache-Control': 'no-store' }, r.body);
  }
  return sendGraph(
    res,
    plainGraphError(
      404,
      'ResourceNotFound',
      `The tenant simulator serves Graph under /v1.0, its controls under /_sim/; not ${url.pathname}.`,
    ),
  );
}

export async function startTenantSimulator(options: TenantSimulatorOptions = {}): Promise<TenantSimulator> {
  const tenant = new Tenant();
  loadSeed(tenant, options.seed);
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const deps = { tenant, faults, stats, fallbackOrigin: '', oldMdm: options.oldMdm };
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((err: unknown) => {
      // Last resort: a bug in the simulator must still produce an answer, not a hung request.
      if (!res.headersSent) {
        sendGraph(res, plainGraphError(500, 'InternalServerError', `Tenant simulator error: ${String(err)}`));
      } else {
        res.destroy();
      }
    });
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = originOf(address);
  deps.fallbackOrigin = url;
  return {
    url,
    tenant,
    faults,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
