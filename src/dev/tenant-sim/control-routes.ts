/**
 * The simulator's own HTTP API under /_sim/ (and the control page at /), so another process — the
 * CLI, the dev launcher, a benchmark — can move devices, inject faults and read counters.
 * No authentication: the simulator listens on 127.0.0.1 by default and is a development tool.
 */
import { randomUUID } from 'node:crypto';
import { controlPage } from './control-page';
import { ActionError, type ActionOptions } from './device-actions';
import { deviceState } from './device-state';
import { type FaultInjector, faultSpecFromJson } from './faults';
import { DEVICE_ACTIONS, FAILURE_CATEGORIES, type FailureCategory, isDeviceAction } from './model';
import { type DeviceSeed, SeedError } from './seed';
import { tenantState, userState } from './state';
import type { RequestStats } from './stats';
import type { Tenant } from './tenant';

export interface ControlDeps {
  tenant: Tenant;
  faults: FaultInjector;
  stats: RequestStats;
  reseed: (seed: 'demo' | 'empty') => void;
}

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ControlResponse {
  status: number;
  contentType: string;
  body: string;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const json = (value: unknown, status = 200): ControlResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value, null, 2),
});

type Handler = (req: ControlRequest, match: string[], deps: ControlDeps) => ControlResponse;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function actionOptions(body: unknown): ActionOptions {
  const category = field(body, 'failureCategory');
  const reason = field(body, 'failureReason');
  if (
    category !== undefined &&
    (typeof category !== 'string' || !FAILURE_CATEGORIES.includes(category as FailureCategory))
  ) {
    throw new ControlError(
      400,
      'BadFailureCategory',
      `failureCategory must be one of ${FAILURE_CATEGORIES.join(', ')}.`,
    );
  }
  if (reason !== undefined && typeof reason !== 'string') {
    throw new ControlError(400, 'BadFailureReason', 'failureReason must be a string.');
  }
  return { failureCategory: category as FailureCategory | undefined, failureReason: reason };
}

function requireAction(name: string): (typeof DEVICE_ACTIONS)[number] {
  if (!isDeviceAction(name)) {
    throw new ControlError(
      400,
      'UnknownAction',
      `Unknown action "${name}"; use one of ${DEVICE_ACTIONS.join(', ')}.`,
    );
  }
  return name;
}

function optionalInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw new ControlError(400, 'BadQuery', `${name} must be a whole number.`);
  return Number(raw);
}

const deviceAction: Handler = (req, [ref, action], { tenant }) =>
  json(tenant.applyAction(ref, requireAction(action), actionOptions(req.body)));

const userDeviceAction: Handler = (req, [upn, action], { tenant }) => {
  const device = field(req.body, 'device');
  if (device !== undefined && typeof device !== 'string') {
    throw new ControlError(400, 'BadDevice', 'device must be a device name or id.');
  }
  return json(
    tenant.applyUserAction(upn, requireAction(action), device || undefined, actionOptions(req.body)),
  );
};

const getUser: Handler = (_req, [upn], { tenant }) => {
  const user = tenant.user(upn);
  if (!user) throw new ActionError(404, 'UserNotFound', `No user "${upn}" in the simulated tenant.`);
  return json(userState(tenant, user));
};

/**
 * A device the tenant has never seen registers in Entra, unmanaged, as a device only the old MDM
 * knew does when its owner first signs in to Company Portal; enrolling it is the usual action.
 * The body is a device seed without `user` (docs/tenant-simulator.md).
 */
const registerDevice: Handler = (req, [upn], { tenant }) => {
  const user = tenant.user(upn);
  if (!user) throw new ActionError(404, 'UserNotFound', `No user "${upn}" in the simulated tenant.`);
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new ControlError(400, 'BadBody', 'Send a device seed: {"displayName", "operatingSystem", …}.');
  }
  const deviceId = randomUUID();
  try {
    tenant.seedBulk({
      devices: [
        // Validated by seedBulk, which names a bad field in its SeedError.
        { management: 'none', ...req.body, user: user.id, deviceId } as DeviceSeed,
      ],
    });
  } catch (err) {
    if (err instanceof SeedError) throw new ControlError(400, 'BadDevice', err.message);
    throw err;
  }
  return json(deviceState(tenant.deviceByDeviceId(deviceId)!), 201);
};

