import assert from 'node:assert/strict';
import sinon from 'sinon';
import {
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type WorkspaceOneSimulatorOptions,
  type Ws1DeviceSeed,
} from '../../../src/dev/workspace-one-sim';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import type { RetryInfo } from '../../../src/integrations/http/retrying-fetch';
import {
  WorkspaceOneInventory,
  type WorkspaceOneInventoryOptions,
} from '../../../src/integrations/workspace-one/ws1-inventory';
import { SourceMdmError } from '../../../src/ports/source-mdm';

const NOW = Date.parse('2025-03-01T10:00:00.000Z');
const DAY = 86_400_000;

/** `n` devices last seen a week ago, serials and users numbered. */
function seeds(n: number): Ws1DeviceSeed[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 2000 + i,
    friendlyName: `Device ${i}`,
    userName: `user${i % 50}@example.com`,
    userEmail: `user${i % 50}@example.com`,
    platform: i % 2 === 0 ? 'Apple' : 'Android',
    model: i % 4 === 0 ? 'iPad Air' : 'Phone',
    operatingSystem: '17.0',
    serialNumber: `SER${String(i).padStart(6, '0')}`,
    ownership: 'C' as const,
    lastSeen: new Date(NOW - 7 * DAY),
  }));
}

async function collect(pages: AsyncIterable<OldMdmDevice[]>): Promise<OldMdmDevice[][]> {
  const out: OldMdmDevice[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function rejection(work: Promise<unknown>): Promise<SourceMdmError> {
  try {
    await work;
  } catch (err) {
    assert.ok(err instanceof SourceMdmError, `expected a SourceMdmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the read to fail');
}

describe('integration: Workspace ONE inventory against the Workspace ONE simulator', () => {
  let sim: WorkspaceOneSimulator;
  const start = async (options: WorkspaceOneSimulatorOptions = {}) => {
    sim = await startWorkspaceOneSimulator({ now: () => NOW, ...options });
  };
  afterEach(async () => {
    await sim.stop();
  });

  /** A connector on the simulator whose waits are recorded instead of slept (unless `realSleep`). */
  function connector(
    overrides: Partial<{ clientSecret: string; tenantCode: string; clientId: string }> = {},
    options: WorkspaceOneInventoryOptions & { realSleep?: boolean } = {},
  ) {
    const sleep = sinon.fake.resolves<[number, AbortSignal?], Promise<void>>(undefined);
    const onRetry = sinon.spy((_info: RetryInfo) => {});
    const { realSleep, ...rest } = options;
    const inventory = new WorkspaceOneInventory(
      {
        apiUrl: `${sim.url}/API`,
        tokenUrl: sim.tokenUrl,
        clientId: overrides.clientId ?? sim.client.clientId,
        clientSecret: overrides.clientSecret ?? sim.client.clientSecret,
        tenantCode: overrides.tenantCode ?? sim.tenantCode,
      },
      { sleep: realSleep ? undefined : sleep, onRetry, ...rest },
    );
    return {
      inventory,
      sleeps: () => sleep.args.map(([ms]) => ms),
      retries: () => onRetry.args.map(([i]) => ({ status: i.status, delayMs: i.delayMs })),
    };
  }

  it('reads every device once through several pages of 500, with one token', async () => {
    await start({ devices: seeds(1234) });
    const { inventory } = connector();
    const pages = await collect(inventory.listAll());
    assert.deepEqual(
      pages.map((p) => p.length),
      [500, 500, 234],
    );
    const all = pages.flat();
    assert.equal(new Set(all.map((d) => d.vendorId)).size, 1234);
    assert.equal(all[0]!.vendorId, '2000');
    assert.equal(all.at(-1)!.vendorId, '3233');
    assert.equal(inventory.requests, 4, 'one token request and three search pages');
    assert.equal(inventory.tokensFetched, 1);
    assert.equal(sim.controls.stats().search, 3);
    await collect(inventory.listAll());
    assert.equal(inventory.tokensFetched, 1, 'the cached token serves the next read');
  });

  it('maps platform names and enrollment states', async () => {
    const device = (id: number, platform: string, model: string, status = 'Enrolled'): Ws1DeviceSeed => ({
      id,
      friendlyName: `d${id}`,
      userName: 'jdoe',
      platform,
      model,
      enrollmentStatus: status as Ws1DeviceSeed['enrollmentStatus'],
      ownership: 'S',
    });
    await start({
      devices: [
        device(1, 'WinRT', 'Surface'),
        device(2, 'WindowsPc', 'OptiPlex'),
        device(3, 'AppleOsX', 'MacBook Air', 'EnterpriseWipePending'),
        device(4, 'Apple', 'iPad Pro', 'Unenrolled'),
        device(5, 'Apple', 'iPhone 15', 'DeviceWipePending'),
        device(6, 'Android', 'Pixel 8'),
        device(7, 'AppleTv', 'Apple TV 4K'),
      ],
    });
    const all = (await collect(connector().inventory.listAll())).flat();
    assert.deepEqual(
      all.map((d) => [d.platform, d.enrollment]),
      [
        ['windows', 'enrolled'],
        ['windows', 'enrolled'],
        ['macos', 'pending'],
        ['ipados', 'unenrolled'],
        ['ios', 'pending'],
        ['android', 'enrolled'],
        ['other', 'enrolled'],
      ],
    );
    assert.ok(all.every((d) => d.ownership === 'shared'));
    assert.ok(
      all.every((d) => d.userPrincipalName === undefined),
      'a user name that is not a UPN is not reported as one',
    );
  });

  it("maps Workspace ONE's fields: the demo's iPad only Workspace ONE knows, a laptop, a phone", async () => {
    await start();
    const { inventory } = connector();
    const all = (await collect(inventory.listAll())).flat();
    const ipad = all.find((d) => d.name === "Alex's iPad");
    assert.deepEqual(ipad, {
      source: 'workspace-one',
      vendor: 'workspace-one',
      vendorId: '1100',
      name: "Alex's iPad",
      platform: 'ipados',
      osVersion: '18.1',
      model: 'iPad (10th generation)',
      serialNumber: 'DMPXK9ABCD12',
      imei: undefined,
      udid: '00008101-000A1B2C3D4E5F12',
      userPrincipalName: 'alexw@example.com',
      userEmail: 'alexw@example.com',
      ownership: 'personal',
      supervised: false,
      enrollment: 'enrolled',
      lastSeen: new Date(NOW - 2 * 3_600_000).toISOString(),
    });
    const laptop = all.find((d) => d.serialNumber === '0F3312345601')!;
    assert.equal(laptop.platform, 'windows');
    assert.equal(laptop.ownership, 'corporate');
    const iphone = all.find((d) => d.name === "Alex's iPhone")!;
    assert.equal(iphone.platform, 'ios');
    assert.match(iphone.imei ?? '', /^\d{15}$/);
    const mac = all.find((d) => d.name === "Adele's MacBook Pro")!;
    assert.equal(mac.platform, 'macos');
    const isaiah = all.find((d) => d.name === "Isaiah's Galaxy S23")!;
    assert.equal(isaiah.platform, 'android');
    assert.equal(isaiah.userEmail, 'isaiahl@example.com');
  });

  it('reads only the devices seen since the last sync (seensince), not the whole inventory', async () => {
    await start({ devices: seeds(1234) });
    const { inventory } = connector({}, { incrementalOverlapMs: 60_000 });
    const lastSync = new Date(NOW - DAY);
    sim.controls.seen({ id: 2005 }, NOW - 3_600_000);
    sim.controls.unenroll({ serialNumber: 'SER000700' });
    sim.controls.seen({ id: 3000 }, lastSync.getTime() - 30_000); // inside the overlap: read again, harmlessly
    const pages = await collect(inventory.listChangedSince(lastSync));
    const changed = pages.flat();
    assert.deepEqual(changed.map((d) => d.vendorId).sort(), ['2005', '2700', '3000']);
    assert.equal(changed.find((d) => d.vendorId === '2700')!.enrollment, 'unenrolled');
    assert.equal(inventory.requests, 2, 'one token request, one page');
  });

  it('treats 204 from an empty search as no devices', async () => {
    await start({ devices: [] });
    const { inventory } = connector();
    assert.deepEqual(await collect(inventory.listAll()), []);
    assert.deepEqual(await collect(inventory.listChangedSince(new Date(NOW))), []);
  });

  it('a wrong client secret is a credentials error naming the settings to fix', async () => {
    await start();
    const { inventory } = connector({ clientSecret: 'not-the-secret' });
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'credentials');
    assert.equal(err.source, 'workspace-one');
    assert.equal(err.status, 400);
    assert.match(err.missing ?? '', /WORKSPACE_ONE_CLIENT_ID and WORKSPACE_ONE_CLIENT_SECRET/);
    assert.match(err.message, /Workspace ONE refused the credentials/);
    assert.equal(sim.controls.stats().search, 0);
  });

  it('a wrong aw-tenant-code (403, errorCode 1013) names the tenant code setting', async () => {
    await start();
    const { inventory } = connector({ tenantCode: 'WRONG' });
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'credentials');
    assert.equal(err.status, 403);
    assert.match(err.missing ?? '', /WORKSPACE_ONE_TENANT_CODE/);
  });

  it('a role without the devices read permission (403) is a permission error naming it', async () => {
    await start({ clients: [{ clientId: 'reader', clientSecret: 's3cret', permissions: [] }] });
    const { inventory } = connector({ clientId: 'reader', clientSecret: 's3cret' });
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'permission');
    assert.equal(err.status, 403);
    assert.match(err.missing ?? '', /REST API Devices Read/);
  });

  it('waits out 429 Retry-After: 1 for real and then completes', async function () {
    this.timeout(10_000);
    await start({ devices: seeds(700) });
    const { inventory, retries } = connector({}, { realSleep: true });
    sim.controls.faults.add({ path: '/api/mdm/devices/search', status: 429, retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const all = (await collect(inventory.listAll())).flat();
    assert.equal(all.length, 700);
    assert.deepEqual(retries(), [{ status: 429, delayMs: 1000 }]);
    assert.ok(Date.now() - started >= 950, `waited only ${Date.now() - started} ms`);
  });

  it('retries 503 and 500 with growing, jittered backoff and completes', async () => {
    await start({ devices: seeds(600) });
    const { inventory, sleeps } = connector();
    sim.controls.faults.add({ path: 'page=1', status: 503, times: 1 });
    sim.controls.faults.add({ path: 'page=1', status: 500, times: 1 });
    const all = (await collect(inventory.listAll())).flat();
    assert.equal(all.length, 600);
    const waits = sleeps();
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 125 && waits[0]! <= 250, `first backoff ${waits[0]}`);
    assert.ok(waits[1]! >= 250 && waits[1]! <= 500, `second backoff ${waits[1]}`);
  });

  it('gives up on 5xx after the bounded attempts: unavailable', async () => {
    await start({ devices: seeds(10) });
    const { inventory, sleeps } = connector({}, { maxAttempts: 3 });
    sim.controls.faults.add({
      path: '/api/mdm/devices/search',
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'unavailable');
    assert.equal(err.status, 503);
    assert.match(err.message, /gave up after 3 attempt\(s\)/);
    assert.equal(sleeps().length, 2);
    assert.equal(inventory.requests, 4, 'one token request and three attempts');
  });

  it('gives up on 429 after the bounded attempts: throttled', async () => {
    await start({ devices: seeds(10) });
    const { inventory, sleeps } = connector({}, { maxAttempts: 2 });
    sim.controls.faults.add({ path: '/api/mdm/devices/search', status: 429, retryAfterSeconds: 2, times: 5 });
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'throttled');
    assert.deepEqual(sleeps(), [2000]);
  });

  it('retries a request that timed out, then reports the API unavailable', async () => {
    await start({ devices: seeds(10) });
    const { inventory, retries } = connector({}, { maxAttempts: 2, timeoutMs: 100 });
    sim.controls.faults.setLatency(400);
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'unavailable');
    assert.equal(err.status, undefined);
    assert.deepEqual(
      retries().map((r) => r.status),
      [0],
    );
  });

  it('fetches a new token once when it expires mid-sync, and the sync completes', async () => {
    await start({ devices: seeds(1200) });
    const { inventory } = connector();
    const pages: OldMdmDevice[][] = [];
    for await (const page of inventory.listAll()) {
      pages.push(page);
      if (pages.length === 1) sim.controls.expireTokens();
    }
    assert.equal(pages.flat().length, 1200);
    assert.equal(inventory.tokensFetched, 2);
    assert.equal(sim.controls.stats().tokensIssued, 2);
    assert.equal(sim.controls.stats().refused, 1);
  });

  it('a token refused even when new is a credentials error, after exactly one refresh', async () => {
    await start({ devices: seeds(10), tokenLifetimeSeconds: 0 });
    const { inventory } = connector();
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'credentials');
    assert.equal(err.status, 401);
    assert.equal(sim.controls.stats().tokensIssued, 2);
  });

  it('a cut-off JSON answer is a bad-response, not retried', async () => {
    await start({ devices: seeds(10) });
    const { inventory, sleeps } = connector();
    sim.controls.malformNext(1);
    const err = await rejection(collect(inventory.listAll()));
    assert.equal(err.failure, 'bad-response');
    assert.match(err.message, /not JSON/);
    assert.deepEqual(sleeps(), []);
  });

  it('stops when the caller aborts', async () => {
    await start({ devices: seeds(1200) });
    const { inventory } = connector();
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const page of inventory.listAll(controller.signal)) {
        seen.push(page.length);
        controller.abort(new Error('shutting down'));
      }
    }, /shutting down/);
    assert.deepEqual(seen, [500]);
    assert.equal(sim.controls.stats().search, 1);
  });
});
