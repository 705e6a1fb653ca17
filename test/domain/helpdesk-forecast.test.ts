import assert from 'node:assert/strict';
import type { BusinessHours } from '../../src/domain/business-hours';
import {
  earliestFittingDeadline,
  forecastHelpdeskLoad,
  type MeasuredRate,
  measureEscalationRate,
  workingDaysBetween,
} from '../../src/domain/helpdesk-forecast';

const ZONE = 'Europe/Stockholm';
const HOURS: BusinessHours = { startMinute: 8 * 60, endMinute: 17 * 60, days: [1, 2, 3, 4, 5] };
/** Monday 7 December 2026, 08:00 in Stockholm (UTC+1). */
const MONDAY_0800 = new Date('2026-12-07T07:00:00Z');
/** Friday 18 December 2026, 17:00 in Stockholm: ten working days later. */
const FRIDAY_1700 = new Date('2026-12-18T16:00:00Z');

const RATE: MeasuredRate = {
  ticketsPerUser: 0.12,
  tickets: 60,
  users: 500,
  basis: 'completed-waves',
  waveIds: ['pilot'],
};

describe('helpdesk forecast', () => {
  it('0.12 tickets/user × 500 users = 60 tickets over 10 working days = 6/day vs capacity 5: 120 %, warning', () => {
    const workingDays = workingDaysBetween(MONDAY_0800, FRIDAY_1700, ZONE, HOURS);
    assert.equal(workingDays, 10);
    const f = forecastHelpdeskLoad({ rate: RATE, waveSize: 500, workingDays, capacityPerDay: 5 });
    assert.equal(f.expectedTickets, 60);
    assert.equal(f.expectedPerDay, 6);
    assert.equal(f.utilisation, 1.2);
    assert.deepEqual(f.warnings, ['over-capacity']);
    // 60 tickets at 5 a day need 12 working days: Monday 7 December + 12 working days = Tuesday 22nd, 17:00.
    assert.equal(f.workingDaysNeeded, 12);
    const earliest = earliestFittingDeadline(MONDAY_0800, 12, ZONE, HOURS);
    assert.equal(earliest.toISOString(), '2026-12-22T16:00:00.000Z');
    // … and that end does fit.
    const fits = forecastHelpdeskLoad({
      rate: RATE,
      waveSize: 500,
      workingDays: workingDaysBetween(MONDAY_0800, earliest, ZONE, HOURS),
      capacityPerDay: 5,
    });
    assert.equal(fits.expectedPerDay, 5);
    assert.deepEqual(fits.warnings, []);
  });

  it('does not warn when the expected load fits the capacity', () => {
    const f = forecastHelpdeskLoad({ rate: RATE, waveSize: 200, workingDays: 10, capacityPerDay: 5 });
    assert.equal(f.expectedTickets, 24);
    assert.equal(f.expectedPerDay, 2.4);
    assert.equal(f.utilisation, 0.48);
    assert.equal(f.workingDaysNeeded, 5); // ⌈24 ÷ 5⌉
    assert.deepEqual(f.warnings, []);
  });

  it('says so when no rate can be measured yet, and computes nothing it cannot', () => {
    const f = forecastHelpdeskLoad({ waveSize: 500, workingDays: 10, capacityPerDay: 5 });
    assert.deepEqual(f.warnings, ['no-rate']);
    assert.equal(f.expectedTickets, undefined);
    assert.equal(f.expectedPerDay, undefined);
    assert.equal(f.utilisation, undefined);
    assert.equal(f.workingDays, 10);
  });

  it('without capacity or end date gives what it can', () => {
    const noCapacity = forecastHelpdeskLoad({ rate: RATE, waveSize: 500, workingDays: 10 });
    assert.equal(noCapacity.expectedPerDay, 6);
    assert.equal(noCapacity.utilisation, undefined);
    assert.equal(noCapacity.workingDaysNeeded, undefined);
    assert.deepEqual(noCapacity.warnings, []);
    const noEnd = forecastHelpdeskLoad({ rate: RATE, waveSize: 500, capacityPerDay: 4 });
    assert.equal(noEnd.expectedPerDay, undefined);
    assert.equal(noEnd.workingDaysNeeded, 15);
    const zeroCapacity = forecastHelpdeskLoad({
      rate: RATE,
      waveSize: 500,
      workingDays: 10,
      capacityPerDay: 0,
    });
    assert.equal(zeroCapacity.capacityPerDay, undefined);
  });

  it('warns when the wave ends before it starts', () => {
    assert.equal(workingDaysBetween(FRIDAY_1700, MONDAY_0800, ZONE, HOURS), 0);
    const f = forecastHelpdeskLoad({ rate: RATE, waveSize: 500, workingDays: 0, capacityPerDay: 5 });
    assert.deepEqual(f.warnings, ['no-working-days']);
    assert.equal(f.expectedPerDay, undefined);
  });

  it('counts partial business days and skips weekends', () => {
    // Friday 13:00 → Monday 12:30: 4 h on Friday + 4.5 h on Monday = 8.5 h of a 9 h day.
    const d = workingDaysBetween(
      new Date('2026-12-11T12:00:00Z'),
      new Date('2026-12-14T11:30:00Z'),
      ZONE,
      HOURS,
    );
    assert.equal(d, 8.5 / 9);
    // Starting on a Saturday, two working days end on Tuesday at 17:00.
    const end = earliestFittingDeadline(new Date('2026-12-12T10:00:00Z'), 2, ZONE, HOURS);
    assert.equal(end.toISOString(), '2026-12-15T16:00:00.000Z');
    // Starting mid-morning, one working day ends at the same time the next morning.
    const midday = earliestFittingDeadline(new Date('2026-12-08T09:30:00Z'), 1, ZONE, HOURS);
    assert.equal(midday.toISOString(), '2026-12-09T09:30:00.000Z');
  });
});

describe('measureEscalationRate', () => {
  it('pools the completed waves: Σ tickets ÷ Σ members', () => {
    const r = measureEscalationRate([
      { waveId: 'pilot', tickets: 6, users: 40, complete: true },
      { waveId: 'ring-1', tickets: 54, users: 460, complete: true },
      { waveId: 'volunteers', tickets: 1, users: 100, complete: false },
    ]);
    assert.deepEqual(r, {
      ticketsPerUser: 0.12,
      tickets: 60,
      users: 500,
      basis: 'completed-waves',
      waveIds: ['pilot', 'ring-1'],
    });
  });

  it('falls back to running waves when none is complete, and says so', () => {
    const r = measureEscalationRate([
      { waveId: 'pilot', tickets: 3, users: 40, complete: false },
      { waveId: 'empty', tickets: 0, users: 0, complete: true },
    ]);
    assert.equal(r?.basis, 'running-waves');
    assert.deepEqual(r?.waveIds, ['pilot']);
    assert.equal(r?.ticketsPerUser, 3 / 40);
  });

  it('has no rate without members', () => {
    assert.equal(measureEscalationRate([]), undefined);
    assert.equal(measureEscalationRate([{ waveId: 'x', tickets: 2, users: 0, complete: true }]), undefined);
  });
});
