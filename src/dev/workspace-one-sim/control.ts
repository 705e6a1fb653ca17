/**
 * The simulator's own HTTP API under /_sim/ and a status page at /, so another process (the CLI, the
 * dev launcher, a benchmark) can move devices, inject faults and read counters. No authentication:
 * it listens on 127.0.0.1 by default and is a development tool.
 *
 *   GET  /_sim/devices                        the inventory, in id order
 *   POST /_sim/devices                        add or replace a device (a Ws1DeviceSeed)
 *   POST /_sim/devices/unenroll|enroll|seen   { id | serialNumber | user + name, remove? }
 *   POST /_sim/reset                          back to the demo inventory
 *   GET|POST|DELETE /_sim/faults              list, add (as the tenant simulator's), clear
 *   POST /_sim/latency                        { ms }
 *   POST /_sim/tokens/expire                  every issued token stops working
 *   POST /_sim/malformed                      { times }: the next search answers are cut-off JSON
 *   GET|POST /_sim/release-delay              { ms }: how long an Enterprise Wipe stays pending
 *   GET  /_sim/stats                          request counters
 */
import { type FaultInjector, faultSpecFromJson } from '../tenant-sim/faults';
import type { Ws1SimClient } from './auth';
import { type Ws1DeviceRef, Ws1SimNotFound } from './inventory';
import type { Ws1DeviceSeed, Ws1WireDevice } from './model';

/** What tests, the CLI and the control routes can do to the simulator. */
export interface Ws1SimControls {
  /** The devices, in id order, as the API shows them. */
  devices(): Ws1WireDevice[];
  find(ref: Ws1DeviceRef): Ws1WireDevice | undefined;
  /** Adds a device (or replaces the one with its id). */
  upsert(seed: Ws1DeviceSeed): Ws1WireDevice;
  /**
   * The device leaves Workspace ONE: EnrollmentStatus "Unenrolled" (what an Enterprise Wipe ends in,
   * W3), or with `remove` the record is deleted as well.
   */
  unenroll(ref: Ws1DeviceRef, options?: { remove?: boolean }): Ws1WireDevice;
  /** The device enrolls (again): EnrollmentStatus "Enrolled", seen now. */
  enroll(ref: Ws1DeviceRef): Ws1WireDevice;
  /** The device checks in now (or at `at`, ms since the epoch). */
  seen(ref: Ws1DeviceRef, at?: number): Ws1WireDevice;
  /** Replaces the inventory (default: the demo's). */
  reset(devices?: readonly Ws1DeviceSeed[]): void;
  /** 429/5xx/403/404 faults and latency, as in the tenant simulator. */
  faults: FaultInjector;
  /** Every token issued so far stops working, as if its hour had passed. */
  expireTokens(): void;
  /** The next `times` search answers are cut-off JSON. */
  malformNext(times?: number): void;
  /** Adds or replaces an OAuth client (e.g. one whose role lacks the read permission). */
  setClient(client: Ws1SimClient): void;
  /** Sets (when given) and reports how long an Enterprise Wipe stays pending, and the devices waiting. */
  releaseDelay(ms?: number): { delayMs: number; pending: number[] };
  stats(): {
    token: number;
    search: number;
    device: number;
    command: number;
    refused: number;
    tokensIssued: number;
  };
}

export interface ControlRequest {
  method: string;
  path: string;
  body: string;
}

export interface ControlResponse {
  status: number;
  contentType: string;
  body: string;
}

const json = (value: unknown, status = 200): ControlResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(value, null, 2),
});

class BadControl extends Error {}

function parse(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BadControl('The body must be a JSON object.');
}

function deviceRef(body: Record<string, unknown>): Ws1DeviceRef {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  const ref: Ws1DeviceRef = {
    id: typeof body.id === 'number' ? body.id : undefined,
    serialNumber: str('serialNumber'),
    user: str('user'),
    name: str('name'),
  };
  if (ref.id === undefined && !ref.serialNumber && !(ref.user && ref.name)) {
    throw new BadControl('Name the device: { id } or { serialNumber } or { user, name }.');
  }
  return ref;
}

