import assert from 'node:assert/strict';
import { startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { credentialFor } from '../../../src/integrations/graph/credential';
import { GraphApi } from '../../../src/integrations/graph/graph-api';
import { GraphDeviceChanges } from '../../../src/integrations/graph/graph-device-changes';
import { FakeClock, silentLogger } from '../../helpers/fakes';

const ALEX = { id: '00000000-0000-0000-0000-0000000000020', userPrincipalName: 'alexw@example.com' };
const MEGAN = { id: '00000000-0000-0000-0000-0000000000021', userPrincipalName: 'meganb@example.com' };
const ALEX_IPHONE = 'a0000000-0000-4000-8000-000000000001';
const T0 = new Date('2026-11-23T09:00:00Z');

describe('integrations: Graph device changes (tenant simulator)', () => {
  let sim: TenantSimulator;
  let clock: FakeClock;
  let changes: GraphDeviceChanges;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    clock = new FakeClock(new Date(T0));
    sim.tenant.now = () => clock.now();
    const graph = new GraphApi({
      baseUrl: sim.url,
      credential: credentialFor({ kind: 'simulator' }),
      maxAttempts: 2,
      sleep: async () => {},
    });
    changes = new GraphDeviceChanges(graph, silentLogger);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('starts with a full Entra round, then continues it with only what changed', async () => {
    const first = await changes.changedSince(new Date(T0.getTime() - 60_000), undefined);
    assert.equal(first.entraResynced, true);
    assert.equal(first.entra.length, 11);
    assert.match(first.entraCursor, /\/devices\/delta\?\$deltatoken=/);

    clock.advance(60_000);
    sim.tenant.unenroll(ALEX_IPHONE);
    sim.stats.reset();
    const next = await changes.changedSince(T0, first.entraCursor);
    assert.equal(next.entraResynced, false);
    assert.deepEqual(
      next.entra.map((c) => c.deviceKey),
      [ALEX_IPHONE],
    );
    assert.equal(next.entra[0].record.deviceId, ALEX_IPHONE);
    assert.equal(sim.stats.total, 3, 'one request per source');
  });

  it('reports Intune changes with the user and the journey key, and failures without the empty device id', async () => {
    clock.advance(60_000);
    sim.tenant.unenroll(ALEX_IPHONE);
    sim.tenant.enroll(ALEX_IPHONE);
    clock.advance(5_000);
    sim.tenant.fail(ALEX_IPHONE, { failureCategory: 'enrollmentRestrictionsEnforced' });
    const round = await changes.changedSince(T0, undefined);
    const iphone = round.intune.find((c) => c.deviceKey === ALEX_IPHONE);
    assert.ok(iphone, 'the iPhone is keyed by its Entra deviceId');
    assert.equal(iphone.userId?.toLowerCase(), ALEX.id.toLowerCase());
    assert.equal(round.failures.length, 1);
    assert.equal(round.failures[0].category, 'enrollmentRestrictionsEnforced');
    assert.notEqual(round.failures[0].deviceId, '00000000-0000-0000-0000-000000000000');
  });

  it('starts a new Entra round when the stored one has expired', async () => {
    const first = await changes.changedSince(T0, undefined);
    clock.advance(8 * 24 * 3_600_000);
    const next = await changes.changedSince(clock.now(), first.entraCursor);
    assert.equal(next.entraResynced, true);
    assert.equal(next.entra.length, 11);
  });

  it('looks users up in one $batch, and keeps one user’s failure to that user', async () => {
    sim.stats.reset();
    const both = await changes.lookUp([ALEX, MEGAN]);
    assert.deepEqual(sim.stats.byRoute, { 'POST /$batch': 1 });
    assert.equal((both.get(ALEX.id) as unknown[]).length, 2);
    assert.equal((both.get(MEGAN.id) as unknown[]).length, 2);

    sim.faults.add({ path: `/users/${MEGAN.id}/`, status: 503, times: Number.POSITIVE_INFINITY });
    const found = await changes.lookUp([ALEX, MEGAN]);
    assert.equal((found.get(ALEX.id) as unknown[]).length, 2);
    assert.ok(found.get(MEGAN.id) instanceof Error);
  });

  it('stops at once when aborted', async () => {
    const abort = new AbortController();
    abort.abort(new Error('shutting down'));
    await assert.rejects(changes.changedSince(T0, undefined, abort.signal), /shutting down/);
  });
});
