/**
 * Business hours and reminder timing in the user's own time zone.
 *
 * The model: an instant is "in business hours" when its local wall-clock time in the zone (what a
 * clock on the user's wall shows) falls in [startMinute, endMinute) on one of the business weekdays.
 * Everything here is defined from that one predicate, so the pieces agree with each other across
 * DST changes: business time is the measure of that set (a spring-forward gap inside business hours
 * is not worked, a fall-back hour inside them is worked twice), and `nextBusinessMoment` is the
 * first instant of the set at or after a given one.
 *
 * Inside a stretch of time where the zone's UTC offset is constant, local time is just UTC plus
 * that offset, so all the arithmetic happens per constant-offset segment. Luxon supplies the zone
 * data (the offset at an instant); it has no list of transitions, so offset changes are located by
 * binary search over its offsets. Converting a wall-clock time back to an instant is never needed,
 * which is where DST gaps and repeated hours would otherwise have to be guessed.
 */
import { DateTime, IANAZone } from 'luxon';
import type { BusinessHours } from './business-hours';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Offsets are probed this far apart; real zones never change offset twice within it. */
const PROBE = 12 * HOUR;
/** How far `nextBusinessMoment` looks before concluding the hours can never be met. */
const SEARCH_HORIZON = 400 * DAY;

// ---------------------------------------------------------------------------------------------
// Time zone arithmetic

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`"${name}" is not an IANA time zone such as Europe/Stockholm.`);
  return zone;
}

/** Local minus UTC, in ms, at instant `t`. Exact to the second, which is what zone data holds. */
function offsetAt(t: number, zone: string): number {
  // Luxon answers in minutes; rounding to whole seconds undoes the division's floating-point error.
  return Math.round(zoneOf(zone).offset(t) * 60) * 1000;
}

/** The first instant after `t` (up to `limit`) where the offset differs from the one at `t`. */
function nextOffsetChange(t: number, zone: string, limit: number): number | undefined {
  const offset = offsetAt(t, zone);
  for (let lo = t; lo < limit; ) {
    let hi = Math.min(lo + PROBE, limit);
    if (offsetAt(hi, zone) === offset) {
      lo = hi;
      continue;
    }
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid, zone) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  return undefined;
}

interface Segment {
  start: number;
  end: number;
  offset: number;
}

/**
 * Splits [from, to) into stretches of constant UTC offset, each at most a week long so that a caller
 * that stops early (nextBusinessMoment) has not probed far ahead for nothing.
 */
function* segments(from: number, to: number, zone: string): Generator<Segment> {
  for (let start = from; start < to; ) {
    const limit = Math.min(to, start + 7 * DAY);
    const end = nextOffsetChange(start, zone, limit) ?? limit;
    yield { start, end, offset: offsetAt(start, zone) };
    start = end;
  }
}

