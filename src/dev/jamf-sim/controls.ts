/**
 * How tests, the CLI and the dev launcher move the simulated Jamf Pro: in process (`JamfSimControls`)
 * or over HTTP under /_sim/. Devices move as a user or an admin would move them (unmanaged, removed,
 * re-enrolled, checked in); faults are injected as Jamf or its load balancer would produce them.
 */
import { type FaultInjector, faultSpecFromJson } from '../tenant-sim/faults';
import type { RequestStats } from '../tenant-sim/stats';
import type { JamfAuth } from './auth';
import type { JamfComputerSeed, JamfMobileDeviceSeed } from './model';
import type { JamfSimReleases } from './releases';
import { type DeviceKind, type DeviceRef, type DeviceSelector, type JamfStore, SimError } from './store';

export type MalformedMode = 'truncated' | 'wrong-shape';

export interface MalformedSpec {
  /** Substring of the request path and query; default every inventory request. */
  path?: string;
  /** Default 1. */
  times?: number;
  /** `truncated`: JSON cut off mid-body; `wrong-shape`: valid JSON without `results`. Default truncated. */
  mode?: MalformedMode;
}

/** Answers that are not what Jamf documents, handed out like faults (first match, used up). */
export class MalformedAnswers {
  private rules: { path?: string; remaining: number; mode: MalformedMode }[] = [];

  add(spec: MalformedSpec = {}): void {
    const times = spec.times ?? 1;
    if (!(Number.isInteger(times) && times > 0))
      throw new RangeError('times must be a positive whole number');
    this.rules.push({ path: spec.path, remaining: times, mode: spec.mode ?? 'truncated' });
  }

