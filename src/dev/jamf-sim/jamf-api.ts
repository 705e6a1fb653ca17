/**
 * The Jamf Pro API endpoints the connector calls, in Jamf's wire format: the OAuth token endpoint
 * (both paths clients use, §2.1), the v4 computer inventory (list and one computer) and the v2
 * mobile devices (§2.2–2.3), the release commands (§2.4), with Bearer checks, per-client privileges
 * and Jamf's `ApiError` bodies (§2.5).
 */
import {
  type JamfAuth,
  READ_COMPUTERS,
  READ_MOBILE_DEVICES,
  SEND_COMPUTER_UNMANAGE,
  UNMANAGE_MOBILE_DEVICES,
} from './auth';
import type { JamfSimReleases } from './releases';
import { type DeviceKind, type JamfStore, mobileDeviceListItem, type PageQuery, SimError } from './store';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiDeps {
  store: JamfStore;
  auth: JamfAuth;
  releases: JamfSimReleases;
}

const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };

export function apiJson(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

/** Jamf's error body: `{ httpStatus, errors: [{ code, description, id, field }] }`. */
export function apiError(
  status: number,
  code?: string,
  description?: string,
  field: string | null = null,
): ApiResponse {
  return apiJson(status, {
    httpStatus: status,
    errors: code ? [{ code, description: description ?? code, id: '0', field }] : [],
  });
}

/** The paths the token endpoint answers on: the schema's (J1) and the one Jamf's guide shows (J3). */
export const TOKEN_PATHS = ['/api/v1/oauth/token', '/api/oauth/token'];

function tokenEndpoint(req: ApiRequest, { auth }: ApiDeps): ApiResponse {
  // RFC 6749 error bodies here, not Jamf's ApiError (J1, OAuthTokenEndpointErrorResponse).
  const form = new URLSearchParams(req.rawBody);
  if (form.get('grant_type') !== 'client_credentials') {
    return apiJson(400, {
      error: 'unsupported_grant_type',
      error_description: 'Only grant_type=client_credentials is supported.',
    });
  }
  const issued = auth.issue(form.get('client_id') ?? '', form.get('client_secret') ?? '');
  if (!issued) {
    return apiJson(400, { error: 'invalid_client', error_description: 'Client authentication failed.' });
  }
  return apiJson(200, {
    access_token: issued.token,
    scope: auth.scopeOf(issued.client),
    token_type: 'Bearer',
    expires_in: auth.tokenLifetimeSeconds,
  });
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new SimError(400, `${name} must be a whole number of at least ${min}.`, name);
  }
  return Number(raw);
}

function pageQuery(query: URLSearchParams, defaultSort: string): PageQuery {
  // Repeated `section=` is the documented form; a comma-joined list is read too.
  const sections = query
    .getAll('section')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  return {
    page: intParam(query, 'page', 0, 0),
    pageSize: intParam(query, 'page-size', 100, 1),
    sort: query.get('sort') || defaultSort,
    filter: query.get('filter') ?? '',
    sections: sections.length ? sections : ['GENERAL'],
  };
}

/** `GET /api/v4/computers-inventory/{id}`: one `ComputerInventoryV4` with the sections asked for (J1, J2). */
function oneComputer(req: ApiRequest, { store }: ApiDeps): ApiResponse {
  const id = /\/(\d+)$/.exec(req.path)?.[1] ?? '';
  if (!store.computers.has(id))
    return apiError(404, 'INVALID_ID', 'Specified computer object does not exist.');
  const q = { ...pageQuery(req.query, 'id:asc'), page: 0, pageSize: 1, filter: `id=="${id}"` };
  return apiJson(200, store.computerPage(q).results[0]);
}

/**
 * The release commands (J1): 200 `{ deviceId, commandUuid }` once queued. Jamf documents 403 and
 * 500 "unable to queue command" only; an unknown id gets the 404 Jamf gives elsewhere, and a device
 * already unmanaged has no MDM channel to queue on, hence the 500.
 */
