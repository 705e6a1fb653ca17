import assert from 'node:assert/strict';
import type { Platform } from '../../src/domain/device';
import type { Escalation, EscalationState } from '../../src/domain/escalation-model';
import type { DeviceJourney, JourneyFlags, JourneyStage } from '../../src/domain/journey';
import type { Participant } from '../../src/domain/participant';
import { deviceStatusOf, userStatusOf, waveStats } from '../../src/domain/wave-stats';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-30T12:00:00.000Z');
/** NOW minus some hours, as ISO. */
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const OPTIONS = { stuckAfterMs: 8 * HOUR };

function device(
  key: string,
  stage: JourneyStage,
  extra: {
    platform?: Platform;
    hoursInStage?: number;
    flags?: Partial<JourneyFlags>;
  } & Omit<Partial<DeviceJourney>, 'flags'> = {},
): DeviceJourney {
  const { platform = 'windows', hoursInStage = 1, flags, ...rest } = extra;
  const since = ago(hoursInStage);
  return {
    deviceKey: key,
    name: key,
    platform,
    stage,
    stageSince: since,
    history: [{ stage, at: since, cause: 'created' }],
    flags: { dualEnrollment: false, ...flags },
    ...rest,
  };
}

function person(
  id: string,
  journeys: DeviceJourney[] | undefined,
  extra: Partial<Participant> = {},
): Participant {
  return {
    aadObjectId: id,
    displayName: id.toUpperCase(),
    userPrincipalName: `${id}@example.com`,
    firstSeenAt: ago(500),
    lastSeenAt: ago(1),
    version: 1,
    waveId: 'pilot',
    ...(journeys ? { journeys } : {}),
    ...extra,
  };
}

function ticket(user: string, state: EscalationState, waveId = 'pilot'): Escalation {
  return {
    ticketId: `${user}-1`,
    ticketNumber: 1,
    participant: { aadObjectId: user, waveId },
    state,
    triggers: [],
    timeline: [],
    timelineOmitted: 0,
    createdAt: ago(10),
    reopenCount: 0,
    updatedAt: ago(10),
    version: 1,
    seen: [],
    receipts: [],
    earlier: [],
  };
}

const yes = { email: 'yes', wifi: 'yes', vpn: 'yes', certificates: 'yes', apps: 'yes', at: ago(2) } as const;

