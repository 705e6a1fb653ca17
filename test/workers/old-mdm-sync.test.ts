import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT as JAMF_CLIENT,
  type JamfSimulator,
  startJamfSimulator,
} from '../../src/dev/jamf-sim';
import { startWorkspaceOneSimulator, type WorkspaceOneSimulator } from '../../src/dev/workspace-one-sim';
import { inventoryKey } from '../../src/domain/inventory';
import { participantKey } from '../../src/domain/participant';
import { applyFileSnapshot } from '../../src/features/old-mdm/inventory-sync';
import { oldMdmDevicesOf } from '../../src/features/old-mdm/match-views';
import { readSyncState } from '../../src/features/old-mdm/sync-state';
import { WorkspaceOneInventory } from '../../src/integrations/workspace-one/ws1-inventory';
import { OldMdmSyncJob } from '../../src/workers/old-mdm-sync';
import {
  HOUR,
  jamfConnector,
  jamfMacs,
  jamfPhones,
  NOW,
  storedRows,
  syncDeps,
  ws1Connector,
  ws1Seeds,
} from '../features/old-mdm/old-mdm-fixtures';
import { FakeDirectory } from '../helpers/fakes';

describe('worker: old-MDM sync job', () => {
  let ws1: WorkspaceOneSimulator | undefined;
  let jamf: JamfSimulator | undefined;
  afterEach(async () => {
    await ws1?.stop();
    await jamf?.stop();
    ws1 = undefined;
    jamf = undefined;
  });

  it('runs every OLD_MDM_SYNC_MINUTES: full first, then incremental, then full again when the daily resync is due', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(40), now: () => NOW });
    const deps = await syncDeps();
    const job = new OldMdmSyncJob(deps, [{ inventory: ws1Connector(ws1), platforms: [] }], {
      syncMinutes: 15,
      fullSyncHours: 24,
    });
    assert.equal(job.intervalMs, 15 * 60_000);
    assert.deepEqual(
      (await job.runOnce()).map((r) => [r.kind, r.ok, r.listed]),
      [['full', true, 40]],
    );
    deps.clock.advance(15 * 60_000);
    assert.deepEqual(
      (await job.runOnce()).map((r) => r.kind),
      ['incremental'],
    );
    deps.clock.advance(24 * HOUR);
    assert.deepEqual(
      (await job.runOnce()).map((r) => r.kind),
      ['full'],
    );
  });

  it('Workspace ONE and Jamf configured together each sync their own devices and platforms', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(30), now: () => NOW });
    jamf = await startJamfSimulator({ computers: jamfMacs(12), mobileDevices: jamfPhones(4) });
    const deps = await syncDeps();
    const job = new OldMdmSyncJob(
      deps,
      [
        { inventory: ws1Connector(ws1), platforms: ['ios', 'ipados', 'android'] },
        {
          inventory: jamfConnector(jamf.url, { ...JAMF_CLIENT, computers: true, mobileDevices: false }),
          platforms: ['macos'],
        },
      ],
      { syncMinutes: 15, fullSyncHours: 24 },
    );
    const reports = await job.runOnce();
    assert.deepEqual(
      reports.map((r) => [r.source, r.ok, r.listed]),
      [
        ['workspace-one', true, 30],
        ['jamf', true, 12],
      ],
    );
    const jamfRows = await storedRows(deps.store, 'jamf');
    assert.equal(jamfRows.size, 12);
    assert.ok([...jamfRows.values()].every((r) => r.platform === 'macos' && r.vendor === 'jamf'));
    assert.equal((await storedRows(deps.store, 'workspace-one')).size, 30);
  });

  it('a failing source is recorded and does not stop the next one, and the job never throws', async () => {
    ws1 = await startWorkspaceOneSimulator({
      devices: ws1Seeds(10),
      now: () => NOW,
      clients: [{ clientId: 'no-role', clientSecret: 's3cret', permissions: [] }],
    });
    jamf = await startJamfSimulator({ computers: jamfMacs(3), mobileDevices: [] });
    const deps = await syncDeps();
    const job = new OldMdmSyncJob(
      deps,
      [
        {
          inventory: new WorkspaceOneInventory(
            {
              apiUrl: ws1.url,
              tokenUrl: ws1.tokenUrl,
              clientId: 'no-role',
              clientSecret: 's3cret',
              tenantCode: ws1.tenantCode,
            },
            { sleep: async () => undefined },
          ),
          platforms: [],
        },
        { inventory: jamfConnector(jamf.url, JAMF_CLIENT), platforms: [] },
      ],
      { syncMinutes: 15, fullSyncHours: 24 },
    );
    await job.run(new AbortController().signal);
    const ws1State = await readSyncState(deps.store, 'workspace-one');
    assert.equal(ws1State.lastErrorKind, 'permission');
    assert.match(ws1State.lastErrorMissing ?? '', /REST API Devices Read/);
    assert.equal((await readSyncState(deps.store, 'jamf')).lastRunOk, true);
    assert.equal((await storedRows(deps.store, 'jamf')).size, 3);
  });

  it('retries a 429 with Retry-After and completes; a malformed answer is recorded as bad-response', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(60), now: () => NOW });
    const deps = await syncDeps();
    const connector = ws1Connector(ws1);
    const job = new OldMdmSyncJob(deps, [{ inventory: connector, platforms: [] }], {
      syncMinutes: 15,
      fullSyncHours: 24,
    });
    ws1.controls.faults.add({ path: 'page=1', status: 429, retryAfterSeconds: 1, times: 1 });
    const [throttled] = await job.runOnce();
    assert.deepEqual([throttled!.ok, throttled!.listed], [true, 60]);

    deps.clock.advance(25 * HOUR);
    ws1.controls.malformNext(1);
    const [malformed] = await job.runOnce();
    assert.equal(malformed!.failure, 'bad-response');
    assert.equal((await readSyncState(deps.store, 'workspace-one')).lastErrorKind, 'bad-response');
  });

  it('stops when its time budget runs out and records it', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(10), now: () => NOW });
    ws1.controls.faults.setLatency(2_000);
    const deps = await syncDeps();
    const job = new OldMdmSyncJob(deps, [{ inventory: ws1Connector(ws1), platforms: [] }], {
      syncMinutes: 15,
      fullSyncHours: 24,
      budgetMs: 200,
    });
    const [report] = await job.runOnce();
    assert.equal(report!.ok, false);
    assert.equal(report!.failure, 'time-budget');
    assert.equal((await readSyncState(deps.store, 'workspace-one')).lastErrorKind, 'time-budget');
  });

  it('runs the matching pass after a round that changed rows, not after one that changed nothing', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(12), now: () => NOW });
    const deps = await syncDeps();
    const directory = new FakeDirectory();
    directory.candidates = [{ key: 'intune-5000', platform: 'android', serialNumber: 'WS1SER00000' }];
    const person = 'u0000000-0000-0000-0000-000000000000';
    const at = new Date(NOW).toISOString();
    await deps.store.participants.insert(participantKey(person), {
      aadObjectId: person,
      userPrincipalName: 'user0@example.com',
      firstSeenAt: at,
      lastSeenAt: at,
      version: 1,
    });
    const job = new OldMdmSyncJob({ ...deps, directory }, [{ inventory: ws1Connector(ws1), platforms: [] }], {
      syncMinutes: 15,
      fullSyncHours: 24,
    });

    // Read through a call: an assertion that it is undefined would otherwise narrow the property for good.
    const lastPass = () => job.lastMatchPass;
    const [full] = await job.runOnce();
    assert.equal(full!.inserted, 12);
    assert.equal(lastPass()?.devices, 12);
    assert.equal(lastPass()?.matched, 1);
    const row = (await deps.store.oldMdmDevices.get(inventoryKey('workspace-one', '5000')))!.value;
    assert.deepEqual(row.match, {
      kind: 'matched',
      candidateKey: 'intune-5000',
      by: 'serial',
      confidence: 1,
    });
    assert.deepEqual(
      (await oldMdmDevicesOf(deps.store, person)).map((d) => d.vendorId),
      ['5000'],
    );
    const graphReads = directory.calls;

    const [quiet] = await job.runOnce();
    assert.equal(quiet!.kind, 'incremental');
    assert.equal(quiet!.inserted + quiet!.updated + quiet!.revived + quiet!.gone, 0);
    assert.equal(lastPass(), undefined, 'nothing changed and the last pass is recent');
    assert.equal(directory.calls, graphReads, 'no Graph read either');

    ws1.controls.unenroll({ id: 5000 }, { remove: true });
    deps.clock.advance(25 * HOUR);
    const [resync] = await job.runOnce();
    assert.deepEqual([resync!.kind, resync!.gone], ['full', 1]);
    assert.equal(lastPass()?.gone, 1);
    const [copy] = await oldMdmDevicesOf(deps.store, person);
    assert.equal(copy!.goneAt, new Date(NOW + 25 * HOUR).toISOString());
  });

  it('with no API source, matches an export file once it is confirmed, and reads Graph for nothing before', async () => {
    const deps = await syncDeps();
    const directory = new FakeDirectory();
    directory.candidates = [{ key: 'intune-5000', platform: 'android', serialNumber: 'WS1SER00000' }];
    const job = new OldMdmSyncJob({ ...deps, directory }, [], { syncMinutes: 15, fullSyncHours: 24 });
    await job.runOnce();
    assert.equal(job.lastMatchPass, undefined, 'no source and no file: nothing to match');
    assert.equal(directory.calls, 0);

    const device = {
      source: 'file',
      vendor: 'workspace-one' as const,
      vendorId: '5000',
      name: 'Phone',
      platform: 'android' as const,
      serialNumber: 'WS1SER00000',
      ownership: 'corporate' as const,
      enrollment: 'enrolled' as const,
    };
    await applyFileSnapshot(deps, [device]);
    deps.clock.advance(60_000);
    await job.runOnce();
    const pass = () => job.lastMatchPass;
    assert.equal(pass()?.devices, 1);
    assert.equal(pass()?.matched, 1);
    await job.runOnce();
    assert.equal(pass(), undefined, 'matched already; the next pass waits for its time');
  });

  it('a failing matching pass is logged and leaves the synced inventory in place', async () => {
    ws1 = await startWorkspaceOneSimulator({ devices: ws1Seeds(5), now: () => NOW });
    const deps = await syncDeps();
    const directory = new FakeDirectory();
    directory.failWith = new Error('Graph unavailable');
    const job = new OldMdmSyncJob({ ...deps, directory }, [{ inventory: ws1Connector(ws1), platforms: [] }], {
      syncMinutes: 15,
      fullSyncHours: 24,
    });
    const [report] = await job.runOnce();
    assert.deepEqual([report!.ok, report!.inserted], [true, 5]);
    assert.equal(job.lastMatchPass, undefined);
    assert.equal((await storedRows(deps.store, 'workspace-one')).size, 5);
  });
});
