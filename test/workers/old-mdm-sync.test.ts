import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT as JAMF_CLIENT,
  type JamfSimulator,
  startJamfSimulator,
} from '../../src/dev/jamf-sim';
import { startWorkspaceOneSimulator, type WorkspaceOneSimulator } from '../../src/dev/workspace-one-sim';
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
});