describe('waveStats', () => {
  it('counts members once, leaves out other waves, and counts people without devices as not migrated', () => {
    const stats = waveStats(
      [
        person('ann', [device('a1', 'verified')]),
        person('ANN', [device('a1', 'verified')]), // the same user twice (case differs)
        person('bob', []),
        person('cai', undefined),
        person('dan', [device('d1', 'verified')], { waveId: 'ring-1' }),
      ],
      [],
      'pilot',
      NOW,
      OPTIONS,
    );
    assert.equal(stats.members, 3);
    assert.equal(stats.membersWithoutDevices, 2);
    assert.equal(stats.migratedUsers, 1);
    assert.equal(stats.usersByStatus['no-devices'], 2);
    assert.equal(stats.usersByStatus.done, 1);
    assert.equal(stats.devices, 1);
  });

  it('builds the funnel from where devices are now; needs-it counts where it left, excluded is out of scope', () => {
    const stats = waveStats(
      [
        person('ann', [device('a1', 'notified'), device('a2', 'started'), device('a3', 'unenrolled')]),
        person('bob', [device('b1', 'enrolling'), device('b2', 'enrolled'), device('b3', 'compliant')]),
        person('cai', [
          device('c1', 'verified'),
          device('c2', 'needs-it', { needsIt: { reason: 'supervised', at: ago(3), from: 'unenrolling' } }),
          device('c3', 'excluded', {
            exclusion: { reason: 'retired', by: 'admin', at: ago(3), from: 'enrolled' },
          }),
        ]),
      ],
      [],
      'pilot',
      NOW,
      OPTIONS,
    );
    const f = stats.funnel;
    assert.equal(f.devices, 8);
    assert.equal(f.excluded, 1);
    assert.equal(f.needsIt, 1);
    assert.equal(f.notStarted, 1);
    assert.deepEqual(f.reached, {
      notified: 8,
      started: 7, // everything but a1
      unenrolling: 6, // c2 (needs-it from unenrolling) counts here
      unenrolled: 5,
      enrolling: 4,
      enrolled: 3,
      compliant: 2,
      verified: 1,
    });
  });

  it('calls a started device stuck past the threshold, longest first, with its ticket state', () => {
    const stats = waveStats(
      [
        person('ann', [
          device('a1', 'enrolling', { hoursInStage: 30 }),
          device('a2', 'unenrolling', { hoursInStage: 50 }),
        ]),
        person('bob', [device('b1', 'compliant', { hoursInStage: 9, platform: 'ios' })]),
        person('cai', [device('c1', 'started', { hoursInStage: 7 })]), // under the threshold
        person('dan', [device('d1', 'notified', { hoursInStage: 200 })]), // not started: not stuck
        person('eve', [device('e1', 'needs-it', { hoursInStage: 200 })]), // with IT: counted as needs-it
        person('fay', [device('f1', 'verified', { hoursInStage: 200 })]),
      ],
      [ticket('ann', 'assigned'), ticket('bob', 'resolved')],
      'pilot',
      NOW,
      { ...OPTIONS, stuckTop: 5 },
    );
    assert.equal(stats.stuck.users, 2);
    assert.equal(stats.stuck.devices, 3);
    assert.equal(stats.funnel.stuck, 3);
    assert.deepEqual(
      stats.stuck.top.map((u) => [u.aadObjectId, u.deviceKey, u.stage, u.hoursStuck, u.openTicket]),
      [
        ['ann', 'a2', 'unenrolling', 50, true],
        ['bob', 'b1', 'compliant', 9, false],
      ],
    );
    assert.equal(stats.stuck.top[0]!.name, 'ANN');
    assert.equal(stats.stuck.top[0]!.userPrincipalName, 'ann@example.com');
    assert.equal(stats.usersByStatus['needs-help'], 3); // ann, bob (stuck) and eve (IT)
  });

  it('names at most stuckTop members and measures time with the given elapsed function', () => {
    const people = Array.from({ length: 15 }, (_, i) =>
      person(`u${String(i).padStart(2, '0')}`, [device(`d${i}`, 'enrolling', { hoursInStage: 10 + i })]),
    );
    const stats = waveStats(people, [], 'pilot', NOW, OPTIONS);
    assert.equal(stats.stuck.users, 15);
    assert.equal(stats.stuck.top.length, 10);
    assert.equal(stats.stuck.top[0]!.aadObjectId, 'u14');
    // Business time that counts only a third of wall-clock time: 10…24 h → 3.3…8 h, none over 8 h.
    const slow = waveStats(people, [], 'pilot', NOW, {
      ...OPTIONS,
      elapsed: (from, to) => (to.getTime() - from.getTime()) / 3,
    });
    assert.equal(slow.stuck.users, 0);
  });

  it('counts progress by platform with coarse statuses, unknown platforms as other', () => {
    const stats = waveStats(
      [
        person('ann', [
          device('a1', 'notified', { platform: 'ios' }),
          device('a2', 'verified', { platform: 'ios' }),
          device('a3', 'enrolled', { platform: 'android' }),
        ]),
        person('bob', [
          device('b1', 'unenrolling', { platform: 'android' }),
          device('b2', 'enrolling', { platform: 'android', hoursInStage: 20 }),
          device('b3', 'excluded', { platform: 'macos' }),
          device('b4', 'started', { platform: 'beos' as Platform }),
        ]),
      ],
      [],
      'pilot',
      NOW,
      OPTIONS,
    );
    assert.deepEqual(
      stats.platforms.map((p) => [p.platform, p.devices, p.byStatus]),
      [
        [
          'ios',
          2,
          { 'not-started': 1, 'in-progress': 0, enrolled: 0, done: 1, 'needs-help': 0, excluded: 0 },
        ],
        [
          'android',
          3,
          { 'not-started': 0, 'in-progress': 1, enrolled: 1, done: 0, 'needs-help': 1, excluded: 0 },
        ],
        [
          'macos',
          1,
          { 'not-started': 0, 'in-progress': 0, enrolled: 0, done: 0, 'needs-help': 0, excluded: 1 },
        ],
        [
          'other',
          1,
          { 'not-started': 0, 'in-progress': 1, enrolled: 0, done: 0, 'needs-help': 0, excluded: 0 },
        ],
      ],
    );
  });

  it('computes the gate rates from their exact definitions', () => {
    const failure = { category: 'authentication', at: ago(5) };
    const stats = waveStats(
      [
        person('ann', [
          device('a1', 'verified', { flags: { postCheck: yes } }),
          device('a2', 'compliant', { flags: { postCheck: { ...yes, vpn: 'no' } } }),
          device('a3', 'enrolled'),
        ]),
        person('bob', [
          device('b1', 'enrolling', { flags: { enrollmentFailure: failure } }),
          device('b2', 'enrolling'), // trying right now: attempted, not (yet) a success
          device('b3', 'unenrolled'), // not tried yet
        ]),
        person('cai', [
          device('c1', 'needs-it', {
            flags: { enrollmentFailure: failure },
            needsIt: { reason: 'x', at: ago(1), from: 'started' },
          }),
          device('c2', 'excluded', {
            flags: { postCheck: yes },
            exclusion: { reason: 'lost', by: 'admin', at: ago(1), from: 'verified' },
          }),
        ]),
        person('dan', []),
      ],
      [ticket('ann', 'open'), ticket('bob', 'resolved'), ticket('zed', 'open')],
      'pilot',
      NOW,
      OPTIONS,
    );
    // succeeded: a1, a2, a3; attempted: a1, a2, a3, b1, b2 and c1 (a failure on record)
    assert.deepEqual(stats.rates.enrollmentSuccess, { numerator: 3, denominator: 6, value: 0.5 });
    // checks: a1 (all yes), a2 (vpn no); the excluded c2 is out of scope
    assert.deepEqual(stats.rates.postCheckPass, { numerator: 1, denominator: 2, value: 0.5 });
    // in Intune: a1, a2, a3; compliant or verified: a1, a2
    assert.deepEqual(stats.rates.compliance, { numerator: 2, denominator: 3, value: 2 / 3 });
    // two tickets of members (zed is not one) × 100 ÷ 4 members
    assert.deepEqual(stats.rates.escalationsPer100, { numerator: 2, denominator: 4, value: 50 });
    assert.equal(stats.helpdesk.tickets, 2);
    assert.equal(stats.helpdesk.open, 1);
  });

  it('leaves a rate undefined when there is nothing to divide by', () => {
    const stats = waveStats([person('ann', [device('a1', 'notified')])], [], 'pilot', NOW, OPTIONS);
    assert.deepEqual(stats.rates.enrollmentSuccess, { numerator: 0, denominator: 0 });
    assert.deepEqual(stats.rates.postCheckPass, { numerator: 0, denominator: 0 });
    assert.deepEqual(stats.rates.compliance, { numerator: 0, denominator: 0 });
    assert.deepEqual(stats.rates.escalationsPer100, { numerator: 0, denominator: 1, value: 0 });
    const empty = waveStats([], [], 'pilot', NOW, OPTIONS);
    assert.equal(empty.members, 0);
    assert.equal(empty.rates.escalationsPer100.value, undefined);
    assert.deepEqual(empty.platforms, []);
    assert.deepEqual(empty.stuck, { users: 0, devices: 0, top: [] });
  });
});

