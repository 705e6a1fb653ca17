/**
 * The helpdesk-load forecast for the next wave: will its tickets fit what the helpdesk can absorb
 * before the wave's end? Pure.
 *
 * The arithmetic, with the example the tests use:
 * 1. Measured rate = tickets ÷ members of the waves run so far (`measureEscalationRate`), e.g.
 *    60 tickets from 500 pilot and wave-1 users = 0.12 tickets per user.
 * 2. Expected tickets = rate × next wave size: 0.12 × 500 = 60.
 * 3. Working days = business time from the wave's start to its end (grace period end, else deadline)
 *    ÷ the length of a business day (`workingDaysBetween`): Monday 08:00 to Friday 17:00 of the
 *    following week = 10.
 * 4. Expected per day = expected tickets ÷ working days = 6; utilisation = per day ÷ capacity per
 *    day = 6 ÷ 5 = 1.2 (120 %), over 1 → warning.
 * 5. Working days needed = ⌈expected tickets ÷ capacity⌉ = ⌈60 ÷ 5⌉ = 12: the earliest end that
 *    fits is the close of business on the 12th working day from the start
 *    (`earliestFittingDeadline`).
 * This is an average: tickets cluster after announcements and reminders, so a utilisation near
 * 100 % already means queues on some days.
 */
import type { BusinessHours } from './business-hours';
import { businessTimeBetween, nextBusinessMoment, wallClock } from './schedule';

/** The tickets and members of one earlier wave, as `waveStats` counts them. */
export interface RateSample {
  waveId: string;
  tickets: number;
  users: number;
  /** The wave is over (evaluating or closed): its users had the whole wave to raise tickets. */
  complete: boolean;
}

export interface MeasuredRate {
  ticketsPerUser: number;
  tickets: number;
  users: number;
  /**
   * `completed-waves`: only waves that are over were used. `running-waves`: none is over yet, so the
   * waves still running (the pilot, the volunteers …) were used: their users may raise more tickets,
   * so the rate is a floor.
   */
  basis: 'completed-waves' | 'running-waves';
  waveIds: string[];
}

/**
 * Pooled rate Σ tickets ÷ Σ users over the completed waves with members, or over every wave with
 * members when none is complete; undefined when no wave has members yet.
 */
export function measureEscalationRate(samples: readonly RateSample[]): MeasuredRate | undefined {
  const usable = samples.filter(
    (s) => Number.isFinite(s.users) && s.users > 0 && Number.isFinite(s.tickets) && s.tickets >= 0,
  );
  const complete = usable.filter((s) => s.complete);
  const used = complete.length > 0 ? complete : usable;
  if (used.length === 0) return undefined;
  const tickets = used.reduce((n, s) => n + s.tickets, 0);
  const users = used.reduce((n, s) => n + s.users, 0);
  return {
    ticketsPerUser: tickets / users,
    tickets,
    users,
    basis: complete.length > 0 ? 'completed-waves' : 'running-waves',
    waveIds: used.map((s) => s.waveId),
  };
}

export type ForecastWarning =
  /** No earlier wave has members: nothing to measure a rate on. Run the pilot or volunteers first. */
  | 'no-rate'
  /** Expected tickets per working day exceed the stated capacity. */
  | 'over-capacity'
  /** The wave's end is at or before its start: there is no working day to spread tickets over. */
  | 'no-working-days';

export interface ForecastInput {
  rate?: MeasuredRate;
  /** Members of the wave the forecast is for. */
  waveSize: number;
  /** Working days from the wave's start to its end; undefined when it has no end date. */
  workingDays?: number;
  /** Tickets a day the helpdesk can absorb; undefined when nobody stated it. */
  capacityPerDay?: number;
}

export interface HelpdeskForecast {
  waveSize: number;
  ticketsPerUser?: number;
  /** rate × wave size. */
  expectedTickets?: number;
  workingDays?: number;
  /** expected tickets ÷ working days. */
  expectedPerDay?: number;
  capacityPerDay?: number;
  /** expected per day ÷ capacity per day (1 = exactly full). */
  utilisation?: number;
  /** ⌈expected tickets ÷ capacity⌉: the fewest whole working days the tickets fit in. */
  workingDaysNeeded?: number;
  warnings: ForecastWarning[];
}

const positive = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** The forecast's arithmetic (see the module comment); figures that lack an input are undefined. */
export function forecastHelpdeskLoad(input: ForecastInput): HelpdeskForecast {
  const waveSize = Number.isFinite(input.waveSize) && input.waveSize > 0 ? Math.floor(input.waveSize) : 0;
  const capacity = positive(input.capacityPerDay) ? input.capacityPerDay : undefined;
  const out: HelpdeskForecast = {
    waveSize,
    ...(capacity !== undefined ? { capacityPerDay: capacity } : {}),
    warnings: [],
  };
  if (input.workingDays !== undefined && Number.isFinite(input.workingDays)) {
    out.workingDays = Math.max(0, input.workingDays);
    if (out.workingDays === 0) out.warnings.push('no-working-days');
  }
  const rate = input.rate;
  if (!rate || !(rate.users > 0)) {
    out.warnings.unshift('no-rate');
    return out;
  }
  out.ticketsPerUser = rate.ticketsPerUser;
  // Tickets × size ÷ users rather than the rounded rate × size, so whole results stay whole.
  const expected = (rate.tickets * waveSize) / rate.users;
  out.expectedTickets = expected;
  if (positive(out.workingDays)) out.expectedPerDay = expected / out.workingDays;
  if (capacity !== undefined) {
    // A hair of tolerance so that 60 ÷ 5 is 12 days even when the rate was not a round number.
    out.workingDaysNeeded = Math.max(0, Math.ceil(expected / capacity - 1e-9));
    if (out.expectedPerDay !== undefined) {
      out.utilisation = out.expectedPerDay / capacity;
      if (out.expectedPerDay > capacity) out.warnings.push('over-capacity');
    }
  }
  return out;
}

const MINUTE_MS = 60_000;

function dayLengthMs(hours: BusinessHours): number {
  return (hours.endMinute - hours.startMinute) * MINUTE_MS;
}

/**
 * Business time between two instants in `zone`, in business days (fractional; a full business day
 * is 1). 0 when `to` is not after `from`.
 */
export function workingDaysBetween(from: Date, to: Date, zone: string, hours: BusinessHours): number {
  if (!(to.getTime() > from.getTime())) return 0;
  return businessTimeBetween(from, to, zone, hours) / dayLengthMs(hours);
}

/**
 * The instant at which `workingDays` business days have passed since `start` in `zone`: for whole
 * days, the close of business of the last of them. Walks business windows one day at a time.
 */
export function earliestFittingDeadline(
  start: Date,
  workingDays: number,
  zone: string,
  hours: BusinessHours,
): Date {
  let remaining = Math.max(0, workingDays) * dayLengthMs(hours);
  let t = nextBusinessMoment(start, zone, hours);
  if (remaining === 0) return start;
  // Bounded: one iteration per business day needed, plus one for a partial first day.
  for (let guard = Math.ceil(workingDays) + 2; guard > 0; guard--) {
    const local = wallClock(t, zone);
    const left = (hours.endMinute - local.minuteOfDay) * MINUTE_MS - (t.getTime() % MINUTE_MS);
    if (remaining <= left) return new Date(t.getTime() + remaining);
    remaining -= left;
    t = nextBusinessMoment(new Date(t.getTime() + left), zone, hours);
  }
  return t;
}