function releaseCommand(kind: DeviceKind) {
  return (req: ApiRequest, { store, releases }: ApiDeps): ApiResponse => {
    const id = /\/(\d+)\/[a-z-]+$/.exec(req.path)?.[1] ?? '';
    const record = kind === 'computer' ? store.computers.get(id) : store.mobileDevices.get(id);
    if (!record) return apiError(404, 'INVALID_ID', `Specified ${kind.replace('-', ' ')} does not exist.`);
    const managed = store.describe({ kind, id }).managed;
    if (!managed)
      return apiError(500, 'UNABLE_TO_QUEUE', 'Unable to queue command: the device is not managed.');
    return apiJson(200, releases.queue(kind, id));
  };
}

interface Route {
  method: string;
  pattern: RegExp;
  privilege?: string;
  handle: (req: ApiRequest, deps: ApiDeps) => ApiResponse;
}

const ROUTES: Route[] = [
  ...TOKEN_PATHS.map((p) => ({ method: 'POST', pattern: new RegExp(`^${p}$`), handle: tokenEndpoint })),
  {
    method: 'GET',
    pattern: /^\/api\/v4\/computers-inventory$/,
    privilege: READ_COMPUTERS,
    handle: (req, { store }) => apiJson(200, store.computerPage(pageQuery(req.query, 'general.name:asc'))),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v4\/computers-inventory\/\d+$/,
    privilege: READ_COMPUTERS,
    handle: oneComputer,
  },
  // v4 is current; the v1 path (singular `computer-inventory`) is deprecated but still answered (§2.4).
  ...[
    /^\/api\/v4\/computers-inventory\/\d+\/remove-mdm-profile$/,
    /^\/api\/v1\/computer-inventory\/\d+\/remove-mdm-profile$/,
  ].map((pattern) => ({
    method: 'POST',
    pattern,
    privilege: SEND_COMPUTER_UNMANAGE,
    handle: releaseCommand('computer'),
  })),
  {
    method: 'POST',
    pattern: /^\/api\/v2\/mobile-devices\/\d+\/unmanage$/,
    privilege: UNMANAGE_MOBILE_DEVICES,
    handle: releaseCommand('mobile-device'),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/mobile-devices\/detail$/,
    privilege: READ_MOBILE_DEVICES,
    handle: (req, { store }) => apiJson(200, store.mobileDevicePage(pageQuery(req.query, 'displayName:asc'))),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v2\/mobile-devices$/,
    privilege: READ_MOBILE_DEVICES,
    handle: (req, { store }) => {
      // The list endpoint has no filter and no sections (§2.3).
      const q = { ...pageQuery(req.query, 'mobileDeviceId:asc'), filter: '', sections: [] };
      if (q.sort === 'id:asc' || q.sort === 'id:desc') q.sort = q.sort.replace('id', 'mobileDeviceId');
      const page = store.mobileDevicePage(q);
      const ids = page.results.map((r) => String(r.mobileDeviceId));
      return apiJson(200, {
        totalCount: page.totalCount,
        results: ids.map((id) => mobileDeviceListItem(store.mobileDevices.get(id)!)),
      });
    },
  },
];

/** Whether a path is one the simulator serves as Jamf Pro API (the rest is its control API). */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** A route key for request counters, e.g. "GET /api/v4/computers-inventory". */
export function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

export function serveApi(req: ApiRequest, deps: ApiDeps): ApiResponse {
  const candidates = ROUTES.filter((r) => r.pattern.test(req.path));
  if (candidates.length === 0) {
    return apiError(404, 'NOT_FOUND', `The Jamf Pro simulator does not serve ${req.path}.`);
  }
  const route = candidates.find((r) => r.method === req.method);
  if (!route) return apiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported on ${req.path}.`);
  if (route.privilege) {
    const check = deps.auth.check(req.headers.authorization);
    // Jamf answers a missing, unknown or expired bearer token with 401 and an empty error list.
    if (!check.ok) return apiError(401);
    if (!check.client.privileges.includes(route.privilege)) {
      return apiError(403, 'INVALID_PRIVILEGE', `Insufficient privileges: requires ${route.privilege}.`);
    }
  }
  try {
    return route.handle(req, deps);
  } catch (err) {
    if (err instanceof SimError) return apiError(err.status, 'INVALID_FIELD', err.message, err.field);
    throw err;
  }
}
