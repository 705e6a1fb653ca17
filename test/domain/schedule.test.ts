import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { BusinessHours } from '../../src/domain/business-hours';
import { isStuck } from '../../src/domain/journey-progress';
import {
  businessElapsed,
  businessTimeBetween,
  DeferralError,
  defer,
  deferralsLeft,
  isBusinessMoment,
  localDayNumber,
  nextBusinessMoment,
  nextBusinessMorning,
  nextReminderAt,
  type ReminderCadence,
  type ReminderInput,
  startOfLocalDay,
  wallClock,
} from '../../src/domain/schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const OFFICE: BusinessHours = { startMinute: 8 * 60, endMinute: 17 * 60, days: [1, 2, 3, 4, 5] };
const ALWAYS: BusinessHours = { startMinute: 0, endMinute: 24 * 60, days: [1, 2, 3, 4, 5, 6, 7] };
const STO = 'Europe/Stockholm';
const NYC = 'America/New_York';

const d = (iso: string) => new Date(iso);
const hours = (ms: number) => ms / HOUR;

// -------------------------------------------------------------------------------------------
// An independent oracle for the local wall clock, straight from Intl (weekday by name), so the
// properties do not check the module against its own arithmetic.

const oracleFormats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function wall(t: Date, zone: string): { weekday: number; minute: number; date: string } {
  let f = oracleFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    oracleFormats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  return {
    weekday: WEEKDAYS.indexOf(p.weekday) + 1,
    minute: Number(p.hour) * 60 + Number(p.minute),
    date: `${p.year}-${p.month}-${p.day}`,
  };
}

function oracleInBusiness(t: Date, zone: string, h: BusinessHours): boolean {
  const w = wall(t, zone);
  return h.days.includes(w.weekday) && w.minute >= h.startMinute && w.minute < h.endMinute;
}

// -------------------------------------------------------------------------------------------

