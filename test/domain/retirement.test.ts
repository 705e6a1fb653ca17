import assert from 'node:assert/strict';
import type { Management } from '../../src/domain/device';
import type { DeviceJourney, JourneyStage } from '../../src/domain/journey';
import type { Participant } from '../../src/domain/participant';
import {
  deviceStatus,
  participantRetirement,
  retirementReport,
  stragglersOf,
} from '../../src/domain/retirement';

const AT = '2026-11-20T10:00:00.000Z';

function device(
  key: string,
  stage: JourneyStage,
  seen?: Management,
  extra: Partial<DeviceJourney> = {},
): DeviceJourney {
  return {
    deviceKey: key,
    name: key.toUpperCase(),
    platform: 'ios',
    stage,
    stageSince: AT,
    history: [{ stage, at: AT, cause: 'created' }],
    flags: { dualEnrollment: false },
    ...(seen ? { lastSeen: { management: seen, at: AT } } : {}),
    ...extra,
  };
}

const excluded = (key: string, reason: string) =>
  device(
    key,
    'excluded',
    { kind: 'partner', mdmAppId: 'ws1' },
    {
      exclusion: { reason, by: 'admin@contoso.com', at: AT, from: 'notified' },
    },
  );

function person(
  id: string,
  name: string,
  waveId: string | undefined,
  journeys?: DeviceJourney[],
  observed = true,
): Participant {
  return {
    aadObjectId: id,
    userPrincipalName: `${id}@contoso.com`,
    displayName: name,
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 1,
    ...(waveId ? { waveId } : {}),
    ...(journeys ? { journeys } : {}),
    ...(observed ? { observedAt: AT } : {}),
  };
}

const WAVES = [
  { id: 'pilot', name: 'Pilot', order: 0 },
  { id: 'wave-1', name: 'Wave 1', order: 1 },
];

describe('retirement: devices', () => {
  it('migrated = verified, or Intune alone per the latest observation; both MDMs or none is not', () => {
    assert.equal(deviceStatus(device('a', 'verified', { kind: 'intune' })), 'migrated');
    assert.equal(deviceStatus(device('b', 'enrolled', { kind: 'intune' })), 'migrated');
    assert.equal(
      deviceStatus(device('c', 'enrolled', { kind: 'intune', alsoPartnerMdmAppId: 'ws1' })),
      'remaining',
    );
    assert.equal(deviceStatus(device('d', 'unenrolled', { kind: 'none' })), 'remaining');
    assert.equal(deviceStatus(device('e', 'notified', { kind: 'partner', mdmAppId: 'ws1' })), 'remaining');
    assert.equal(deviceStatus(device('f', 'started')), 'remaining', 'never observed');
    assert.equal(deviceStatus(excluded('g', 'lab device')), 'excluded');
  });
});

describe('retirement: participants', () => {
  it('remaining when any device is; excluded when all are; migrated when the rest migrated', () => {
    const mixed = participantRetirement(
      person('p1', 'P1', 'pilot', [device('a', 'verified', { kind: 'intune' }), excluded('b', 'broken')]),
    );
    assert.equal(mixed.status, 'migrated');
    assert.equal(mixed.excludedDevices[0]!.reason, 'broken');

    const allExcluded = participantRetirement(person('p2', 'P2', 'pilot', [excluded('a', 'leaving')]));
    assert.equal(allExcluded.status, 'excluded');

    const left = participantRetirement(
      person('p3', 'P3', 'pilot', [
        device('a', 'verified', { kind: 'intune' }),
        device(
          'b',
          'needs-it',
          { kind: 'partner', mdmAppId: 'ws1' },
          {
            needsIt: { reason: 'supervised', at: AT, from: 'notified' },
          },
        ),
      ]),
    );
    assert.equal(left.status, 'remaining');
    assert.deepEqual(
      left.remainingDevices.map((d) => [d.deviceKey, d.stage, d.management, d.needsIt]),
      [['b', 'needs-it', 'old-mdm', 'supervised']],
    );
  });

  it('without devices: migrated when Graph was asked and found none, remaining when never asked', () => {
    assert.equal(participantRetirement(person('p', 'P', 'pilot', [], true)).status, 'migrated');
    assert.equal(participantRetirement(person('p', 'P', 'pilot', [], true)).basis, 'no-devices');
    const unknown = participantRetirement(person('q', 'Q', undefined, undefined, false));
    assert.equal(unknown.status, 'remaining');
    assert.equal(unknown.remainingBecause, 'not-observed');
  });
});