/** Monday = 1 … Sunday = 7 for a day number counted from 1970-01-01 (a Thursday). */
function isoWeekday(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** Local calendar day number (days since 1970-01-01 on the zone's calendar) of an instant. */
export function localDayNumber(instant: Date, zone: string): number {
  const t = instantMs(instant, 'instant');
  return Math.floor((t + offsetAt(t, zone)) / DAY);
}

/**
 * The instant from which the local date is `dayNumber` or later for good: local midnight, or the end
 * of a DST gap that swallows midnight. "For good" matters where a fall-back crossed midnight (St
 * John's went from 00:01 back to 23:01 until 2011): the previous date returns for an hour, and
 * a reminder sent then would land on the same local day as the one before.
 */
export function startOfLocalDay(dayNumber: number, zone: string): Date {
  checkZone(zone);
  const midnight = dayNumber * DAY;
  // Offsets lie within ±26 h, so the day's start is inside this window; its first instant is still
  // on an earlier date. Within a segment local time only grows, so the instants of a segment that
  // are before the date form a prefix of it, ending where its local clock reaches midnight.
  let start = midnight - 27 * HOUR;
  for (const seg of segments(start, midnight + 27 * HOUR, zone)) {
    if (seg.start + seg.offset < midnight) start = Math.min(seg.end, midnight - seg.offset);
  }
  return new Date(start);
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  /** ISO weekday, Monday = 1 … Sunday = 7. */
  weekday: number;
  minuteOfDay: number;
}

/** The local calendar date and time of an instant in a zone. */
export function wallClock(instant: Date, zone: string): WallClock {
  const local = DateTime.fromMillis(instantMs(instant, 'instant'), { zone: zoneOf(zone) });
  return {
    year: local.year,
    month: local.month,
    day: local.day,
    weekday: local.weekday,
    minuteOfDay: local.hour * 60 + local.minute,
  };
}

// ---------------------------------------------------------------------------------------------
// Business hours

/** Business hours that contain no time at all, or make no sense, are a programming error. */
export function assertBusinessHours(hours: BusinessHours): void {
  const { startMinute: s, endMinute: e, days } = hours;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > 24 * 60 || s >= e) {
    throw new RangeError(`business hours ${s}-${e}: minutes must be whole, 0 ≤ start < end ≤ 1440.`);
  }
  if (!Array.isArray(days) || days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new RangeError(`business days [${days}]: need at least one ISO weekday (1 = Monday … 7 = Sunday).`);
  }
}

export function isBusinessMoment(instant: Date, zone: string, hours: BusinessHours): boolean {
  checkInputs(zone, hours);
  const t = instantMs(instant, 'instant');
  const local = t + offsetAt(t, zone);
  const day = Math.floor(local / DAY);
  const ms = local - day * DAY;
  return (
    hours.days.includes(isoWeekday(day)) && ms >= hours.startMinute * MINUTE && ms < hours.endMinute * MINUTE
  );
}

/** The business window of local day `day`, in local-time milliseconds, or undefined on a day off. */
function windowOf(day: number, hours: BusinessHours): [number, number] | undefined {
  if (!hours.days.includes(isoWeekday(day))) return undefined;
  return [day * DAY + hours.startMinute * MINUTE, day * DAY + hours.endMinute * MINUTE];
}

/**
 * Milliseconds of business time between two instants in the zone. Signed: negative when `to` is
 * before `from`, so that a→b + b→c = a→c holds for any three instants.
 */
export function businessTimeBetween(from: Date, to: Date, zone: string, hours: BusinessHours): number {
  checkInputs(zone, hours);
  const a = instantMs(from, 'from');
  const b = instantMs(to, 'to');
  // `|| 0` keeps an empty reversed span at +0, not -0.
  if (b < a) return -businessTimeBetween(to, from, zone, hours) || 0;
  let total = 0;
  for (const seg of segments(a, b, zone)) {
    const lo = seg.start + seg.offset;
    const hi = seg.end + seg.offset;
    for (let day = Math.floor(lo / DAY); day * DAY < hi; day++) {
      const w = windowOf(day, hours);
      if (w) total += Math.max(0, Math.min(hi, w[1]) - Math.max(lo, w[0]));
    }
  }
  return total;
}

/** The first instant at or after `after` that is inside business hours in the zone. */
export function nextBusinessMoment(after: Date, zone: string, hours: BusinessHours): Date {
  checkInputs(zone, hours);
  const from = instantMs(after, 'after');
  for (const seg of segments(from, from + SEARCH_HORIZON, zone)) {
    const lo = seg.start + seg.offset;
    const hi = seg.end + seg.offset;
    for (let day = Math.floor(lo / DAY); day * DAY < hi; day++) {
      const w = windowOf(day, hours);
      if (!w) continue;
      const candidate = Math.max(lo, w[0]);
      if (candidate < w[1] && candidate < hi) return new Date(candidate - seg.offset);
    }
  }
  // Only reachable when DST gaps swallow every window for a year: hours that cannot be met.
  throw new RangeError(`no business time within a year after ${after.toISOString()} in ${zone}.`);
}

/** Start of business on the first business day after the local day of `now`: "remind me tomorrow". */
export function nextBusinessMorning(now: Date, zone: string, hours: BusinessHours): Date {
  return nextBusinessMoment(startOfLocalDay(localDayNumber(now, zone) + 1, zone), zone, hours);
}

/** Elapsed business time, shaped for `isStuck` in journey.ts. */
export function businessElapsed(zone: string, hours: BusinessHours): (from: Date, to: Date) => number {
  checkInputs(zone, hours);
  return (from, to) => businessTimeBetween(from, to, zone, hours);
}

// ---------------------------------------------------------------------------------------------
// Reminders

export interface ReminderCadence {
  /** Days between reminders while more than `nearWithinDays` are left (or with no deadline). */
  farDays: number;
  /** Days between reminders once `nearWithinDays` or fewer are left. */
  nearDays: number;
  /** Days between reminders once `finalWithinDays` or fewer are left. */
  finalDays: number;
  nearWithinDays: number;
  finalWithinDays: number;
  /**
   * After the deadline: `daily` keeps reminding every business day (the default: once conditional
   * access is enforced the user is blocked and needs the steps more than ever), `stop` sends nothing
   * at or after the deadline instant and leaves stragglers to the helpdesk.
   */
  afterDeadline: 'daily' | 'stop';
}

export const DEFAULT_CADENCE: Readonly<ReminderCadence> = {
  farDays: 7,
  nearDays: 2,
  finalDays: 1,
  nearWithinDays: 14,
  finalWithinDays: 3,
  afterDeadline: 'daily',
};

export interface ReminderInput {
  now: Date;
  /** The user's IANA time zone. */
  zone: string;
  hours: BusinessHours;
  journeyDone: boolean;
  lastReminderAt?: Date | string;
  /** Set by "remind me later"; see `defer`. */
  deferredUntil?: Date | string;
  /** End of the grace period, or the wave's deadline. */
  deadline?: Date | string;
  cadence?: Partial<ReminderCadence>;
}

/**
 * When to remind the user next, or undefined for never. Rules, all in the user's zone:
 * - never once the journey is done;
 * - always inside business hours, never before `now` or `deferredUntil`;
 * - never on the local calendar day of the last reminder (at most one a day);
 * - cadence counts local calendar days from the last reminder and tightens toward the deadline:
 *   `farDays`, then `nearDays` within `nearWithinDays`, then `finalDays` within `finalWithinDays`;
 *   a phase starts on time even if the previous interval has not run out (the first reminder at 14
 *   days left comes on that day, not at the end of a 7-day wait);
 * - after the deadline: see `ReminderCadence.afterDeadline`.
 * The reminder lands at the first business moment of the due day, so a user hears from the bot in
 * the morning rather than at whatever time the last reminder happened to go out.
 */
export function nextReminderAt(input: ReminderInput): Date | undefined {
  if (input.journeyDone) return undefined;
  const { zone, hours } = input;
  checkInputs(zone, hours);
  const cadence = checkCadence({ ...DEFAULT_CADENCE, ...input.cadence });
  const now = instantMs(input.now, 'now');
  const last = optionalMs(input.lastReminderAt, 'lastReminderAt');
  const deferred = optionalMs(input.deferredUntil, 'deferredUntil');
  const deadline = optionalMs(input.deadline, 'deadline');
  const stopped = (t: number) => deadline !== undefined && cadence.afterDeadline === 'stop' && t >= deadline;
  if (stopped(now)) return undefined;

  let candidate = Math.max(now, deferred ?? now);
  const lastDay = last === undefined ? undefined : localDayNumber(new Date(last), zone);
  if (lastDay !== undefined) {
    const deadlineDay = deadline === undefined ? undefined : localDayNumber(new Date(deadline), zone);
    candidate = Math.max(candidate, startOfLocalDay(dueDay(lastDay, deadlineDay, cadence), zone).getTime());
  }

  // The due day starts "for good" (see startOfLocalDay), so every instant from `candidate` on is on
  // a later local day than the last reminder.
  const at = nextBusinessMoment(new Date(candidate), zone, hours);
  return stopped(at.getTime()) ? undefined : at;
}

/**
 * The local day the next reminder is due: the earliest day on which the phase then in force has had
 * its interval since the last reminder. Intervals shrink as the deadline nears, so this is the
 * minimum over phases of max(last + interval, first day of the phase).
 */
function dueDay(lastDay: number, deadlineDay: number | undefined, c: ReminderCadence): number {
  let due = lastDay + c.farDays;
  if (deadlineDay === undefined) return due;
  due = Math.min(due, Math.max(lastDay + c.nearDays, deadlineDay - c.nearWithinDays));
  due = Math.min(due, Math.max(lastDay + c.finalDays, deadlineDay - c.finalWithinDays));
  if (c.afterDeadline === 'daily') due = Math.min(due, Math.max(lastDay + 1, deadlineDay + 1));
  return due;
}

function checkCadence(c: ReminderCadence): ReminderCadence {
  for (const key of ['farDays', 'nearDays', 'finalDays'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) {
      throw new RangeError(`cadence.${key}: ${c[key]} must be a whole number of days, at least 1.`);
    }
  }
  for (const key of ['nearWithinDays', 'finalWithinDays'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0) {
      throw new RangeError(`cadence.${key}: ${c[key]} must be a whole number of days, 0 or more.`);
    }
  }
  if (c.afterDeadline !== 'daily' && c.afterDeadline !== 'stop') {
    throw new RangeError(`cadence.afterDeadline: "${c.afterDeadline}" must be daily or stop.`);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Deferrals ("remind me tomorrow")

export const DEFAULT_DEFERRAL_LIMIT = 3;

export function deferralsLeft(used: number, limit: number = DEFAULT_DEFERRAL_LIMIT): number {
  const u = Number.isFinite(used) ? Math.max(0, Math.floor(used)) : 0;
  const l = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
  return Math.max(0, l - u);
}

/** Returned (not thrown) when the user has no deferrals left; the card says so and offers help instead. */
export class DeferralError extends Error {
  readonly code = 'deferral-limit-reached';
  constructor(
    readonly used: number,
    readonly limit: number,
  ) {
    super(`All ${limit} deferral(s) have been used.`);
    this.name = 'DeferralError';
  }
}

export type DeferralResult =
  | { ok: true; deferredUntil: Date; used: number; left: number }
  | { ok: false; error: DeferralError };

/** "Remind me tomorrow": pushes reminders to the next business morning, within the allowed number. */
export function defer(input: {
  now: Date;
  zone: string;
  hours: BusinessHours;
  used: number;
  limit?: number;
}): DeferralResult {
  const limit = input.limit ?? DEFAULT_DEFERRAL_LIMIT;
  if (deferralsLeft(input.used, limit) === 0)
    return { ok: false, error: new DeferralError(input.used, limit) };
  const used = Math.max(0, Math.floor(input.used)) + 1;
  return {
    ok: true,
    deferredUntil: nextBusinessMorning(input.now, input.zone, input.hours),
    used,
    left: deferralsLeft(used, limit),
  };
}

// ---------------------------------------------------------------------------------------------

/** Fails fast on a bad zone or bad hours even when the work at hand would never look at them. */
function checkInputs(zone: string, hours: BusinessHours): void {
  checkZone(zone);
  assertBusinessHours(hours);
}

function checkZone(zone: string): void {
  zoneOf(zone);
}

function instantMs(d: Date, name: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${name}: not a valid instant.`);
  return t;
}

function optionalMs(value: Date | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(t)) throw new RangeError(`${name}: "${String(value)}" is not an ISO date and time.`);
  return t;
}
