import assert from 'node:assert/strict';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { generateTenant, startTenantSimulator, type TenantSimulator } from '../../src/dev/tenant-sim';
import { credentialFor } from '../../src/integrations/graph/credential';
import { type BatchRequest, GraphApi, GraphRequestError } from '../../src/integrations/graph/graph-api';
import { GraphDeviceDirectory } from '../../src/integrations/graph/graph-device-directory';

const ALEX_ID = '00000000-0000-0000-0000-0000000000020';

function apiFor(sim: TenantSimulator, opts: { maxAttempts?: number; fastSleep?: boolean } = {}) {
  const sleeps: number[] = [];
  const retries: { status: number; delayMs: number }[] = [];
  const api = new GraphApi({
    baseUrl: sim.url,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: opts.maxAttempts ?? 5,
    sleep: opts.fastSleep
      ? async (ms) => {
          sleeps.push(ms);
        }
      : undefined,
    onRetry: (i) => retries.push({ status: i.status, delayMs: i.delayMs }),
  });
  return { api, sleeps, retries };
}

describe('integration: Microsoft Graph client against the tenant simulator', () => {
  let sim: TenantSimulator;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('reads a user over HTTP with a bearer token', async () => {
    const { api } = apiFor(sim);
    const user = await api.get<{ displayName: string; userPrincipalName: string }>(`/users/${ALEX_ID}`);
    assert.equal(user.displayName, 'Alex Wilber');
    assert.equal(user.userPrincipalName, 'alexw@example.com');
  });

  it('waits out Retry-After: 2 and then succeeds', async function () {
    this.timeout(10_000);
    const { api, retries } = apiFor(sim);
    sim.faults.add({ path: '/users/', status: 429, retryAfterSeconds: 2, times: 1 });
    const started = Date.now();
    const user = await api.get<{ displayName: string }>('/users/alexw@example.com');
    const waited = Date.now() - started;
    assert.equal(user.displayName, 'Alex Wilber');
    assert.deepEqual(retries, [{ status: 429, delayMs: 2000 }]);
    assert.ok(waited >= 1950, `waited only ${waited} ms`);
  });

  it('gives up after the allowed attempts with an error that says what happened', async () => {
    const { api, sleeps } = apiFor(sim, { maxAttempts: 4, fastSleep: true });
    sim.faults.add({ path: '/users/', status: 429, retryAfterSeconds: 3, times: Number.POSITIVE_INFINITY });
    await assert.rejects(api.get('/users/alexw@example.com'), (err: unknown) => {
      assert.ok(err instanceof GraphRequestError);
      assert.equal(err.status, 429);
      assert.equal(err.attempts, 4);
      assert.match(
        err.message,
        /\/users\/alexw@example.com is throttling requests \(429\); gave up after 4 attempt\(s\), last Retry-After 3s/,
      );
      return true;
    });
    assert.deepEqual(sleeps, [3000, 3000, 3000]);
  });

  it('retries 503 without Retry-After with growing, jittered backoff', async () => {
    const { api, sleeps } = apiFor(sim, { fastSleep: true });
    sim.faults.add({ path: '/users/', status: 503, times: 2 });
    const user = await api.get<{ displayName: string }>(`/users/${ALEX_ID}`);
    assert.equal(user.displayName, 'Alex Wilber');
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0]! >= 125 && sleeps[0]! <= 250, `first backoff ${sleeps[0]}`);
    assert.ok(sleeps[1]! >= 250 && sleeps[1]! <= 500, `second backoff ${sleeps[1]}`);
  });

  it('does not retry a 404 and reports it clearly', async () => {
    const { api, sleeps } = apiFor(sim, { fastSleep: true });
    await assert.rejects(api.get('/users/nobody@example.com'), (err: unknown) => {
      assert.ok(err instanceof GraphRequestError);
      assert.equal(err.status, 404);
      assert.equal(err.attempts, 1);
      return true;
    });
    assert.deepEqual(sleeps, []);
  });

  it('pages through 2,500 managed devices with $top=1000 in three requests, each device once', async () => {
    sim.tenant.load(generateTenant({ users: 2500, devicesPerUser: 1, migratedShare: 1 }));
    sim.stats.reset();
    const { api } = apiFor(sim);
    const ids = new Set<string>();
    let count = 0;
    for await (const d of api.pageAll<{ id: string }>(
      '/deviceManagement/managedDevices?$select=id&$top=1000',
    )) {
      ids.add(d.id);
      count++;
    }
    assert.equal(count, 2500);
    assert.equal(ids.size, 2500);
    assert.equal(sim.stats.total, 3);
  });

  it('splits 45 batched requests into $batch calls of at most 20', async () => {
    const { api } = apiFor(sim);
    sim.stats.reset();
    const requests: BatchRequest[] = Array.from({ length: 45 }, (_, i) => ({
      id: `r${i}`,
      method: 'GET',
      url: `/users/${ALEX_ID}?$select=id`,
    }));
    const res = await api.batch(requests);
    assert.equal(res.size, 45);
    assert.ok([...res.values()].every((r) => r.status === 200));
    assert.equal(sim.stats.byRoute['POST /$batch'], 3);
  });

  it('re-sends only the throttled requests inside a batch', async () => {
    const { api, sleeps } = apiFor(sim, { fastSleep: true });
    sim.faults.add({ path: '/managedDevices', status: 429, retryAfterSeconds: 1, times: 1 });
    const res = await api.batch([
      { id: 'a', method: 'GET', url: `/users/${ALEX_ID}/managedDevices` },
      { id: 'b', method: 'GET', url: `/users/${ALEX_ID}?$select=id` },
    ]);
    assert.equal(res.get('a')?.status, 200);
    assert.equal(res.get('b')?.status, 200);
    assert.deepEqual(sleeps, [1000]);
  });
});

