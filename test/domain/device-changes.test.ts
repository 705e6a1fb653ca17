import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type ComplianceState, type DeviceObservation, INTUNE_MDM_APP_ID } from '../../src/domain/device';
import {
  advanceJourneys,
  attributeFailures,
  type EntraChange,
  type IntuneChange,
  type ParticipantChanges,
  sameJourney,
} from '../../src/domain/device-changes';
import type { Participant } from '../../src/domain/participant';

const PARTNER = 'f0e1d2c3-0000-4000-8000-000000000001';
const T1 = new Date('2026-11-23T09:00:00Z');
const T2 = new Date('2026-11-23T09:01:00Z');
const NOTHING: ParticipantChanges = { intune: new Map(), entra: new Map(), failures: [] };

const participant = (journeys?: Participant['journeys']): Participant => ({
  aadObjectId: 'u1',
  firstSeenAt: T1.toISOString(),
  lastSeenAt: T1.toISOString(),
  version: 1,
  waveId: 'pilot',
  ...(journeys ? { journeys } : {}),
});

const compliance = fc.constantFrom<ComplianceState>('compliant', 'noncompliant', 'inGracePeriod', 'unknown');
const kind = fc.constantFrom('partner', 'none', 'intune', 'dual');

/** A device as a full look-up shows it: Entra's record always, Intune's when Intune manages it. */
const device = (index: number) =>
  fc.record({ kind, compliance }).map(({ kind, compliance }): DeviceObservation => {
    const key = `d000000${index}-0000-4000-8000-000000000000`;
    const inIntune = kind === 'intune' || kind === 'dual';
    const mdmAppId = kind === 'partner' || kind === 'dual' ? PARTNER : inIntune ? INTUNE_MDM_APP_ID : null;
    return {
      key,
      name: `Device ${index}`,
      platform: 'ios',
      management:
        kind === 'partner'
          ? { kind: 'partner', mdmAppId: PARTNER }
          : kind === 'none'
            ? { kind: 'none' }
            : kind === 'dual'
              ? { kind: 'intune', alsoPartnerMdmAppId: PARTNER }
              : { kind: 'intune' },
      ...(inIntune ? { intune: { managedDeviceId: `m${index}`, complianceState: compliance } } : {}),
      entra: { objectId: `o${index}`, deviceId: key, mdmAppId },
    };
  });

const devices = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => device(i))));

/** The participant after a first full look-up of `looked`. */
function lookedUp(looked: DeviceObservation[]): Participant {
  const first = advanceJourneys(participant(), NOTHING, looked, T1);
  assert.equal(first.kind, 'advanced');
  return first.participant;
}

/** The records of `looked` again, as a change round would bring them. */
function sameRecordsAgain(looked: DeviceObservation[]): ParticipantChanges {
  const intune = new Map<string, IntuneChange>();
  const entra = new Map<string, EntraChange>();
  for (const d of looked) {
    if (d.intune)
      intune.set(d.key, {
        deviceKey: d.key,
        managedDeviceId: d.intune.managedDeviceId,
        complianceState: d.intune.complianceState,
      });
    if (d.entra) entra.set(d.key, { deviceKey: d.key, record: d.entra });
  }
  return { intune, entra, failures: [] };
}

describe('domain: device changes to journeys (property tests)', () => {
  it('a first full look-up opens one journey per device', () => {
    fc.assert(
      fc.property(devices, (looked) => {
        const result = advanceJourneys(participant(), NOTHING, looked, T1);
        assert.equal(result.kind, 'advanced');
        if (result.kind !== 'advanced') return;
        assert.equal(result.changed, true);
        assert.equal(result.created, looked.length);
        assert.deepEqual(
          result.participant.journeys?.map((j) => j.deviceKey).sort(),
          looked.map((d) => d.key).sort(),
        );
        assert.equal(result.participant.version, 2);
      }),
    );
  });

  it('looking again at devices that did not change changes nothing', () => {
    fc.assert(
      fc.property(devices, (looked) => {
        const p = lookedUp(looked);
        const again = advanceJourneys(p, NOTHING, looked, T2);
        assert.equal(again.kind, 'advanced');
        if (again.kind !== 'advanced') return;
        assert.equal(again.changed, false);
        assert.equal(again.participant, p, 'the participant comes back as it was');
        assert.deepEqual(again.effects, []);
      }),
    );
  });

  it('the same records coming again as changes move nothing and need no look-up', () => {
    fc.assert(
      fc.property(devices, (looked) => {
        const p = lookedUp(looked);
        const again = advanceJourneys(p, sameRecordsAgain(looked), undefined, T2);
        assert.equal(again.kind, 'advanced');
        if (again.kind !== 'advanced') return;
        assert.equal(again.changed, false);
        assert.equal(again.devicesChanged, 0);
      }),
    );
  });

  it('no changes leave a participant with journeys alone', () => {
    fc.assert(
      fc.property(devices, (looked) => {
        const p = lookedUp(looked);
        const result = advanceJourneys(p, NOTHING, undefined, T2);
        assert.equal(result.kind === 'advanced' && result.participant, p);
      }),
    );
  });

  it('a change to a device no journey tracks asks for a look-up', () => {
    fc.assert(
      fc.property(devices, device(9), (looked, stranger) => {
        const p = lookedUp(looked);
        const changes: ParticipantChanges = {
          ...NOTHING,
          entra: new Map([[stranger.key, { deviceKey: stranger.key, record: stranger.entra! }]]),
        };
        assert.deepEqual(advanceJourneys(p, changes, undefined, T2), { kind: 'look-up' });
      }),
    );
  });

  it('pins a failure that names a tracked device on that device', () => {
    fc.assert(
      fc.property(devices, fc.nat(), (looked, pick) => {
        const journeys = lookedUp(looked).journeys ?? [];
        const target = looked[pick % looked.length];
        const report = { id: 'e1', at: T2.toISOString(), deviceId: target.key.toUpperCase(), category: 'x' };
        const pinned = attributeFailures([report], journeys, undefined);
        assert.notEqual(pinned, 'look-up');
        if (pinned === 'look-up') return;
        assert.deepEqual([...pinned.keys()], [target.key]);
        assert.deepEqual(pinned.get(target.key), [{ category: 'x', at: T2.toISOString() }]);
      }),
    );
  });

  it('two journeys that differ only in when Graph was last asked are the same', () => {
    fc.assert(
      fc.property(devices, (looked) => {
        const [j] = lookedUp(looked).journeys ?? [];
        const later = { ...j, lastSeen: j.lastSeen ? { ...j.lastSeen, at: T2.toISOString() } : undefined };
        const reordered = Object.fromEntries(Object.entries(j).reverse()) as typeof j;
        assert.equal(sameJourney(j, later), true);
        assert.equal(sameJourney(j, reordered), true);
        assert.equal(
          sameJourney(j, { ...j, stage: j.stage === 'verified' ? 'notified' : 'verified' }),
          false,
        );
      }),
    );
  });
});