const setBlocksApp: Handler = (req, [upn], { tenant }) => {
  const user = tenant.user(upn);
  if (!user) throw new ActionError(404, 'UserNotFound', `No user "${upn}" in the simulated tenant.`);
  const blocks = field(req.body, 'blocksApp');
  if (typeof blocks !== 'boolean') throw new ControlError(400, 'BadBody', 'Send {"blocksApp": true|false}.');
  user.blocksApp = blocks;
  return json({ userPrincipalName: user.userPrincipalName, blocksApp: user.blocksApp });
};

const addFault: Handler = (req, _m, { faults }) => {
  try {
    return json(faults.add(faultSpecFromJson(req.body)), 201);
  } catch (err) {
    throw new ControlError(400, 'BadFault', err instanceof Error ? err.message : String(err));
  }
};

const setLatency: Handler = (req, _m, { faults }) => {
  const ms = field(req.body, 'ms');
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new ControlError(400, 'BadLatency', 'Send {"ms": <non-negative number>}.');
  }
  faults.setLatency(ms);
  return json({ latencyMs: faults.latencyMs });
};

const reset: Handler = (req, _m, deps) => {
  const seed = field(req.body, 'seed') ?? 'demo';
  if (seed !== 'demo' && seed !== 'empty')
    throw new ControlError(400, 'BadSeed', 'seed must be "demo" or "empty".');
  deps.reseed(seed);
  deps.faults.clear();
  deps.stats.reset();
  return json({ reset: true, seed });
};

const ROUTES: [string, RegExp, Handler][] = [
  ['GET', /^\/$/, () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: controlPage() })],
  ['GET', /^\/_sim\/health$/, (_r, _m, { tenant }) => json({ ok: true, tenantId: tenant.tenantId })],
  [
    'GET',
    /^\/_sim\/state$/,
    (req, _m, { tenant }) =>
      json(
        tenantState(tenant, {
          q: req.query.get('q') ?? undefined,
          offset: optionalInt(req.query, 'offset'),
          limit: optionalInt(req.query, 'limit'),
        }),
      ),
  ],
  ['GET', /^\/_sim\/users\/([^/]+)$/, getUser],
  ['POST', /^\/_sim\/users\/([^/]+)\/devices$/, registerDevice],
  ['POST', /^\/_sim\/users\/([^/]+)\/devices\/([^/]+)$/, userDeviceAction],
  ['POST', /^\/_sim\/users\/([^/]+)\/blocks-app$/, setBlocksApp],
  ['POST', /^\/_sim\/devices\/([^/]+)\/([^/]+)$/, deviceAction],
  [
    'GET',
    /^\/_sim\/faults$/,
    (_r, _m, { faults }) => json({ latencyMs: faults.latencyMs, faults: faults.list() }),
  ],
  ['POST', /^\/_sim\/faults$/, addFault],
  [
    'DELETE',
    /^\/_sim\/faults$/,
    (_r, _m, { faults }) => {
      faults.clear();
      return json({ cleared: true });
    },
  ],
  [
    'DELETE',
    /^\/_sim\/faults\/([^/]+)$/,
    (_r, [id], { faults }) => {
      if (!faults.remove(id)) throw new ControlError(404, 'FaultNotFound', `No fault ${id}.`);
      return json({ removed: id });
    },
  ],
  ['POST', /^\/_sim\/latency$/, setLatency],
  ['GET', /^\/_sim\/stats$/, (_r, _m, { stats }) => json(stats.snapshot())],
  [
    'POST',
    /^\/_sim\/stats\/reset$/,
    (_r, _m, { stats }) => {
      stats.reset();
      return json(stats.snapshot());
    },
  ],
  ['POST', /^\/_sim\/reset$/, reset],
];

export function handleControl(req: ControlRequest, deps: ControlDeps): ControlResponse {
  let pathKnown = false;
  try {
    for (const [method, pattern, handler] of ROUTES) {
      const m = pattern.exec(req.path);
      if (!m) continue;
      pathKnown = true;
      if (method !== req.method.toUpperCase()) continue;
      return handler(req, m.slice(1).map(decodeURIComponent), deps);
    }
  } catch (err) {
    if (err instanceof ActionError || err instanceof ControlError) {
      return json({ error: { code: err.code, message: err.message } }, err.status);
    }
    throw err;
  }
  return pathKnown
    ? json(
        { error: { code: 'MethodNotAllowed', message: `${req.method} is not supported on ${req.path}.` } },
        405,
      )
    : json(
        {
          error: {
            code: 'NotFound',
            message: `No simulator control endpoint ${req.method} ${req.path}; see GET /.`,
          },
        },
        404,
      );
}
