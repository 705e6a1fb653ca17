/**
 * Per-wave counters: what each stored row adds to the numbers the dashboards show, as plain sums, so
 * that a write changes the counters by `contribution(after) − contribution(before)` and the sum of the
 * contributions of every row equals a recount. Pure: the storage side lives in features/counters.
 *
 * A scope is what one set of counters is about: a wave (`waveScope`) or a broadcast's deliveries
 * (`broadcastScope`). Keys are short names of sums (see `K`); a missing key is 0.
 *
 * What is not a sum — whether a started device is stuck, which depends on the time of reading — is
 * kept apart as one stuck-index entry per device that could become stuck (started … compliant): its
 * row key begins with the instant it entered its stage, so the stuck ones are one row-key range.
 * Each entry carries the statuses its device and its member would have if nothing were stuck; the
 * reader moves the stuck ones to "needs help" (wave-counters-stats.ts).
 *
 * Durations (time to assign, to resolve) are kept as histograms, to the minute below a day, to the
 * hour below 30 days, to the day beyond: the resolution the dashboards show them at.
 */
import type { Delivery } from './broadcast';
import type { Escalation } from './escalation-model';
import { type DeviceJourney, POST_CHECK_ITEMS, STAGE_ORDER, stageIndex, stepperStage } from './journey';
import { participantProgress } from './journey-progress';
import type { Participant } from './participant';
import { type DeviceStatus, deviceStatusOf, PLATFORMS, type UserStatus, userStatusOf } from './wave-stats';

/** Sums by key; absent keys are 0. */
export type Counts = Record<string, number>;

/** Key names of the sums. */
export const K = {
  members: 'm',
  withoutDevices: 'nd',
  migrated: 'mig',
  user: (s: UserStatus) => `u.${s}`,
  devices: 'dev',
  funnelDevices: 'fd',
  reached: (stage: string) => `r.${stage}`,
  notStarted: 'ns',
  needsIt: 'ni',
  excluded: 'ex',
  platform: (p: string) => `p.${p}`,
  platformStatus: (p: string, s: DeviceStatus) => `ps.${p}.${s}`,
  succeeded: 'c.succ',
  attempted: 'c.att',
  checks: 'c.chk',
  checksPassed: 'c.ok',
  compliant: 'c.comp',
  inIntune: 'c.in',
  tickets: 't',
  ticketState: (s: 'open' | 'assigned' | 'waiting-on-user' | 'resolved') => `t.${s}`,
  toAssign: (bucket: number) => `ta.${bucket}`,
  toResolve: (bucket: number) => `tr.${bucket}`,
  delivery: (state: string) => `d.${state}`,
  failure: (reason: string) => `f.${reason}`,
} as const;

export const waveScope = (waveId: string) => `w_${encodeURIComponent(waveId)}`;
export const broadcastScope = (broadcastId: string) => `b_${encodeURIComponent(broadcastId)}`;
/** Every wave scope starts with this. */
export const WAVE_SCOPE_PREFIX = 'w_';

/** One device that could become stuck: between `started` and `compliant`, with a readable stage time. */
export interface StuckEntry {
  /** Row key: stage start (ISO, UTC), member, device — so that "stuck" is a row-key range. */
  rowKey: string;
  aadObjectId: string;
  deviceKey: string;
  platform: string;
  since: string;
  /** The device's and the member's statuses if nothing were stuck. */
  status: DeviceStatus;
  userStatus: UserStatus;
}

const STARTED = stageIndex('started');
const ENROLLING = stageIndex('enrolling');
const ENROLLED = stageIndex('enrolled');
const COMPLIANT = stageIndex('compliant');
const MINUTE_MS = 60_000;
const DAY_MIN = 1_440;

export function add(into: Counts, from: Counts, sign = 1): Counts {
  for (const [k, v] of Object.entries(from)) {
    const next = (into[k] ?? 0) + sign * v;
    if (next === 0) delete into[k];
    else into[k] = next;
  }
  return into;
}

function bump(into: Counts, key: string, by = 1): void {
  add(into, { [key]: by });
}

/** Scope → counts; the sum of two maps, or their difference with `sign` −1. */
export type ScopedCounts = Map<string, Counts>;

