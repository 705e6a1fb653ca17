import assert from 'node:assert/strict';
import { demoDevices as jamfDemo } from '../../src/dev/jamf-sim';
import { demoSeed } from '../../src/dev/tenant-sim/demo';
import { demoDevices as ws1Demo } from '../../src/dev/workspace-one-sim';

describe('dev: the demo tells one story on every side', () => {
  const tenant = demoSeed().devices;
  const bySerial = new Map(tenant.map((d) => [d.serialNumber!, d]));

  it('every Workspace ONE demo device the tenant also has shares its serial, IMEI, UDID, name and user', () => {
    const shared = ws1Demo().filter((d) => bySerial.has(d.serialNumber!));
    assert.ok(shared.length >= 5, 'Pilot devices are known to both sides');
    for (const d of shared) {
      const t = bySerial.get(d.serialNumber!)!;
      assert.equal(d.friendlyName, t.displayName);
      assert.equal(d.userName, t.user);
      assert.equal(d.imei, t.imei, `${d.friendlyName}: IMEI`);
      assert.equal(d.udid, t.udid, `${d.friendlyName}: UDID`);
    }
    for (const name of ["Alex's iPhone", 'ALEX-LAPTOP', "Megan's iPad", "Adele's MacBook Pro"]) {
      assert.ok(
        shared.some((d) => d.friendlyName === name),
        `${name} known to both`,
      );
    }
  });

  it("Alex's iPad is personal, in Workspace ONE only, never in Entra or Intune", () => {
    const ipad = ws1Demo().find((d) => d.friendlyName === "Alex's iPad")!;
    assert.equal(ipad.userName, 'alexw@example.com');
    assert.equal(ipad.ownership, 'E');
    assert.ok(!bySerial.has(ipad.serialNumber!));
    assert.ok(!tenant.some((d) => d.displayName === "Alex's iPad" || d.udid === ipad.udid));
    assert.ok(tenant.some((d) => d.user === 'alexw@example.com' && d.operatingSystem === 'iOS'));
    assert.ok(tenant.some((d) => d.user === 'alexw@example.com' && d.operatingSystem === 'Windows'));
  });

  it("Jamf's Macs share the tenant's serials and UDIDs; Alex's MacBook Air is Jamf's alone", () => {
    const { computers } = jamfDemo();
    for (const c of computers.filter((m) => bySerial.has(m.serialNumber))) {
      const t = bySerial.get(c.serialNumber)!;
      assert.equal(t.operatingSystem, 'macOS');
      assert.equal(c.name, t.displayName);
      assert.equal(c.udid, t.udid);
    }
    const alexMac = computers.find((c) => c.name === "Alex's MacBook Air")!;
    assert.ok(!bySerial.has(alexMac.serialNumber));
    assert.equal(computers.filter((c) => bySerial.has(c.serialNumber)).length, 2);
  });

  it('serials, IMEIs and UDIDs are unique across the demo', () => {
    const ids = [
      ...tenant.flatMap((d) => [d.serialNumber, d.imei, d.udid]),
      ...ws1Demo()
        .filter((d) => !bySerial.has(d.serialNumber!))
        .flatMap((d) => [d.serialNumber, d.imei, d.udid]),
    ].filter(Boolean);
    assert.equal(new Set(ids).size, ids.length);
  });
});
