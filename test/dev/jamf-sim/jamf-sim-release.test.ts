import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT,
  type JamfSimulator,
  type JamfSimulatorOptions,
  READ_COMPUTERS,
  READ_MOBILE_DEVICES,
  SEND_COMPUTER_UNMANAGE,
  startJamfSimulator,
  UNMANAGE_MOBILE_DEVICES,
} from '../../../src/dev/jamf-sim';
import { eventually } from '../../helpers/eventually';

const RELEASER = {
  clientId: 'releaser',
  clientSecret: 'r-secret',
  privileges: [READ_COMPUTERS, READ_MOBILE_DEVICES, SEND_COMPUTER_UNMANAGE, UNMANAGE_MOBILE_DEVICES],
};

interface Reply {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: wire answers are inspected field by field
  body: any;
}

describe('dev: Jamf Pro simulator, one computer and the release commands', () => {
  let sim: JamfSimulator;
  const start = async (options: JamfSimulatorOptions = {}) => {
    sim = await startJamfSimulator({
      computers: [{ name: 'MAC-1', serialNumber: 'C02R00000001', username: 'adele@example.com' }],
      mobileDevices: [{ name: 'IPAD-1', serialNumber: 'DMPR00000001', model: 'iPad Air' }],
      clients: [DEFAULT_CLIENT, RELEASER],
      ...options,
    });
  };
  afterEach(async () => {
    await sim?.stop();
  });

  async function call(
    method: string,
    path: string,
    client?: typeof RELEASER,
    json?: unknown,
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (client) {
      const t = await fetch(`${sim.url}/api/v1/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }).toString(),
      });
      headers.Authorization = `Bearer ${((await t.json()) as { access_token: string }).access_token}`;
    }
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }

  it('GET /api/v4/computers-inventory/{id} answers the sections asked for, the rest null; 404 ApiError', async () => {
    await start();
    const r = await call('GET', '/api/v4/computers-inventory/1?section=GENERAL&section=HARDWARE', RELEASER);
    assert.equal(r.status, 200);
    assert.equal(r.body.id, '1');
    assert.equal(r.body.general.name, 'MAC-1');
    assert.equal(r.body.hardware.serialNumber, 'C02R00000001');
    assert.equal(r.body.userAndLocation, null);
    const plain = await call('GET', '/api/v4/computers-inventory/1', RELEASER);
    assert.equal(plain.body.hardware, null, 'GENERAL only by default');
    const none = await call('GET', '/api/v4/computers-inventory/9', RELEASER);
    assert.equal(none.status, 404);
    assert.equal(none.body.httpStatus, 404);
    assert.equal(none.body.errors.length, 1);
  });

  it('remove-mdm-profile (v4 and the deprecated v1 path) and unmanage answer { deviceId, commandUuid }', async () => {
    await start();
    const mac = await call('POST', '/api/v4/computers-inventory/1/remove-mdm-profile', RELEASER);
    assert.equal(mac.status, 200);
    assert.equal(mac.body.deviceId, '1');
    assert.match(mac.body.commandUuid, /^[0-9a-f-]{36}$/);
    const ipad = await call('POST', '/api/v2/mobile-devices/1/unmanage', RELEASER);
    assert.equal(ipad.status, 200);
    assert.equal(ipad.body.deviceId, '1');
    assert.deepEqual(
      sim.controls.devices().map((d) => [d.kind, d.managed]),
      [
        ['computer', false],
        ['mobile-device', false],
      ],
    );
    // Unmanaged: no MDM channel left to queue on.
    const again = await call('POST', '/api/v1/computer-inventory/1/remove-mdm-profile', RELEASER);
    assert.equal(again.status, 500);
    assert.equal(again.body.httpStatus, 500);
    sim.controls.manage({ kind: 'computer', id: '1' });
    assert.equal(
      (await call('POST', '/api/v1/computer-inventory/1/remove-mdm-profile', RELEASER)).status,
      200,
    );
  });

  it('403 without the privilege, 404 for an unknown id, 401 without a token', async () => {
    await start();
    const denied = await call('POST', '/api/v2/mobile-devices/1/unmanage', DEFAULT_CLIENT);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /Unmanage Mobile Devices/);
    assert.equal((await call('POST', '/api/v2/mobile-devices/7/unmanage', RELEASER)).status, 404);
    assert.equal((await call('POST', '/api/v4/computers-inventory/1/remove-mdm-profile')).status, 401);
    assert.equal(
      sim.controls.devices().every((d) => d.managed),
      true,
    );
  });

  it('a release delay keeps the device managed until it receives the command; the controls show it', async () => {
    await start({ releaseDelayMs: 60_000 });
    await call('POST', '/api/v2/mobile-devices/1/unmanage', RELEASER);
    assert.equal(sim.controls.devices().find((d) => d.kind === 'mobile-device')?.managed, true);
    assert.deepEqual((await call('GET', '/_sim/release-delay')).body, {
      delayMs: 60_000,
      pending: ['mobile-device:1'],
    });
    assert.deepEqual((await call('GET', '/_sim/health')).body.release.pending, ['mobile-device:1']);
    assert.equal((await call('POST', '/_sim/release-delay', undefined, { ms: 10 })).body.delayMs, 10);
    await call('POST', '/api/v4/computers-inventory/1/remove-mdm-profile', RELEASER);
    await eventually(() => sim.controls.devices().find((d) => d.kind === 'computer')?.managed === false);
    assert.equal((await call('POST', '/_sim/release-delay', undefined, { ms: 'soon' })).status, 400);
  });

  it('fault injection applies to the commands', async () => {
    await start();
    sim.controls.faults.add({
      method: 'POST',
      path: '/unmanage',
      status: 429,
      retryAfterSeconds: 5,
      times: 1,
    });
    const throttled = await call('POST', '/api/v2/mobile-devices/1/unmanage', RELEASER);
    assert.equal(throttled.status, 429);
    assert.equal(sim.controls.devices().find((d) => d.kind === 'mobile-device')?.managed, true);
    assert.equal((await call('POST', '/api/v2/mobile-devices/1/unmanage', RELEASER)).status, 200);
  });
});