describe('retirement: the report', () => {
  const people = [
    person('a', 'Alex', 'wave-1', [device('i', 'verified', { kind: 'intune' })]),
    person('b', 'Bea', 'pilot', [device('i', 'unenrolling', { kind: 'partner', mdmAppId: 'ws1' })]),
    person('c', 'Cai', 'pilot', [
      excluded('i', 'Leaving the company'),
      excluded('j', 'leaving  the company'),
    ]),
    person('d', 'Dana', undefined, undefined, false),
    person('e', 'Eli', 'wave-1', [device('i', 'compliant', { kind: 'intune' }), excluded('k', 'Lab device')]),
    person('f', 'Al', 'wave-1', [device('i', 'enrolling', { kind: 'none' })]),
  ];

  it('counts, by wave and by exclusion reason, lists who remains sorted by wave then name, and is not ready', () => {
    const r = retirementReport(people, WAVES);
    assert.equal(r.ready, false);
    assert.deepEqual(
      { ...r.counts, devices: undefined },
      { participants: 6, migrated: 2, excluded: 1, remaining: 3, devices: undefined },
    );
    assert.deepEqual(r.counts.devices, { total: 7, migrated: 2, excluded: 3, remaining: 2 });
    assert.deepEqual(
      r.byWave.map((w) => [w.waveId, w.waveName, w.participants, w.migrated, w.excluded, w.remaining]),
      [
        ['pilot', 'Pilot', 2, 0, 1, 1],
        ['wave-1', 'Wave 1', 3, 2, 0, 1],
        [undefined, undefined, 1, 0, 0, 1],
      ],
    );
    assert.deepEqual(r.exclusionReasons, [
      { reason: 'Leaving the company', devices: 2, participants: 1 },
      { reason: 'Lab device', devices: 1, participants: 1 },
    ]);
    assert.deepEqual(
      r.remaining.map((x) => [x.displayName, x.waveId, x.stage]),
      [
        ['Bea', 'pilot', 'unenrolling'],
        ['Al', 'wave-1', 'enrolling'],
        ['Dana', undefined, 'not-observed'],
      ],
    );
    assert.deepEqual(r.remainingByStage, { unenrolling: 1, enrolling: 1, 'not-observed': 1 });
    assert.deepEqual(
      r.excluded.map((x) => [x.displayName, x.reasons]),
      [['Cai', ['Leaving the company', 'leaving  the company']]],
    );
    assert.deepEqual(
      r.migrated.map((x) => [x.displayName, x.excludedDevices.length]),
      [
        ['Alex', 0],
        ['Eli', 1],
      ],
    );
  });

  it('is ready when everyone is migrated or excluded, and not for an empty campaign', () => {
    const done = people.filter((p) => ['a', 'c', 'e'].includes(p.aadObjectId));
    assert.equal(retirementReport(done, WAVES).ready, true);
    assert.equal(retirementReport([], WAVES).ready, false);
  });
});

describe('retirement: stragglers', () => {
  const people = [
    person('a', 'Alex', 'wave-1', [device('i', 'verified', { kind: 'intune' })]),
    person('b', 'Bea', 'wave-1', [device('i', 'started', { kind: 'partner', mdmAppId: 'ws1' })]),
    person('c', 'Cai', 'pilot', [device('i', 'notified', { kind: 'partner', mdmAppId: 'ws1' })]),
    person('d', 'Dana', undefined, undefined, false),
    person('e', 'Ebba', 'pilot', [excluded('i', 'leaving')]),
    person('f', 'Al', 'wave-1', undefined, false),
  ];

  it("lists wave members not migrated (excluded people are done, people in no wave are nobody's), by wave then name", () => {
    assert.deepEqual(
      stragglersOf(people, undefined, WAVES).map((p) => p.displayName),
      ['Cai', 'Al', 'Bea'],
    );
  });

  it('of one wave only', () => {
    assert.deepEqual(
      stragglersOf(people, 'wave-1').map((p) => p.displayName),
      ['Al', 'Bea'],
    );
  });
});