export function addScoped(into: ScopedCounts, from: ScopedCounts, sign = 1): ScopedCounts {
  for (const [scope, counts] of from) {
    const target = add(into.get(scope) ?? {}, counts, sign);
    if (Object.keys(target).length === 0) into.delete(scope);
    else into.set(scope, target);
  }
  return into;
}

/** What changed from `before` to `after` (empty scopes left out). */
export function deltaOf(before: ScopedCounts, after: ScopedCounts): ScopedCounts {
  return addScoped(addScoped(new Map(), after), before, -1);
}

/** The minute bucket a duration is kept in (see the module comment). */
export function durationBucket(minutes: number): number {
  const m = Math.floor(Math.max(0, minutes));
  if (m < DAY_MIN) return m;
  if (m < 30 * DAY_MIN) return m - (m % 60);
  return m - (m % DAY_MIN);
}

/** The stuck-index entry's devices: those a stuck check looks at, with a stage time that parses. */
function stuckCandidate(j: DeviceJourney): string | undefined {
  const i = stageIndex(j.stage);
  if (i < STARTED || i > COMPLIANT) return undefined;
  const since = new Date(j.stageSince);
  return Number.isNaN(since.getTime()) ? undefined : since.toISOString();
}

/** A member's numbers as if nothing were stuck (the stuck index corrects that when read). */
export function memberCounts(p: Participant): Counts {
  const out: Counts = { [K.members]: 1 };
  const journeys = p.journeys ?? [];
  if (journeys.length === 0) bump(out, K.withoutDevices);
  if (participantProgress(journeys).done) bump(out, K.migrated);
  const statuses: DeviceStatus[] = [];
  for (const j of journeys) {
    bump(out, K.devices);
    const status = deviceStatusOf(j, false);
    statuses.push(status);
    const platform = PLATFORMS.includes(j.platform) ? j.platform : 'other';
    bump(out, K.platform(platform));
    bump(out, K.platformStatus(platform, status));
    if (j.stage === 'excluded') {
      bump(out, K.excluded);
      continue;
    }
    bump(out, K.funnelDevices);
    const position = stageIndex(j.stage === 'needs-it' ? stepperStage(j) : j.stage);
    for (const stage of STAGE_ORDER) if (stageIndex(stage) <= position) bump(out, K.reached(stage));
    if (j.stage === 'notified') bump(out, K.notStarted);
    if (j.stage === 'needs-it') bump(out, K.needsIt);
    const stage = stageIndex(j.stage);
    if (stage >= ENROLLED) {
      bump(out, K.succeeded);
      bump(out, K.inIntune);
    }
    if (position >= ENROLLING || j.flags.enrollmentFailure) bump(out, K.attempted);
    if (stage >= COMPLIANT) bump(out, K.compliant);
    const check = j.flags.postCheck;
    if (check) {
      bump(out, K.checks);
      if (POST_CHECK_ITEMS.every((item) => check[item] === 'yes')) bump(out, K.checksPassed);
    }
  }
  bump(out, K.user(userStatusOf(journeys, statuses)));
  return out;
}

/** A member listed by the wave's index without a participant row: a member with no devices. */
export function memberWithoutRowCounts(): Counts {
  return { [K.members]: 1, [K.withoutDevices]: 1, [K.user('no-devices')]: 1 };
}

/** The member's devices that could become stuck, for the wave's stuck index. */
export function stuckEntries(p: Participant): StuckEntry[] {
  const journeys = p.journeys ?? [];
  const statuses = journeys.map((j) => deviceStatusOf(j, false));
  const userStatus = userStatusOf(journeys, statuses);
  const id = p.aadObjectId.toLowerCase();
  const out: StuckEntry[] = [];
  journeys.forEach((j, i) => {
    const since = stuckCandidate(j);
    if (!since) return;
    out.push({
      rowKey: `${since}|${encodeURIComponent(id)}|${encodeURIComponent(j.deviceKey)}`,
      aadObjectId: id,
      deviceKey: j.deviceKey,
      platform: PLATFORMS.includes(j.platform) ? j.platform : 'other',
      since,
      status: statuses[i]!,
      userStatus,
    });
  });
  return out;
}

