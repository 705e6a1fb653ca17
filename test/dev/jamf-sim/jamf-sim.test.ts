import assert from 'node:assert/strict';
import {
  ALEX_MAC,
  DEFAULT_CLIENT,
  demoDevices,
  type JamfComputerSeed,
  type JamfSimulator,
  READ_COMPUTERS,
  startJamfSimulator,
} from '../../../src/dev/jamf-sim';
import { demoSeed } from '../../../src/dev/tenant-sim/demo';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

type Page = { totalCount: number; results: Record<string, Record<string, unknown>>[] };

const macs = (n: number): JamfComputerSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `MAC-${i + 1}`,
    serialNumber: `C02T${String(i + 1).padStart(8, '0')}`,
    reportDate: `2025-02-${String((i % 28) + 1).padStart(2, '0')}T12:00:00Z`,
  }));

describe('dev: Jamf Pro simulator over HTTP', () => {
  let sim: JamfSimulator;
  afterEach(async () => {
    await sim?.stop();
  });

  async function call(
    method: string,
    path: string,
    init: { token?: string; form?: Record<string, string>; json?: unknown } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await fetch(`${sim.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // a malformed answer: the text is what the test looks at
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async function token(path = '/api/v1/oauth/token', client = DEFAULT_CLIENT): Promise<string> {
    const r = await call('POST', path, {
      form: {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      },
    });
    assert.equal(r.status, 200, r.text);
    return r.body.access_token as string;
  }

  const page = (r: Reply): Page => r.body as unknown as Page;

  it('issues client-credentials tokens on both token paths, in the OAuth shape', async () => {
    sim = await startJamfSimulator({ computers: [], tokenLifetimeSeconds: 600 });
    for (const path of ['/api/v1/oauth/token', '/api/oauth/token']) {
      const r = await call('POST', path, {
        form: {
          grant_type: 'client_credentials',
          client_id: DEFAULT_CLIENT.clientId,
          client_secret: DEFAULT_CLIENT.clientSecret,
        },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(r.body.token_type, 'Bearer');
      assert.equal(r.body.expires_in, 600);
      assert.equal(r.body.scope, 'api-role:1');
    }
    const wrong = await call('POST', '/api/v1/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, client_secret: 'nope' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_client');
    const grant = await call('POST', '/api/v1/oauth/token', { form: { grant_type: 'password' } });
    assert.equal(grant.body.error, 'unsupported_grant_type');
  });

  it('serves computer inventory pages with the sections asked for and nulls for the rest', async () => {
    sim = await startJamfSimulator({ computers: macs(12) });
    const t = await token();
    const r = await call(
      'GET',
      '/api/v4/computers-inventory?section=GENERAL&section=HARDWARE&page=1&page-size=5&sort=id:asc',
      { token: t },
    );
    assert.equal(r.status, 200);
    assert.equal(page(r).totalCount, 12);
    assert.deepEqual(
      page(r).results.map((c) => c.id),
      ['6', '7', '8', '9', '10'],
      'ids sort as numbers',
    );
    const first = page(r).results[0];
    assert.equal(first.general.name, 'MAC-6');
    assert.deepEqual(first.general.remoteManagement, { managed: true });
    assert.equal(typeof first.general.mdmCapable, 'object');
    assert.equal(first.hardware.serialNumber, 'C02T00000006');
    assert.equal(first.userAndLocation, null);
    assert.equal(first.operatingSystem, null);
    const past = await call('GET', '/api/v4/computers-inventory?page=9&page-size=5', { token: t });
    assert.deepEqual(page(past), { totalCount: 12, results: [] });
  });

  it('clamps page-size at 2000 without an error', async () => {
    sim = await startJamfSimulator({ computers: macs(2001) });
    const r = await call('GET', '/api/v4/computers-inventory?page-size=5000', { token: await token() });
    assert.equal(r.status, 200);
    assert.equal(page(r).totalCount, 2001);
    assert.equal(page(r).results.length, 2000);
  });

  it('filters by inventory date with RSQL and refuses what Jamf refuses', async () => {
    sim = await startJamfSimulator({ computers: macs(28) });
    const t = await token();
    const q = (filter: string) =>
      call('GET', `/api/v4/computers-inventory?page-size=100&filter=${encodeURIComponent(filter)}`, {
        token: t,
      });
    assert.equal(page(await q('general.reportDate=ge="2025-02-20T12:00:00Z"')).totalCount, 9);
    assert.equal(page(await q('general.reportDate>=2025-02-20T12:00:00.000Z')).totalCount, 9);
    assert.equal(page(await q('general.reportDate=gt="2025-02-20T12:00:00Z"')).totalCount, 8);
    assert.equal(
      page(await q('general.reportDate<"2025-02-03";general.remoteManagement.managed==true')).totalCount,
      2,
    );
    const offset = await q('general.reportDate>="2025-02-20T12:00:00+00:00"');
    assert.equal(offset.status, 400);
    assert.match(JSON.stringify(offset.body), /does not match any of supported formats/);
    const unknown = await q('general.colour=="blue"');
    assert.equal(unknown.status, 400);
    assert.equal((unknown.body.errors as { field: string }[])[0].field, 'general.colour');
  });

  it('serves mobile device details with the NETWORK section and its flat filter fields', async () => {
    sim = await startJamfSimulator({
      computers: [],
      mobileDevices: [
        {
          name: 'B iPhone',
          serialNumber: 'F2L000000001',
          imei: '35 441508 024810 5',
          lastInventoryUpdateDate: '-2d',
        },
        { name: 'A iPad', serialNumber: 'DMP000000002', model: 'iPad Air', lastInventoryUpdateDate: '-1h' },
      ],
    });
    const t = await token();
    const all = await call('GET', '/api/v2/mobile-devices/detail?section=GENERAL&section=NETWORK', {
      token: t,
    });
    assert.deepEqual(
      page(all).results.map((d) => [d.mobileDeviceId, d.deviceType, d.general.displayName]),
      [
        ['2', 'iOS', 'A iPad'],
        ['1', 'iOS', 'B iPhone'],
      ],
      'sorted by displayName by default',
    );
    assert.equal(page(all).results[1].network.imei, '35 441508 024810 5');
    assert.equal(page(all).results[1].hardware, null);
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const recent = await call(
      'GET',
      `/api/v2/mobile-devices/detail?filter=${encodeURIComponent(`lastInventoryUpdateDate=ge="${since}"`)}`,
      { token: t },
    );
    assert.deepEqual(
      page(recent).results.map((d) => d.mobileDeviceId),
      ['2'],
    );
    const list = await call('GET', '/api/v2/mobile-devices', { token: t });
    assert.deepEqual(
      (list.body.results as { id: string; type: string }[]).map((d) => [d.id, d.type]),
      [
        ['1', 'ios'],
        ['2', 'ios'],
      ],
    );
  });

  it('answers 401 with an empty error list for a missing or expired token', async () => {
    let clock = Date.parse('2025-03-01T10:00:00Z');
    sim = await startJamfSimulator({
      computers: macs(1),
      tokenLifetimeSeconds: 60,
      now: () => new Date(clock),
    });
    const missing = await call('GET', '/api/v4/computers-inventory');
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.body, { httpStatus: 401, errors: [] });
    const t = await token();
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 200);
    clock += 61_000;
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 401);
  });

  it('answers 403 to a client whose API role lacks the privilege', async () => {
    const macsOnly = { clientId: 'macs-only', clientSecret: 's3cret', privileges: [READ_COMPUTERS] };
    sim = await startJamfSimulator({ computers: macs(1), mobileDevices: [], clients: [macsOnly] });
    const t = await token('/api/v1/oauth/token', macsOnly);
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 200);
    const refused = await call('GET', '/api/v2/mobile-devices/detail', { token: t });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.httpStatus, 403);
    await call('PUT', '/_sim/clients/macs-only/privileges', { json: { privileges: [] } });
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 403);
  });

  it('moves devices through the control API: unmanaged, re-enrolled, removed', async () => {
    sim = await startJamfSimulator();
    const t = await token();
    const alex = { user: 'alexw@example.com', name: "Alex's MacBook Air" };
    const before = page(
      await call(
        'GET',
        `/api/v4/computers-inventory?filter=${encodeURIComponent('hardware.serialNumber=="C02ZJ1ALEX01"')}`,
        {
          token: t,
        },
      ),
    ).results[0];
    const unmanaged = await call('POST', '/_sim/devices/unmanage', { json: alex });
    assert.equal(unmanaged.status, 200);
    assert.equal(unmanaged.body.managed, false);
    const after = page(
      await call(
        'GET',
        `/api/v4/computers-inventory?filter=${encodeURIComponent('general.remoteManagement.managed==false')}`,
        { token: t },
      ),
    ).results;
    assert.deepEqual(
      after.map((c) => c.id),
      [before.id],
    );
    assert.ok(
      Date.parse(after[0].general.reportDate as string) > Date.parse(before.general.reportDate as string),
    );
    assert.equal((await call('POST', '/_sim/devices/manage', { json: alex })).body.managed, true);
    assert.equal(
      (await call('POST', '/_sim/devices/remove', { json: { serialNumber: 'C02ZJ1ALEX01' } })).status,
      200,
    );
    assert.equal(page(await call('GET', '/api/v4/computers-inventory', { token: t })).totalCount, 2);
    const gone = await call('POST', '/_sim/devices/unmanage', { json: alex });
    assert.equal(gone.status, 404);
  });

  it('injects faults, latency, expired tokens and malformed answers through the control API', async () => {
    sim = await startJamfSimulator({ computers: macs(2) });
    const t = await token();
    await call('POST', '/_sim/faults', {
      json: { path: 'computers-inventory', status: 429, retryAfterSeconds: 3 },
    });
    const throttled = await call('GET', '/api/v4/computers-inventory', { token: t });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '3');
    await call('POST', '/_sim/faults', { json: { path: 'computers-inventory', status: 503 } });
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 503);
    await call('POST', '/_sim/latency', { json: { ms: 150 } });
    const started = Date.now();
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 200);
    assert.ok(Date.now() - started >= 140);
    await call('POST', '/_sim/latency', { json: { ms: 0 } });
    await call('POST', '/_sim/malformed', { json: { path: 'computers-inventory' } });
    const malformed = await call('GET', '/api/v4/computers-inventory', { token: t });
    assert.equal(malformed.status, 200);
    assert.throws(() => JSON.parse(malformed.text));
    assert.equal((await call('POST', '/_sim/expire-tokens')).body.expired, 1);
    assert.equal((await call('GET', '/api/v4/computers-inventory', { token: t })).status, 401);
    const stats = await call('GET', '/_sim/stats');
    assert.equal(stats.body.tokensIssued, 1);
    assert.equal(stats.body.faultsInjected, 3);
  });

  it("derives the demo from the demo tenant: the tenant's Macs plus Alex's Jamf-only Mac", () => {
    const tenant = demoSeed();
    const demo = demoDevices();
    const tenantMacs = tenant.devices.filter((d) => d.operatingSystem === 'macOS');
    assert.deepEqual(
      demo.computers.map((c) => c.serialNumber).sort(),
      [ALEX_MAC.serialNumber, ...tenantMacs.map((d) => d.serialNumber)].sort(),
    );
    assert.ok(!tenant.devices.some((d) => d.serialNumber === ALEX_MAC.serialNumber), 'Entra never saw it');
    const adele = demo.computers.find((c) => c.name === "Adele's MacBook Pro");
    assert.equal(adele?.username, 'adelev@example.com', 'a Pilot Mac known to both sides');
    assert.deepEqual(demo.mobileDevices, []);
    const withPhones = demoDevices({ mobileDevices: true });
    const megan = withPhones.mobileDevices.find((m) => m.name === "Megan's iPad");
    assert.equal(megan?.supervised, true);
    assert.equal(megan?.serialNumber, 'DMPXK2ABCD03');
  });
});
