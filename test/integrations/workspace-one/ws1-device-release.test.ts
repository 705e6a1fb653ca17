import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT,
  DEVICES_EXECUTE,
  DEVICES_READ,
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type WorkspaceOneSimulatorOptions,
  type Ws1DeviceSeed,
} from '../../../src/dev/workspace-one-sim';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import {
  WorkspaceOneInventory,
  type WorkspaceOneInventoryOptions,
} from '../../../src/integrations/workspace-one/ws1-inventory';
import { SourceMdmError } from '../../../src/ports/source-mdm';
import { eventually } from '../../helpers/eventually';

const NOW = Date.parse('2025-03-01T10:00:00.000Z');

const seeds: Ws1DeviceSeed[] = [
  {
    id: 3001,
    friendlyName: 'Corporate iPhone',
    userName: 'adele@example.com',
    userEmail: 'adele@example.com',
    platform: 'Apple',
    model: 'iPhone 15',
    operatingSystem: '17.4',
    serialNumber: 'F17WS1000001',
    ownership: 'C',
    lastSeen: new Date(NOW - 3_600_000),
  },
  {
    id: 3002,
    friendlyName: 'Pixel',
    userName: 'megan@example.com',
    platform: 'Android',
    model: 'Pixel 8',
    serialNumber: 'PXWS1000002',
    ownership: 'E',
    lastSeen: new Date(NOW - 7_200_000),
  },
];

