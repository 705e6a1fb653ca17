/**
 * The Workspace ONE UEM wire format the simulator serves (docs/vendor-apis.md §1, §3):
 * `POST /connect/token`, `GET /API/mdm/devices/search` (v1/v2 parameter names, 0-based `page`,
 * `pagesize` capped at 500, `{Devices, Page, PageSize, Total}`, 204 when nothing matches) and
 * `GET /API/mdm/devices?searchby=…&id=…`, `GET /API/mdm/devices/{id}` and the v1 Enterprise Wipe
 * command `POST /API/mdm/devices/{id}/commands?command=EnterpriseWipe` (§1.5), behind the bearer
 * token, `aw-tenant-code` and role-permission checks.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultInjector } from '../tenant-sim/faults';
import { DEVICES_EXECUTE, DEVICES_READ, type Ws1SimAuth, type Ws1SimRateLimit } from './auth';
import type { Ws1SearchFilters, Ws1SimInventory } from './inventory';

export interface ApiRequest {
  method: string;
  /** Lower-cased: Workspace ONE clients use both /API and /api (§1.1). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Already serialised; undefined = no body. */
  body?: string;
}

export interface ApiDeps {
  inventory: Ws1SimInventory;
  auth: Ws1SimAuth;
  faults: FaultInjector;
  rateLimit: Ws1SimRateLimit;
  /** Answers left that are cut-off JSON (a proxy or a crash mid-answer). */
  malformed: { remaining: number };
  stats: { token: number; search: number; device: number; command: number; refused: number };
  /** Starts an Enterprise Wipe: the device is EnterpriseWipePending, then Unenrolled after the configured delay. */
  enterpriseWipe: (id: number) => void;
}

/** The documented default and maximum page size of every search version (W3). */
const MAX_PAGE_SIZE = 500;
const JSON_TYPE = 'application/json; charset=utf-8';

/** `BaseExceptionModel` (W3; fixtures W4): `{ errorCode, message, activityId }`. */
function ws1Error(status: number, errorCode: number, message: string, extra: Record<string, string> = {}) {
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE, ...extra },
    body: JSON.stringify({ errorCode, message, activityId: randomUUID() }),
  };
}

const json = (value: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status: 200,
  headers: { 'Content-Type': JSON_TYPE, ...headers },
  body: JSON.stringify(value),
});

export async function serveApi(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
  const hit = deps.faults.take(req.method, `${req.path}?${decodeURIComponent(req.query.toString())}`);
  if (hit) {
    if (hit.latencyMs) await sleep(hit.latencyMs);
    return injected(hit.status, hit.retryAfterSeconds);
  }
  if (req.path === '/connect/token' && req.method === 'POST') return token(req, deps);
  if (req.path === '/api/mdm/devices/search' && req.method === 'GET') {
    return guarded(req, deps, DEVICES_READ, search);
  }
  if (req.path === '/api/mdm/devices' && req.method === 'GET')
    return guarded(req, deps, DEVICES_READ, deviceBy);
  const one = /^\/api\/mdm\/devices\/(\d+)$/.exec(req.path);
  if (one && req.method === 'GET') {
    return guarded(req, deps, DEVICES_READ, (_, d, headers) => deviceById(Number(one[1]), d, headers));
  }
  const command = /^\/api\/mdm\/devices\/(\d+)\/commands$/.exec(req.path);
  if (command && req.method === 'POST') {
    return guarded(req, deps, DEVICES_EXECUTE, (r, d, headers) => execute(Number(command[1]), r, d, headers));
  }
  return ws1Error(404, 404, `The Workspace ONE simulator does not serve ${req.method} ${req.path}.`);
}

/**
 * An injected fault. The 429 body shape is not documented (§1.6), so it carries the same three
 * fields as every other error; the error codes of injected faults are the HTTP status.
 */
function injected(status: number, retryAfterSeconds?: number): ApiResponse {
  const extra: Record<string, string> =
    retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {};
  const message =
    status === 429
      ? 'Too many requests.'
      : status === 403
        ? 'Access denied.'
        : status === 404
          ? 'Not found.'
          : 'The service is unavailable.';
  return ws1Error(status, status, message, extra);
}

