import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT as JAMF_CLIENT,
  type JamfSimulator,
  startJamfSimulator,
} from '../../../src/dev/jamf-sim';
import { startWorkspaceOneSimulator, type WorkspaceOneSimulator } from '../../../src/dev/workspace-one-sim';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { inventoryStatus } from '../../../src/features/old-mdm/inventory-status';
import { applyFileSnapshot, syncSource } from '../../../src/features/old-mdm/inventory-sync';
import { readSyncState } from '../../../src/features/old-mdm/sync-state';
import type { SourceMdmInventory } from '../../../src/ports/source-mdm';
import {
  HOUR,
  jamfConnector,
  jamfMacs,
  NOW,
  storedRows,
  syncDeps,
  ws1Connector,
  ws1Seeds,
} from './old-mdm-fixtures';

describe('integration: old-MDM inventory sync (Workspace ONE and Jamf simulators, Azurite)', () => {
  let ws1: WorkspaceOneSimulator | undefined;
  let jamf: JamfSimulator | undefined;
  let simNow = NOW;
  afterEach(async () => {
    await ws1?.stop();
    await jamf?.stop();
    ws1 = undefined;
    jamf = undefined;
    simNow = NOW;
  });
  const startWs1 = async (n: number) => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(n), now: () => simNow });
    return ws1;
  };

  it('a full sync pages through the whole inventory and stores every device once', async () => {
    const sim = await startWs1(130);
    const deps = await syncDeps();
    const report = await syncSource(deps, ws1Connector(sim), { full: true });
    assert.equal(report.ok, true);
    assert.equal(report.listed, 130);
    assert.equal(report.inserted, 130);
    assert.equal(report.requests, 4, 'one token and three pages of 50');
    const rows = await storedRows(deps.store, 'workspace-one');
    assert.equal(rows.size, 130);
    const row = rows.get('5007')!;
    assert.equal(row.serialNumber, 'WS1SER00007');
    assert.equal(row.firstSeenAt, new Date(NOW).toISOString());
    assert.equal(row.snapshotId, report.snapshotId);
    assert.equal(row.goneAt, undefined);
    const state = await readSyncState(deps.store, 'workspace-one');
    assert.equal(state.lastFullSyncAt, new Date(NOW).toISOString());
    assert.equal(state.devices, 130);
    assert.equal(state.lastRunOk, true);
    const status = await inventoryStatus(deps.store, 'workspace-one');
    assert.deepEqual([status.listed, status.gone], [130, 0]);
  });

  it('a device removed from the old MDM is gone after the next full sync, not after an incremental one', async () => {
    const sim = await startWs1(60);
    const deps = await syncDeps();
    const connector = ws1Connector(sim);
    await syncSource(deps, connector, { full: true });
    sim.controls.unenroll({ id: 5003 }, { remove: true });

    deps.clock.advance(HOUR);
    const incremental = await syncSource(deps, connector, { full: false, since: new Date(NOW) });
    assert.equal(incremental.kind, 'incremental');
    assert.equal(incremental.gone, 0);
    assert.equal((await storedRows(deps.store, 'workspace-one')).get('5003')!.goneAt, undefined);

    deps.clock.advance(HOUR);
    const full = await syncSource(deps, connector, { full: true });
    assert.equal(full.gone, 1);
    assert.equal(full.updated + full.inserted, 0, 'nothing else changed');
    const rows = await storedRows(deps.store, 'workspace-one');
    assert.equal(rows.get('5003')!.goneAt, new Date(NOW + 2 * HOUR).toISOString());
    assert.equal([...rows.values()].filter((r) => r.goneAt).length, 1);

    // Listed again (re-enrolled under the same id): revived.
    sim.controls.upsert(ws1Seeds(60)[3]!);
    const again = await syncSource(deps, connector, { full: true });
    assert.equal(again.revived, 1);
    assert.equal((await storedRows(deps.store, 'workspace-one')).get('5003')!.goneAt, undefined);
  });

  it('an incremental sync picks up a changed device and rewrites nothing else', async () => {
    const sim = await startWs1(80);
    const deps = await syncDeps();
    const connector = ws1Connector(sim);
    await syncSource(deps, connector, { full: true });
    // Half an hour later: the hour-long token is still good.
    simNow = NOW + HOUR / 2;
    sim.controls.unenroll({ id: 5010 });
    sim.controls.seen({ id: 5010 }, simNow);

    deps.clock.advance(HOUR);
    const report = await syncSource(deps, connector, { full: false, since: new Date(NOW) });
    assert.equal(report.ok, true);
    assert.equal(report.listed, 1);
    assert.equal(report.updated, 1);
    assert.equal(report.requests, 1, 'one page; the token is reused');
    const rows = await storedRows(deps.store, 'workspace-one');
    assert.equal(rows.get('5010')!.enrollment, 'unenrolled');
    assert.equal(rows.get('5010')!.lastSyncedAt, new Date(NOW + HOUR).toISOString());
    assert.equal(rows.get('5011')!.lastSyncedAt, new Date(NOW).toISOString());
    assert.equal(
      (await readSyncState(deps.store, 'workspace-one')).lastIncrementalAt,
      new Date(NOW + HOUR).toISOString(),
    );
  });

  it('a full sync cut off by 5xx past the retries marks nothing gone and records the failure', async () => {
    const sim = await startWs1(120);
    const deps = await syncDeps();
    const connector = ws1Connector(sim, { maxAttempts: 2 });
    await syncSource(deps, connector, { full: true });
    for (const id of [5001, 5002, 5100]) sim.controls.unenroll({ id }, { remove: true });
    sim.controls.faults.add({ path: 'page=2', status: 503, times: Number.POSITIVE_INFINITY });

    deps.clock.advance(HOUR);
    const report = await syncSource(deps, connector, { full: true });
    assert.equal(report.ok, false);
    assert.equal(report.failure, 'unavailable');
    assert.equal(report.status, 503);
    assert.equal(report.gone, 0);
    const rows = await storedRows(deps.store, 'workspace-one');
    assert.equal([...rows.values()].filter((r) => r.goneAt).length, 0, 'nothing marked gone');
    const state = await readSyncState(deps.store, 'workspace-one');
    assert.equal(state.lastErrorKind, 'unavailable');
    assert.equal(state.lastErrorStatus, 503);
    assert.equal(state.lastErrorAt, new Date(NOW + HOUR).toISOString());
    assert.equal(state.lastRunOk, false);
    assert.equal(
      state.lastFullSyncAt,
      new Date(NOW).toISOString(),
      'the last complete snapshot is still the first',
    );

    sim.controls.faults.clear();
    const recovered = await syncSource(deps, connector, { full: true });
    assert.equal(recovered.gone, 3);
    const after = await readSyncState(deps.store, 'workspace-one');
    assert.equal(after.lastErrorKind, undefined);
  });

  it('bad Workspace ONE credentials record "credentials" naming the settings; nothing is stored', async () => {
    const sim = await startWs1(10);
    const deps = await syncDeps();
    const report = await syncSource(deps, ws1Connector(sim, { clientSecret: 'wrong' }), { full: true });
    assert.equal(report.ok, false);
    assert.equal(report.failure, 'credentials');
    const state = await readSyncState(deps.store, 'workspace-one');
    assert.equal(state.lastErrorKind, 'credentials');
    assert.match(state.lastErrorMissing ?? '', /WORKSPACE_ONE_CLIENT_SECRET/);
    assert.equal((await storedRows(deps.store, 'workspace-one')).size, 0);
  });

  it('a refused Jamf client secret records "credentials" naming JAMF_CLIENT_SECRET', async () => {
    jamf = await startJamfSimulator({ computers: jamfMacs(5), mobileDevices: [] });
    const deps = await syncDeps();
    const connector = jamfConnector(jamf.url, { clientId: JAMF_CLIENT.clientId, clientSecret: 'wrong' });
    const report = await syncSource(deps, connector, { full: true });
    // RFC 6749 §5.2: a wrong client secret is 400 invalid_client at the token endpoint.
    assert.equal(report.failure, 'credentials');
    const state = await readSyncState(deps.store, 'jamf');
    assert.equal(state.lastErrorKind, 'credentials');
    assert.match(state.lastErrorMissing ?? '', /JAMF_CLIENT_SECRET/);
  });

  it('a token that expires mid-sync (401) is fetched again once, and the sync completes', async () => {
    const sim = await startWs1(130);
    const deps = await syncDeps();
    const connector = ws1Connector(sim);
    // Every issued token stops working once the first page has been stored.
    const expiring: SourceMdmInventory = {
      source: connector.source,
      vendor: connector.vendor,
      get requests() {
        return connector.requests;
      },
      async *listAll(signal) {
        let pages = 0;
        for await (const page of connector.listAll(signal)) {
          yield page;
          if (++pages === 1) sim.controls.expireTokens();
        }
      },
    };
    const report = await syncSource(deps, expiring, { full: true });
    assert.equal(report.ok, true);
    assert.equal(report.listed, 130);
    assert.equal(connector.tokensFetched, 2);
    assert.equal((await storedRows(deps.store, 'workspace-one')).size, 130);
  });

  it('the same snapshot applied twice changes nothing the second time', async () => {
    const deps = await syncDeps();
    const devices: OldMdmDevice[] = Array.from({ length: 40 }, (_, i) => ({
      source: 'file',
      vendor: 'ivanti',
      vendorId: `dev-${i}`,
      name: `Device ${i}`,
      platform: 'android',
      serialNumber: `IVS${i}`,
      ownership: 'corporate',
      enrollment: 'enrolled',
      lastSeen: new Date(NOW - HOUR).toISOString(),
    }));
    const first = await applyFileSnapshot(deps, devices);
    assert.deepEqual([first.kind, first.inserted, first.gone], ['file', 40, 0]);
    const before = await storedRows(deps.store, 'file');
    deps.clock.advance(HOUR);
    const second = await applyFileSnapshot(deps, [...devices].reverse());
    assert.deepEqual([second.inserted, second.updated, second.revived, second.gone], [0, 0, 0, 0]);
    assert.deepEqual(await storedRows(deps.store, 'file'), before);

    const third = await applyFileSnapshot(deps, devices.slice(5));
    assert.equal(third.gone, 5, 'a device missing from the new file has left the old MDM');
  });

  it('keeps only the platforms it is configured for', async () => {
    const sim = await startWs1(30);
    const deps = await syncDeps();
    const report = await syncSource(deps, ws1Connector(sim), { full: true, platforms: ['android'] });
    assert.equal(report.listed, 10);
    assert.equal(report.skipped, 20);
    const rows = await storedRows(deps.store, 'workspace-one');
    assert.ok([...rows.values()].every((r) => r.platform === 'android'));
  });
});