describe('domain: schedule', () => {
  describe('businessTimeBetween', () => {
    it('counts office hours on working days only', () => {
      assert.equal(
        hours(
          businessTimeBetween(d('2025-06-02T09:00:00+02:00'), d('2025-06-02T10:00:00+02:00'), STO, OFFICE),
        ),
        1,
      );
      // Friday 16:00 to Monday 09:00: one hour on Friday, one on Monday, nothing at the weekend.
      assert.equal(
        hours(
          businessTimeBetween(d('2025-06-06T16:00:00+02:00'), d('2025-06-09T09:00:00+02:00'), STO, OFFICE),
        ),
        2,
      );
      assert.equal(
        businessTimeBetween(d('2025-06-07T00:00:00+02:00'), d('2025-06-09T00:00:00+02:00'), STO, OFFICE),
        0,
      );
    });

    it('a week with a spring-forward Sunday still has exactly 45 office hours', () => {
      // Stockholm moves its clocks on Sunday 30 March 2025; the wall-clock week is 167 hours long.
      const from = d('2025-03-24T00:00:00+01:00');
      const to = d('2025-03-31T00:00:00+02:00');
      assert.equal(hours(to.getTime() - from.getTime()), 167);
      assert.equal(hours(businessTimeBetween(from, to, STO, OFFICE)), 45);
      // Across the change, Monday opens at 08:00 summer time: Thursday 9 + Friday 9 + Monday 08-09.
      const thursday = d('2025-03-27T00:00:00+01:00');
      assert.equal(hours(businessTimeBetween(thursday, d('2025-03-31T09:00:00+02:00'), STO, OFFICE)), 19);
    });

    it('a DST day is 23 or 25 hours long when every hour is business time', () => {
      assert.equal(
        hours(
          businessTimeBetween(d('2025-03-09T00:00:00-05:00'), d('2025-03-10T00:00:00-04:00'), NYC, ALWAYS),
        ),
        23,
      );
      assert.equal(
        hours(
          businessTimeBetween(d('2025-11-02T00:00:00-04:00'), d('2025-11-03T00:00:00-05:00'), NYC, ALWAYS),
        ),
        25,
      );
    });

    it('a window inside a spring-forward gap is partly missing; one inside a fall-back is counted twice', () => {
      const sundayEarly: BusinessHours = { startMinute: 120, endMinute: 240, days: [7] };
      assert.equal(
        hours(businessTimeBetween(d('2025-03-09T00:00:00Z'), d('2025-03-10T00:00:00Z'), NYC, sundayEarly)),
        1,
      );
      const sundayOneAm: BusinessHours = { startMinute: 60, endMinute: 120, days: [7] };
      assert.equal(
        hours(businessTimeBetween(d('2025-11-02T00:00:00Z'), d('2025-11-03T00:00:00Z'), NYC, sundayOneAm)),
        2,
      );
    });

    it('is signed: reversing the instants negates it', () => {
      const a = d('2025-06-02T09:00:00Z');
      const b = d('2025-06-04T09:00:00Z');
      assert.equal(businessTimeBetween(b, a, STO, OFFICE), -businessTimeBetween(a, b, STO, OFFICE));
      assert.ok(businessTimeBetween(a, b, STO, OFFICE) > 0);
    });

    it('refuses an unknown zone and impossible hours with a clear RangeError', () => {
      const a = d('2025-06-02T09:00:00Z');
      assert.throws(() => businessTimeBetween(a, a, 'Mars/Olympus', OFFICE), /not an IANA time zone/);
      assert.throws(
        () => businessTimeBetween(a, a, STO, { ...OFFICE, startMinute: 1000, endMinute: 900 }),
        RangeError,
      );
      assert.throws(() => businessTimeBetween(a, a, STO, { ...OFFICE, days: [] }), /weekday/);
      assert.throws(() => businessTimeBetween(new Date(Number.NaN), a, STO, OFFICE), /from/);
    });
  });

  describe('nextBusinessMoment', () => {
    it('returns the instant itself inside business hours, the next opening otherwise', () => {
      const inside = d('2025-06-03T10:15:00+02:00');
      assert.equal(nextBusinessMoment(inside, STO, OFFICE).getTime(), inside.getTime());
      assert.equal(
        nextBusinessMoment(d('2025-06-07T12:00:00+02:00'), STO, OFFICE).toISOString(),
        '2025-06-09T06:00:00.000Z',
      );
      // Closing time is outside: the window is [start, end).
      assert.equal(
        nextBusinessMoment(d('2025-06-03T17:00:00+02:00'), STO, OFFICE).toISOString(),
        '2025-06-04T06:00:00.000Z',
      );
    });

    it('isBusinessMoment: opening time is in, closing time is out', () => {
      assert.equal(isBusinessMoment(d('2025-06-03T08:00:00+02:00'), STO, OFFICE), true);
      assert.equal(isBusinessMoment(d('2025-06-03T16:59:59+02:00'), STO, OFFICE), true);
      assert.equal(isBusinessMoment(d('2025-06-03T17:00:00+02:00'), STO, OFFICE), false);
      assert.equal(isBusinessMoment(d('2025-06-03T07:59:59+02:00'), STO, OFFICE), false);
    });

    it('wallClock reads the local date, ISO weekday and minute of the day', () => {
      // 18:30 UTC on Sunday 1 June 2025 is already Monday 00:00 in Kolkata (+05:30).
      assert.deepEqual(wallClock(d('2025-06-01T18:30:00Z'), 'Asia/Kolkata'), {
        year: 2025,
        month: 6,
        day: 2,
        weekday: 1,
        minuteOfDay: 0,
      });
      assert.deepEqual(wallClock(d('2025-06-01T18:29:00Z'), 'Asia/Kolkata').weekday, 7);
    });

    it('startOfLocalDay is local midnight, or the end of a DST gap that swallows it', () => {
      const day = (iso: string, zone: string) =>
        startOfLocalDay(localDayNumber(d(iso), zone), zone).toISOString();
      assert.equal(day('2025-06-02T12:00:00Z', STO), '2025-06-01T22:00:00.000Z');
      assert.equal(day('2025-06-02T12:00:00Z', 'Asia/Kolkata'), '2025-06-01T18:30:00.000Z');
      // Santiago springs forward at midnight on 7 September 2025: that day begins at 01:00 (-03).
      assert.equal(day('2025-09-07T12:00:00Z', 'America/Santiago'), '2025-09-07T04:00:00.000Z');
      // St John's, 7 Nov 2010: 00:00-00:01 NDT, then back to the 6th until midnight NST. The 7th
      // starts for good at midnight NST.
      assert.equal(day('2010-11-07T12:00:00Z', 'America/St_Johns'), '2010-11-07T03:30:00.000Z');
    });

    it("handles half-hour offsets (Kolkata) and the southern hemisphere's autumn change (Sydney)", () => {
      const kolkata: BusinessHours = { startMinute: 9 * 60, endMinute: 17 * 60 + 30, days: [1, 2, 3, 4, 5] };
      assert.equal(
        nextBusinessMoment(d('2025-06-02T00:00:00Z'), 'Asia/Kolkata', kolkata).toISOString(),
        '2025-06-02T03:30:00.000Z',
      );
      // Sydney leaves DST on Sunday 6 April 2025: Monday 08:00 is then AEST (+10).
      assert.equal(
        nextBusinessMoment(d('2025-04-04T07:00:00Z'), 'Australia/Sydney', OFFICE).toISOString(),
        '2025-04-06T22:00:00.000Z',
      );
    });

    it('skips a business window that a spring-forward gap swallows in part', () => {
      const sundayEarly: BusinessHours = { startMinute: 120, endMinute: 240, days: [7] };
      // 02:00 does not exist in New York on 9 March 2025; 03:00 EDT is the first business moment.
      assert.equal(
        nextBusinessMoment(d('2025-03-08T17:00:00Z'), NYC, sundayEarly).toISOString(),
        '2025-03-09T07:00:00.000Z',
      );
    });

    it("nextBusinessMorning is the next business day's opening, never later today", () => {
      assert.equal(
        nextBusinessMorning(d('2025-06-06T15:00:00+02:00'), STO, OFFICE).toISOString(),
        '2025-06-09T06:00:00.000Z',
      );
      assert.equal(
        nextBusinessMorning(d('2025-06-02T06:00:00+02:00'), STO, OFFICE).toISOString(),
        '2025-06-03T06:00:00.000Z',
      );
    });
  });

  describe('nextReminderAt', () => {
    const base = (over: Partial<ReminderInput>): ReminderInput => ({
      now: d('2025-06-02T10:00:00+02:00'), // a Monday
      zone: STO,
      hours: OFFICE,
      journeyDone: false,
      ...over,
    });

    it('never reminds a user whose journey is done', () => {
      assert.equal(nextReminderAt(base({ journeyDone: true, deadline: '2025-06-02T12:00:00Z' })), undefined);
    });

    it('the first reminder goes now in business hours, else at the next opening', () => {
      assert.equal(nextReminderAt(base({}))?.toISOString(), '2025-06-02T08:00:00.000Z');
      assert.equal(
        nextReminderAt(base({ now: d('2025-06-07T10:00:00+02:00') }))?.toISOString(),
        '2025-06-09T06:00:00.000Z',
      );
    });

    it("at most one a day: a reminder this morning means nothing before tomorrow's opening, even in the last days", () => {
      const r = nextReminderAt(
        base({ lastReminderAt: '2025-06-02T08:05:00+02:00', deadline: '2025-06-03T17:00:00+02:00' }),
      );
      assert.equal(r?.toISOString(), '2025-06-03T06:00:00.000Z');
    });

    it('without a deadline, reminds every farDays, at the opening of the due day', () => {
      const r = nextReminderAt(base({ lastReminderAt: '2025-06-02T09:30:00+02:00' }));
      assert.equal(r?.toISOString(), '2025-06-09T06:00:00.000Z');
      const custom = nextReminderAt(
        base({ lastReminderAt: '2025-06-02T09:30:00+02:00', cadence: { farDays: 3 } }),
      );
      assert.equal(custom?.toISOString(), '2025-06-05T06:00:00.000Z');
    });

    it('tightens toward the deadline: weekly, then every other day from 14 days left, then daily from 3', () => {
      const all: BusinessHours = { ...OFFICE, days: [1, 2, 3, 4, 5, 6, 7] };
      const deadline = '2025-07-01T15:00:00Z';
      const daysLeft = (t: Date) =>
        Math.round((Date.parse('2025-07-01T00:00:00+02:00') - t.getTime()) / DAY) + 0;
      let last: Date | undefined;
      let now = d('2025-06-05T07:00:00Z');
      const sent: number[] = [];
      while (sent.length < 14) {
        const next = nextReminderAt(base({ now, hours: all, deadline, lastReminderAt: last }));
        assert.ok(next);
        sent.push(daysLeft(next));
        last = next;
        now = new Date(next.getTime() + MIN);
      }
      // 26 days left, 19 (7 later), 14 (the near phase starts on time), 12 … 4 every two days, then daily.
      assert.deepEqual(sent, [26, 19, 14, 12, 10, 8, 6, 4, 3, 2, 1, 0, -1, -2]);
    });

    it('after the deadline reminds every business day even when the final cadence is slower', () => {
      const r = nextReminderAt(
        base({
          now: d('2025-06-05T10:00:00Z'),
          lastReminderAt: '2025-06-05T06:00:00Z',
          deadline: '2025-06-04T12:00:00Z',
          cadence: { finalDays: 2 },
        }),
      );
      assert.equal(r?.toISOString(), '2025-06-06T06:00:00.000Z');
    });

    it('a fall-back across midnight cannot put a second reminder on the same local day', () => {
      // St John's, 7 Nov 2010: 00:01 NDT became 23:01 NST on the 6th, so the 6th came back for an hour.
      const r = nextReminderAt({
        now: d('2010-11-07T02:10:00Z'),
        zone: 'America/St_Johns',
        hours: ALWAYS,
        journeyDone: false,
        lastReminderAt: '2010-11-07T02:00:00Z', // 23:30 NDT on the 6th
        deferredUntil: '2010-11-07T02:45:00Z', // 23:15 NST, the 6th again
        cadence: { farDays: 1 },
      });
      assert.equal(r?.toISOString(), '2010-11-07T03:30:00.000Z', 'midnight NST on the 7th');
    });

    it('after the deadline keeps to business days by default, or stops when told to', () => {
      const deadline = '2025-06-05T12:00:00Z';
      const friday = nextReminderAt(
        base({ now: d('2025-06-06T10:00:00Z'), lastReminderAt: '2025-06-06T06:00:00Z', deadline }),
      );
      assert.equal(friday?.toISOString(), '2025-06-09T06:00:00.000Z', 'Friday → Monday, not Saturday');
      const stop = { afterDeadline: 'stop' as const };
      assert.equal(
        nextReminderAt(base({ now: d('2025-06-06T10:00:00Z'), deadline, cadence: stop })),
        undefined,
      );
      // Before the deadline but with nothing left in business hours before it: nothing either.
      assert.equal(
        nextReminderAt(
          base({
            now: d('2025-06-05T10:00:00Z'),
            lastReminderAt: '2025-06-05T06:00:00Z',
            deadline,
            cadence: stop,
          }),
        ),
        undefined,
      );
    });

    it('a deferral pushes the reminder to at least the deferred time, but never pulls one forward', () => {
      const deferredUntil = nextBusinessMorning(d('2025-06-02T10:00:00+02:00'), STO, OFFICE);
      assert.equal(nextReminderAt(base({ deferredUntil }))?.toISOString(), '2025-06-03T06:00:00.000Z');
      const weekly = nextReminderAt(base({ lastReminderAt: '2025-06-02T09:00:00+02:00', deferredUntil }));
      assert.equal(weekly?.toISOString(), '2025-06-09T06:00:00.000Z');
      const inEvening = nextReminderAt(base({ deferredUntil: '2025-06-03T19:00:00+02:00' }));
      assert.equal(inEvening?.toISOString(), '2025-06-04T06:00:00.000Z', 'still only in business hours');
    });

    it('refuses unreadable dates and nonsensical cadences with a RangeError', () => {
      assert.throws(() => nextReminderAt(base({ deadline: 'soon' })), /deadline/);
      assert.throws(() => nextReminderAt(base({ cadence: { nearDays: 0 } })), /nearDays/);
      assert.throws(() => nextReminderAt(base({ cadence: { farDays: 1.5 } })), /farDays/);
    });
  });

  describe('deferrals', () => {
    it('deferralsLeft counts down and never goes negative', () => {
      assert.equal(deferralsLeft(0, 3), 3);
      assert.equal(deferralsLeft(2, 3), 1);
      assert.equal(deferralsLeft(5, 3), 0);
      assert.equal(deferralsLeft(Number.NaN, 2), 2);
    });

    it('defer moves reminders to the next business morning until the limit, then returns a DeferralError', () => {
      const input = { now: d('2025-06-06T15:00:00+02:00'), zone: STO, hours: OFFICE, limit: 2 };
      const first = defer({ ...input, used: 0 });
      assert.ok(first.ok);
      assert.equal(first.deferredUntil.toISOString(), '2025-06-09T06:00:00.000Z');
      assert.equal(first.used, 1);
      assert.equal(first.left, 1);
      const refused = defer({ ...input, used: 2 });
      assert.ok(!refused.ok);
      assert.ok(refused.error instanceof DeferralError);
      assert.equal(refused.error.code, 'deferral-limit-reached');
      assert.equal(refused.error.limit, 2);
    });
  });

  it('business time plugs into isStuck: a quiet weekend does not make a device stuck', () => {
    const journey = { stage: 'enrolling' as const, stageSince: '2025-06-06T15:00:00+02:00' };
    const monday = d('2025-06-09T09:30:00+02:00');
    assert.equal(isStuck(journey, monday, 8 * HOUR, businessElapsed(STO, OFFICE)), false);
    assert.equal(isStuck(journey, monday, 8 * HOUR), true);
    assert.equal(
      isStuck(journey, d('2025-06-09T16:30:00+02:00'), 8 * HOUR, businessElapsed(STO, OFFICE)),
      true,
    );
  });

  describe('properties', () => {
    const ZONES = [
      'Europe/Stockholm',
      'America/New_York',
      'Asia/Kolkata',
      'Australia/Sydney',
      'UTC',
      // Harder cases: DST changes at midnight (Santiago) and a 30-minute DST shift (Lord Howe).
      'America/Santiago',
      'Australia/Lord_Howe',
      // Until 2011 St John's fell back from 00:01 to 23:01: the local date ran backwards.
      'America/St_Johns',
    ];
    const TRANSITIONS = [
      '2025-03-30T01:00:00Z',
      '2025-10-26T01:00:00Z',
      '2025-03-09T07:00:00Z',
      '2025-11-02T06:00:00Z',
      '2025-04-05T16:00:00Z',
      '2025-10-04T16:00:00Z',
      '2025-04-06T03:00:00Z',
      '2025-09-07T04:00:00Z',
      '2025-04-05T15:00:00Z',
      '2025-10-04T15:30:00Z',
      '2010-11-07T02:31:00Z',
    ].map(Date.parse);

    const zoneArb = fc.constantFrom(...ZONES);
    /** Instants in 2000-2040, half of them within three days of a DST change. */
    const instantArb = fc
      .oneof(
        fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }),
        fc
          .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * DAY, max: 3 * DAY }))
          .map(([t, delta]) => t + delta),
      )
      .map((t) => new Date(t));
    const hoursArb: fc.Arbitrary<BusinessHours> = fc.oneof(
      fc.constant(OFFICE),
      fc.constant(ALWAYS),
      fc
        .tuple(
          fc.integer({ min: 0, max: 24 * 60 - 1 }),
          fc.integer({ min: 1, max: 24 * 60 }),
          fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        )
        .map(([start, length, days]) => ({
          startMinute: start,
          endMinute: Math.min(24 * 60, start + length),
          days: days.sort(),
        })),
    );

    it('nextBusinessMoment: at or after the input, inside business hours, nothing skipped, idempotent', () => {
      fc.assert(
        fc.property(instantArb, zoneArb, hoursArb, (t, zone, h) => {
          const next = nextBusinessMoment(t, zone, h);
          assert.ok(next.getTime() >= t.getTime());
          assert.ok(oracleInBusiness(next, zone, h), `${next.toISOString()} in ${zone}`);
          assert.ok(isBusinessMoment(next, zone, h));
          assert.equal(businessTimeBetween(t, next, zone, h), 0, 'no business time was skipped');
          assert.equal(nextBusinessMoment(next, zone, h).getTime(), next.getTime());
        }),
        { numRuns: 300 },
      );
    });

    it('businessTimeBetween is additive: a→b + b→c = a→c, in any order', () => {
      const near = fc.integer({ min: -10 * DAY, max: 10 * DAY });
      fc.assert(
        fc.property(instantArb, near, near, zoneArb, hoursArb, (a, db, dc, zone, h) => {
          const b = new Date(a.getTime() + db);
          const c = new Date(a.getTime() + dc);
          const ab = businessTimeBetween(a, b, zone, h);
          const bc = businessTimeBetween(b, c, zone, h);
          assert.equal(ab + bc, businessTimeBetween(a, c, zone, h));
        }),
        { numRuns: 300 },
      );
    });

    it('businessTimeBetween matches a minute-by-minute count of business minutes', () => {
      fc.assert(
        fc.property(
          instantArb,
          fc.integer({ min: 0, max: 2 * 24 * 60 }),
          zoneArb,
          hoursArb,
          (t, minutes, zone, h) => {
            const from = Math.floor(t.getTime() / MIN) * MIN;
            let expected = 0;
            for (let m = 0; m < minutes; m++)
              if (oracleInBusiness(new Date(from + m * MIN), zone, h)) expected += MIN;
            assert.equal(
              businessTimeBetween(new Date(from), new Date(from + minutes * MIN), zone, h),
              expected,
            );
          },
        ),
        { numRuns: 40 },
      );
    });

    it('businessTimeBetween is zero within a local day that is not a business day, and never exceeds wall time', () => {
      fc.assert(
        fc.property(
          instantArb,
          fc.integer({ min: 0, max: 6 * HOUR }),
          zoneArb,
          hoursArb,
          (t, len, zone, h) => {
            const end = new Date(t.getTime() + len);
            const spent = businessTimeBetween(t, end, zone, h);
            assert.ok(spent >= 0 && spent <= len);
            const w = wall(t, zone);
            if (!h.days.includes(w.weekday) && wall(end, zone).date === w.date) assert.equal(spent, 0);
          },
        ),
        { numRuns: 300 },
      );
    });

    const cadenceArb: fc.Arbitrary<Partial<ReminderCadence>> = fc.record(
      {
        farDays: fc.integer({ min: 1, max: 14 }),
        nearDays: fc.integer({ min: 1, max: 7 }),
        finalDays: fc.integer({ min: 1, max: 3 }),
        nearWithinDays: fc.integer({ min: 0, max: 21 }),
        finalWithinDays: fc.integer({ min: 0, max: 5 }),
        afterDeadline: fc.constantFrom('daily' as const, 'stop' as const),
      },
      { requiredKeys: [] },
    );
    const offsetArb = (min: number, max: number) =>
      fc.option(fc.integer({ min, max }), { nil: undefined, freq: 3 });
    const reminderArb = fc.record({
      now: instantArb,
      zone: zoneArb,
      hours: hoursArb,
      done: fc.boolean(),
      // Last reminder usually in the past; sometimes slightly ahead, as when clocks disagree.
      last: offsetArb(-20 * DAY, HOUR),
      deferred: offsetArb(-3 * DAY, 3 * DAY),
      deadline: offsetArb(-10 * DAY, 40 * DAY),
      cadence: cadenceArb,
    });

    it("nextReminderAt: in business hours, never the last reminder's local day, never before now or the deferral", () => {
      fc.assert(
        fc.property(reminderArb, (r) => {
          const now = r.now.getTime();
          const input: ReminderInput = {
            now: r.now,
            zone: r.zone,
            hours: r.hours,
            journeyDone: r.done,
            lastReminderAt: r.last === undefined ? undefined : new Date(now + r.last),
            deferredUntil: r.deferred === undefined ? undefined : new Date(now + r.deferred).toISOString(),
            deadline: r.deadline === undefined ? undefined : new Date(now + r.deadline).toISOString(),
            cadence: r.cadence,
          };
          const next = nextReminderAt(input);
          if (r.done) {
            assert.equal(next, undefined);
            return;
          }
          if (next === undefined) {
            assert.equal(r.cadence.afterDeadline, 'stop', 'only the stop policy ends reminders early');
            return;
          }
          assert.ok(oracleInBusiness(next, r.zone, r.hours), `${next.toISOString()} outside business hours`);
          assert.ok(next.getTime() >= now);
          if (r.deferred !== undefined) assert.ok(next.getTime() >= now + r.deferred);
          if (r.last !== undefined)
            assert.notEqual(wall(next, r.zone).date, wall(new Date(now + r.last), r.zone).date);
          if (r.deadline !== undefined && r.cadence.afterDeadline === 'stop')
            assert.ok(next.getTime() < now + r.deadline);
        }),
        { numRuns: 400 },
      );
    });

    it('a run of reminders never puts two on one local day', () => {
      fc.assert(
        fc.property(instantArb, zoneArb, hoursArb, offsetArb(0, 30 * DAY), (start, zone, h, deadline) => {
          let now = start;
          let last: Date | undefined;
          const days = new Set<string>();
          for (let i = 0; i < 8; i++) {
            const next = nextReminderAt({
              now,
              zone,
              hours: h,
              journeyDone: false,
              lastReminderAt: last,
              deadline: deadline === undefined ? undefined : new Date(start.getTime() + deadline),
            });
            assert.ok(next, 'the default policy keeps reminding');
            const day = wall(next, zone).date;
            assert.ok(!days.has(day), `two reminders on ${day}`);
            days.add(day);
            last = next;
            now = next;
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});
