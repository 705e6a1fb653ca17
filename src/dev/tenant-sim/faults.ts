/**
 * Injected faults: throttling (429 with Retry-After), outages (503, 500), refusals (403, 404) and
 * latency, so retry, pacing and timeout paths can be exercised against real HTTP.
 */
import { z } from 'zod';

export type FaultStatus = 429 | 503 | 500 | 403 | 404;
const FAULT_STATUSES: readonly FaultStatus[] = [429, 503, 500, 403, 404];

export interface FaultSpec {
  method?: string;
  /** Matched against the request path below /v1.0 with its decoded query (e.g. "/users/x/managedDevices?$top=5"); a string matches as a substring. */
  path?: RegExp | string;
  status: FaultStatus;
  retryAfterSeconds?: number;
  /** How many matching requests get the fault; default 1, Infinity allowed. */
  times?: number;
  /** Delay before the fault answers. */
  latencyMs?: number;
}

/** What a fault looks like in listings (GET /_sim/faults). */
export interface FaultInfo {
  id: string;
  method?: string;
  path?: string;
  status: FaultStatus;
  retryAfterSeconds?: number;
  latencyMs?: number;
  /** null = unlimited. */
  remaining: number | null;
  hits: number;
}

export interface FaultHit {
  status: FaultStatus;
  retryAfterSeconds?: number;
  latencyMs?: number;
}

interface Rule {
  id: string;
  spec: FaultSpec;
  remaining: number;
  hits: number;
}

export class FaultInjector {
  private rules: Rule[] = [];
  private latency = 0;
  private seq = 0;

  /** Adds a fault; the first matching fault with uses left answers a request, in the order added. */
  add(spec: FaultSpec): FaultInfo {
    validate(spec);
    const rule: Rule = { id: `fault-${++this.seq}`, spec: { ...spec }, remaining: spec.times ?? 1, hits: 0 };
    this.rules.push(rule);
    return info(rule);
  }

  /** Delay every Graph request (a $batch once, not per inner request) by this much; 0 turns it off. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
    this.latency = ms;
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Removes every fault and the latency. */
  clear(): void {
    this.rules = [];
    this.latency = 0;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): FaultInfo[] {
    return this.rules.map(info);
  }

  /** Uses up one application of the first fault matching this request, if any. */
  take(method: string, target: string): FaultHit | undefined {
    const rule = this.rules.find((r) => matches(r.spec, method, target));
    if (!rule) return undefined;
    rule.hits++;
    rule.remaining--;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    const { status, retryAfterSeconds, latencyMs } = rule.spec;
    return { status, retryAfterSeconds, latencyMs };
  }
}

function matches(spec: FaultSpec, method: string, target: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  if (typeof spec.path === 'string') return target.toLowerCase().includes(spec.path.toLowerCase());
  spec.path.lastIndex = 0; // a /g regex would otherwise remember where it stopped
  return spec.path.test(target);
}

function validate(spec: FaultSpec): void {
  if (!FAULT_STATUSES.includes(spec.status)) {
    throw new RangeError(`fault status must be one of ${FAULT_STATUSES.join(', ')}, got ${spec.status}`);
  }
  const times = spec.times ?? 1;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isInteger(times) && times > 0))) {
    throw new RangeError(`fault times must be a positive whole number or Infinity, got ${spec.times}`);
  }
  for (const [name, v] of [
    ['retryAfterSeconds', spec.retryAfterSeconds],
    ['latencyMs', spec.latencyMs],
  ] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0))
      throw new RangeError(`fault ${name} must be >= 0, got ${v}`);
  }
}

function info(rule: Rule): FaultInfo {
  const { method, path, status, retryAfterSeconds, latencyMs } = rule.spec;
  return {
    id: rule.id,
    ...(method ? { method } : {}),
    ...(path !== undefined
      ? { path: typeof path === 'string' ? path : `/${path.source}/${path.flags}` }
      : {}),
    status,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    remaining: Number.isFinite(rule.remaining) ? rule.remaining : null,
    hits: rule.hits,
  };
}

/**
 * A fault as JSON (POST /_sim/faults): `path` is a substring, `pathRegex` a regular expression;
 * `times` may be a number, "Infinity" or null (unlimited), since JSON has no Infinity.
 */
const faultJson = z
  .object({
    method: z.string().min(1).optional(),
    path: z.string().optional(),
    pathRegex: z.string().optional(),
    status: z.union([z.literal(429), z.literal(503), z.literal(500), z.literal(403), z.literal(404)]),
    retryAfterSeconds: z.number().nonnegative().optional(),
    times: z.union([z.number().int().positive(), z.literal('Infinity'), z.null()]).optional(),
    latencyMs: z.number().nonnegative().optional(),
  })
  .strict();

export function faultSpecFromJson(body: unknown): FaultSpec {
  const parsed = faultJson.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RangeError(`invalid fault: ${first.path.join('.') || '(body)'}: ${first.message}`);
  }
  const { pathRegex, path, times, ...rest } = parsed.data;
  if (pathRegex !== undefined && path !== undefined)
    throw new RangeError('invalid fault: give path or pathRegex, not both');
  let regex: RegExp | undefined;
  if (pathRegex !== undefined) {
    try {
      regex = new RegExp(pathRegex, 'i');
    } catch (err) {
      throw new RangeError(`invalid fault: pathRegex: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    ...rest,
    ...(regex ? { path: regex } : path !== undefined ? { path } : {}),
    ...(times === undefined ? {} : { times: typeof times === 'number' ? times : Number.POSITIVE_INFINITY }),
  };
}
