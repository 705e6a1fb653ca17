/**
 * GET /devices/delta: Entra's change tracking for devices, in Graph's wire format. The first call
 * (no token) lists every device, page by page; its last page carries an @odata.deltaLink. Calling
 * that link later lists only the devices whose Entra record changed since (SimDevice.changeSeq),
 * again paged, and ends with a new deltaLink. Like Graph, the options of the first call ($select)
 * are remembered in the opaque tokens, and the page size comes from `Prefer: odata.maxpagesize`.
 */
import { DEVICES } from './entity-sets';
import { GraphHttpError } from './graph-error';
import type { GraphRequest, GraphResponse, Route, RouteParams } from './graph-request';
import { ok } from './graph-request';
import { contextUrl, parseSelect, project } from './odata';
import type { Tenant } from './tenant';

export const DELTA_DEFAULT_PAGE_SIZE = 100;
export const DELTA_MAX_PAGE_SIZE = 999;
/** Entra keeps a delta round for seven days; an older token must start over with a full round. */
export const DELTA_TOKEN_LIFETIME_MS = 7 * 86_400_000;

/** What a token remembers. Short keys: the tokens travel in every link. */
interface DeltaState {
  /** Tenant generation: a reset of the simulator expires every token. */
  g: string;
  /** Changes after this sequence number… */
  a: number;
  /** …and up to this one: the round's snapshot, so a device changed mid-round comes in the next round. */
  b: number;
  /** Position in the device listing where the next page starts. */
  p: number;
  /** $select of the first request. */
  s?: string[];
  /** When the round (or its deltaLink) was issued, tenant clock, ms since the epoch. */
  t: number;
}

const bad = (message: string): GraphHttpError => new GraphHttpError(400, 'BadRequest', message);

function encodeState(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeState(token: string, name: string): DeltaState {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const r = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
    const int = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    const select = r.s === undefined || (Array.isArray(r.s) && r.s.every((f) => typeof f === 'string'));
    if (typeof r.g === 'string' && int(r.a) && int(r.b) && int(r.p) && int(r.t) && select) {
      return r as unknown as DeltaState;
    }
  } catch {
    // fall through to the 400 below
  }
  throw bad(
    `${name} is not valid: use the @odata.nextLink or @odata.deltaLink of the previous call as it is.`,
  );
}

/** The query options this route takes; any other system option is refused rather than ignored. */
function deltaOptions(query: URLSearchParams): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rawKey, value] of query) {
    const lower = rawKey.toLowerCase();
    const name = lower.startsWith('$') ? lower : `$${lower}`;
    if (name === '$select' || name === '$deltatoken' || name === '$skiptoken') {
      if (out.has(name)) throw bad(`Query option '${name}' was specified more than once.`);
      out.set(name, value);
    } else if (rawKey.startsWith('$')) {
      throw bad(
        `Query option '${rawKey}' is not supported on devices/delta by the tenant simulator` +
          (name === '$top' ? '; ask for a page size with the header Prefer: odata.maxpagesize=N.' : '.'),
      );
    }
  }
  return out;
}

function pageSize(prefer: string | undefined): { size: number; applied: boolean } {
  const m = prefer ? /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer) : null;
  const asked = m ? Number(m[1]) : 0;
  if (asked < 1) return { size: DELTA_DEFAULT_PAGE_SIZE, applied: false };
  return { size: Math.min(asked, DELTA_MAX_PAGE_SIZE), applied: true };
}

function startState(opts: Map<string, string>, tenant: Tenant): DeltaState {
  const now = tenant.now().getTime();
  const skip = opts.get('$skiptoken');
  const delta = opts.get('$deltatoken');
  if ((skip !== undefined || delta !== undefined) && opts.has('$select')) {
    throw bad('$select belongs on the first devices/delta request; the tokens in its links carry it on.');
  }
  if (skip !== undefined && delta !== undefined)
    throw bad('Give either $skiptoken or $deltatoken, not both.');
  let state: DeltaState;
  if (skip !== undefined) state = decodeState(skip, '$skiptoken');
  else if (delta !== undefined) state = decodeState(delta, '$deltatoken');
  else {
    const select = parseSelect(opts.get('$select'), DEVICES);
    // Graph always returns id on delta, selected or not.
    const s = select && !select.includes('id') ? ['id', ...select] : select;
    return { g: tenant.generation, a: 0, b: tenant.changeSequence, p: 0, ...(s ? { s } : {}), t: now };
  }
  if (state.g !== tenant.generation || now - state.t > DELTA_TOKEN_LIFETIME_MS) {
    throw new GraphHttpError(
      400,
      'syncStateNotFound',
      'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
    );
  }
  if (delta !== undefined) {
    // A new round: what changed after the previous round's snapshot, up to now.
    return { ...state, a: state.b, b: tenant.changeSequence, p: 0, t: now };
  }
  return state;
}

function devicesDelta(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const opts = deltaOptions(req.query);
  const state = startState(opts, tenant);
  const { size, applied } = pageSize(req.headers.prefer);
  const select = state.s ?? DEVICES.defaults;
  const value: Record<string, unknown>[] = [];
  let position = 0;
  let nextAt: number | undefined;
  // Listing order is stable (insertion order), so a position survives changes between pages.
  for (const device of tenant.devices()) {
    const here = position++;
    if (here < state.p || device.changeSeq <= state.a || device.changeSeq > state.b) continue;
    if (value.length === size) {
      nextAt = here;
      break;
    }
    value.push(project(device.entra, select));
  }
  const link = `${req.origin}/v1.0/devices/delta?`;
  const body: Record<string, unknown> = { '@odata.context': contextUrl(req, 'devices', state.s) };
  if (nextAt !== undefined)
    body['@odata.nextLink'] = `${link}$skiptoken=${encodeState({ ...state, p: nextAt })}`;
  else
    body['@odata.deltaLink'] =
      `${link}$deltatoken=${encodeState({ ...state, p: 0, t: tenant.now().getTime() })}`;
  body.value = value;
  const res = ok(body);
  if (applied) res.headers['Preference-Applied'] = `odata.maxpagesize=${size}`;
  return res;
}

export const deltaRoutes: Route[] = [{ method: 'GET', pattern: '/devices/delta', handler: devicesDelta }];