function spanMinutes(from: string, to: string | undefined): number | undefined {
  if (to === undefined) return undefined;
  const span = Date.parse(to) - Date.parse(from);
  return Number.isFinite(span) ? Math.max(0, span) / MINUTE_MS : undefined;
}

/**
 * A user's tickets for `waveId` (the wave they are a member of): the current ticket and the earlier
 * ones that recorded that wave or none, each ticket id once — as `waveHelpdeskMetrics` counts them.
 */
export function ticketCounts(e: Escalation, waveId: string): Counts {
  const out: Counts = {};
  const seen = new Set<string>();
  const inWave = (recorded: string | undefined) => recorded === undefined || recorded === waveId;
  const sample = (key: (b: number) => string, from: string, to: string | undefined) => {
    const m = spanMinutes(from, to);
    if (m !== undefined) bump(out, key(durationBucket(m)));
  };
  for (const earlier of e.earlier) {
    if (!inWave(earlier.waveId) || seen.has(earlier.ticketId)) continue;
    seen.add(earlier.ticketId);
    bump(out, K.ticketState('resolved'));
    sample(K.toAssign, earlier.createdAt, earlier.firstAssignedAt);
    sample(K.toResolve, earlier.createdAt, earlier.resolvedAt);
  }
  if (inWave(e.participant.waveId) && !seen.has(e.ticketId)) {
    seen.add(e.ticketId);
    bump(out, K.ticketState(e.state === 'resolved' ? 'resolved' : e.state));
    sample(K.toAssign, e.createdAt, e.firstAssignedAt);
    if (e.state === 'resolved') sample(K.toResolve, e.createdAt, e.resolvedAt);
  }
  if (seen.size > 0) bump(out, K.tickets, seen.size);
  return out;
}

/**
 * The waves a ticket row counts for as it is written, without reading the participant: the wave the
 * current ticket recorded, and each earlier ticket's. A ticket that recorded no wave, or a user who
 * moved since, is left to the recount (features/counters) — the rare case, repaired there.
 */
export function escalationCounts(e: Escalation): ScopedCounts {
  const waves = new Set<string>();
  if (e.participant.waveId) waves.add(e.participant.waveId);
  for (const t of e.earlier) if (t.waveId) waves.add(t.waveId);
  const out: ScopedCounts = new Map();
  for (const w of waves) {
    const counts = ticketCounts(
      {
        ...e,
        participant: { ...e.participant, waveId: e.participant.waveId ?? '\u0000' },
        earlier: e.earlier.filter((t) => t.waveId === w),
      },
      w,
    );
    if (Object.keys(counts).length > 0) out.set(waveScope(w), counts);
  }
  return out;
}

/**
 * A participant row's counts, in its wave: what the member adds beyond the row-less member its index
 * row already counts (`indexCounts`), so that index row + participant row = `memberCounts`. None when
 * the row names no wave.
 */
export function participantCounts(p: Participant): ScopedCounts {
  if (!p.waveId) return new Map();
  return new Map([[waveScope(p.waveId), add(memberCounts(p), memberWithoutRowCounts(), -1)]]);
}

/** A wave index row's counts: a member with no devices until their participant row says more. */
export function indexCounts(m: { waveId: string }): ScopedCounts {
  return new Map([[waveScope(m.waveId), memberWithoutRowCounts()]]);
}

/** A delivery row's counts, in its broadcast: its state, and why it failed. */
export function deliveryCounts(d: Pick<Delivery, 'broadcastId' | 'state' | 'reason'>): ScopedCounts {
  const counts: Counts = { [K.delivery(d.state)]: 1 };
  if (d.state === 'failed') counts[K.failure(d.reason ?? 'unknown')] = 1;
  return new Map([[broadcastScope(d.broadcastId), counts]]);
}

/** A row of the `counters` table. */
export type CounterRow =
  /** A scope's counts: a base part (written by a recount) or one instance's shard of deltas since. */
  | { kind: 'counts'; generation: string; startedAt?: string; committedAt?: string; counts: Counts }
  | ({ kind: 'stuck' } & StuckEntry)
  /** Scopes whose counters may be off (scope → when last marked), for the repair job. */
  | { kind: 'dirty'; scopes: Record<string, string> };
