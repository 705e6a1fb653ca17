import assert from 'node:assert/strict';
import type { InventoryDevice } from '../../src/domain/inventory';
import type { DeviceJourney } from '../../src/domain/journey';
import type { Participant } from '../../src/domain/participant';
import { participantRetirement, retirementReport } from '../../src/domain/retirement';
import { oldMdmRetirement } from '../../src/domain/retirement-old-mdm';

const AT = '2026-11-20T10:00:00.000Z';

function journey(
  key: string,
  stage: DeviceJourney['stage'],
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
    ...extra,
  };
}

const exclusion = {
  reason: 'kiosk, stays until contract ends',
  by: 'admin@contoso.com',
  at: AT,
  from: 'notified' as const,
};

function person(id: string, journeys: DeviceJourney[]): Participant {
  return {
    aadObjectId: id,
    userPrincipalName: `${id}@contoso.com`,
    displayName: id.toUpperCase(),
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 1,
    journeys,
    observedAt: AT,
  };
}

function listed(vendorId: string, extra: Partial<InventoryDevice> = {}): InventoryDevice {
  return {
    source: 'workspace-one',
    vendor: 'workspace-one',
    vendorId,
    name: `Device ${vendorId}`,
    platform: 'ios',
    ownership: 'corporate',
    enrollment: 'enrolled',
    firstSeenAt: AT,
    lastSyncedAt: AT,
    ...extra,
  };
}

const owned = (id: string) => ({ person: { aadObjectId: id, by: 'upn' as const } });
const matched = (key: string) => ({
  match: { kind: 'matched' as const, candidateKey: key, by: 'serial' as const, confidence: 1 },
});

describe('domain: retiring the old MDM by its own inventory', () => {
  const people = [
    person('ann', [journey('ann-phone', 'verified')]),
    person('kio', [journey('kio-tablet', 'excluded', { exclusion })]),
    person('bob', [journey('bob-phone', 'verified'), journey('bob-old', 'excluded', { exclusion })]),
  ];
  const byId = new Map(people.map((p) => [p.aadObjectId, participantRetirement(p)]));

  it('is clear when the old MDM lists nothing, or only what it no longer lists', () => {
    assert.ok(retirementReport(people).ready, 'every person is migrated or excluded');
    assert.deepEqual(oldMdmRetirement([], byId), { left: [], excluded: 0 });
    assert.deepEqual(oldMdmRetirement([listed('1', { ...owned('ann'), goneAt: AT })], byId), {
      left: [],
      excluded: 0,
    });
  });

  it("lists a device the old MDM still has, even when its owner's journeys are all done", () => {
    const r = oldMdmRetirement([listed('1', { ...owned('ann'), ...matched('ann-phone') })], byId);
    assert.deepEqual(r.left, [
      { source: 'workspace-one', vendorId: '1', name: 'Device 1', platform: 'ios', ownerId: 'ann' },
    ]);
  });

  it('lists devices whose owner was not found or which were never matched', () => {
    const r = oldMdmRetirement(
      [listed('2', { person: { missing: 'not-found' } }), listed('3', { match: { kind: 'unmatched' } })],
      byId,
    );
    assert.deepEqual(
      r.left.map((d) => d.vendorId),
      ['2', '3'],
    );
  });

  it('counts a device excluded with a reason — by its owner, or the device itself — as no obstacle', () => {
    const r = oldMdmRetirement(
      [
        listed('4', { ...owned('kio') }),
        listed('5', { ...owned('bob'), ...matched('bob-old') }),
        listed('6', { ...owned('bob'), ...matched('bob-phone') }),
      ],
      byId,
    );
    assert.equal(r.excluded, 2);
    assert.deepEqual(
      r.left.map((d) => d.vendorId),
      ['6'],
    );
  });
});
