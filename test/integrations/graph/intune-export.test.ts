import assert from 'node:assert/strict';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { exportJobSettings, startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import type { MatchCandidate } from '../../../src/domain/device-matching';
import { GraphDeviceDirectory } from '../../../src/integrations/graph/graph-device-directory';
import { mergeCandidates } from '../../../src/integrations/graph/graph-match-candidates';
import { EXPORT_COLUMNS, recordsOf } from '../../../src/integrations/graph/intune-export';
import { bigSeed } from './big-seed';
import { simulatorGraphApi } from './simulator-graph';

const noWait = async (): Promise<void> => {};

async function graph(
  sim: TenantSimulator,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/v1.0${path}`, {
    method,
    headers: { Authorization: 'Bearer test-token', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const withoutUdid = (cs: readonly MatchCandidate[]) =>
  cs.map(({ udid: _udid, ...rest }) => rest).sort((a, b) => a.key.localeCompare(b.key));

describe('integration: Intune read as a report export (tenant simulator)', () => {
  let sim: TenantSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('reads a tenant larger than one page through the Devices export: same candidates, a handful of requests', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 0 });
    const api = simulatorGraphApi(sim).api;
    const paged = await new GraphDeviceDirectory(api, { intuneRead: 'paged' }).matchCandidates(
      undefined,
      new Set(),
    );
    sim.stats.reset();
    const read = await new GraphDeviceDirectory(api, { sleep: noWait }).matchCandidates(undefined, new Set());
    assert.equal(read.intuneRead, 'export');
    assert.equal(read.intuneReadNote, undefined);
    assert.equal(sim.stats.byRoute['GET /deviceManagement/managedDevices'], 1, 'one page tells the size');
    assert.equal(sim.stats.byRoute['POST /deviceManagement/reports/exportJobs'], 1);
    assert.equal(sim.stats.byRoute['GET /deviceManagement/reports/{job}'], 1, 'one poll: the job was done');
    assert.equal(read.requests, 4, 'page + job + poll + download (2 pages when paged)');
    assert.equal(read.candidates.length, 1100);
    assert.deepEqual(withoutUdid(read.candidates), withoutUdid(paged.candidates));
    assert.ok(
      read.candidates.every((c) => c.udid === undefined),
      'the report has no UDID column',
    );
    const iphone = read.candidates.find((c) => c.serialNumber === 'SER7')!;
    assert.equal(iphone.platform, 'ios');
    assert.equal(iphone.imei, '350000000000007');
    assert.equal(iphone.ownerId, 'u-pat');
  });

  it('reads a one-page tenant page by page: the export would cost more', async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    sim.stats.reset();
    const read = await new GraphDeviceDirectory(simulatorGraphApi(sim).api, {
      sleep: noWait,
    }).matchCandidates(undefined, new Set());
    assert.equal(read.intuneRead, 'paged');
    assert.equal(read.requests, 1);
    assert.equal(sim.stats.byRoute['POST /deviceManagement/reports/exportJobs'] ?? 0, 0);
  });

  it('polls a job that takes its time, with waits that grow', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 400 });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((r) => setTimeout(r, 150));
    };
    const read = await new GraphDeviceDirectory(simulatorGraphApi(sim).api, { sleep }).matchCandidates(
      undefined,
      new Set(),
    );
    assert.equal(read.intuneRead, 'export');
    assert.ok(waits.length >= 2, `polled ${waits.length} time(s)`);
    assert.deepEqual(waits.slice(0, 3), [1000, 2000, 4000].slice(0, Math.min(3, waits.length)));
    assert.equal(read.requests, 1 + 1 + waits.length + 1);
  });

  it('falls back to the pages when Intune fails the job, and says why', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { failJobs: true });
    sim.stats.reset();
    const read = await new GraphDeviceDirectory(simulatorGraphApi(sim).api, {
      sleep: noWait,
    }).matchCandidates(undefined, new Set());
    assert.equal(read.intuneRead, 'paged');
    assert.match(
      read.intuneReadNote ?? '',
      /export not used: Intune reported the export job Devices_\S+ as failed/,
    );
    assert.equal(read.candidates.length, 1100);
    assert.equal(
      sim.stats.byRoute['GET /deviceManagement/managedDevices'],
      2,
      'the first page is not read twice',
    );
    assert.ok(
      read.candidates.some((c) => c.udid),
      'the pages carry UDIDs',
    );
  });

  it('falls back when the job is refused for want of permission, and does not ask again for a day', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 0 });
    sim.faults.add({ method: 'POST', path: '/deviceManagement/reports/exportJobs', status: 403 });
    const directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api, { sleep: noWait });
    const refused = await directory.matchCandidates(undefined, new Set());
    assert.equal(refused.intuneRead, 'paged');
    assert.match(refused.intuneReadNote ?? '', /refused: .*403/);
    assert.equal(refused.candidates.length, 1100);
    assert.equal(refused.requests, 3, 'page, refused job, second page');

    sim.stats.reset();
    const next = await directory.matchCandidates(undefined, new Set());
    assert.equal(sim.stats.byRoute['POST /deviceManagement/reports/exportJobs'] ?? 0, 0, 'not asked again');
    assert.equal(next.intuneRead, 'paged');
    assert.match(next.intuneReadNote ?? '', /not tried: Intune refused it for want of permission/);
    assert.equal(next.requests, 2);
  });

  it('falls back when the job takes longer than allowed', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 3_600_000 });
    const directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api, {
      sleep: noWait,
      deadlineMs: 3_500,
    });
    const late = await directory.matchCandidates(undefined, new Set());
    assert.equal(late.intuneRead, 'paged');
    assert.match(late.intuneReadNote ?? '', /still (notStarted|inProgress) after 3 s/);
    assert.equal(late.requests, 1 + 1 + 2 + 1, 'page, job, two polls (1 s, 2 s), then the second page');
  });

  it('stops waiting for the job when the pass is cancelled', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 3_600_000 });
    const controller = new AbortController();
    sim.stats.reset();
    const read = new GraphDeviceDirectory(simulatorGraphApi(sim).api).matchCandidates(
      controller.signal,
      new Set(),
    );
    while (!sim.stats.byRoute['POST /deviceManagement/reports/exportJobs'])
      await new Promise((r) => setImmediate(r));
    controller.abort();
    await assert.rejects(read, { name: 'AbortError' });
    assert.equal(sim.stats.byRoute['GET /deviceManagement/reports/{job}'] ?? 0, 0, 'no poll after the abort');
  });

  it('retries a throttled poll as any Graph request', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    exportJobSettings(sim.tenant, { delayMs: 0 });
    sim.faults.add({ method: 'GET', path: '/deviceManagement/reports/', status: 429, retryAfterSeconds: 1 });
    const g = simulatorGraphApi(sim, { fastSleep: true });
    const read = await new GraphDeviceDirectory(g.api, { sleep: noWait }).matchCandidates(
      undefined,
      new Set(),
    );
    assert.equal(read.intuneRead, 'export');
    assert.deepEqual(g.retries(), [{ status: 429, delayMs: 1000 }]);
  });
});

describe('tenant simulator: the Devices report export', () => {
  let sim: TenantSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('answers a job as Graph documents it: notStarted, then completed with a download outside Graph', async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    exportJobSettings(sim.tenant, { delayMs: 300 });
    const created = await graph(sim, 'POST', '/deviceManagement/reports/exportJobs', {
      reportName: 'Devices',
      select: ['DeviceId', 'DeviceName', 'SerialNumber'],
      format: 'csv',
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.status, 'notStarted');
    assert.equal(created.json.url, null);
    const id = created.json.id as string;
    assert.match(id, /^Devices_[0-9a-f-]{36}$/);
    const early = await fetch(`${sim.url}/_blob/exports/${id}.zip`);
    assert.equal(early.status, 404, 'no file before the job is done');
    await early.body?.cancel();

    let job = created.json;
    while (job.status !== 'completed') {
      await new Promise((r) => setTimeout(r, 100));
      job = (await graph(sim, 'GET', `/deviceManagement/reports/exportJobs('${id}')`)).json;
      assert.ok(['notStarted', 'inProgress', 'completed'].includes(job.status as string));
    }
    const file = await fetch(job.url as string);
    assert.equal(file.status, 200, 'no bearer token needed for the file');
    const records = recordsFromColumns(new Uint8Array(await file.arrayBuffer()));
    assert.deepEqual(records[0], ['DeviceId', 'DeviceName', 'SerialNumber']);
    assert.equal(records.length - 1, [...sim.tenant.managedDevices()].length);
  });

  it('refuses another report, an unknown column and a filter; an unknown job is 404', async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    const other = await graph(sim, 'POST', '/deviceManagement/reports/exportJobs', {
      reportName: 'AllAppsList',
    });
    assert.equal(other.status, 400);
    const column = await graph(sim, 'POST', '/deviceManagement/reports/exportJobs', {
      reportName: 'Devices',
      select: ['DeviceId', 'Udid'],
    });
    assert.equal(column.status, 400);
    assert.match(JSON.stringify(column.json), /Invalid select column\(s\) for report Devices: Udid/);
    const filtered = await graph(sim, 'POST', '/deviceManagement/reports/exportJobs', {
      reportName: 'Devices',
      filter: "(OwnerType eq '1')",
    });
    assert.equal(filtered.status, 400);
    const missing = await graph(sim, 'GET', "/deviceManagement/reports/exportJobs('Devices_nope')");
    assert.equal(missing.status, 404);
  });
});

/** The CSV's rows as arrays of strings, header first (a small reader for the test only). */
function recordsFromColumns(zip: Uint8Array): string[][] {
  const files = unzipSync(zip);
  const text = new TextDecoder().decode(Object.values(files)[0]!);
  return text
    .trim()
    .split('\r\n')
    .map((line) => line.slice(1, -1).split('","'));
}

describe('Intune export file', () => {
  const header = EXPORT_COLUMNS.map((c) => `"${c}"`).join(',');
  const zipOf = (csv: string, name = 'Devices_x.csv') => zipSync({ [name]: strToU8(csv) });

  it('reads quoted values with commas and quotes, the numeric OS codes, and empty fields as absent', () => {
    const row = [
      'id-1',
      'Pat\'s "work", laptop',
      '4',
      'MacBook Pro',
      'C02X',
      '',
      '',
      'b0000000-0000-4000-8000-000000000001',
      'pat@example.com',
      'u-pat',
    ];
    const records = recordsOf(
      zipOf(`\uFEFF${header}\r\n${row.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')}\r\n`),
    );
    assert.deepEqual(records, [
      {
        id: 'id-1',
        deviceName: 'Pat\'s "work", laptop',
        operatingSystem: 'macOS',
        model: 'MacBook Pro',
        serialNumber: 'C02X',
        azureADDeviceId: 'b0000000-0000-4000-8000-000000000001',
        userPrincipalName: 'pat@example.com',
        userId: 'u-pat',
      },
    ]);
  });

  it('reads the display names Intune heads its exports with, and tells iPhones from iPads under "iOS/iPadOS"', () => {
    const head =
      '"Device ID","Device name","OS","Model","Serial number","IMEI","MEID","Azure AD Device ID","Primary user UPN","UserId","Extra column"';
    const rows = [
      '"m-1","Pat\'s iPhone","iOS/iPadOS","iPhone 15","F2L1","352090000000013","","b0000000-0000-4000-8000-000000000001","pat@example.com","u-pat","x"',
      '"m-2","Pat\'s iPad","iOS/iPadOS","iPad Air","F2L2","","","","pat@example.com","u-pat","y"',
    ];
    const records = recordsOf(zipOf(`${head}\r\n${rows.join('\r\n')}\r\n`));
    assert.deepEqual(
      records.map((r) => [r.id, r.serialNumber, r.azureADDeviceId, r.userPrincipalName, r.operatingSystem]),
      [
        ['m-1', 'F2L1', 'b0000000-0000-4000-8000-000000000001', 'pat@example.com', 'iOS'],
        ['m-2', 'F2L2', undefined, 'pat@example.com', 'iOS'],
      ],
    );
    assert.deepEqual(
      mergeCandidates(records, []).map((c) => c.platform),
      ['ios', 'ipados'],
      'the model settles iPhone and iPad, as with the paged read',
    );
  });

  it('refuses what is not the export: not a zip, no CSV, a missing column, a row without its id', () => {
    assert.throws(() => recordsOf(strToU8('not a zip')));
    assert.throws(() => recordsOf(zipSync({ 'readme.txt': strToU8('x') })), /one CSV file/);
    assert.throws(
      () => recordsOf(zipOf('"DeviceId","DeviceName"\r\n"a","b"\r\n')),
      /lacks the column\(s\) OS/,
    );
    assert.throws(
      () => recordsOf(zipOf(`${header}\r\n${EXPORT_COLUMNS.map(() => '""').join(',')}\r\n`)),
      /no DeviceId/,
    );
    assert.deepEqual(recordsOf(zipOf(`${header}\r\n`)), [], 'an empty tenant exports a header only');
  });
});
