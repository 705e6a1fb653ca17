import assert from 'node:assert/strict';
import { startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { credentialFor } from '../../../src/integrations/graph/credential';
import { GraphApi, GraphRequestError } from '../../../src/integrations/graph/graph-api';
import { GraphAppInstaller } from '../../../src/integrations/graph/graph-app-installer';

const ALEX_ID = '00000000-0000-0000-0000-0000000000020';
const MEGAN_UPN = 'meganb@example.com';
const APP_ID = 'c0ffee00-0000-4000-8000-000000000001';

describe('integration: GraphAppInstaller against the tenant simulator', () => {
  let sim: TenantSimulator;
  let graph: GraphApi;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    graph = new GraphApi({
      baseUrl: sim.url,
      credential: credentialFor({ kind: 'simulator' }),
      maxAttempts: 3,
      sleep: async () => {},
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('installs the app (201), then finds it already there (409)', async () => {
    const installer = new GraphAppInstaller(graph, APP_ID, 'https://graph.microsoft.com');
    assert.equal(await installer.installFor(ALEX_ID), 'installed');
    assert.equal(await installer.installFor(ALEX_ID), 'already-installed');
    const apps = await graph.get<{ value: { teamsApp: { id: string } }[] }>(
      `/users/${ALEX_ID}/teamwork/installedApps?$expand=teamsApp`,
    );
    assert.deepEqual(
      apps.value.map((a) => a.teamsApp.id),
      [APP_ID],
    );
  });

  it('reports a user who blocks the app (403) and an unknown user (404) without retrying', async () => {
    const res = await fetch(`${sim.url}/_sim/users/${MEGAN_UPN}/blocks-app`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ blocksApp: true }),
    });
    assert.equal(res.status, 200);
    const installer = new GraphAppInstaller(graph, APP_ID, sim.url);
    sim.stats.reset();
    assert.equal(await installer.installFor(MEGAN_UPN), 'blocked');
    assert.equal(await installer.installFor('11111111-2222-4333-8444-555555555555'), 'user-not-found');
    assert.equal(sim.stats.snapshot().total, 2, 'one request each: 403 and 404 are answers, not faults');
  });

  it('leaves throttling to GraphApi and surfaces what it gives up on', async () => {
    sim.faults.add({ path: '/teamwork/installedApps', status: 503, times: Number.POSITIVE_INFINITY });
    const installer = new GraphAppInstaller(graph, APP_ID, sim.url);
    await assert.rejects(installer.installFor(ALEX_ID), (err: unknown) => {
      assert.ok(err instanceof GraphRequestError);
      assert.equal(err.status, 503);
      assert.equal(err.attempts, 3);
      return true;
    });
  });

  it("reads the chat of the app's installation (two reads), and says 'unknown' where there is none", async () => {
    const installer = new GraphAppInstaller(graph, APP_ID, 'https://graph.microsoft.com');
    assert.equal(await installer.chatIdFor(ALEX_ID), undefined, 'not installed yet: no chat');
    assert.equal(await installer.installFor(ALEX_ID), 'installed');
    sim.stats.reset();
    const chatId = await installer.chatIdFor(ALEX_ID);
    assert.match(chatId ?? '', /^19:.+@unq\.gbl\.spaces$/);
    assert.equal(sim.stats.snapshot().total, 2);
    sim.faults.add({ path: '/chat', status: 503, times: Number.POSITIVE_INFINITY });
    assert.equal(
      await installer.chatIdFor(ALEX_ID),
      undefined,
      'Graph gave up: the connector opens the chat',
    );
  });

  it('needs the app catalog id', () => {
    assert.throws(() => new GraphAppInstaller(graph, ' ', sim.url), /TEAMS_APP_ID/);
  });
});
