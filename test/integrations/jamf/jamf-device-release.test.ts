import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT,
  type JamfComputerSeed,
  type JamfMobileDeviceSeed,
  type JamfSimulator,
  type JamfSimulatorOptions,
  READ_COMPUTERS,
  READ_MOBILE_DEVICES,
  SEND_COMPUTER_UNMANAGE,
  startJamfSimulator,
  UNMANAGE_MOBILE_DEVICES,
} from '../../../src/dev/jamf-sim';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { JamfInventory, type JamfInventoryOptions } from '../../../src/integrations/jamf/jamf-inventory';
import { SourceMdmError } from '../../../src/ports/source-mdm';
import { eventually } from '../../helpers/eventually';

// Jamf numbers computers and mobile devices separately: both lists start at id 1.
const computers: JamfComputerSeed[] = [
  {
    name: "Adele's MacBook Pro",
    serialNumber: 'C02JAMF00001',
    username: 'adele@example.com',
    reportDate: '-2d',
  },
  {
    name: 'Lab iMac',
    serialNumber: 'C02JAMF00002',
    username: 'lab',
    email: 'lab@example.com',
    reportDate: '-2d',
  },
];
const mobileDevices: JamfMobileDeviceSeed[] = [
  {
    name: "Megan's iPad",
    serialNumber: 'DMPJAMF00001',
    model: 'iPad Air',
    username: 'megan@example.com',
    imei: '35 209900 176148 1',
    lastInventoryUpdateDate: '-2d',
  },
];

/** An API client whose role can read and release both kinds of device. */
const RELEASER = {
  clientId: 'releaser',
  clientSecret: 'release-secret',
  privileges: [READ_COMPUTERS, READ_MOBILE_DEVICES, SEND_COMPUTER_UNMANAGE, UNMANAGE_MOBILE_DEVICES],
};

