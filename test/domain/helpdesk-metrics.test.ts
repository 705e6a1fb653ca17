import assert from 'node:assert/strict';
import type { EarlierTicket, Escalation, EscalationState } from '../../src/domain/escalation-model';
import { waveHelpdeskMetrics } from '../../src/domain/helpdesk-metrics';
import type { DeviceJourney, JourneyStage } from '../../src/domain/journey';
import type { Participant } from '../../src/domain/participant';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const T0 = '2026-11-23T09:00:00.000Z';
/** T0 plus some minutes, as ISO. */
const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function ticket(
  user: string,
  n: number,
  state: EscalationState,
  extra: Partial<Escalation> = {},
  waveId: string | undefined = 'pilot',
): Escalation {
  return {
    ticketId: `${user}-${n}`,
    ticketNumber: n,
    participant: { aadObjectId: user, ...(waveId ? { waveId } : {}) },
    state,
    triggers: [],
    timeline: [],
    timelineOmitted: 0,
    createdAt: T0,
    reopenCount: 0,
    updatedAt: T0,
    version: 1,
    seen: [],
    receipts: [],
    earlier: [],
    ...extra,
  };
}

function earlier(user: string, n: number, extra: Partial<EarlierTicket> = {}): EarlierTicket {
  return {
    ticketId: `${user}-${n}`,
    waveId: 'pilot',
    createdAt: T0,
    resolvedAt: plus(60),
    reasons: ['user-stuck'],
    withdrawn: false,
    reopenCount: 0,
    ...extra,
  };
}

function device(key: string, stage: JourneyStage): DeviceJourney {
  return {
    deviceKey: key,
    name: key,
    platform: 'windows',
    stage,
    stageSince: T0,
    history: [{ stage, at: T0, cause: 'created' }],
    flags: { dualEnrollment: false },
  };
}

function person(id: string, stages: JourneyStage[] | undefined, waveId = 'pilot'): Participant {
  return {
    aadObjectId: id,
    firstSeenAt: T0,
    lastSeenAt: T0,
    version: 1,
    waveId,
    ...(stages ? { journeys: stages.map((s, i) => device(`${id}-d${i}`, s)) } : {}),
  };
}