  take(target: string): MalformedMode | undefined {
    const rule = this.rules.find((r) => !r.path || target.toLowerCase().includes(r.path.toLowerCase()));
    if (!rule) return undefined;
    if (--rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule.mode;
  }

  clear(): void {
    this.rules = [];
  }
}

export interface JamfSimControls {
  devices(): DeviceRef[];
  /** Jamf no longer manages the device (MDM profile removed / unmanaged); the record stays. */
  unmanage(selector: DeviceSelector): DeviceRef;
  /** The device is managed by Jamf again (re-enrolled). */
  manage(selector: DeviceSelector): DeviceRef;
  /** The record is deleted from Jamf: gone from the inventory. */
  remove(selector: DeviceSelector): DeviceRef;
  /** The device checks in and submits inventory at `at` (default now). */
  touch(selector: DeviceSelector, at?: Date): DeviceRef;
  addComputer(seed: JamfComputerSeed): DeviceRef;
  addMobileDevice(seed: JamfMobileDeviceSeed): DeviceRef;
  /** Every access token issued so far stops working; returns how many there were. */
  expireTokens(): number;
  /** Replaces an API client's privileges (e.g. [] to see 403s). */
  setPrivileges(clientId: string, privileges: string[]): void;
  /** The next matching inventory answer(s) will be malformed. */
  malformed(spec?: MalformedSpec): void;
  /**
   * Sets (when given) how long a queued release command takes to unmanage the device, and reports it
   * with the commands still pending.
   */
  releaseDelay(ms?: number): { delayMs: number; pending: string[] };
  /** Access tokens issued so far. */
  readonly tokensIssued: number;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
}

export interface ControlDeps {
  store: JamfStore;
  auth: JamfAuth;
  faults: FaultInjector;
  stats: RequestStats;
  malformed: MalformedAnswers;
  releases: JamfSimReleases;
}

export function createControls(deps: ControlDeps): JamfSimControls {
  const { store, auth, faults, stats, malformed, releases } = deps;
  return {
    devices: () => store.list(),
    unmanage: (s) => store.setManaged(s, false),
    manage: (s) => store.setManaged(s, true),
    remove: (s) => store.remove(s),
    touch: (s, at) => store.touch(s, at),
    addComputer: (seed) => store.describe({ kind: 'computer', id: store.addComputer(seed).id }),
    addMobileDevice: (seed) =>
      store.describe({ kind: 'mobile-device', id: store.addMobileDevice(seed).mobileDeviceId }),
    expireTokens: () => auth.expireAll(),
    setPrivileges: (clientId, privileges) => auth.setPrivileges(clientId, privileges),
    malformed: (spec) => malformed.add(spec),
    releaseDelay: (ms) => {
      if (ms !== undefined) {
        if (!Number.isFinite(ms) || ms < 0)
          throw new RangeError('The release delay is a number of milliseconds ≥ 0.');
        releases.delayMs = ms;
      }
      return { delayMs: releases.delayMs, pending: releases.pending };
    },
    get tokensIssued() {
      return auth.issued;
    },
    faults,
    stats,
  };
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

const ACTIONS = ['unmanage', 'manage', 'remove', 'touch'] as const;
type Action = (typeof ACTIONS)[number];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function selectorOf(body: unknown): DeviceSelector {
  if (!isObject(body)) throw new SimError(400, 'Send a JSON body naming the device.');
  const str = (k: string): string | undefined =>
    typeof body[k] === 'string' ? (body[k] as string) : undefined;
  const kind = str('kind');
  if (kind !== undefined && kind !== 'computer' && kind !== 'mobile-device') {
    throw new SimError(400, 'kind must be "computer" or "mobile-device".');
  }
  const id = str('id');
  if (id) return { kind: kind as DeviceKind | undefined, id };
  const serialNumber = str('serialNumber');
  if (serialNumber) return { serialNumber };
  const user = str('user');
  const name = str('name');
  if (user && name) return { user, name };
  throw new SimError(400, 'Name the device by {"id"[, "kind"]}, {"serialNumber"} or {"user", "name"}.');
}

/** The HTTP face of the controls, under /_sim/. No authentication: it listens on 127.0.0.1 by default. */
export function handleControl(
  method: string,
  path: string,
  body: unknown,
  controls: JamfSimControls,
): ControlResponse {
  try {
    const action = /^\/_sim\/devices\/([a-z]+)$/.exec(path)?.[1];
    if (method === 'GET' && (path === '/_sim/devices' || path === '/_sim/state')) {
      return { status: 200, body: { devices: controls.devices() } };
    }
    if (method === 'GET' && path === '/_sim/health')
      return { status: 200, body: { ok: true, vendor: 'jamf', release: controls.releaseDelay() } };
    if (path === '/_sim/release-delay') {
      if (method === 'GET') return { status: 200, body: controls.releaseDelay() };
      if (method === 'POST') {
        const ms = isObject(body) ? body.ms : undefined;
        if (typeof ms !== 'number') throw new SimError(400, 'Send {"ms": <non-negative number>}.');
        return { status: 200, body: controls.releaseDelay(ms) };
      }
    }
    if (method === 'POST' && action && (ACTIONS as readonly string[]).includes(action)) {
      const selector = selectorOf(body);
      const at = isObject(body) && typeof body.at === 'string' ? new Date(body.at) : undefined;
      const run: Record<Action, () => DeviceRef> = {
        unmanage: () => controls.unmanage(selector),
        manage: () => controls.manage(selector),
        remove: () => controls.remove(selector),
        touch: () => controls.touch(selector, at),
      };
      return { status: 200, body: run[action as Action]() };
    }
    if (path === '/_sim/faults') {
      if (method === 'GET')
        return {
          status: 200,
          body: { latencyMs: controls.faults.latencyMs, faults: controls.faults.list() },
        };
      if (method === 'POST') return { status: 201, body: controls.faults.add(faultSpecFromJson(body)) };
      if (method === 'DELETE') {
        controls.faults.clear();
        return { status: 200, body: { cleared: true } };
      }
    }
    if (method === 'POST' && path === '/_sim/latency') {
      const ms = isObject(body) ? body.ms : undefined;
      if (typeof ms !== 'number') throw new SimError(400, 'Send {"ms": <non-negative number>}.');
      controls.faults.setLatency(ms);
      return { status: 200, body: { latencyMs: ms } };
    }
    if (method === 'POST' && path === '/_sim/expire-tokens') {
      return { status: 200, body: { expired: controls.expireTokens() } };
    }
    if (method === 'POST' && path === '/_sim/malformed') {
      controls.malformed((isObject(body) ? body : {}) as MalformedSpec);
      return { status: 201, body: { added: true } };
    }
    const client = /^\/_sim\/clients\/([^/]+)\/privileges$/.exec(path)?.[1];
    if (method === 'PUT' && client) {
      const privileges = isObject(body) ? body.privileges : undefined;
      if (!Array.isArray(privileges) || !privileges.every((p) => typeof p === 'string')) {
        throw new SimError(400, 'Send {"privileges": ["Read Computers", …]}.');
      }
      controls.setPrivileges(decodeURIComponent(client), privileges as string[]);
      return { status: 200, body: { clientId: decodeURIComponent(client), privileges } };
    }
    if (method === 'GET' && path === '/_sim/stats') {
      return { status: 200, body: { ...controls.stats.snapshot(), tokensIssued: controls.tokensIssued } };
    }
    if (method === 'POST' && path === '/_sim/stats/reset') {
      controls.stats.reset();
      return { status: 200, body: controls.stats.snapshot() };
    }
    return { status: 404, body: { error: `No simulator control endpoint ${method} ${path}.` } };
  } catch (err) {
    if (err instanceof SimError) return { status: err.status, body: { error: err.message } };
    if (err instanceof RangeError) return { status: 400, body: { error: err.message } };
    throw err;
  }
}