async function rejection(work: Promise<unknown>): Promise<SourceMdmError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof SourceMdmError, `expected a SourceMdmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('integration: Jamf Pro device look-up and release commands against the simulator', () => {
  let sim: JamfSimulator;
  let sleeps: number[];

  const start = async (options: JamfSimulatorOptions = {}) => {
    sim = await startJamfSimulator({
      computers,
      mobileDevices,
      clients: [DEFAULT_CLIENT, RELEASER],
      ...options,
    });
  };
  const connector = (
    client: { clientId: string; clientSecret: string } = RELEASER,
    options: Partial<JamfInventoryOptions> = {},
  ): JamfInventory =>
    new JamfInventory({
      baseUrl: sim.url,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
  const managedInSim = (kind: 'computer' | 'mobile-device', id: string) =>
    sim.controls.devices().find((d) => d.kind === kind && d.id === id)?.managed;

  beforeEach(() => {
    sleeps = [];
  });
  afterEach(async () => {
    await sim?.stop();
  });

  async function listed(inventory: JamfInventory): Promise<OldMdmDevice[]> {
    const out: OldMdmDevice[] = [];
    for await (const page of inventory.listAll()) out.push(...page);
    return out;
  }

  describe('deviceById', () => {
    it('tells computer 1 from mobile device 1 and maps each exactly as the inventory read does', async () => {
      await start();
      const inventory = connector();
      const all = await listed(inventory);
      assert.deepEqual(
        all.map((d) => d.vendorId),
        ['1', '2', 'mobile-1'],
        'a mobile device id carries its prefix, so it never collides with a computer id',
      );
      const mac = await inventory.deviceById('1');
      const ipad = await inventory.deviceById('mobile-1');
      assert.deepEqual(mac, all[0]);
      assert.deepEqual(ipad, all[2]);
      assert.equal(mac?.platform, 'macos');
      assert.equal(mac?.serialNumber, 'C02JAMF00001');
      assert.equal(ipad?.platform, 'ipados');
      assert.equal(ipad?.imei, '352099001761481');
      assert.equal(ipad?.enrollment, 'enrolled');
    });

    it('an unmanaged device is listed as unenrolled; a deleted or unknown one is gone', async () => {
      await start();
      const inventory = connector();
      sim.controls.unmanage({ kind: 'computer', id: '1' });
      assert.equal((await inventory.deviceById('1'))?.enrollment, 'unenrolled');
      sim.controls.remove({ kind: 'mobile-device', id: '1' });
      assert.equal(await inventory.deviceById('mobile-1'), undefined);
      assert.equal(await inventory.deviceById('77'), undefined);
      assert.equal(await inventory.deviceById('mobile-77'), undefined);
    });

    it('ids Jamf could not have given, and kinds this source does not read, are no device', async () => {
      await start();
      const before = connector();
      assert.equal(await before.deviceById('abc'), undefined);
      assert.equal(await before.deviceById('mobile-'), undefined);
      assert.equal(before.requests, 0);
      assert.equal(await connector(RELEASER, { mobileDevices: false }).deviceById('mobile-1'), undefined);
      assert.equal(await connector(RELEASER, { computers: false }).deviceById('1'), undefined);
    });

    it('401 names the client settings; 403 names the read privilege of that kind', async () => {
      await start();
      const bad = await rejection(
        connector({ clientId: RELEASER.clientId, clientSecret: 'wrong' }).deviceById('1'),
      );
      assert.equal(bad.failure, 'credentials');
      assert.match(bad.missing ?? '', /JAMF_CLIENT_SECRET/);
      sim.controls.setPrivileges(RELEASER.clientId, [READ_COMPUTERS]);
      const denied = await rejection(connector().deviceById('mobile-1'));
      assert.equal(denied.failure, 'permission');
      assert.equal(denied.status, 403);
      assert.equal(denied.missing, 'Read Mobile Devices');
    });

    it('waits out 429 and retries 5xx, then gives up as throttled or unavailable', async () => {
      await start();
      sim.controls.faults.add({
        path: '/computers-inventory/1',
        status: 429,
        retryAfterSeconds: 3,
        times: 1,
      });
      sim.controls.faults.add({ path: '/computers-inventory/1', status: 500, times: 1 });
      assert.equal((await connector().deviceById('1'))?.vendorId, '1');
      assert.equal(sleeps[0], 3000);
      assert.equal(sleeps.length, 2);

      sim.controls.faults.add({ path: 'mobileDeviceId', status: 429, retryAfterSeconds: 1, times: 2 });
      const throttled = await rejection(connector(RELEASER, { maxAttempts: 2 }).deviceById('mobile-1'));
      assert.equal(throttled.failure, 'throttled');
      sim.controls.faults.add({ path: 'mobileDeviceId', status: 503, times: 2 });
      const down = await rejection(connector(RELEASER, { maxAttempts: 2 }).deviceById('mobile-1'));
      assert.equal(down.failure, 'unavailable');
    });
  });

  describe('release', () => {
    it("removes a Mac's MDM profile and unmanages an iPad; Jamf keeps both records, unmanaged", async () => {
      await start();
      const inventory = connector();
      const releaser = inventory.release();
      assert.equal(releaser.source, 'jamf');
      const mac = await releaser.release({ vendorId: '1', platform: 'macos' });
      const ipad = await releaser.release({ vendorId: 'mobile-1', platform: 'ipados' });
      assert.equal(mac.outcome, 'released');
      assert.match(mac.commandId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(ipad.outcome, 'released');
      assert.notEqual(ipad.commandId, mac.commandId);
      assert.equal(managedInSim('computer', '1'), false);
      assert.equal(managedInSim('mobile-device', '1'), false);
      assert.equal(managedInSim('computer', '2'), true, 'the other Mac is untouched');
      assert.equal((await inventory.deviceById('1'))?.enrollment, 'unenrolled');
      const stats = sim.controls.stats.snapshot();
      assert.equal(stats.byRoute['POST /api/v4/computers-inventory/{id}/remove-mdm-profile'], 1);
      assert.equal(stats.byRoute['POST /api/v2/mobile-devices/{id}/unmanage'], 1);
    });

    it('the device leaves management only when it receives the command', async () => {
      await start({ releaseDelayMs: 1_000 });
      const inventory = connector();
      assert.equal(
        (await inventory.release().release({ vendorId: '2', platform: 'macos' })).outcome,
        'released',
      );
      assert.equal((await inventory.deviceById('2'))?.enrollment, 'enrolled');
      assert.deepEqual(sim.controls.releaseDelay().pending, ['computer:2']);
      await eventually(async () => (await inventory.deviceById('2'))?.enrollment === 'unenrolled');
    });

    it('a device already unmanaged or deleted is already-gone, and no command is sent', async () => {
      await start();
      const releaser = connector().release();
      sim.controls.unmanage({ kind: 'computer', id: '1' });
      sim.controls.remove({ kind: 'mobile-device', id: '1' });
      assert.deepEqual(await releaser.release({ vendorId: '1', platform: 'macos' }), {
        outcome: 'already-gone',
      });
      assert.deepEqual(await releaser.release({ vendorId: 'mobile-1', platform: 'ipados' }), {
        outcome: 'already-gone',
      });
      const routes = Object.keys(sim.controls.stats.snapshot().byRoute);
      assert.ok(!routes.some((r) => r.startsWith('POST /api/v4/computers-inventory/')), routes.join(', '));
      assert.ok(!routes.some((r) => r.startsWith('POST /api/v2/mobile-devices/')), routes.join(', '));
    });

    it('403 names the privilege each kind needs, and the device stays managed', async () => {
      await start();
      const readOnly = connector(DEFAULT_CLIENT).release();
      const mac = await rejection(readOnly.release({ vendorId: '1', platform: 'macos' }));
      assert.equal(mac.failure, 'permission');
      assert.equal(mac.status, 403);
      assert.equal(mac.missing, 'Send Computer Unmanage Command');
      const ipad = await rejection(readOnly.release({ vendorId: 'mobile-1', platform: 'ipados' }));
      assert.equal(ipad.missing, 'Unmanage Mobile Devices');
      assert.equal(managedInSim('computer', '1'), true);
      assert.equal(managedInSim('mobile-device', '1'), true);
    });

    it('retries a throttled command under the same policy, then releases', async () => {
      await start();
      sim.controls.faults.add({
        method: 'POST',
        path: '/unmanage',
        status: 429,
        retryAfterSeconds: 2,
        times: 1,
      });
      const result = await connector().release().release({ vendorId: 'mobile-1', platform: 'ipados' });
      assert.equal(result.outcome, 'released');
      assert.deepEqual(sleeps, [2000]);
      assert.equal(managedInSim('mobile-device', '1'), false);
    });

    it('a device unmanaged while the command was refused is already-gone; still managed, the error stands', async () => {
      await start();
      sim.controls.faults.add({ method: 'POST', path: '/remove-mdm-profile', status: 503, times: 2 });
      const err = await rejection(
        connector(RELEASER, { maxAttempts: 2 }).release().release({ vendorId: '1', platform: 'macos' }),
      );
      assert.equal(err.failure, 'unavailable');
      assert.equal(managedInSim('computer', '1'), true);

      // The Mac leaves Jamf just as the command goes out: Jamf cannot queue it (500), and the
      // look-up afterwards shows the outcome asked for.
      const racing = connector(RELEASER, {
        maxAttempts: 2,
        fetch: async (input, init) => {
          if (init?.method === 'POST' && String(input).includes('/remove-mdm-profile')) {
            sim.controls.unmanage({ kind: 'computer', id: '2' });
          }
          return fetch(input, init);
        },
      });
      assert.deepEqual(await racing.release().release({ vendorId: '2', platform: 'macos' }), {
        outcome: 'already-gone',
      });

      // Deleted between the look-up and the command: 404.
      sim.controls.manage({ kind: 'computer', id: '1' });
      sim.controls.faults.add({ method: 'POST', path: '/remove-mdm-profile', status: 404, times: 1 });
      const gone = await connector().release().release({ vendorId: '1', platform: 'macos' });
      assert.equal(gone.outcome, 'already-gone');
    });
  });
});