describe('waveHelpdeskMetrics', () => {
  it('is all zeros, with no durations and no rate, for a wave without tickets or migrated users', () => {
    const m = waveHelpdeskMetrics([], [person('a', ['notified'])], 'pilot', NOW);
    assert.deepEqual(m, {
      waveId: 'pilot',
      computedAt: NOW.toISOString(),
      tickets: 0,
      open: 0,
      assigned: 0,
      waitingOnUser: 0,
      resolved: 0,
      medianMinutesToAssign: undefined,
      medianMinutesToResolve: undefined,
      p90MinutesToResolve: undefined,
      migratedUsers: 0,
      escalationsPer100Migrated: undefined,
    });
  });

  it('counts current tickets by state and earlier summaries as resolved tickets', () => {
    const people = ['a', 'b', 'c', 'd'].map((id) => person(id, ['notified']));
    const m = waveHelpdeskMetrics(
      [
        ticket('a', 1, 'open'),
        ticket('b', 3, 'assigned', { earlier: [earlier('b', 1), earlier('b', 2)] }),
        ticket('c', 1, 'waiting-on-user'),
        ticket('d', 2, 'resolved', { resolvedAt: plus(30), earlier: [earlier('d', 1)] }),
      ],
      people,
      'pilot',
      NOW,
    );
    assert.equal(m.tickets, 7);
    assert.equal(m.open, 1);
    assert.equal(m.assigned, 1);
    assert.equal(m.waitingOnUser, 1);
    assert.equal(m.resolved, 4); // d-2 and the three earlier summaries
  });

  it('counts only tickets of the wave’s users, and not tickets recorded for another wave', () => {
    const m = waveHelpdeskMetrics(
      [
        ticket('a', 2, 'open', { earlier: [earlier('a', 1, { waveId: 'ring-1' })] }), // a-1 was ring-1's
        ticket('b', 1, 'open', {}, 'ring-1'), // the row still names ring-1: not this wave's ticket
        ticket('c', 1, 'assigned', {}, undefined), // no wave recorded: the user's wave counts
        ticket('x', 1, 'open'), // x is not a participant of the wave
        ticket('y', 1, 'open'), // y's participant row names another wave
      ],
      [person('a', []), person('b', []), person('c', []), person('y', [], 'ring-2')],
      'pilot',
      NOW,
    );
    assert.equal(m.tickets, 2);
    assert.equal(m.open, 1);
    assert.equal(m.assigned, 1);
    assert.equal(m.resolved, 0);
  });

  it('counts a ticket once when the same row is passed twice', () => {
    const row = ticket('a', 2, 'open', { earlier: [earlier('a', 1)] });
    const m = waveHelpdeskMetrics([row, row], [person('a', [])], 'pilot', NOW);
    assert.equal(m.tickets, 2);
    assert.equal(m.open, 1);
    assert.equal(m.resolved, 1);
  });

  it('takes the median time to assign over assigned tickets, current and earlier, in minutes', () => {
    const m = waveHelpdeskMetrics(
      [
        ticket('a', 1, 'assigned', { firstAssignedAt: plus(10) }),
        ticket('b', 1, 'open'), // never assigned: no sample
        ticket('c', 2, 'resolved', {
          firstAssignedAt: plus(90),
          resolvedAt: plus(120),
          earlier: [earlier('c', 1, { firstAssignedAt: plus(30) })],
        }),
        // reopened: unassigned now, but the first assignment still counts
        ticket('d', 1, 'open', { firstAssignedAt: plus(45), reopenCount: 1 }),
      ],
      ['a', 'b', 'c', 'd'].map((id) => person(id, [])),
      'pilot',
      NOW,
    );
    assert.equal(m.medianMinutesToAssign, 37.5); // samples 10, 30, 45, 90
  });

  it('takes the median and p90 time to resolve over resolved tickets only, withdrawn ones included', () => {
    // ten resolved tickets taking 1..10 hours, plus an assigned one whose resolvedAt must be ignored
    const rows = Array.from({ length: 10 }, (_, i) =>
      ticket(`u${i}`, 1, 'resolved', {
        resolvedAt: plus((i + 1) * 60),
        ...(i === 0 ? { resolution: { at: plus(60), by: { kind: 'user' as const }, withdrawn: true } } : {}),
      }),
    );
    rows.push(ticket('open-one', 1, 'assigned', { resolvedAt: plus(10_000) }));
    const people = [...rows.map((r) => person(r.participant.aadObjectId, []))];
    const m = waveHelpdeskMetrics(rows, people, 'pilot', NOW);
    assert.equal(m.resolved, 10);
    assert.equal(m.medianMinutesToResolve, 330); // (300 + 360) / 2
    assert.equal(m.p90MinutesToResolve, 540); // the 9th of 10
  });

  it('resolves p90 to the largest value for a small sample and includes earlier summaries', () => {
    const m = waveHelpdeskMetrics(
      [ticket('a', 2, 'open', { earlier: [earlier('a', 1, { resolvedAt: plus(15) })] })],
      [person('a', [])],
      'pilot',
      NOW,
    );
    assert.equal(m.medianMinutesToResolve, 15);
    assert.equal(m.p90MinutesToResolve, 15);
  });

  it('leaves unparseable times out of the durations and counts a negative span as zero', () => {
    const m = waveHelpdeskMetrics(
      [
        ticket('a', 1, 'resolved', { createdAt: 'garbage', firstAssignedAt: plus(5), resolvedAt: plus(5) }),
        ticket('b', 1, 'resolved', { firstAssignedAt: plus(-3), resolvedAt: plus(-3) }),
        ticket('c', 1, 'resolved', { firstAssignedAt: plus(10), resolvedAt: plus(10) }),
      ],
      [person('a', []), person('b', []), person('c', [])],
      'pilot',
      NOW,
    );
    assert.equal(m.resolved, 3);
    assert.equal(m.medianMinutesToAssign, 5); // samples 0 and 10; garbage is not a 0
    assert.equal(m.medianMinutesToResolve, 5);
  });

  it('counts as migrated the wave’s participants whose journeys are all done', () => {
    const m = waveHelpdeskMetrics(
      [],
      [
        person('done', ['verified', 'excluded']),
        person('all-excluded', ['excluded']),
        person('half', ['verified', 'enrolled']),
        person('stuck', ['needs-it']),
        person('no-devices', []),
        person('unknown', undefined),
        person('elsewhere', ['verified'], 'ring-1'),
      ],
      'pilot',
      NOW,
    );
    assert.equal(m.migratedUsers, 2);
  });

  it('gives escalations per 100 migrated users over every ticket of the wave’s users', () => {
    const m = waveHelpdeskMetrics(
      [
        ticket('a', 2, 'resolved', { resolvedAt: plus(20), earlier: [earlier('a', 1)] }),
        ticket('b', 1, 'open'), // b has not migrated; the ticket still counts
      ],
      [person('a', ['verified']), person('b', ['notified']), person('c', ['verified'])],
      'pilot',
      NOW,
    );
    assert.equal(m.tickets, 3);
    assert.equal(m.migratedUsers, 2);
    assert.equal(m.escalationsPer100Migrated, 150);
  });

  it('has no rate while nobody has migrated, even with tickets', () => {
    const m = waveHelpdeskMetrics([ticket('a', 1, 'open')], [person('a', ['notified'])], 'pilot', NOW);
    assert.equal(m.tickets, 1);
    assert.equal(m.escalationsPer100Migrated, undefined);
  });

  it('matches participants to tickets whatever the case of the object id', () => {
    const m = waveHelpdeskMetrics([ticket('abc', 1, 'open')], [person('ABC', ['verified'])], 'pilot', NOW);
    assert.equal(m.tickets, 1);
    assert.equal(m.escalationsPer100Migrated, 100);
  });
});
