import assert from 'node:assert/strict';
import type { DeviceObservation } from '../../src/domain/device';
import {
  adoptJourneys,
  entriesOfJourney,
  mergeSources,
  type OldMdmEntry,
  oldMdmDeviceKey,
  withOldMdm,
} from '../../src/domain/device-sources';
import type { PersonInventoryDevice } from '../../src/domain/inventory';
import { openJourney } from '../../src/domain/journey-transition';

const NOW = new Date('2026-12-02T10:00:00Z');

function entry(over: Partial<PersonInventoryDevice> = {}): OldMdmEntry {
  return {
    vendor: 'workspace-one',
    device: {
      source: 'workspace-one',
      vendorId: '101',
      name: "Alex's iPad",
      platform: 'ipados',
      ownership: 'personal',
      enrollment: 'enrolled',
      lastSeen: '2026-12-02T08:00:00Z',
      ...over,
    },
  };
}

const intuneIpad: DeviceObservation = {
  key: 'entra-ipad',
  name: "Alex's iPad",
  platform: 'ipados',
  management: { kind: 'intune' },
  intune: { managedDeviceId: 'm-ipad', complianceState: 'compliant' },
};

describe("domain: one person's devices from Graph and the old MDM", () => {
  it('a device only the old MDM lists is a device of its own, managed by that source', () => {
    const [d] = mergeSources([], [entry()]);
    assert.equal(d!.key, oldMdmDeviceKey('workspace-one', '101'));
    assert.deepEqual(d!.management, { kind: 'partner', oldMdm: 'workspace-one' });
    assert.equal(d!.ownership, 'personal');
    assert.equal(d!.oldMdm?.listed, true);
    assert.equal(d!.oldMdm?.lastSeen, '2026-12-02T08:00:00Z');
  });

  it('a supervised or corporate device is company-owned whatever the export says of its buyer', () => {
    const [d] = mergeSources([], [entry({ supervised: true })]);
    assert.equal(d!.ownership, 'company');
  });

  it('a device the old MDM no longer lists is reported only while a journey follows it', () => {
    const gone = entry({ goneAt: '2026-12-02T09:00:00Z' });
    assert.deepEqual(mergeSources([], [gone]), []);
    const [d] = mergeSources([], [gone], new Set([oldMdmDeviceKey('workspace-one', '101')]));
    assert.deepEqual(d!.management, { kind: 'none' });
    assert.equal(d!.oldMdm?.listed, false);
    const unenrolled = entry({ enrollment: 'unenrolled' });
    assert.deepEqual(mergeSources([], [unenrolled]), [], 'reported unenrolled counts as not listed');
  });

  it('listed by the old MDM by serial and enrolled in Intune is dual enrollment; by name only it is not', () => {
    const bySerial = entry({
      match: { kind: 'matched', candidateKey: 'entra-ipad', by: 'serial', confidence: 1 },
    });
    const [dual] = mergeSources([intuneIpad], [bySerial]);
    assert.deepEqual(dual!.management, { kind: 'intune', alsoOldMdm: 'workspace-one' });
    assert.deepEqual(dual!.formerKeys, [oldMdmDeviceKey('workspace-one', '101')]);
    const [byName] = mergeSources([intuneIpad], [entry()]);
    assert.deepEqual(byName!.management, { kind: 'intune' }, 'a likely match is shown, not escalated');
    assert.equal(byName!.oldMdm?.identified, false);
  });

  it("the old MDM's word that it no longer lists a device wins over Entra's stale partner id", () => {
    const fact = {
      source: 'workspace-one',
      vendor: 'workspace-one' as const,
      vendorId: '1',
      listed: false,
      identified: true,
    };
    assert.deepEqual(withOldMdm({ kind: 'partner', mdmAppId: 'ws1' }, fact), { kind: 'none' });
    assert.deepEqual(withOldMdm({ kind: 'intune', alsoPartnerMdmAppId: 'ws1' }, fact), { kind: 'intune' });
    assert.deepEqual(withOldMdm({ kind: 'none' }, { ...fact, listed: true }), {
      kind: 'partner',
      oldMdm: 'workspace-one',
    });
  });

  it('never places an ambiguous entry on a Graph device, and never guesses between two of the same name', () => {
    const ambiguous = entry({
      match: { kind: 'ambiguous', by: 'serial', reason: 'several-candidates', candidateKeys: ['a', 'b'] },
    });
    const merged = mergeSources([intuneIpad], [ambiguous]);
    assert.equal(merged.length, 2, 'the Graph device and the old-MDM device stay apart');
    const twins = mergeSources([intuneIpad, { ...intuneIpad, key: 'entra-ipad-2' }], [entry()]);
    assert.equal(twins.length, 3);
    assert.ok(twins.every((d) => d.oldMdm === undefined || d.key.startsWith('oldmdm:')));
  });

  it('a journey begun on an old-MDM-only device carries on once Intune shows the device', () => {
    const oldKey = oldMdmDeviceKey('workspace-one', '101');
    const ipad = openJourney({ ...mergeSources([], [entry()])[0]! }, NOW).journey;
    const iphone: DeviceObservation = {
      ...intuneIpad,
      key: 'iphone-1',
      name: "Alex's iPhone",
      platform: 'ios',
    };
    const phone = openJourney(iphone, NOW).journey;
    const journeys = [phone, ipad];
    // By the entry's key, while the old MDM's record is still at hand…
    const withFormer = adoptJourneys(journeys, [{ ...intuneIpad, formerKeys: [oldKey] }]);
    assert.equal(withFormer[1]!.deviceKey, 'entra-ipad');
    assert.equal(withFormer[0], phone);
    // …and by platform and name once it is gone.
    const byName = adoptJourneys(journeys, [intuneIpad]);
    assert.equal(byName[1]!.deviceKey, 'entra-ipad');
    // Nothing moves when nothing fits, or when two devices could be it.
    assert.equal(adoptJourneys(journeys, [iphone]), journeys);
    const two = adoptJourneys(journeys, [intuneIpad, { ...intuneIpad, key: 'entra-ipad-2' }]);
    assert.equal(two, journeys);
    // A journey whose old-MDM device is still reported is not taken away from it.
    assert.equal(adoptJourneys(journeys, [intuneIpad, mergeSources([], [entry()])[0]!]), journeys);
  });

  it("finds the entries that may be a journey's device before Graph answers", () => {
    const own = entry();
    const tied = entry({
      vendorId: '7',
      name: 'x',
      match: { kind: 'matched', candidateKey: 'entra-ipad', by: 'serial', confidence: 1 },
    });
    const other = entry({ vendorId: '8', name: 'Laptop', platform: 'macos' });
    const journey = { deviceKey: 'entra-ipad', platform: 'ipados' as const, name: "Alex's iPad" };
    assert.deepEqual(entriesOfJourney(journey, [own, tied, other]), [own, tied]);
    assert.deepEqual(
      entriesOfJourney(
        { ...journey, deviceKey: oldMdmDeviceKey('workspace-one', '8'), name: 'Laptop', platform: 'macos' },
        [own, tied, other],
      ),
      [other],
    );
  });
});