function token(req: ApiRequest, deps: ApiDeps): ApiResponse {
  deps.stats.token++;
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  let credentials: { id: string; secret: string } | undefined;
  if (basic) {
    const [id = '', ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    credentials = { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(':')) };
  }
  const result = deps.auth.issue(new URLSearchParams(req.body), credentials);
  return {
    status: result.ok ? 200 : result.status,
    headers: { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' },
    body: JSON.stringify(result.body),
  };
}

type Route = (req: ApiRequest, deps: ApiDeps, rateHeaders: Record<string, string>) => ApiResponse;

/** The checks every API call passes: bearer token, tenant code, the route's permission, rate limit. */
function guarded(req: ApiRequest, deps: ApiDeps, permission: string, route: Route): ApiResponse {
  const checked = deps.auth.check(req.headers.authorization);
  if (!checked.ok) {
    deps.stats.refused++;
    // errorCode 1005 is the documented bad-credentials answer (W4); what an *expired* bearer token
    // gets is not documented, and 401 is what OAuth resource servers answer (RFC 6750 §3.1).
    const why = checked.reason === 'expired' ? 'The access token has expired' : 'No valid access token';
    return ws1Error(401, 1005, `${why}.`, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  const tenantCode = req.headers['aw-tenant-code'];
  if (tenantCode !== deps.auth.tenantCode) {
    deps.stats.refused++;
    return ws1Error(403, 1013, `Tenant code ${tenantCode ?? ''} does not identify an Organization Group.`);
  }
  if (!checked.client.permissions.includes(permission)) {
    deps.stats.refused++;
    // The errorCode for a missing role permission is not documented; any code but 1013 (tenant code).
    return ws1Error(403, 1001, 'The administrator role does not allow this request.');
  }
  const limit = deps.rateLimit.take();
  if (limit.retryAfterSeconds !== undefined) {
    return ws1Error(429, 429, 'Too many requests.', {
      ...limit.headers,
      'Retry-After': String(limit.retryAfterSeconds),
    });
  }
  return route(req, deps, limit.headers);
}

function search(req: ApiRequest, deps: ApiDeps, rateHeaders: Record<string, string>): ApiResponse {
  deps.stats.search++;
  const version = Number(/version\s*=\s*(\d+)/i.exec(req.headers.accept ?? '')?.[1] ?? '1');
  if (version !== 1 && version !== 2) {
    return ws1Error(400, 400, `The simulator serves device search versions 1 and 2, not ${version}.`);
  }
  const q = req.query;
  const page = Number(q.get('page') ?? '0');
  const requested = Number(q.get('pagesize') ?? String(MAX_PAGE_SIZE));
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(requested) || requested < 1) {
    return ws1Error(400, 400, 'Invalid page or pagesize.');
  }
  // More than the maximum silently returns the first 500 (W3).
  const pageSize = Math.min(MAX_PAGE_SIZE, requested);
  const seen = q.get(version === 2 ? 'seen_since' : 'seensince') ?? undefined;
  const till = q.get('lastseen') ?? undefined;
  const seenSince = seen === undefined ? undefined : parseWs1Date(seen);
  const seenTill = till === undefined ? undefined : parseWs1Date(till);
  if (Number.isNaN(seenSince) || Number.isNaN(seenTill)) {
    return ws1Error(400, 400, 'Invalid date: use yyyy-MM-dd, MM/dd/yyyy, or either with HH:mm:ss.fff.');
  }
  const lgid = q.get('lgid');
  const orderBy = q.get('orderby')?.toLowerCase();
  const filters: Ws1SearchFilters = {
    user: q.get('user') ?? undefined,
    platform: q.get('platform') ?? undefined,
    ownership: q.get('ownership') ?? undefined,
    lgid: lgid === null ? undefined : Number(lgid),
    seenSince,
    seenTill,
    orderBy: orderBy === 'lastseen' ? 'lastseen' : 'deviceid',
    descending: q.get('sortorder')?.toUpperCase() === 'DESC',
  };
  const { devices, total } = deps.inventory.search(filters, page, pageSize);
  // "204 is no content, in WSO that's usually no results found for searches" (W6).
  if (devices.length === 0) return { status: 204, headers: rateHeaders };
  if (deps.malformed.remaining > 0) {
    deps.malformed.remaining--;
    const whole = JSON.stringify({ Devices: devices, Page: page, PageSize: pageSize, Total: total });
    return { status: 200, headers: { 'Content-Type': JSON_TYPE, ...rateHeaders }, body: whole.slice(0, 40) };
  }
  return json({ Devices: devices, Page: page, PageSize: pageSize, Total: total }, rateHeaders);
}

/** `GET /API/mdm/devices?searchby=Serialnumber|Udid|Macaddress|ImeiNumber|DeviceId&id=…` (W3, W10, W13). */
function deviceBy(req: ApiRequest, deps: ApiDeps, rateHeaders: Record<string, string>): ApiResponse {
  deps.stats.device++;
  const by = req.query.get('searchby')?.toLowerCase();
  const id = req.query.get('id') ?? '';
  const field =
    by === 'serialnumber'
      ? 'SerialNumber'
      : by === 'udid'
        ? 'Udid'
        : by === 'macaddress'
          ? 'MacAddress'
          : by === 'imeinumber'
            ? 'Imei'
            : by === 'deviceid'
              ? 'Id'
              : undefined;
  if (!field) return ws1Error(400, 400, 'Invalid searchby Parameter');
  const match = deps.inventory
    .search({}, 0, Number.MAX_SAFE_INTEGER)
    .devices.find((d) =>
      field === 'Id' ? String(d.Id.Value) === id : d[field]?.toUpperCase() === id.toUpperCase(),
    );
  if (!match) return ws1Error(404, 5061, 'Device not found for this request.');
  return json(match, rateHeaders);
}

/** `GET /API/mdm/devices/{id}` (v1 `Device`, W3): the search's record; 404 errorCode 5061 when absent (W4). */
function deviceById(id: number, deps: ApiDeps, rateHeaders: Record<string, string>): ApiResponse {
  deps.stats.device++;
  const device = deps.inventory.find({ id });
  if (!device) return ws1Error(404, 5061, 'Device not found for this request.');
  return json(device, rateHeaders);
}

/**
 * `POST /API/mdm/devices/{id}/commands?command=…` (v1, W3 CommandsV1Api.md). Only EnterpriseWipe is
 * modelled. The success code is not documented (an empty body is, W3); the simulator answers 202.
 * A wipe of an unenrolled device is refused with 400, the status Fleet reads as "could not unenroll"
 * (W7); its body is not documented either.
 */
function execute(
  id: number,
  req: ApiRequest,
  deps: ApiDeps,
  rateHeaders: Record<string, string>,
): ApiResponse {
  deps.stats.command++;
  const name = req.query.get('command') ?? '';
  if (name.toLowerCase() !== 'enterprisewipe') {
    return ws1Error(400, 400, `The simulator runs only the EnterpriseWipe command, not "${name}".`);
  }
  const device = deps.inventory.find({ id });
  if (!device) return ws1Error(404, 5061, 'Device not found for this request.');
  if (device.EnrollmentStatus === 'Unenrolled') {
    return ws1Error(400, 400, 'The device is not enrolled; the command cannot be queued.');
  }
  deps.enterpriseWipe(id);
  return { status: 202, headers: rateHeaders };
}

/**
 * The date formats the v1/v2 spec lists for `seensince`/`lastseen` (W3): yyyy-MM-dd, yyyy/MM/dd,
 * MM/dd/yyyy, MM-dd-yyyy, each optionally with " HH:mm:ss.fff" or "THH:mm:ss.fff"; read as UTC.
 * A trailing Z (what XSOAR sends, W4) is accepted. NaN when none fits.
 */
export function parseWs1Date(value: string): number {
  const time = '(?:[T ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,3}))?)?Z?$';
  const ymd = new RegExp(`^(\\d{4})[-/](\\d{2})[-/](\\d{2})${time}`).exec(value.trim());
  const mdy = new RegExp(`^(\\d{2})[-/](\\d{2})[-/](\\d{4})${time}`).exec(value.trim());
  const m = ymd ?? mdy;
  if (!m) return Number.NaN;
  const [y, mo, d] = ymd ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number((m[7] ?? '0').padEnd(3, '0')),
  );
  return Number.isNaN(ms) ? Number.NaN : ms;
}
