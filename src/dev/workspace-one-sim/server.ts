/**
 * The Workspace ONE UEM simulator's HTTP server (node:http): the token service and the REST API on
 * one origin, its controls under /_sim/ and a small status page at /. Listens on 127.0.0.1 and an
 * ephemeral port unless told otherwise. A development and test tool, never used by production code.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, lowerCaseHeaders, originOf, readBodyText } from '../http-server';
import { FaultInjector } from '../tenant-sim/faults';
import { type ApiDeps, serveApi } from './api';
import { DEFAULT_CLIENT, DEFAULT_TENANT_CODE, Ws1SimAuth, type Ws1SimClient, Ws1SimRateLimit } from './auth';
import { serveControl, type Ws1SimControls } from './control';
import { demoDevices } from './demo';
import { Ws1SimInventory } from './inventory';
import type { Ws1DeviceSeed } from './model';
import { Ws1SimReleases } from './releases';

export interface WorkspaceOneSimulatorOptions {
  port?: number;
  host?: string;
  /** The inventory; default the demo's (`demoDevices()`). */
  devices?: readonly Ws1DeviceSeed[];
  /** Default 3600, Workspace ONE's one hour (W12). */
  tokenLifetimeSeconds?: number;
  /** Default one client with the "REST API Devices Read" permission (DEFAULT_CLIENT). */
  clients?: readonly Ws1SimClient[];
  tenantCode?: string;
  /** Requests per window before 429 with X-RateLimit-* headers; default 10,000 a minute. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** The simulator's clock (LastSeen, token expiry); default Date.now. */
  now?: () => number;
  /** How long an Enterprise Wipe stays EnterpriseWipePending before the device is Unenrolled; default 0. */
  releaseDelayMs?: number;
}

export interface WorkspaceOneSimulator {
  /** The origin, e.g. http://127.0.0.1:PORT: the API host (`/API/mdm/...`). */
  url: string;
  /** `${url}/connect/token`. */
  tokenUrl: string;
  tenantCode: string;
  /** The default client's credentials. */
  client: { clientId: string; clientSecret: string };
  controls: Ws1SimControls;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, headers);
  res.end(body);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ApiDeps,
  controls: Ws1SimControls,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBodyText(req, MAX_BODY_BYTES);
  if (body === undefined) {
    return send(
      res,
      413,
      { 'Content-Type': 'text/plain' },
      `Request body larger than ${MAX_BODY_BYTES} bytes.`,
    );
  }
  if (url.pathname === '/' || url.pathname.startsWith('/_sim/')) {
    const r = serveControl({ method, path: url.pathname, body }, controls);
    return send(res, r.status, { 'Content-Type': r.contentType, 'Cache-Control': 'no-store' }, r.body);
  }
  const r = await serveApi(
    {
      method,
      path: url.pathname.toLowerCase(),
      query: url.searchParams,
      headers: lowerCaseHeaders(req),
      body,
    },
    deps,
  );
  return send(res, r.status, r.headers, r.body);
}

export async function startWorkspaceOneSimulator(
  options: WorkspaceOneSimulatorOptions = {},
): Promise<WorkspaceOneSimulator> {
  const now = options.now ?? Date.now;
  const inventory = new Ws1SimInventory(now);
  inventory.load(options.devices ?? demoDevices({ now: new Date(now()) }));
  const tenantCode = options.tenantCode ?? DEFAULT_TENANT_CODE;
  const clients = options.clients ?? [DEFAULT_CLIENT];
  const auth = new Ws1SimAuth(clients, tenantCode, options.tokenLifetimeSeconds ?? 3600, now);
  const rate = options.rateLimit ?? { limit: 10_000, windowSeconds: 60 };
  const releases = new Ws1SimReleases(inventory, options.releaseDelayMs ?? 0);
  const deps: ApiDeps = {
    inventory,
    auth,
    faults: new FaultInjector(),
    rateLimit: new Ws1SimRateLimit(rate.limit, rate.windowSeconds, now),
    malformed: { remaining: 0 },
    stats: { token: 0, search: 0, device: 0, command: 0, refused: 0 },
    enterpriseWipe: (id) => releases.start(id),
  };
  const controls: Ws1SimControls = {
    devices: () => inventory.list(),
    find: (ref) => {
      const d = inventory.find(ref);
      return d && structuredClone(d);
    },
    upsert: (seed) => structuredClone(inventory.upsert(seed)),
    unenroll: (ref, opts) =>
      structuredClone(opts?.remove ? inventory.remove(ref) : inventory.setStatus(ref, 'Unenrolled')),
    enroll: (ref) => structuredClone(inventory.setStatus(ref, 'Enrolled')),
    seen: (ref, at) => structuredClone(inventory.touch(ref, at)),
    reset: (devices) => {
      releases.cancelAll();
      inventory.load(devices ?? demoDevices({ now: new Date(now()) }));
    },
    releaseDelay: (ms) => {
      if (ms !== undefined) {
        if (!Number.isFinite(ms) || ms < 0)
          throw new RangeError('The release delay is a number of milliseconds ≥ 0.');
        releases.delayMs = ms;
      }
      return { delayMs: releases.delayMs, pending: releases.pending };
    },
    faults: deps.faults,
    expireTokens: () => auth.expireAll(),
    malformNext: (times = 1) => {
      deps.malformed.remaining = times;
    },
    setClient: (client) => auth.setClient(client),
    stats: () => ({ ...deps.stats, tokensIssued: auth.tokensIssued }),
  };
  const server = createServer((req, res) => {
    handle(req, res, deps, controls).catch((err: unknown) => {
      // A bug in the simulator must still produce an answer, not a hung request.
      if (!res.headersSent)
        send(res, 500, { 'Content-Type': 'text/plain' }, `Simulator error: ${String(err)}`);
      else res.destroy();
    });
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = originOf(address);
  const first = clients[0] ?? DEFAULT_CLIENT;
  return {
    url,
    tokenUrl: `${url}/connect/token`,
    tenantCode,
    client: { clientId: first.clientId, clientSecret: first.clientSecret },
    controls,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        releases.cancelAll();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
