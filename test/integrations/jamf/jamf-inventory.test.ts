import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT,
  type JamfComputerSeed,
  type JamfMobileDeviceSeed,
  type JamfSimulator,
  READ_COMPUTERS,
  startJamfSimulator,
} from '../../../src/dev/jamf-sim';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { JamfInventory, type JamfInventoryOptions } from '../../../src/integrations/jamf/jamf-inventory';
import { SourceMdmError } from '../../../src/ports/source-mdm';

const macs = (n: number, reportDate = '-3d'): JamfComputerSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `MAC-${String(i + 1).padStart(3, '0')}`,
    serialNumber: `C02SIM${String(i + 1).padStart(6, '0')}`,
    username: `user${i + 1}@example.com`,
    email: `user${i + 1}@example.com`,
    reportDate,
    lastContact: '-1h',
  }));

const phones = (n: number, lastInventoryUpdateDate = '-3d'): JamfMobileDeviceSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `PHONE-${i + 1}`,
    serialNumber: `F2LSIM${String(i + 1).padStart(6, '0')}`,
    username: `user${i + 1}@example.com`,
    emailAddress: `user${i + 1}@example.com`,
    imei: `35 ${String(100000 + i)} ${String(200000 + i)} ${i % 10}`,
    lastInventoryUpdateDate,
  }));

