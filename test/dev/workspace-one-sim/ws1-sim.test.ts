import assert from 'node:assert/strict';
import { demoSeed } from '../../../src/dev/tenant-sim/demo';
import {
  ALEX_IPAD,
  DEVICES_READ,
  demoDevices,
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type WorkspaceOneSimulatorOptions,
  type Ws1DeviceSeed,
  type Ws1WireDevice,
} from '../../../src/dev/workspace-one-sim';

const NOW = Date.parse('2025-03-01T10:00:00.000Z');

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: wire answers are inspected field by field
  body: any;
}

type SearchPage = { Devices: Ws1WireDevice[]; Page: number; PageSize: number; Total: number };

function seeds(n: number, lastSeen = new Date(NOW - 86_400_000)): Ws1DeviceSeed[] {
  return Array.from({ length: n }, (_, i) => ({
    friendlyName: `Device ${i}`,
    userName: `user${i % 10}@example.com`,
    platform: 'Android',
    serialNumber: `SN${i}`,
    lastSeen,
  }));
}

describe('Workspace ONE UEM simulator', () => {
  let sim: WorkspaceOneSimulator;
  /** The simulator this test started, if any (the demo-device tests start none). */
  let running: WorkspaceOneSimulator | undefined;
  let clock = NOW;
  const start = async (options: WorkspaceOneSimulatorOptions = {}) => {
    clock = NOW;
    sim = await startWorkspaceOneSimulator({ now: () => clock, ...options });
    running = sim;
  };
  afterEach(async () => {
    await running?.stop();
    running = undefined;
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
    return { status: res.status, headers: res.headers, text, body };
  }

  async function token(form: Record<string, string> = {}): Promise<Reply> {
    return call('/connect/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.client.clientId,
        client_secret: sim.client.clientSecret,
        ...form,
      }).toString(),
    });
  }

  async function api(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    const t = (await token()).body.access_token as string;
    return call(path, {
      headers: {
        Authorization: `Bearer ${t}`,
        'aw-tenant-code': sim.tenantCode,
        Accept: 'application/json;version=1',
        ...headers,
      },
    });
  }

  const control = (path: string, body?: unknown, method = 'POST') =>
    call(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });

  describe('token service', () => {
    it('issues a bearer token for client credentials sent as form fields', async () => {
      await start();
      const r = await token();
      assert.equal(r.status, 200);
      assert.equal(r.body.token_type, 'Bearer');
      assert.equal(r.body.expires_in, 3600);
      assert.match(r.body.access_token, /^[\w-]{20,}$/);
    });

    it('accepts the client credentials as HTTP Basic too', async () => {
      await start();
      const basic = Buffer.from(`${sim.client.clientId}:${sim.client.clientSecret}`).toString('base64');
      const r = await call('/connect/token', {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      assert.equal(r.status, 200);
    });

    it('answers 400 invalid_client to a wrong secret and unsupported_grant_type to another grant', async () => {
      await start();
      assert.deepEqual((await token({ client_secret: 'nope' })).body, { error: 'invalid_client' });
      assert.equal((await token({ client_secret: 'nope' })).status, 400);
      assert.deepEqual((await token({ grant_type: 'password' })).body, { error: 'unsupported_grant_type' });
    });
  });

  describe('device search', () => {
    it('pages 0-based with Devices, Page, PageSize, Total and caps pagesize at 500', async () => {
      await start({ devices: seeds(1203) });
      const first = await api('/API/mdm/devices/search?page=0&pagesize=5000');
      const body = first.body as SearchPage;
      assert.equal(first.status, 200);
      assert.equal(body.Devices.length, 500);
      assert.equal(body.PageSize, 500);
      assert.equal(body.Total, 1203);
      const last = (await api('/API/mdm/devices/search?page=2&pagesize=500')).body as SearchPage;
      assert.equal(last.Devices.length, 203);
      assert.equal(last.Page, 2);
      const ids = [...body.Devices, ...last.Devices].map((d) => d.Id.Value);
      assert.deepEqual(ids.slice(0, 3), [1001, 1002, 1003], 'ordered by device id');
    });

    it('speaks PascalCase DeviceExtended with offset-less LastSeen, on /API and /api alike', async () => {
      await start();
      const r = await api('/api/mdm/devices/search?user=alexw@example.com');
      const devices = (r.body as SearchPage).Devices;
      assert.deepEqual(devices.map((d) => d.DeviceFriendlyName).sort(), [
        'ALEX-LAPTOP',
        "Alex's MacBook Pro",
        "Alex's iPad",
        "Alex's iPhone",
      ]);
      const ipad = devices.find((d) => d.DeviceFriendlyName === "Alex's iPad")!;
      assert.equal(ipad.Platform, 'Apple');
      assert.equal(ipad.Ownership, 'E');
      assert.equal(ipad.EnrollmentStatus, 'Enrolled');
      assert.equal(ipad.LastSeen, '2025-03-01T08:00:00.000');
      assert.deepEqual(Object.keys(ipad.Id), ['Value']);
      assert.equal(ipad.UserId.Name, 'alexw@example.com');
    });

    it('answers 204 with no body when nothing matches', async () => {
      await start();
      const r = await api('/API/mdm/devices/search?user=nobody@example.com');
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
    });

    it('filters by seensince in the documented date formats, and seen_since in version 2', async () => {
      await start({ devices: seeds(20) });
      sim.controls.seen({ serialNumber: 'SN3' }, NOW - 3_600_000);
      sim.controls.seen({ serialNumber: 'SN7' }, NOW - 60_000);
      for (const since of ['2025-03-01T08:00:00.000', '03/01/2025 08:00:00.000', '2025-03-01T08:00:00Z']) {
        const r = await api(`/API/mdm/devices/search?seensince=${encodeURIComponent(since)}`);
        assert.deepEqual(
          (r.body as SearchPage).Devices.map((d) => d.SerialNumber),
          ['SN3', 'SN7'],
          since,
        );
      }
      const v2 = await api('/API/mdm/devices/search?seen_since=2025-03-01T09:30:00.000', {
        Accept: 'application/json;version=2',
      });
      assert.deepEqual(
        (v2.body as SearchPage).Devices.map((d) => d.SerialNumber),
        ['SN7'],
      );
      assert.equal((await api('/API/mdm/devices/search?seensince=yesterday')).status, 400);
    });

    it('finds one device by serial number, and 404 errorCode 5061 when absent', async () => {
      await start();
      const r = await api('/API/mdm/devices?searchby=Serialnumber&id=DMPXK9ABCD12');
      assert.equal(r.body.DeviceFriendlyName, "Alex's iPad");
      const missing = await api('/API/mdm/devices?searchby=Serialnumber&id=NOPE');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.errorCode, 5061);
    });

    it('serves 100,000 devices page by page', async function () {
      this.timeout(20_000);
      await start({ devices: seeds(100_000) });
      const last = (await api('/API/mdm/devices/search?page=199&pagesize=500')).body as SearchPage;
      assert.equal(last.Total, 100_000);
      assert.equal(last.Devices.length, 500);
      assert.equal(last.Devices.at(-1)!.SerialNumber, 'SN99999');
    });
  });

  describe('access checks', () => {
    it('401 errorCode 1005 without a token or with an expired one; 403 errorCode 1013 for a wrong tenant code', async () => {
      await start();
      const none = await call('/API/mdm/devices/search', { headers: { 'aw-tenant-code': sim.tenantCode } });
      assert.equal(none.status, 401);
      assert.equal(none.body.errorCode, 1005);
      assert.match(none.body.activityId, /^[0-9a-f-]{36}$/);
      const t = (await token()).body.access_token as string;
      const wrongCode = await call('/API/mdm/devices/search', {
        headers: { Authorization: `Bearer ${t}`, 'aw-tenant-code': 'WRONG' },
      });
      assert.equal(wrongCode.status, 403);
      assert.equal(wrongCode.body.errorCode, 1013);
      sim.controls.expireTokens();
      const expired = await call('/API/mdm/devices/search', {
        headers: { Authorization: `Bearer ${t}`, 'aw-tenant-code': sim.tenantCode },
      });
      assert.equal(expired.status, 401);
      assert.match(expired.body.message, /expired/);
    });

    it('tokens expire after their lifetime on the simulator clock', async () => {
      await start({ tokenLifetimeSeconds: 60 });
      const t = (await token()).body.access_token as string;
      const headers = { Authorization: `Bearer ${t}`, 'aw-tenant-code': sim.tenantCode };
      assert.equal((await call('/API/mdm/devices/search', { headers })).status, 200);
      clock += 60_000;
      assert.equal((await call('/API/mdm/devices/search', { headers })).status, 401);
    });

    it('403 for a client whose role lacks REST API Devices Read', async () => {
      await start();
      sim.controls.setClient({ clientId: 'no-role', clientSecret: 'x', permissions: [] });
      const t = (await token({ client_id: 'no-role', client_secret: 'x' })).body.access_token as string;
      const r = await call('/API/mdm/devices/search', {
        headers: { Authorization: `Bearer ${t}`, 'aw-tenant-code': sim.tenantCode },
      });
      assert.equal(r.status, 403);
      assert.notEqual(r.body.errorCode, 1013);
      sim.controls.setClient({ clientId: 'no-role', clientSecret: 'x', permissions: [DEVICES_READ] });
      const t2 = (await token({ client_id: 'no-role', client_secret: 'x' })).body.access_token as string;
      const ok = await call('/API/mdm/devices/search', {
        headers: { Authorization: `Bearer ${t2}`, 'aw-tenant-code': sim.tenantCode },
      });
      assert.equal(ok.status, 200);
    });

    it('sends X-RateLimit headers and 429 with Retry-After past the limit', async () => {
      await start({ rateLimit: { limit: 2, windowSeconds: 60 } });
      const first = await api('/API/mdm/devices/search');
      assert.equal(first.headers.get('x-ratelimit-limit'), '2');
      assert.equal(first.headers.get('x-ratelimit-remaining'), '1');
      await api('/API/mdm/devices/search');
      const third = await api('/API/mdm/devices/search');
      assert.equal(third.status, 429);
      assert.equal(third.headers.get('retry-after'), '60');
      clock += 60_000;
      assert.equal((await api('/API/mdm/devices/search')).status, 200);
    });
  });

  describe('fault injection', () => {
    it('injects 429 with Retry-After, 5xx, latency and cut-off JSON', async () => {
      await start();
      sim.controls.faults.add({ path: '/api/mdm/devices/search', status: 429, retryAfterSeconds: 7 });
      const throttled = await api('/API/mdm/devices/search');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get('retry-after'), '7');
      const added = await control('/_sim/faults', { path: 'search', status: 503 });
      assert.equal(added.status, 201);
      assert.equal((await api('/API/mdm/devices/search')).status, 503);
      await control('/_sim/malformed', { times: 1 });
      const cut = await api('/API/mdm/devices/search');
      assert.equal(cut.status, 200);
      assert.throws(() => JSON.parse(cut.text));
      await control('/_sim/latency', { ms: 150 });
      const started = Date.now();
      assert.equal((await api('/API/mdm/devices/search')).status, 200);
      assert.ok(Date.now() - started >= 140);
      await control('/_sim/faults', undefined, 'DELETE');
      assert.equal(sim.controls.faults.latencyMs, 0);
    });
  });

  describe('control API', () => {
    it("unenrolls Alex's iPad by user and name, re-enrolls it, and removes it", async () => {
      await start();
      clock += 5 * 60_000;
      const ref = { user: 'alexw@example.com', name: "Alex's iPad" };
      const gone = await control('/_sim/devices/unenroll', ref);
      assert.equal(gone.status, 200);
      assert.equal(gone.body.EnrollmentStatus, 'Unenrolled');
      assert.equal(gone.body.LastSeen, '2025-03-01T10:05:00.000');
      const listed = await api('/API/mdm/devices/search?user=alexw@example.com');
      assert.equal(
        (listed.body as SearchPage).Devices.find((d) => d.DeviceFriendlyName === "Alex's iPad")
          ?.EnrollmentStatus,
        'Unenrolled',
      );
      assert.equal((await control('/_sim/devices/enroll', ref)).body.EnrollmentStatus, 'Enrolled');
      await control('/_sim/devices/unenroll', { ...ref, remove: true });
      const after = await api('/API/mdm/devices?searchby=Serialnumber&id=DMPXK9ABCD12');
      assert.equal(after.status, 404);
      assert.equal((await control('/_sim/devices/unenroll', ref)).status, 404);
      assert.equal((await control('/_sim/devices/unenroll', { user: 'alexw@example.com' })).status, 400);
    });

    it('adds devices, lists them, counts requests and resets to the demo', async () => {
      await start({ devices: [] });
      const added = await control('/_sim/devices', {
        friendlyName: 'Spare iPhone',
        userName: 'meganb@example.com',
        platform: 'Apple',
        serialNumber: 'SPARE1',
      });
      assert.equal(added.status, 201);
      assert.equal((await call('/_sim/devices')).body.devices.length, 1);
      await api('/API/mdm/devices/search');
      const stats = (await call('/_sim/stats')).body;
      assert.equal(stats.search, 1);
      assert.equal(stats.tokensIssued, 1);
      await control('/_sim/reset');
      assert.equal(sim.controls.devices().length, demoDevices().length);
      const page = await call('/');
      assert.match(page.text, /Alex&#39;s iPad/);
    });
  });

  describe('demo devices', () => {
    it("are the demo tenant's devices with the same serials, plus the iPad, Mac and iPhone only Workspace ONE knows", () => {
      const devices = demoDevices({ now: new Date(NOW) });
      const tenant = demoSeed();
      const tenantSerials = new Set(tenant.devices.map((d) => d.serialNumber));
      for (const d of tenant.devices) {
        assert.ok(
          devices.some((w) => w.serialNumber === d.serialNumber && w.friendlyName === d.displayName),
          d.displayName,
        );
      }
      const alex = devices.filter((d) => d.userName === 'alexw@example.com').map((d) => d.friendlyName);
      assert.deepEqual(alex.sort(), ['ALEX-LAPTOP', "Alex's MacBook Pro", "Alex's iPad", "Alex's iPhone"]);
      const mac = devices.find((d) => d.friendlyName === "Alex's MacBook Pro")!;
      assert.deepEqual(
        [mac.platform, mac.ownership, mac.supervised, mac.enrolledViaDep],
        ['AppleOsX', 'C', true, true],
      );
      const megan = devices.filter((d) => d.userName === 'meganb@example.com');
      const iphone = megan.find((d) => d.friendlyName === "Megan's iPhone")!;
      assert.deepEqual([iphone.platform, iphone.ownership, iphone.supervised], ['Apple', 'C', true]);
      assert.equal(tenantSerials.has(iphone.serialNumber), false, 'the tenant does not know her iPhone');
      assert.equal(tenantSerials.has(ALEX_IPAD.serialNumber), false);
      assert.equal(
        tenant.devices.some((d) => d.displayName === "Alex's iPad"),
        false,
      );
      assert.equal(ALEX_IPAD.ownership, 'E');
      assert.ok(
        demoDevices({ platforms: ['Apple', 'Android', 'WinRT'] }).every((d) => d.platform !== 'AppleOsX'),
      );
    });
  });
});
