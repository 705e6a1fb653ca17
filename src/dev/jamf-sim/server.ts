/**
 * The Jamf Pro simulator's HTTP server (node:http): the Jamf Pro API under /api/, its control API
 * under /_sim/. Listens on 127.0.0.1 and an ephemeral port unless told otherwise. Development and
 * tests only; never imported by production code.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { listen, lowerCaseHeaders, originOf, readBodyText } from '../http-server';
import { FaultInjector } from '../tenant-sim/faults';
import { RequestStats } from '../tenant-sim/stats';
import { DEFAULT_CLIENT, type JamfApiClient, JamfAuth } from './auth';
import { createControls, handleControl, type JamfSimControls, MalformedAnswers } from './controls';
import { demoDevices } from './demo';
import {
  type ApiRequest,
  type ApiResponse,
  apiError,
  isApiPath,
  routeKey,
  serveApi,
  TOKEN_PATHS,
} from './jamf-api';
import type { JamfComputerSeed, JamfMobileDeviceSeed } from './model';
import { JamfSimReleases } from './releases';
import { JamfStore } from './store';

export interface JamfSimulatorOptions {
  port?: number;
  host?: string;
  /** Seeds the inventory; with neither list given, the demo's devices (`demoDevices()`). */
  computers?: JamfComputerSeed[];
  mobileDevices?: JamfMobileDeviceSeed[];
  /** `expires_in` of every token. Default 1800. */
  tokenLifetimeSeconds?: number;
  /** API clients; default one read-only client (`DEFAULT_CLIENT`). */
  clients?: JamfApiClient[];
  /** The simulator clock (seed times, token expiry, check-ins). Default the real clock. */
  now?: () => Date;
  /** How long a queued remove-MDM-profile / unmanage command takes to unmanage the device; default 0. */
  releaseDelayMs?: number;
}

export interface JamfSimulator {
  /** e.g. http://127.0.0.1:PORT — the Jamf Pro URL (the API is under /api). */
  url: string;
  controls: JamfSimControls;
  store: JamfStore;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function send(res: ServerResponse, r: ApiResponse): void {
  res.writeHead(r.status, r.headers);
  res.end(r.body);
}

interface Deps {
  store: JamfStore;
  auth: JamfAuth;
  releases: JamfSimReleases;
  faults: FaultInjector;
  stats: RequestStats;
  malformed: MalformedAnswers;
  controls: JamfSimControls;
}

/** Faults first (as a load balancer in front of Jamf would answer), then the API, then malformed answers. */
async function serveJamf(req: ApiRequest, deps: Deps): Promise<{ response: ApiResponse; faulted: boolean }> {
  const target = `${req.path}${req.query.size ? `?${decodeURIComponent(req.query.toString())}` : ''}`;
  if (deps.faults.latencyMs > 0) await delay(deps.faults.latencyMs);
  const fault = deps.faults.take(req.method, target);
  if (fault) {
    if (fault.latencyMs) await delay(fault.latencyMs);
    const r = apiError(fault.status, fault.status === 429 ? 'TOO_MANY_REQUESTS' : 'SERVER_ERROR');
    if (fault.retryAfterSeconds !== undefined) r.headers['Retry-After'] = String(fault.retryAfterSeconds);
    return { response: r, faulted: true };
  }
  const r = serveApi(req, deps);
  if (r.status === 200 && !TOKEN_PATHS.includes(req.path)) {
    const mode = deps.malformed.take(target);
    if (mode === 'truncated') {
      return {
        response: { ...r, body: r.body.slice(0, Math.max(1, Math.floor(r.body.length / 2))) },
        faulted: true,
      };
    }
    if (mode === 'wrong-shape') {
      return { response: { ...r, body: JSON.stringify({ totalCount: 'many', devices: {} }) }, faulted: true };
    }
  }
  return { response: r, faulted: false };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: Deps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  const rawBody = await readBodyText(req, MAX_BODY_BYTES);
  if (rawBody === undefined) {
    return send(res, apiError(413, 'PAYLOAD_TOO_LARGE', `Request body larger than ${MAX_BODY_BYTES} bytes.`));
  }
  if (isApiPath(path)) {
    const route = routeKey(method, path);
    deps.stats.begin(route, false);
    const { response, faulted } = await serveJamf(
      { method, path, query: url.searchParams, headers: lowerCaseHeaders(req), rawBody },
      deps,
    );
    deps.stats.end(response.status, false, faulted);
    return send(res, response);
  }
  let body: unknown;
  try {
    body = rawBody ? (JSON.parse(rawBody) as unknown) : undefined;
  } catch {
    return send(res, {
      status: 400,
      headers: { 'Content-Type': 'application/json' },
      body: '{"error":"Body is not JSON."}',
    });
  }
  const r = handleControl(method, path, body, deps.controls);
  return send(res, {
    status: r.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(r.body, null, 2),
  });
}

export async function startJamfSimulator(options: JamfSimulatorOptions = {}): Promise<JamfSimulator> {
  const now = options.now ?? (() => new Date());
  const store = new JamfStore(now);
  const seeded = options.computers !== undefined || options.mobileDevices !== undefined;
  const demo = seeded ? undefined : demoDevices();
  store.load(options.computers ?? demo?.computers ?? [], options.mobileDevices ?? demo?.mobileDevices ?? []);
  const auth = new JamfAuth(options.clients ?? [DEFAULT_CLIENT], options.tokenLifetimeSeconds ?? 1800, () =>
    now().getTime(),
  );
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const malformed = new MalformedAnswers();
  const releases = new JamfSimReleases(store, options.releaseDelayMs ?? 0);
  const controls = createControls({ store, auth, faults, stats, malformed, releases });
  const deps: Deps = { store, auth, releases, faults, stats, malformed, controls };
  const server = createServer((req, res) => {
    handle(req, res, deps).catch((err: unknown) => {
      // A bug in the simulator must still produce an answer, not a hung request.
      if (!res.headersSent) send(res, apiError(500, 'SIMULATOR_ERROR', String(err)));
      else res.destroy();
    });
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  let stopped: Promise<void> | undefined;
  return {
    url: originOf(address),
    controls,
    store,
    // Idempotent: a test's afterEach may stop a simulator the test already stopped.
    stop: () => {
      releases.cancelAll();
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
