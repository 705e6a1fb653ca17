import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  generateTenant,
  INTUNE_MDM_APP_ID,
  startTenantSimulator,
  type TenantSimulator,
  WORKSPACE_ONE_MDM_APP_ID,
} from '../../src/dev/tenant-sim';

const ALEX = '00000000-0000-0000-0000-0000000000020';
const MEGAN = '00000000-0000-0000-0000-0000000000021';
const WAVE_1 = '00000000-0000-0000-0000-000000000043';
const SALES_EMEA = '00000000-0000-0000-0000-000000000044';
const REPO = path.resolve(__dirname, '../..');
const FIXED_NOW = new Date('2025-03-01T10:00:00.000Z');

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  ms: number;
}

type Collection = { value: Record<string, unknown>[]; '@odata.nextLink'?: string; '@odata.context'?: string };
type GraphErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };

async function call(
  sim: TenantSimulator,
  method: string,
  pathOrUrl: string,
  body?: unknown,
  auth = true,
): Promise<Reply> {
  const started = Date.now();
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`;
  const res = await fetch(url, {
    method,
    headers: {
      ...(auth ? { Authorization: 'Bearer test-token' } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    ms: Date.now() - started,
  };
}

const graph = (sim: TenantSimulator, p: string): Promise<Reply> => call(sim, 'GET', `/v1.0${p}`);
const values = (r: Reply): Record<string, unknown>[] => (r.body as unknown as Collection).value;
const errorOf = (r: Reply): GraphErrorBody['error'] => (r.body as unknown as GraphErrorBody).error;

function assertGraphError(r: Reply, status: number, messagePart?: RegExp): void {
  assert.equal(r.status, status);
  const e = errorOf(r);
  assert.equal(typeof e.code, 'string');
  assert.equal(typeof e.message, 'string');
  assert.ok(
    e.innerError.date && e.innerError['request-id'] && e.innerError['client-request-id'],
    'innerError ids',
  );
  assert.equal(r.headers.get('request-id'), e.innerError['request-id']);
  if (messagePart) assert.match(e.message, messagePart);
}

function runCli(
  args: string[],
  simUrl: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/dev/sim-cli.ts', ...args], {
      cwd: REPO,
      // No old-MDM simulator: a `npm run dev` on this machine must not be moved by the test.
      env: { ...process.env, SIM_URL: simUrl, OLD_MDM_SIM_URL: 'http://127.0.0.1:9' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('dev: tenant simulator', () => {
  let sim: TenantSimulator;

  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    sim.tenant.now = () => FIXED_NOW;
  });

  afterEach(async () => {
    await sim.close();
  });

  describe('users and groups', () => {
    it('finds a user by object id and by UPN (any case), honouring $select', async () => {
      const byId = await graph(sim, `/users/${ALEX}?$select=id,displayName,preferredLanguage`);
      assert.equal(byId.status, 200);
      assert.deepEqual(Object.keys(byId.body).sort(), [
        '@odata.context',
        'displayName',
        'id',
        'preferredLanguage',
      ]);
      assert.equal(byId.body.displayName, 'Alex Wilber');
      assert.match(
        String(byId.body['@odata.context']),
        /\$metadata#users\(id,displayName,preferredLanguage\)\/\$entity$/,
      );

      const byUpn = await graph(sim, `/users/${encodeURIComponent('MeganB@Example.com')}`);
      assert.equal(byUpn.status, 200);
      assert.equal(byUpn.body.id, MEGAN);
      assert.equal(byUpn.body.preferredLanguage, 'sv-SE');
      assert.equal(byUpn.body.blocksApp, undefined, 'sim-only fields never reach the wire');
      const isaiah = await graph(sim, '/users/isaiah@example.com?$select=mail');
      assert.equal(isaiah.body.mail, 'isaiahl@example.com');
    });

    it('answers an unknown user with a Graph 404 and a missing token with a Graph 401', async () => {
      assertGraphError(await graph(sim, '/users/nobody@example.com'), 404, /nobody@example\.com/);
      assert.equal(errorOf(await graph(sim, '/users/nobody@example.com')).code, 'Request_ResourceNotFound');
      const anonymous = await call(sim, 'GET', `/v1.0/users/${ALEX}`, undefined, false);
      assertGraphError(anonymous, 401);
      assert.equal(errorOf(anonymous).code, 'InvalidAuthenticationToken');
      assertGraphError(await graph(sim, '/me/joinedTeams'), 404, /does not serve GET/);
    });

    it('filters the users collection by UPN and by id in (…), and caps $top at 999', async () => {
      const one = await graph(
        sim,
        `/users?$filter=${encodeURIComponent("userPrincipalName eq 'adelev@example.com'")}`,
      );
      assert.deepEqual(
        values(one).map((u) => u.displayName),
        ['Adele Vance'],
      );
      const two = await graph(
        sim,
        `/users?$filter=${encodeURIComponent(`id in ('${ALEX}', '${MEGAN}')`)}&$select=id`,
      );
      assert.deepEqual(
        values(two)
          .map((u) => u.id)
          .sort(),
        [ALEX, MEGAN],
      );
      assertGraphError(await graph(sim, '/users?$top=1000'), 400, /between 1 and 999/);
    });

    it("lists a group's transitive members, nested group's users included, each with @odata.type", async () => {
      const all = values(await graph(sim, `/groups/${WAVE_1}/transitiveMembers?$select=id,displayName`));
      assert.deepEqual(
        all.map((m) => [m['@odata.type'], m.displayName]),
        [
          ['#microsoft.graph.user', 'Isaiah Langer'],
          ['#microsoft.graph.group', 'Sales EMEA'],
          ['#microsoft.graph.user', 'Patti Fernandez'],
          ['#microsoft.graph.user', 'Lynne Robbins'],
        ],
      );
      const usersOnly = values(
        await graph(sim, `/groups/${WAVE_1}/transitiveMembers/microsoft.graph.user?$select=id`),
      );
      assert.equal(usersOnly.length, 3);
      assert.ok(usersOnly.every((m) => m['@odata.type'] === '#microsoft.graph.user'));
      assert.ok(!usersOnly.some((m) => m.id === SALES_EMEA));

      // Paging works on members too.
      const first = await graph(sim, `/groups/${WAVE_1}/transitiveMembers/microsoft.graph.user?$top=2`);
      assert.equal(values(first).length, 2);
      const next = (first.body as unknown as Collection)['@odata.nextLink']!;
      assert.equal(values(await call(sim, 'GET', next)).length, 1);
    });
  });

  describe('Intune managed devices and OData', () => {
    let big: TenantSimulator;
    before(async () => {
      // 2,500 users with one Intune device each.
      big = await startTenantSimulator({
        seed: generateTenant({ users: 2500, devicesPerUser: 1, migratedShare: 1 }),
      });
    });
    after(async () => {
      await big.close();
    });

    it('pages through 2,500 managed devices with $top=1000: every item exactly once', async () => {
      const seen: string[] = [];
      let next: string | undefined =
        `${big.url}/v1.0/deviceManagement/managedDevices?$top=1000&$select=id,deviceName`;
      let pages = 0;
      while (next) {
        const page: Reply = await call(big, 'GET', next);
        assert.equal(page.status, 200);
        pages++;
        for (const d of values(page)) seen.push(String(d.id));
        next = (page.body as unknown as Collection)['@odata.nextLink'];
        if (next) {
          assert.ok(next.startsWith(`${big.url}/v1.0/deviceManagement/managedDevices?`), next);
          assert.match(next, /\$skiptoken=/);
          assert.match(next, /\$select=id%2CdeviceName|\$select=id,deviceName/);
        }
      }
      assert.equal(pages, 3);
      assert.equal(seen.length, 2500);
      assert.equal(new Set(seen).size, 2500);
      assert.equal(big.stats.byRoute['GET /deviceManagement/managedDevices'], 3);
    });

    it('refuses $top above 1000 (and junk) with a 400', async () => {
      assertGraphError(
        await graph(big, '/deviceManagement/managedDevices?$top=1001'),
        400,
        /between 1 and 1000/,
      );
      assertGraphError(await graph(big, '/deviceManagement/managedDevices?$top=ten'), 400, /page size/);
      assertGraphError(
        await graph(big, '/deviceManagement/managedDevices?$skiptoken=garbage'),
        400,
        /skiptoken/,
      );
      assert.equal(values(await graph(big, '/deviceManagement/managedDevices?$top=1000')).length, 1000);
    });

    it('filters on userId and on lastSyncDateTime written unquoted, combined with and/or', async () => {
      const [someone] = [...big.tenant.users()];
      const mine = await graph(
        big,
        `/deviceManagement/managedDevices?$filter=${encodeURIComponent(`userId eq '${someone.id}'`)}&$select=id,userId`,
      );
      assert.equal(values(mine).length, 1);
      assert.equal(values(mine)[0].userId, someone.id);

      const device = [...big.tenant.managedDevices()][10];
      device.lastSyncDateTime = '2030-01-02T03:04:05Z';
      const recent = await graph(
        big,
        `/deviceManagement/managedDevices?$filter=${encodeURIComponent('lastSyncDateTime gt 2030-01-01T00:00:00Z')}`,
      );
      assert.deepEqual(
        values(recent).map((d) => d.id),
        [device.id],
      );
      const either = `(lastSyncDateTime ge 2030-01-02T03:04:05Z and operatingSystem eq '${device.operatingSystem}') or userId eq '${someone.id}'`;
      const both = await graph(
        big,
        `/deviceManagement/managedDevices?$filter=${encodeURIComponent(either)}&$select=id`,
      );
      assert.equal(values(both).length, 2);

      const quoted = await graph(
        big,
        `/deviceManagement/managedDevices?$filter=${encodeURIComponent("lastSyncDateTime gt '2030-01-01T00:00:00Z'")}`,
      );
      assertGraphError(quoted, 400, /unquoted/);
    });

    it('refuses filters it does not implement with a 400 naming the part', async () => {
      const q = (f: string): Promise<Reply> =>
        graph(big, `/deviceManagement/managedDevices?$filter=${encodeURIComponent(f)}`);
      assertGraphError(await q("contains(deviceName, 'x')"), 400, /contains/);
      assertGraphError(await q("model eq 'iPhone 15'"), 400, /'model'/);
      assertGraphError(await q("not (complianceState eq 'compliant')"), 400, /'not'/);
      assertGraphError(await q("complianceState gt 'a'"), 400, /complianceState gt/);
      assertGraphError(
        await graph(big, '/deviceManagement/managedDevices?$orderby=deviceName'),
        400,
        /\$orderby/,
      );
    });

    it('$select trims properties, and an unknown property is a 400', async () => {
      const r = await graph(
        big,
        '/deviceManagement/managedDevices?$top=3&$select=id,complianceState,azureADDeviceId',
      );
      assert.equal(values(r).length, 3);
      for (const d of values(r))
        assert.deepEqual(Object.keys(d).sort(), ['azureADDeviceId', 'complianceState', 'id']);
      const full = values(await graph(big, '/deviceManagement/managedDevices?$top=1'))[0];
      for (const p of [
        'deviceName',
        'userPrincipalName',
        'managementAgent',
        'deviceEnrollmentType',
        'serialNumber',
      ]) {
        assert.ok(p in full, p);
      }
      assertGraphError(
        await graph(big, '/deviceManagement/managedDevices?$select=id,colour'),
        400,
        /'colour'/,
      );
    });
  });

  describe('Entra devices', () => {
    it("shows the demo's devices as Workspace ONE-managed, split between registered and owned", async () => {
      const w1 = values(
        await graph(
          sim,
          `/devices?$filter=${encodeURIComponent(`mdmAppId eq '${WORKSPACE_ONE_MDM_APP_ID}'`)}&$select=id`,
        ),
      );
      assert.equal(w1.length, 11);
      assert.equal(
        values(await graph(sim, '/deviceManagement/managedDevices')).length,
        0,
        'nobody is in Intune yet',
      );

      const registered = values(
        await graph(sim, '/users/meganb@example.com/registeredDevices?$select=displayName,isManaged'),
      );
      const owned = values(await graph(sim, '/users/meganb@example.com/ownedDevices?$select=displayName'));
      assert.deepEqual(registered.map((d) => d.displayName).sort(), ["Megan's Pixel", "Megan's iPad"]);
      assert.deepEqual(
        owned.map((d) => d.displayName),
        ["Megan's Pixel"],
      );
      assert.ok(
        registered.every((d) => d['@odata.type'] === '#microsoft.graph.device' && d.isManaged === true),
      );

      const [iphone] = values(await graph(sim, `/users/${ALEX}/registeredDevices`));
      const byDeviceId = await graph(
        sim,
        `/devices?$filter=${encodeURIComponent(`deviceId eq '${iphone.deviceId}'`)}`,
      );
      assert.equal(values(byDeviceId)[0].displayName, "Alex's iPhone");
      assert.equal(
        (await graph(sim, `/devices/${iphone.id}?$select=mdmAppId`)).body.mdmAppId,
        WORKSPACE_ONE_MDM_APP_ID,
      );
    });
  });

  describe('Entra devices delta', () => {
    type DeltaBody = Collection & { '@odata.deltaLink'?: string };
    /** GET with an optional Prefer header (call() sends none). */
    const delta = async (url: string, maxPageSize?: number): Promise<Reply & { page: DeltaBody }> => {
      const started = Date.now();
      const res = await fetch(url.startsWith('http') ? url : `${sim.url}/v1.0${url}`, {
        headers: {
          Authorization: 'Bearer test-token',
          ...(maxPageSize ? { Prefer: `odata.maxpagesize=${maxPageSize}` } : {}),
        },
      });
      const body = (await res.json()) as Record<string, unknown>;
      return {
        status: res.status,
        headers: res.headers,
        body,
        ms: Date.now() - started,
        page: body as DeltaBody,
      };
    };
    /** Follows nextLinks to the end of a round: every item, page count and the round's deltaLink. */
    const round = async (start: string, maxPageSize?: number) => {
      const items: Record<string, unknown>[] = [];
      let pages = 0;
      let next: string | undefined = start;
      for (;;) {
        const r = await delta(next, maxPageSize);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        pages++;
        items.push(...r.page.value);
        if (r.page['@odata.deltaLink']) {
          assert.equal(
            r.page['@odata.nextLink'],
            undefined,
            'a page has a nextLink or a deltaLink, not both',
          );
          return { items, pages, deltaLink: r.page['@odata.deltaLink'] };
        }
        next = r.page['@odata.nextLink'];
        assert.ok(next, 'a page without a deltaLink has a nextLink');
      }
    };
    const later = (minutes: number): void => {
      sim.tenant.now = () => new Date(FIXED_NOW.getTime() + minutes * 60_000);
    };

    it('enumerates every device page by page, then ends the round with a deltaLink', async () => {
      const first = await delta('/devices/delta?$select=deviceId,displayName,mdmAppId', 4);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('preference-applied'), 'odata.maxpagesize=4');
      assert.equal(first.page.value.length, 4);
      assert.match(
        String(first.page['@odata.nextLink']),
        /^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/devices\/delta\?\$skiptoken=/,
      );
      // id always comes, selected or not; nothing else than what was selected.
      assert.deepEqual(Object.keys(first.page.value[0]).sort(), [
        'deviceId',
        'displayName',
        'id',
        'mdmAppId',
      ]);

      const all = await round('/devices/delta?$select=deviceId,displayName,mdmAppId', 4);
      assert.equal(all.pages, 3);
      assert.equal(all.items.length, 11);
      assert.equal(new Set(all.items.map((d) => d.deviceId)).size, 11);
      // The $select of the first call travels in the tokens, not in the links.
      assert.ok(all.items.every((d) => Object.keys(d).length === 4));
      assert.match(all.deltaLink, /\/v1\.0\/devices\/delta\?\$deltatoken=[A-Za-z0-9_-]+$/);
      assert.equal(sim.stats.byRoute['GET /devices/delta'], 4);

      // Without Prefer: Graph's default page size (100); above 999 it is capped at 999.
      assert.equal((await round('/devices/delta')).pages, 1);
      const capped = await delta('/devices/delta', 5000);
      assert.equal(capped.headers.get('preference-applied'), 'odata.maxpagesize=999');
    });

    it('returns only what changed since the deltaLink, with the selected properties, then nothing', async () => {
      const baseline = await round('/devices/delta?$select=deviceId,mdmAppId,isManaged');
      const quiet = await round(baseline.deltaLink);
      assert.deepEqual(quiet.items, []);

      later(10);
      sim.tenant.applyUserAction('alexw@example.com', 'unenroll', "Alex's iPhone");
      sim.tenant.applyUserAction('meganb@example.com', 'enroll', 'pixel');
      sim.tenant.applyUserAction('meganb@example.com', 'comply', 'pixel');
      sim.tenant.applyUserAction('adelev@example.com', 'fail', 'macbook');
      const changes = await round(quiet.deltaLink);
      const byId = new Map(changes.items.map((d) => [d.deviceId, d]));
      assert.deepEqual(
        [...byId.keys()].sort(),
        [
          'a0000000-0000-4000-8000-000000000001',
          'a0000000-0000-4000-8000-000000000004',
          'a0000000-0000-4000-8000-000000000005',
        ],
        'each changed device once, however often it changed',
      );
      assert.deepEqual(byId.get('a0000000-0000-4000-8000-000000000001'), {
        id: byId.get('a0000000-0000-4000-8000-000000000001')?.id,
        deviceId: 'a0000000-0000-4000-8000-000000000001',
        mdmAppId: null,
        isManaged: false,
      });
      assert.equal(byId.get('a0000000-0000-4000-8000-000000000004')?.mdmAppId, WORKSPACE_ONE_MDM_APP_ID);
      assert.deepEqual((await round(changes.deltaLink)).items, []);
      // An old deltaLink still works (within its lifetime) and reports the same changes again.
      assert.equal((await round(quiet.deltaLink)).items.length, 3);
    });

    it('loses no change made while a round is being paged', async () => {
      const first = await delta('/devices/delta?$select=deviceId', 4);
      const seenFirst = first.page.value.map((d) => String(d.deviceId));
      const notYet = [...sim.tenant.devices()].find((d) => !seenFirst.includes(d.entra.deviceId))!;
      sim.tenant.unenroll(seenFirst[0]);
      sim.tenant.unenroll(notYet.entra.deviceId);
      const rest = await round(String(first.page['@odata.nextLink']), 4);
      const seen = [...seenFirst, ...rest.items.map((d) => String(d.deviceId))];
      // The device changed before its page came is left to the next round, so nothing is listed twice…
      assert.equal(new Set(seen).size, seen.length);
      assert.equal(seen.length, 10);
      // …and the next round has both changes.
      const next = await round(rest.deltaLink);
      assert.deepEqual(
        next.items.map((d) => d.deviceId).sort(),
        [seenFirst[0], notYet.entra.deviceId].sort(),
      );
    });

    it('refuses what it does not implement and expires tokens after a reset or seven days', async () => {
      assertGraphError(await graph(sim, '/devices/delta?$top=10'), 400, /Prefer: odata\.maxpagesize/);
      assertGraphError(
        await graph(sim, `/devices/delta?$filter=${encodeURIComponent("deviceId eq 'x'")}`),
        400,
        /\$filter/,
      );
      assertGraphError(await graph(sim, '/devices/delta?$select=colour'), 400, /'colour'/);
      assertGraphError(
        await graph(sim, '/devices/delta?$deltatoken=garbage'),
        400,
        /deltatoken is not valid/,
      );
      const { deltaLink } = await round('/devices/delta?$select=id');
      assertGraphError(
        await call(sim, 'GET', `${deltaLink}&$select=displayName`),
        400,
        /first devices\/delta/,
      );

      later(7 * 24 * 60 + 1);
      const expired = await call(sim, 'GET', deltaLink);
      assertGraphError(expired, 400, /delta token is expired/);
      assert.equal(errorOf(expired).code, 'syncStateNotFound');

      sim.tenant.now = () => FIXED_NOW;
      const fresh = (await round('/devices/delta?$select=id')).deltaLink;
      assert.equal((await call(sim, 'GET', fresh)).status, 200);
      sim.tenant.load({ users: [] });
      assert.equal(errorOf(await call(sim, 'GET', fresh)).code, 'syncStateNotFound');
    });

    it('pages a 1,500-device tenant in two pages of up to 999', async () => {
      const big = await startTenantSimulator({ seed: generateTenant({ users: 1500, devicesPerUser: 1 }) });
      try {
        let pages = 0;
        let count = 0;
        let next: string | undefined = `${big.url}/v1.0/devices/delta?$select=id,deviceId,mdmAppId`;
        let deltaLink: string | undefined;
        while (next) {
          const res = await fetch(next, {
            headers: { Authorization: 'Bearer t', Prefer: 'odata.maxpagesize=999' },
          });
          const page = (await res.json()) as DeltaBody;
          pages++;
          count += page.value.length;
          next = page['@odata.nextLink'];
          deltaLink = page['@odata.deltaLink'];
        }
        assert.equal(pages, 2);
        assert.equal(count, 1500);
        assert.ok(deltaLink);
        assert.equal(big.stats.byRoute['GET /devices/delta'], 2);
      } finally {
        await big.close();
      }
    });

    it('every action moves Intune lastSyncDateTime where Intune knows the device; the filters find them', async () => {
      sim.tenant.applyUserAction('alexw@example.com', 'enroll', "Alex's iPhone");
      sim.tenant.applyUserAction('meganb@example.com', 'enroll', 'pixel');
      const intuneIdOf = (name: string): string =>
        [...sim.tenant.devices()].find((d) => d.entra.displayName === name)!.intune!.id;
      const changedSince = async (at: Date, path: string, field: string): Promise<string[]> =>
        values(
          await graph(
            sim,
            `${path}?$filter=${encodeURIComponent(`${field} ge ${at.toISOString()}`)}&$top=1000`,
          ),
        )
          .map((d) => String(d.id))
          .sort();

      later(30);
      const cut = sim.tenant.now();
      assert.deepEqual(await changedSince(cut, '/deviceManagement/managedDevices', 'lastSyncDateTime'), []);
      for (const [action, name] of [
        ['unenroll', "Alex's iPhone"],
        ['comply', "Megan's Pixel"],
      ] as const) {
        sim.tenant.applyAction(name, action);
      }
      assert.deepEqual(
        await changedSince(cut, '/deviceManagement/managedDevices', 'lastSyncDateTime'),
        [intuneIdOf("Alex's iPhone"), intuneIdOf("Megan's Pixel")].sort(),
      );

      later(60);
      const cut2 = sim.tenant.now();
      const failed = sim.tenant.applyAction("Megan's Pixel", 'fail', {
        failureCategory: 'deviceNotSupported',
      });
      sim.tenant.applyAction("Adele's iPhone", 'fail');
      // A failed attempt on a device Intune already has: it checked in, so its lastSyncDateTime moves.
      assert.deepEqual(await changedSince(cut2, '/deviceManagement/managedDevices', 'lastSyncDateTime'), [
        intuneIdOf("Megan's Pixel"),
      ]);
      assert.ok(failed.changes.some((c) => c.record === 'intune' && c.field === 'lastSyncDateTime'));
      const events = await changedSince(cut2, '/deviceManagement/troubleshootingEvents', 'eventDateTime');
      assert.equal(events.length, 2);
      assert.ok(events.includes(String(failed.event?.id)));
      assert.deepEqual(
        await changedSince(sim.tenant.now(), '/deviceManagement/troubleshootingEvents', 'eventDateTime'),
        events,
      );
      later(61);
      assert.deepEqual(
        await changedSince(sim.tenant.now(), '/deviceManagement/troubleshootingEvents', 'eventDateTime'),
        [],
      );
    });
  });

  describe('$batch', () => {
    it('runs 20 requests and refuses 21 with a clear 400', async () => {
      const requests = Array.from({ length: 20 }, (_, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: i % 2 ? `/users/${ALEX}/registeredDevices?$select=id` : `/users/${MEGAN}?$select=displayName`,
      }));
      const ok = await call(sim, 'POST', '/v1.0/$batch', { requests });
      assert.equal(ok.status, 200);
      const responses = ok.body.responses as { id: string; status: number; body: Record<string, unknown> }[];
      assert.equal(responses.length, 20);
      assert.deepEqual(
        responses.map((r) => r.id),
        requests.map((r) => r.id),
      );
      assert.ok(responses.every((r) => r.status === 200));
      assert.equal(responses[0].body.displayName, 'Megan Bowen');
      assert.equal((responses[1].body.value as unknown[]).length, 2);
      assert.equal(sim.stats.total, 1);
      assert.equal(sim.stats.batchInner.total, 20);
      assert.equal(sim.stats.batchInner.byRoute['GET /users/{user}/registeredDevices'], 10);

      const tooMany = await call(sim, 'POST', '/v1.0/$batch', {
        requests: [...requests, { id: '21', method: 'GET', url: '/users' }],
      });
      assertGraphError(tooMany, 400, /21 requests; the limit is 20/);
    });

    it('throttles one inner request with 429 and Retry-After in its headers', async () => {
      sim.faults.add({ path: '/managedDevices', status: 429, retryAfterSeconds: 7 });
      const r = await call(sim, 'POST', '/v1.0/$batch', {
        requests: [
          { id: 'intune', method: 'GET', url: `/users/${ALEX}/managedDevices?$select=id` },
          { id: 'entra', method: 'GET', url: `/users/${ALEX}/registeredDevices?$select=id` },
        ],
      });
      assert.equal(r.status, 200, 'the batch itself succeeds');
      const [intune, entra] = r.body.responses as {
        status: number;
        headers: Record<string, string>;
        body: unknown;
      }[];
      assert.equal(intune.status, 429);
      assert.equal(intune.headers['Retry-After'], '7');
      assert.equal((intune.body as GraphErrorBody).error.code, 'TooManyRequests');
      assert.equal(entra.status, 200);
      assert.equal(sim.stats.faultsInjected, 1);
      assert.equal(sim.faults.list().length, 0, 'a fault used up is gone');
    });
  });

  describe('fault injection', () => {
    it('answers 429 with Retry-After the given number of times, then normally', async () => {
      sim.faults.add({ method: 'GET', path: /\/users\/[^/]+$/, status: 429, retryAfterSeconds: 3, times: 2 });
      const first = await graph(sim, `/users/${ALEX}`);
      assertGraphError(first, 429);
      assert.equal(first.headers.get('retry-after'), '3');
      assert.equal(
        (await graph(sim, `/users/${ALEX}/registeredDevices`)).status,
        200,
        'other routes are untouched',
      );
      assert.equal((await graph(sim, `/users/${ALEX}`)).status, 429);
      assert.equal((await graph(sim, `/users/${ALEX}`)).status, 200);
      assert.equal(sim.stats.byStatus['429'], 2);

      sim.faults.add({ status: 503, times: Number.POSITIVE_INFINITY });
      for (let i = 0; i < 3; i++) assert.equal((await graph(sim, `/users/${ALEX}`)).status, 503);
      sim.faults.clear();
      assert.equal((await graph(sim, `/users/${ALEX}`)).status, 200);
    });

    it('adds latency to every request, or to one faulted request', async () => {
      sim.faults.setLatency(150);
      const slow = await graph(sim, `/users/${ALEX}`);
      assert.equal(slow.status, 200);
      assert.ok(slow.ms >= 140, `took ${slow.ms} ms`);
      sim.faults.setLatency(0);
      sim.faults.add({ path: 'managedDevices', status: 503, latencyMs: 200 });
      const outage = await graph(sim, '/deviceManagement/managedDevices');
      assert.equal(outage.status, 503);
      assert.ok(outage.ms >= 190, `took ${outage.ms} ms`);
      assert.ok((await graph(sim, `/users/${ALEX}`)).ms < 150);
    });
  });

  describe('device actions', () => {
    const snapshot = (s: TenantSimulator, name: string): Record<string, unknown> => {
      const d = [...s.tenant.devices()].find((x) => x.entra.displayName === name)!;
      const flat: Record<string, unknown> = { 'device.partnerMdmAppId': d.partnerMdmAppId };
      for (const [k, v] of Object.entries(d.entra)) flat[`entra.${k}`] = v;
      for (const [k, v] of Object.entries(d.intune ?? {})) flat[`intune.${k}`] = v;
      return flat;
    };
    const changed = (before: Record<string, unknown>, after: Record<string, unknown>): string[] =>
      [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .filter((k) => before[k] !== after[k])
        .sort();

    it('each action changes exactly the expected fields', async () => {
      const name = "Alex's iPhone";
      let before = snapshot(sim, name);
      sim.tenant.applyUserAction('alexw@example.com', 'enroll', name);
      let after = snapshot(sim, name);
      const intuneFields = Object.keys(after).filter((k) => k.startsWith('intune.'));
      assert.deepEqual(
        changed(before, after),
        ['entra.approximateLastSignInDateTime', 'entra.isCompliant', ...intuneFields].sort(),
      );
      // Dual enrollment: Intune has it, and Entra still shows the old MDM.
      assert.equal(after['entra.mdmAppId'], WORKSPACE_ONE_MDM_APP_ID);
      assert.equal(after['intune.complianceState'], 'unknown');
      assert.equal(after['intune.enrolledDateTime'], FIXED_NOW.toISOString());
      assert.equal(after['intune.azureADDeviceId'], after['entra.deviceId']);
      assert.equal(after['intune.managementAgent'], 'mdm');

      sim.tenant.now = () => new Date(FIXED_NOW.getTime() + 60_000);
      before = after;
      sim.tenant.applyUserAction('alexw@example.com', 'unenroll', name);
      after = snapshot(sim, name);
      assert.deepEqual(changed(before, after), [
        'device.partnerMdmAppId',
        'entra.approximateLastSignInDateTime',
        'entra.mdmAppId',
        'intune.lastSyncDateTime',
      ]);
      assert.equal(after['entra.mdmAppId'], INTUNE_MDM_APP_ID);

      for (const [action, state, compliant] of [
        ['comply', 'compliant', true],
        ['noncomply', 'noncompliant', false],
      ] as const) {
        sim.tenant.now = () => new Date(Date.parse(String(after['intune.lastSyncDateTime'])) + 60_000);
        before = after;
        sim.tenant.applyUserAction('alexw@example.com', action, name);
        after = snapshot(sim, name);
        assert.deepEqual(changed(before, after), [
          'entra.approximateLastSignInDateTime',
          'entra.isCompliant',
          'intune.complianceState',
          'intune.lastSyncDateTime',
        ]);
        assert.equal(after['intune.complianceState'], state);
        assert.equal(after['entra.isCompliant'], compliant);
      }
    });

    it('unenroll alone leaves the device unmanaged; fail records an event and changes nothing else', async () => {
      const before = snapshot(sim, "Megan's Pixel");
      const result = sim.tenant.applyUserAction('meganb@example.com', 'unenroll', 'pixel');
      const after = snapshot(sim, "Megan's Pixel");
      assert.deepEqual(changed(before, after), [
        'device.partnerMdmAppId',
        'entra.approximateLastSignInDateTime',
        'entra.isCompliant',
        'entra.isManaged',
        'entra.mdmAppId',
      ]);
      assert.equal(after['entra.mdmAppId'], null);
      assert.equal(after['entra.isManaged'], false);
      assert.equal(result.device.summary, 'unmanaged');

      const failed = sim.tenant.applyUserAction('meganb@example.com', 'fail', 'pixel', {
        failureCategory: 'enrollmentRestrictionsEnforced',
      });
      assert.deepEqual(snapshot(sim, "Megan's Pixel"), after);
      assert.equal(failed.event?.failureCategory, 'enrollmentRestrictionsEnforced');

      const events = await graph(
        sim,
        `/deviceManagement/troubleshootingEvents?$filter=${encodeURIComponent(`userId eq '${MEGAN}' and eventDateTime ge 2025-03-01T00:00:00Z`)}`,
      );
      assert.equal(values(events).length, 1);
      const [event] = values(events);
      assert.equal(event['@odata.type'], '#microsoft.graph.enrollmentTroubleshootingEvent');
      assert.equal(event.operatingSystem, 'Android');
      assert.equal(event.deviceId, after['entra.deviceId']);
      assert.match(String(event.failureReason), /restrictions/i);

      assert.throws(
        () => sim.tenant.applyUserAction('meganb@example.com', 'comply', 'pixel'),
        /not enrolled in Intune/,
      );
      assert.throws(
        () => sim.tenant.applyUserAction('meganb@example.com', 'unenroll', 'pixel'),
        /not managed by the old MDM/,
      );
    });
  });

  describe('Teams app installation', () => {
    it('installs (201), then conflicts (409); a user who blocks the app gets 403', async () => {
      const body = {
        'teamsApp@odata.bind': 'https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/app-123',
      };
      const path = `/v1.0/users/${ALEX}/teamwork/installedApps`;
      assert.equal((await call(sim, 'POST', path, body)).status, 201);
      assertGraphError(await call(sim, 'POST', path, body), 409);
      const listed = await graph(
        sim,
        `/users/${ALEX}/teamwork/installedApps?$expand=teamsApp&$filter=${encodeURIComponent("teamsApp/id eq 'app-123'")}`,
      );
      assert.equal(values(listed).length, 1);
      assert.equal((values(listed)[0].teamsApp as { id: string }).id, 'app-123');
      const chat = await graph(sim, `/users/${ALEX}/teamwork/installedApps/${values(listed)[0].id}/chat`);
      assert.match(String(chat.body.id), /^19:/);

      sim.tenant.user('meganb@example.com')!.blocksApp = true;
      assertGraphError(await call(sim, 'POST', `/v1.0/users/${MEGAN}/teamwork/installedApps`, body), 403);
      assertGraphError(await call(sim, 'POST', path, { teamsApp: 'x' }), 400, /odata\.bind/);
    });
  });

  describe('control over HTTP', () => {
    it('serves the control page as self-contained HTML', async () => {
      const res = await fetch(`${sim.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      const html = await res.text();
      assert.match(html, /<title>Tenant simulator/);
      assert.match(html, /\/_sim\/state/);
      assert.doesNotMatch(html, /(src|href)="https?:/, 'no external assets');
    });

    it('moves a device, injects faults and reports stats through /_sim endpoints', async () => {
      const moved = await call(sim, 'POST', '/_sim/users/alexw@example.com/devices/enroll', {
        device: 'ALEX-LAPTOP',
      });
      assert.equal(moved.status, 200);
      assert.equal((moved.body.device as { name: string }).name, 'ALEX-LAPTOP');
      const laptop = values(
        await graph(sim, `/users/${ALEX}/managedDevices?$select=deviceName,deviceEnrollmentType`),
      );
      assert.deepEqual(laptop, [{ deviceName: 'ALEX-LAPTOP', deviceEnrollmentType: 'windowsAzureADJoin' }]);

      const deviceId = (moved.body.device as { deviceId: string }).deviceId;
      const complied = await call(sim, 'POST', `/_sim/devices/${deviceId}/comply`);
      assert.equal(complied.status, 200);
      const fields = (complied.body.changes as { field: string }[]).map((c) => c.field);
      assert.ok(fields.includes('complianceState') && fields.includes('isCompliant'), fields.join());
      assert.equal((await call(sim, 'POST', `/_sim/devices/${deviceId}/frobnicate`)).status, 400);
      assert.equal((await call(sim, 'POST', '/_sim/users/nobody@example.com/devices/enroll')).status, 404);

      const state = await call(sim, 'GET', '/_sim/state?q=alex');
      const [alex] = state.body.users as { devices: { name: string; status: string; summary: string }[] }[];
      assert.deepEqual(
        alex.devices.map((d) => [d.name, d.status, d.summary]),
        [
          ["Alex's iPhone", 'old-mdm', 'Workspace ONE'],
          ['ALEX-LAPTOP', 'dual', 'dual: Workspace ONE + Intune (compliant)'],
        ],
      );

      const fault = await call(sim, 'POST', '/_sim/faults', {
        path: '/devices',
        status: 503,
        times: 'Infinity',
      });
      assert.equal(fault.status, 201);
      assert.equal((await graph(sim, '/devices')).status, 503);
      assert.equal((await graph(sim, '/devices')).status, 503);
      assert.equal((await call(sim, 'POST', '/_sim/faults', { status: 418 })).status, 400);
      await call(sim, 'DELETE', '/_sim/faults');
      assert.equal((await graph(sim, '/devices')).status, 200);

      const stats = await call(sim, 'GET', '/_sim/stats');
      assert.equal((stats.body.byRoute as Record<string, number>)['GET /devices'], 3);
      assert.equal((await call(sim, 'POST', '/_sim/stats/reset')).body.total, 0);
      assert.equal(sim.stats.total, 0);
    });
  });

  describe('CLI', function () {
    this.timeout(60_000);

    it('moves a device on a running simulator, prints the change and exits 0', async () => {
      const out = await runCli(['enroll', 'alexw@example.com'], sim.url);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /enroll: Alex's iPhone \(iOS\) of alexw@example\.com/);
      assert.match(out.stdout, /intune\.complianceState\s+\(none\) -> unknown/);
      assert.match(out.stdout, /now: dual: Workspace ONE \+ Intune \(unknown\)/);
      assert.equal(sim.tenant.managedDevicesOf(ALEX).length, 1);

      const fail = await runCli(
        ['fail', 'meganb@example.com', "Megan's iPad", '--category', 'deviceNotSupported'],
        sim.url,
      );
      assert.equal(fail.code, 0, fail.stderr);
      assert.equal(sim.tenant.troubleshootingEvents(MEGAN)[0].failureCategory, 'deviceNotSupported');
    });

    it('exits non-zero with a clear message for an unknown user or a stopped simulator', async () => {
      const unknown = await runCli(['enroll', 'nobody@example.com'], sim.url);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /No user "nobody@example\.com"/);
      const badAction = await runCli(['explode', 'alexw@example.com'], sim.url);
      assert.equal(badAction.code, 2);
      const closed = await startTenantSimulator({ seed: 'empty' });
      const deadUrl = closed.url;
      await closed.close();
      const down = await runCli(['list'], deadUrl);
      assert.equal(down.code, 1);
      assert.match(down.stderr, /not reachable/);
    });
  });

  describe('scale helpers', () => {
    it('generates the same tenant for the same seed, with exactly users × devicesPerUser devices', () => {
      const a = generateTenant({ users: 1000, devicesPerUser: 1.5, seed: 7 });
      const b = generateTenant({ users: 1000, devicesPerUser: 1.5, seed: 7 });
      assert.deepEqual(a, b);
      assert.equal(a.users?.length, 1000);
      assert.equal(a.devices?.length, 1500);
      assert.notDeepEqual(
        generateTenant({ users: 10, seed: 8 }).users,
        generateTenant({ users: 10, seed: 7 }).users,
      );
    });
  });
});