describe('device and user statuses', () => {
  it('maps stages to the coarse device statuses', () => {
    const cases: [JourneyStage, boolean, string][] = [
      ['notified', false, 'not-started'],
      ['started', false, 'in-progress'],
      ['enrolling', false, 'in-progress'],
      ['enrolled', false, 'enrolled'],
      ['compliant', false, 'enrolled'],
      ['compliant', true, 'needs-help'],
      ['verified', false, 'done'],
      ['needs-it', false, 'needs-help'],
      ['excluded', false, 'excluded'],
    ];
    for (const [stage, stuck, status] of cases) {
      assert.equal(deviceStatusOf(device('x', stage), stuck), status, `${stage}${stuck ? ' (stuck)' : ''}`);
    }
  });

  it('derives the member status from the devices in scope', () => {
    const s = (stages: JourneyStage[]) => {
      const js = stages.map((stage, i) => device(`d${i}`, stage));
      return userStatusOf(
        js,
        js.map((j) => deviceStatusOf(j, false)),
      );
    };
    assert.equal(s([]), 'no-devices');
    assert.equal(s(['verified', 'excluded']), 'done');
    assert.equal(s(['excluded']), 'done');
    assert.equal(s(['notified', 'excluded']), 'not-started');
    assert.equal(s(['enrolled', 'verified']), 'enrolled');
    assert.equal(s(['notified', 'verified']), 'in-progress');
    assert.equal(s(['needs-it', 'verified']), 'needs-help');
  });
});