export function serveControl(req: ControlRequest, controls: Ws1SimControls): ControlResponse {
  try {
    return route(req, controls);
  } catch (err) {
    if (err instanceof Ws1SimNotFound) return json({ error: err.message }, 404);
    if (err instanceof BadControl || err instanceof RangeError) return json({ error: err.message }, 400);
    throw err;
  }
}

function route(req: ControlRequest, c: Ws1SimControls): ControlResponse {
  const { method, path } = req;
  if (method === 'GET' && path === '/') {
    return { status: 200, contentType: 'text/html; charset=utf-8', body: statusPage(c) };
  }
  if (path === '/_sim/devices') {
    if (method === 'GET') return json({ devices: c.devices() });
    if (method === 'POST') return json(c.upsert(parse(req.body) as unknown as Ws1DeviceSeed), 201);
  }
  const move = /^\/_sim\/devices\/(unenroll|enroll|seen)$/.exec(path);
  if (move && method === 'POST') {
    const body = parse(req.body);
    const ref = deviceRef(body);
    if (move[1] === 'unenroll') return json(c.unenroll(ref, { remove: body.remove === true }));
    if (move[1] === 'enroll') return json(c.enroll(ref));
    return json(c.seen(ref));
  }
  if (method === 'POST' && path === '/_sim/reset') {
    c.reset();
    return json({ devices: c.devices().length });
  }
  if (path === '/_sim/faults') {
    if (method === 'GET') return json({ latencyMs: c.faults.latencyMs, faults: c.faults.list() });
    if (method === 'POST') return json(c.faults.add(faultSpecFromJson(parse(req.body))), 201);
    if (method === 'DELETE') {
      c.faults.clear();
      return json({ cleared: true });
    }
  }
  if (method === 'POST' && path === '/_sim/latency') {
    c.faults.setLatency(Number(parse(req.body).ms));
    return json({ latencyMs: c.faults.latencyMs });
  }
  if (method === 'POST' && path === '/_sim/tokens/expire') {
    c.expireTokens();
    return json({ expired: true });
  }
  if (method === 'POST' && path === '/_sim/malformed') {
    const times = parse(req.body).times;
    c.malformNext(typeof times === 'number' ? times : 1);
    return json({ malformed: typeof times === 'number' ? times : 1 });
  }
  if (path === '/_sim/release-delay') {
    if (method === 'GET') return json(c.releaseDelay());
    if (method === 'POST') return json(c.releaseDelay(Number(parse(req.body).ms)));
  }
  if (method === 'GET' && path === '/_sim/stats') return json(c.stats());
  return json({ error: `No control route ${method} ${path}.` }, 404);
}

const html = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A read-only table of the inventory (the first 200 devices), for a quick look in a browser. */
function statusPage(c: Ws1SimControls): string {
  const devices = c.devices();
  const release = c.releaseDelay();
  const rows = devices
    .slice(0, 200)
    .map(
      (d) =>
        `<tr><td>${d.Id.Value}</td><td>${html(d.DeviceFriendlyName)}</td><td>${html(d.UserName)}</td>` +
        `<td>${html(d.Platform)}</td><td>${html(d.SerialNumber ?? '')}</td><td>${d.Ownership}</td>` +
        `<td>${d.EnrollmentStatus}</td><td>${d.LastSeen}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Workspace ONE simulator</title></head>
<body><h1>Workspace ONE UEM simulator</h1><p>${devices.length} devices. API: /API/mdm/devices/search; controls: /_sim/.</p>
<p>Enterprise Wipe: the device is Unenrolled ${release.delayMs} ms after the command (POST /_sim/release-delay {"ms": …}); ${release.pending.length} pending.</p>
<table border="1" cellpadding="4"><tr><th>Id</th><th>Name</th><th>User</th><th>Platform</th><th>Serial</th><th>Ownership</th><th>Enrollment</th><th>LastSeen (UTC)</th></tr>${rows}</table></body></html>`;
}
