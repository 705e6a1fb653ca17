import assert from 'node:assert/strict';
import { generateTenant, startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { type BatchRequest, GraphRequestError } from '../../../src/integrations/graph/graph-api';
import { simulatorGraphApi } from './simulator-graph';

const ALEX_ID = '00000000-0000-0000-0000-0000000000020';

describe('integration: Microsoft Graph client against the tenant simulator', () => {
  let sim: TenantSimulator;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('reads a user over HTTP with a bearer token', async () => {
    const { api } = simulatorGraphApi(sim);
    const user = await api.get<{ displayName: string; userPrincipalName: string }>(`/users/${ALEX_ID}`);
    assert.equal(user.displayName, 'Alex Wilber');
    assert.equal(user.userPrincipalName, 'alexw@example.com');
  });

  it('waits out Retry-After: 2 and then succeeds', async function () {
    this.timeout(10_000);
    const { api, retries } = simulatorGraphApi(sim);
    sim.faults.add({ path: '/users/', status: 429, retryAfterSeconds: 2, times: 1 });
    const started = Date.now();
    const user = await api.get<{ displayName: string }>('/users/alexw@example.com');
    const waited = Date.now() - started;
    assert.equal(user.displayName, 'Alex Wilber');
    assert.deepEqual(retries(), [{ status: 429, delayMs: 2000 }]);
    assert.ok(waited >= 1950, `waited only ${waited} ms`);
  });

  it('gives up after the allowed attempts with an error that says what happened', async () => {
    const { api, sleeps } = simulatorGraphApi(sim, { maxAttempts: 4, fastSleep: true });
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
    assert.deepEqual(sleeps(), [3000, 3000, 3000]);
  });

  it('retries 503 without Retry-After with growing, jittered backoff', async () => {
    const { api, sleeps } = simulatorGraphApi(sim, { fastSleep: true });
    sim.faults.add({ path: '/users/', status: 503, times: 2 });
    const user = await api.get<{ displayName: string }>(`/users/${ALEX_ID}`);
    assert.equal(user.displayName, 'Alex Wilber');
    const waits = sleeps();
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 125 && waits[0]! <= 250, `first backoff ${waits[0]}`);
    assert.ok(waits[1]! >= 250 && waits[1]! <= 500, `second backoff ${waits[1]}`);
  });

  it('does not retry a 404 and reports it clearly', async () => {
    const { api, sleeps } = simulatorGraphApi(sim, { fastSleep: true });
    await assert.rejects(api.get('/users/nobody@example.com'), (err: unknown) => {
      assert.ok(err instanceof GraphRequestError);
      assert.equal(err.status, 404);
      assert.equal(err.attempts, 1);
      return true;
    });
    assert.deepEqual(sleeps(), []);
  });

  it('pages through 2,500 managed devices with $top=1000 in three requests, each device once', async () => {
    sim.tenant.load(generateTenant({ users: 2500, devicesPerUser: 1, migratedShare: 1 }));
    sim.stats.reset();
    const { api } = simulatorGraphApi(sim);
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
    const { api } = simulatorGraphApi(sim);
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
    const { api, sleeps } = simulatorGraphApi(sim, { fastSleep: true });
    sim.faults.add({ path: '/managedDevices', status: 429, retryAfterSeconds: 1, times: 1 });
    const res = await api.batch([
      { id: 'a', method: 'GET', url: `/users/${ALEX_ID}/managedDevices` },
      { id: 'b', method: 'GET', url: `/users/${ALEX_ID}?$select=id` },
    ]);
    assert.equal(res.get('a')?.status, 200);
    assert.equal(res.get('b')?.status, 200);
    assert.deepEqual(sleeps(), [1000]);
  });
});