describe('integration: device directory over Graph (tenant simulator)', () => {
  let sim: TenantSimulator;
  let directory: GraphDeviceDirectory;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    directory = new GraphDeviceDirectory(apiFor(sim).api);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('finds Alex by object id and lists his iPhone, still managed by Workspace ONE', async () => {
    const alex = await directory.findUser(ALEX_ID);
    assert.equal(alex?.userPrincipalName, 'alexw@example.com');
    const devices = await directory.devicesOfUser(alex!);
    const iphone = devices.find((d) => d.platform === 'ios');
    assert.ok(iphone, `no iPhone in ${devices.map((d) => d.name).join(', ')}`);
    assert.equal(iphone.management.kind, 'partner');
    assert.equal(iphone.intune, undefined);
    assert.ok(devices.length >= 2);
  });

  it('follows a device from Workspace ONE to Intune and compliance as the simulator moves it', async () => {
    const alex = (await directory.findUser('alexw@example.com'))!;
    const before = await directory.devicesOfUser(alex);
    const first = before[0]!;
    sim.tenant.applyUserAction('alexw@example.com', 'enroll', first.name);
    let now = (await directory.devicesOfUser(alex)).find((d) => d.key === first.key)!;
    assert.equal(now.management.kind, 'intune');
    assert.ok(
      now.management.kind === 'intune' && now.management.alsoPartnerMdmAppId,
      'enrolled while Workspace ONE still manages it',
    );
    sim.tenant.applyUserAction('alexw@example.com', 'unenroll', first.name);
    sim.tenant.applyUserAction('alexw@example.com', 'comply', first.name);
    now = (await directory.devicesOfUser(alex)).find((d) => d.key === first.key)!;
    assert.deepEqual(now.management, { kind: 'intune' });
    assert.equal(now.intune?.complianceState, 'compliant');
    assert.equal(
      (await directory.devicesOfUser(alex)).length,
      before.length,
      'one record per physical device',
    );
  });

  it('finds 45 users by UPN or object id in three $batch round trips, unknown ones as null', async () => {
    const sample = ['alexw@example.com', ALEX_ID, 'ghost@example.com', 'lynner@example.com'];
    const filler = Array.from({ length: 41 }, (_, i) => `nobody${i}@example.com`);
    sim.stats.reset();
    const found = await directory.findUsers([...sample, ...filler, 'alexw@example.com']);
    assert.equal(sim.stats.total, 3, 'ceil(45 / 20) $batch calls');
    assert.equal(found.size, 45);
    assert.equal((found.get('alexw@example.com') as { displayName?: string })?.displayName, 'Alex Wilber');
    assert.equal(
      (found.get(ALEX_ID) as { userPrincipalName?: string })?.userPrincipalName,
      'alexw@example.com',
    );
    assert.equal(found.get('ghost@example.com'), null);
    assert.ok(found.get('lynner@example.com') && !(found.get('lynner@example.com') instanceof Error));
    assert.ok(filler.every((f) => found.get(f) === null));
  });

  it('reports a look-up that failed inside a $batch as an error for that user only', async () => {
    const { api } = apiFor(sim, { maxAttempts: 2, fastSleep: true });
    const dir = new GraphDeviceDirectory(api);
    sim.faults.add({ path: '/users/lynner', status: 503, times: Number.POSITIVE_INFINITY });
    const found = await dir.findUsers(['alexw@example.com', 'lynner@example.com']);
    assert.equal((found.get('alexw@example.com') as { displayName?: string })?.displayName, 'Alex Wilber');
    const failed = found.get('lynner@example.com');
    assert.ok(failed instanceof Error, String(failed));
    assert.match(failed.message, /503/);
  });

  it('reports an unknown user as absent rather than failing', async () => {
    assert.equal(await directory.findUser('ghost@example.com'), undefined);
  });

  it('lists a user with no devices as an empty list in a single $batch round trip', async () => {
    const user = (await directory.findUser('lynner@example.com'))!;
    sim.tenant.load({
      tenantId: 'x',
      users: [{ id: user.id, userPrincipalName: user.userPrincipalName, displayName: 'Lynne' }],
    });
    sim.stats.reset();
    assert.deepEqual(await directory.devicesOfUser(user), []);
    assert.equal(sim.stats.total, 1);
  });
});

describe('integration: Graph credentials', () => {
  it('builds the @azure/identity credential that matches the configuration', () => {
    const t = '11111111-2222-3333-4444-555555555555';
    assert.ok(
      credentialFor({ kind: 'client-secret', tenantId: t, clientId: t, clientSecret: 's' }) instanceof
        ClientSecretCredential,
    );
    assert.ok(
      credentialFor({ kind: 'certificate', tenantId: t, clientId: t, certificatePath: '/x.pem' }) instanceof
        ClientCertificateCredential,
    );
    assert.ok(credentialFor({ kind: 'managed-identity' }) instanceof ManagedIdentityCredential);
  });
});
