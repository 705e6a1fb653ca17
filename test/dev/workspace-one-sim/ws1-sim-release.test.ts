import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT,
  DEVICES_EXECUTE,
  DEVICES_READ,
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type WorkspaceOneSimulatorOptions,
} from '../../../src/dev/workspace-one-sim';
import { eventually } from '../../helpers/eventually';

const NOW = Date.parse('2025-03-01T10:00:00.000Z');
const RELEASER = {
  clientId: 'releaser',
  clientSecret: 'r-secret',
  permissions: [DEVICES_READ, DEVICES_EXECUTE],
};

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: wire answers are inspected field by field
  body: any;
}

describe('Workspace ONE UEM simulator: one device and Enterprise Wipe', () => {
  let sim: WorkspaceOneSimulator;
  const start = async (options: WorkspaceOneSimulatorOptions = {}) => {
    sim = await startWorkspaceOneSimulator({
      now: () => NOW,
      clients: [DEFAULT_CLIENT, RELEASER],
      devices: [
        {
          id: 41,
          friendlyName: 'Work phone',
          userName: 'adele@example.com',
          platform: 'Apple',
          serialNumber: 'S41',
        },
        {
          id: 42,
          friendlyName: 'Tablet',
          userName: 'megan@example.com',
          platform: 'Android',
          serialNumber: 'S42',
        },
      ],
      ...options,
    });
  };
  afterEach(async () => {
    await sim.stop();
  });

  async function call(path: string, init: RequestInit = {}): Promise<Reply> {
    const res = await fetch(`${sim.url}${path}`, init);
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }

  async function api(path: string, method = 'GET', client = RELEASER): Promise<Reply> {
    const issued = await call('/connect/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }).toString(),
    });
    return call(path, {
      method,
      headers: {
        Authorization: `Bearer ${issued.body.access_token}`,
        'aw-tenant-code': sim.tenantCode,
        Accept: 'application/json;version=1',
      },
    });
  }

  it('GET /API/mdm/devices/{id} answers the search record; 404 errorCode 5061 when absent', async () => {
    await start();
    const one = await api('/API/mdm/devices/41');
    assert.equal(one.status, 200);
    assert.equal(one.body.Id.Value, 41);
    assert.equal(one.body.EnrollmentStatus, 'Enrolled');
    assert.deepEqual(one.body, sim.controls.find({ id: 41 }));
    const none = await api('/api/mdm/devices/99');
    assert.equal(none.status, 404);
    assert.equal(none.body.errorCode, 5061);
    assert.equal(typeof none.body.activityId, 'string');
  });

  it('EnterpriseWipe: 202 with an empty body, then the device is Unenrolled (no delay by default)', async () => {
    await start();
    const r = await api('/API/mdm/devices/41/commands?command=EnterpriseWipe', 'POST');
    assert.equal(r.status, 202);
    assert.equal(r.text, '');
    assert.equal(sim.controls.find({ id: 41 })?.EnrollmentStatus, 'Unenrolled');
    assert.equal(sim.controls.find({ id: 42 })?.EnrollmentStatus, 'Enrolled');
    assert.equal(sim.controls.stats().command, 1);
  });

  it('refuses what it cannot do: unknown device 404, unenrolled 400, other commands 400, no permission 403', async () => {
    await start();
    assert.equal(
      (await api('/API/mdm/devices/99/commands?command=EnterpriseWipe', 'POST')).body.errorCode,
      5061,
    );
    sim.controls.unenroll({ id: 42 });
    assert.equal((await api('/API/mdm/devices/42/commands?command=EnterpriseWipe', 'POST')).status, 400);
    assert.equal((await api('/API/mdm/devices/41/commands?command=DeviceWipe', 'POST')).status, 400);
    const denied = await api('/API/mdm/devices/41/commands?command=EnterpriseWipe', 'POST', DEFAULT_CLIENT);
    assert.equal(denied.status, 403);
    assert.notEqual(denied.body.errorCode, 1013);
    assert.equal(sim.controls.find({ id: 41 })?.EnrollmentStatus, 'Enrolled');
  });

  it('with a release delay the device is EnterpriseWipePending first; the controls and status page show it', async () => {
    await start({ releaseDelayMs: 60_000 });
    assert.equal((await api('/API/mdm/devices/41/commands?command=EnterpriseWipe', 'POST')).status, 202);
    assert.equal(sim.controls.find({ id: 41 })?.EnrollmentStatus, 'EnterpriseWipePending');
    const state = await call('/_sim/release-delay');
    assert.deepEqual(state.body, { delayMs: 60_000, pending: [41] });
    assert.match((await call('/')).text, /Unenrolled 60000 ms after the command[^<]*; 1 pending/);
    // A shorter delay applies to the next command.
    const set = await call('/_sim/release-delay', { method: 'POST', body: JSON.stringify({ ms: 20 }) });
    assert.equal(set.body.delayMs, 20);
    assert.equal((await api('/API/mdm/devices/42/commands?command=EnterpriseWipe', 'POST')).status, 202);
    await eventually(() => sim.controls.find({ id: 42 })?.EnrollmentStatus === 'Unenrolled');
    assert.equal((await call('/_sim/release-delay', { method: 'POST', body: '{"ms":-1}' })).status, 400);
  });

  it('fault injection applies to the command like to any call', async () => {
    await start();
    sim.controls.faults.add({ method: 'POST', path: '/commands', status: 503, times: 1 });
    assert.equal((await api('/API/mdm/devices/41/commands?command=EnterpriseWipe', 'POST')).status, 503);
    assert.equal(sim.controls.find({ id: 41 })?.EnrollmentStatus, 'Enrolled');
    assert.equal((await api('/API/mdm/devices/41/commands?command=EnterpriseWipe', 'POST')).status, 202);
  });
});