async function collect(pages: AsyncIterable<OldMdmDevice[]>): Promise<OldMdmDevice[][]> {
  const out: OldMdmDevice[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('integration: Jamf Pro inventory against the Jamf Pro simulator', () => {
  let sim: JamfSimulator;
  let sleeps: number[];

  const inventory = (options: Partial<JamfInventoryOptions> = {}): JamfInventory =>
    new JamfInventory({
      baseUrl: sim.url,
      clientId: DEFAULT_CLIENT.clientId,
      clientSecret: DEFAULT_CLIENT.clientSecret,
      // Waits are recorded, not slept: the tests assert what the policy asked for.
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });

  beforeEach(() => {
    sleeps = [];
  });
  afterEach(async () => {
    await sim?.stop();
  });

  it('pages through computers and then mobile devices, a few pages at a time', async () => {
    sim = await startJamfSimulator({ computers: macs(23), mobileDevices: phones(7) });
    const inv = inventory({ pageSize: 5, concurrency: 3 });
    const pages = await collect(inv.listAll());
    const devices = pages.flat();
    assert.deepEqual(
      pages.map((p) => p.length),
      [5, 5, 5, 5, 3, 5, 2],
    );
    assert.equal(new Set(devices.map((d) => `${d.platform}:${d.vendorId}`)).size, 30);
    assert.deepEqual(
      devices.slice(0, 23).map((d) => d.name),
      macs(23).map((m) => m.name),
      'computers come in id order',
    );
    // One token, five computer pages, two mobile pages.
    assert.equal(inv.requests, 8);
    const stats = sim.controls.stats.snapshot();
    assert.equal(stats.byRoute['GET /api/v4/computers-inventory'], 5);
    assert.equal(stats.byRoute['GET /api/v2/mobile-devices/detail'], 2);
    assert.ok(stats.maxInFlight <= 3, `at most 3 requests in flight, saw ${stats.maxInFlight}`);
  });

  it("maps Jamf's fields onto the old-MDM device", async () => {
    sim = await startJamfSimulator({
      computers: [
        {
          name: "Alex's MacBook Air",
          serialNumber: 'C02ZJ1ALEX01',
          udid: '5A1E7C3B-0D4F-4A8E-9C3B-A1E000000001',
          model: 'MacBook Air (15-inch, M3, 2024)',
          osVersion: '15.1',
          username: 'alexw@example.com',
          email: 'alexw@example.com',
          enrolledViaAutomatedDeviceEnrollment: true,
          lastContact: '2025-03-01T08:00:00Z',
        },
        { name: 'LAB-MAC', serialNumber: 'C02LAB000001', username: 'labadmin', managed: false },
      ],
      mobileDevices: [
        {
          name: "Alex's iPad",
          serialNumber: 'DMPALEX00001',
          model: 'iPad Air (5th generation)',
          username: 'alexw@example.com',
          emailAddress: 'alexw@example.com',
          imei: '35 441508 024810 5',
          deviceOwnershipType: 'AccountDrivenUserEnrollment',
          lastContactDate: '2025-03-01T09:30:00.123Z',
        },
        {
          name: 'Kiosk iPhone',
          serialNumber: 'F2LKIOSK0001',
          model: 'iPhone 15',
          automatedDeviceEnrollment: true,
        },
        { name: 'Lobby TV', serialNumber: 'DY3TV0000001', model: 'Apple TV 4K', deviceType: 'tvOS' },
      ],
    });
    const devices = (await collect(inventory().listAll())).flat();
    const [mac, lab, ipad, kiosk, tv] = devices;
    assert.deepEqual(mac, {
      source: 'jamf',
      vendor: 'jamf',
      vendorId: '1',
      name: "Alex's MacBook Air",
      platform: 'macos',
      osVersion: '15.1',
      model: 'MacBook Air (15-inch, M3, 2024)',
      serialNumber: 'C02ZJ1ALEX01',
      udid: '5A1E7C3B-0D4F-4A8E-9C3B-A1E000000001',
      userPrincipalName: 'alexw@example.com',
      userEmail: 'alexw@example.com',
      ownership: 'corporate',
      supervised: true,
      enrollment: 'enrolled',
      lastSeen: '2025-03-01T08:00:00.000Z',
    });
    assert.equal(lab.enrollment, 'unenrolled');
    assert.equal(lab.ownership, 'unknown');
    assert.equal(lab.userPrincipalName, undefined, 'a bare account name is not a UPN');
    assert.equal(ipad.platform, 'ipados');
    assert.equal(ipad.ownership, 'personal');
    assert.equal(ipad.imei, '354415080248105');
    assert.equal(ipad.lastSeen, '2025-03-01T09:30:00.123Z');
    assert.equal(ipad.userPrincipalName, 'alexw@example.com');
    assert.equal(kiosk.platform, 'ios');
    assert.equal(kiosk.ownership, 'corporate');
    assert.equal(tv.platform, 'other');
  });

  it('reads only Macs when the source is configured for computers', async () => {
    sim = await startJamfSimulator({ computers: macs(3), mobileDevices: phones(3) });
    const devices = (await collect(inventory({ mobileDevices: false }).listAll())).flat();
    assert.deepEqual(new Set(devices.map((d) => d.platform)), new Set(['macos']));
    assert.equal(sim.controls.stats.snapshot().byRoute['GET /api/v2/mobile-devices/detail'], undefined);
  });

  it('reads incrementally: only devices whose inventory changed since the last sync', async () => {
    sim = await startJamfSimulator({ computers: macs(12), mobileDevices: phones(4) });
    const inv = inventory({ pageSize: 5 });
    assert.equal((await collect(inv.listAll())).flat().length, 16);
    const since = new Date(Date.now() - 1000);
    sim.controls.unmanage({ serialNumber: 'C02SIM000007' });
    sim.controls.touch({ kind: 'mobile-device', id: '2' });
    const before = inv.requests;
    const changed = (await collect(inv.listChangedSince(since))).flat();
    assert.deepEqual(
      changed.map((d) => [d.serialNumber, d.enrollment]),
      [
        ['C02SIM000007', 'unenrolled'],
        ['F2LSIM000002', 'enrolled'],
      ],
    );
    assert.equal(inv.requests - before, 2, 'one page per inventory, the token reused');
  });

  it('names the settings to fix when Jamf refuses the client credentials', async () => {
    sim = await startJamfSimulator({ computers: macs(1) });
    await assert.rejects(collect(inventory({ clientSecret: 'wrong' }).listAll()), (err: unknown) => {
      assert.ok(err instanceof SourceMdmError);
      assert.equal(err.failure, 'credentials');
      assert.equal(err.source, 'jamf');
      assert.equal(err.missing, 'JAMF_CLIENT_ID / JAMF_CLIENT_SECRET');
      assert.match(err.message, /JAMF_CLIENT_SECRET/);
      return true;
    });
  });

  it('names the privilege the API role lacks on 403', async () => {
    sim = await startJamfSimulator({
      computers: macs(2),
      mobileDevices: phones(2),
      clients: [{ ...DEFAULT_CLIENT, privileges: [READ_COMPUTERS] }],
    });
    const seen: OldMdmDevice[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of inventory().listAll()) seen.push(...page);
      })(),
      (err: unknown) => {
        assert.ok(err instanceof SourceMdmError);
        assert.equal(err.failure, 'permission');
        assert.equal(err.status, 403);
        assert.equal(err.missing, 'Read Mobile Devices');
        return true;
      },
    );
    assert.equal(seen.length, 2, 'the computers were read before the refusal');
  });

  it('waits out 429 with Retry-After and completes', async () => {
    sim = await startJamfSimulator({ computers: macs(6) });
    sim.controls.faults.add({ path: 'computers-inventory', status: 429, retryAfterSeconds: 1, times: 1 });
    const retries: { status: number; delayMs: number }[] = [];
    const inv = inventory({
      pageSize: 3,
      mobileDevices: false,
      sleep: undefined, // the real timer: the wait itself is what is checked
      onRetry: ({ status, delayMs }) => retries.push({ status, delayMs }),
    });
    const started = Date.now();
    const devices = (await collect(inv.listAll())).flat();
    assert.equal(devices.length, 6);
    assert.deepEqual(retries, [{ status: 429, delayMs: 1000 }]);
    assert.ok(Date.now() - started >= 950, 'Jamf asked for a second');
  });

  it('retries 5xx with backoff and completes', async () => {
    sim = await startJamfSimulator({ computers: macs(4) });
    sim.controls.faults.add({ path: 'computers-inventory', status: 503, times: 2 });
    const devices = (await collect(inventory({ mobileDevices: false }).listAll())).flat();
    assert.equal(devices.length, 4);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0] >= 125 && sleeps[0] <= 250, `first backoff ${sleeps[0]}`);
    assert.ok(sleeps[1] >= 250 && sleeps[1] <= 500, `second backoff ${sleeps[1]}`);
  });

  it("reports 'unavailable' once 5xx outlast the bounded attempts", async () => {
    sim = await startJamfSimulator({ computers: macs(4) });
    sim.controls.faults.add({ path: 'computers-inventory', status: 500, times: Number.POSITIVE_INFINITY });
    const inv = inventory({ maxAttempts: 3 });
    await assert.rejects(collect(inv.listAll()), (err: unknown) => {
      assert.ok(err instanceof SourceMdmError);
      assert.equal(err.failure, 'unavailable');
      assert.equal(err.status, 500);
      assert.match(err.message, /gave up after 3 attempt/);
      return true;
    });
    assert.equal(inv.requests, 4, 'one token request and three attempts');
  });

  it('fetches a new token once when the token expires mid-sync, and completes', async () => {
    sim = await startJamfSimulator({ computers: macs(9) });
    const inv = inventory({ pageSize: 2, concurrency: 1, mobileDevices: false });
    const devices: OldMdmDevice[] = [];
    for await (const page of inv.listAll()) {
      devices.push(...page);
      if (devices.length === 2) sim.controls.expireTokens();
    }
    assert.equal(devices.length, 9);
    assert.equal(inv.tokensFetched, 2);
    assert.equal(sim.controls.tokensIssued, 2);
  });

  it('fetches one new token, not one per request, when parallel pages all hit the expired token', async () => {
    sim = await startJamfSimulator({ computers: macs(30) });
    const inv = inventory({ pageSize: 3, concurrency: 5, mobileDevices: false });
    const devices: OldMdmDevice[] = [];
    for await (const page of inv.listAll()) {
      devices.push(...page);
      if (devices.length === 3) sim.controls.expireTokens();
    }
    assert.equal(new Set(devices.map((d) => d.vendorId)).size, 30);
    assert.equal(sim.controls.tokensIssued, 2);
    assert.ok(sim.controls.stats.snapshot().maxInFlight <= 5);
  });

  it('reuses a valid token across syncs', async () => {
    sim = await startJamfSimulator({ computers: macs(2), tokenLifetimeSeconds: 600 });
    const inv = inventory({ mobileDevices: false });
    await collect(inv.listAll());
    await collect(inv.listChangedSince(new Date(Date.now() - 60_000)));
    assert.equal(inv.tokensFetched, 1);
  });

  it("reports 'bad-response' for a body that is not JSON", async () => {
    sim = await startJamfSimulator({ computers: macs(2) });
    sim.controls.malformed({ path: 'computers-inventory', mode: 'truncated' });
    await assert.rejects(collect(inventory().listAll()), (err: unknown) => {
      assert.ok(err instanceof SourceMdmError);
      assert.equal(err.failure, 'bad-response');
      assert.match(err.message, /not JSON/);
      return true;
    });
  });

  it("reports 'bad-response' for JSON that is not Jamf's page shape", async () => {
    sim = await startJamfSimulator({ computers: macs(2) });
    sim.controls.malformed({ path: 'computers-inventory', mode: 'wrong-shape' });
    await assert.rejects(collect(inventory().listAll()), (err: unknown) => {
      assert.ok(err instanceof SourceMdmError);
      assert.equal(err.failure, 'bad-response');
      assert.match(err.message, /totalCount, results/);
      return true;
    });
  });

  it('stops when the caller aborts', async () => {
    sim = await startJamfSimulator({ computers: macs(10) });
    const controller = new AbortController();
    const seen: OldMdmDevice[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of inventory({ pageSize: 2, concurrency: 1 }).listAll(controller.signal)) {
          seen.push(...page);
          controller.abort(new Error('shutting down'));
        }
      })(),
      /shutting down/,
    );
    assert.equal(seen.length, 2);
  });
});