/** Read and release, as a client that OLD_MDM_ALLOW_RELEASE would be configured for needs. */
const RELEASER = {
  clientId: 'releaser',
  clientSecret: 'release-secret',
  permissions: [DEVICES_READ, DEVICES_EXECUTE],
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

describe('integration: Workspace ONE device look-up and Enterprise Wipe against the simulator', () => {
  let sim: WorkspaceOneSimulator;
  let sleeps: number[];
  const start = async (options: WorkspaceOneSimulatorOptions = {}) => {
    sim = await startWorkspaceOneSimulator({
      now: () => NOW,
      devices: seeds,
      clients: [DEFAULT_CLIENT, RELEASER],
      ...options,
    });
  };
  beforeEach(() => {
    sleeps = [];
  });
  afterEach(async () => {
    await sim.stop();
  });

  function connector(
    client: { clientId: string; clientSecret: string } = RELEASER,
    options: WorkspaceOneInventoryOptions & { tenantCode?: string } = {},
  ): WorkspaceOneInventory {
    const { tenantCode, ...rest } = options;
    return new WorkspaceOneInventory(
      {
        apiUrl: sim.url,
        tokenUrl: sim.tokenUrl,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        tenantCode: tenantCode ?? sim.tenantCode,
      },
      {
        // Waits are recorded, not slept: the tests assert what the policy asked for.
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...rest,
      },
    );
  }

  async function listed(inventory: WorkspaceOneInventory): Promise<OldMdmDevice[]> {
    const out: OldMdmDevice[] = [];
    for await (const page of inventory.listAll()) out.push(...page);
    return out;
  }

  describe('deviceById', () => {
    it('answers one device exactly as the device search maps it, with one request after the token', async () => {
      await start();
      const inventory = connector();
      const device = await inventory.deviceById('3001');
      assert.deepEqual(
        device,
        (await listed(inventory)).find((d) => d.vendorId === '3001'),
      );
      assert.equal(device?.serialNumber, 'F17WS1000001');
      assert.equal(device?.platform, 'ios');
      assert.equal(device?.ownership, 'corporate');
      assert.equal(device?.enrollment, 'enrolled');
      assert.equal(sim.controls.stats().device, 1);
    });

    it('a device unenrolled in the console is listed as unenrolled; a deleted one is gone (404)', async () => {
      await start();
      const inventory = connector();
      sim.controls.unenroll({ id: 3001 });
      assert.equal((await inventory.deviceById('3001'))?.enrollment, 'unenrolled');
      sim.controls.unenroll({ id: 3002 }, { remove: true });
      assert.equal(await inventory.deviceById('3002'), undefined);
      assert.equal(await inventory.deviceById('9999'), undefined);
    });

    it('an id Workspace ONE could not have given is no device, without a request', async () => {
      await start();
      const inventory = connector();
      assert.equal(await inventory.deviceById('mobile-12'), undefined);
      assert.equal(await inventory.deviceById('../search'), undefined);
      assert.equal(inventory.requests, 0);
    });

    it('401, a wrong tenant code and a missing read permission each name what to fix', async () => {
      await start();
      const badSecret = await rejection(
        connector({ clientId: RELEASER.clientId, clientSecret: 'wrong' }).deviceById('3001'),
      );
      assert.equal(badSecret.failure, 'credentials');
      assert.match(badSecret.missing ?? '', /WORKSPACE_ONE_CLIENT_SECRET/);

      const badTenant = await rejection(connector(RELEASER, { tenantCode: 'nope' }).deviceById('3001'));
      assert.equal(badTenant.failure, 'credentials');
      assert.match(badTenant.missing ?? '', /WORKSPACE_ONE_TENANT_CODE/);

      sim.controls.setClient({ clientId: 'nobody', clientSecret: 'x', permissions: [] });
      const noRead = await rejection(connector({ clientId: 'nobody', clientSecret: 'x' }).deviceById('3001'));
      assert.equal(noRead.failure, 'permission');
      assert.equal(noRead.status, 403);
      assert.match(noRead.missing ?? '', /REST API Devices Read/);
    });

    it('waits out 429 with Retry-After and retries 5xx, then answers', async () => {
      await start();
      const inventory = connector();
      sim.controls.faults.add({ path: '/api/mdm/devices/3001', status: 429, retryAfterSeconds: 2, times: 1 });
      sim.controls.faults.add({ path: '/api/mdm/devices/3001', status: 503, times: 1 });
      assert.equal((await inventory.deviceById('3001'))?.vendorId, '3001');
      assert.equal(sleeps.length, 2);
      assert.equal(sleeps[0], 2000);
    });

    it('gives up after the bounded attempts: throttled on 429, unavailable on 5xx', async () => {
      await start();
      sim.controls.faults.add({ path: '/api/mdm/devices/3001', status: 429, retryAfterSeconds: 1, times: 3 });
      const throttled = await rejection(connector(RELEASER, { maxAttempts: 3 }).deviceById('3001'));
      assert.equal(throttled.failure, 'throttled');
      sim.controls.faults.add({ path: '/api/mdm/devices/3001', status: 500, times: 3 });
      const down = await rejection(connector(RELEASER, { maxAttempts: 3 }).deviceById('3001'));
      assert.equal(down.failure, 'unavailable');
      assert.equal(down.status, 500);
    });
  });

  describe('release (Enterprise Wipe)', () => {
    it('sends EnterpriseWipe and the device ends Unenrolled in Workspace ONE', async () => {
      await start();
      const inventory = connector();
      const result = await inventory.release().release({ vendorId: '3001', platform: 'ios' });
      assert.deepEqual(result, { outcome: 'released' });
      assert.equal(sim.controls.stats().command, 1);
      assert.equal(sim.controls.find({ id: 3001 })?.EnrollmentStatus, 'Unenrolled');
      assert.equal((await inventory.deviceById('3001'))?.enrollment, 'unenrolled');
      // The other device is untouched.
      assert.equal(sim.controls.find({ id: 3002 })?.EnrollmentStatus, 'Enrolled');
    });

    it('is pending until the device acknowledges it, and a second release sends nothing more', async () => {
      await start({ releaseDelayMs: 1_000 });
      const inventory = connector();
      const releaser = inventory.release();
      assert.equal(releaser.source, 'workspace-one');
      assert.equal((await releaser.release({ vendorId: '3002', platform: 'android' })).outcome, 'released');
      assert.equal((await inventory.deviceById('3002'))?.enrollment, 'pending');
      assert.deepEqual(sim.controls.releaseDelay().pending, [3002]);
      assert.equal((await releaser.release({ vendorId: '3002', platform: 'android' })).outcome, 'released');
      assert.equal(sim.controls.stats().command, 1);
      await eventually(async () => (await inventory.deviceById('3002'))?.enrollment === 'unenrolled');
    });

    it('a device already unenrolled or deleted is already-gone, and no command is sent', async () => {
      await start();
      const releaser = connector().release();
      sim.controls.unenroll({ id: 3001 });
      sim.controls.unenroll({ id: 3002 }, { remove: true });
      assert.deepEqual(await releaser.release({ vendorId: '3001', platform: 'ios' }), {
        outcome: 'already-gone',
      });
      assert.deepEqual(await releaser.release({ vendorId: '3002', platform: 'android' }), {
        outcome: 'already-gone',
      });
      assert.equal(sim.controls.stats().command, 0);
    });

    it('a role without the execute permission gets 403 naming it, and the device stays enrolled', async () => {
      await start();
      const err = await rejection(
        connector(DEFAULT_CLIENT).release().release({ vendorId: '3001', platform: 'ios' }),
      );
      assert.equal(err.failure, 'permission');
      assert.equal(err.status, 403);
      assert.equal(err.source, 'workspace-one');
      assert.match(err.missing ?? '', /REST API Devices Execute/);
      assert.match(err.missing ?? '', /Enterprise Wipe/);
      assert.equal(sim.controls.find({ id: 3001 })?.EnrollmentStatus, 'Enrolled');
    });

    it('retries a throttled or failing command under the same policy, then releases', async () => {
      await start();
      sim.controls.faults.add({
        method: 'POST',
        path: '/commands',
        status: 429,
        retryAfterSeconds: 1,
        times: 1,
      });
      sim.controls.faults.add({ method: 'POST', path: '/commands', status: 503, times: 1 });
      const result = await connector().release().release({ vendorId: '3001', platform: 'ios' });
      assert.equal(result.outcome, 'released');
      assert.equal(sleeps[0], 1000);
      assert.equal(sim.controls.find({ id: 3001 })?.EnrollmentStatus, 'Unenrolled');
    });

    it('a device deleted between the look-up and the command (404) is already-gone', async () => {
      await start();
      sim.controls.faults.add({ method: 'POST', path: '/commands', status: 404, times: 1 });
      const result = await connector().release().release({ vendorId: '3001', platform: 'ios' });
      assert.equal(result.outcome, 'already-gone');
    });
  });
});
