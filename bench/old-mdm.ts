/**
 * Benchmark: seeing the old MDM at scale. 100,000 devices in the Workspace ONE simulator, 60,000 of
 * them also in the tenant simulator (enrolled in Intune, with their Entra records), 2 % findable only
 * by user + platform + name, 0.5 % deliberately ambiguous (a stale second Intune record with the same
 * serial, the same device listed twice by Workspace ONE, two Intune devices with the same name).
 *
 * The product's path, measured alone: Azurite (in memory) and both simulators run as child processes
 * seeded from generated files, so this process holds only the product code it drives — the
 * production Workspace ONE connector and `syncSource` for the full sync, `runMatchPass` (the Graph
 * read, matching, the stored rows and each person's index) with the 50,000 people stored as
 * participants, then 1,000 changes in Workspace ONE (check-ins, unenrollments, new devices) and one
 * incremental sync. The stored rows' match and person are scored against the generator's truth
 * partition by partition, never all held at once. The last line:
 *
 *   old-mdm: devices=100000 matched=M ambiguous=A unmatched=U wrong=W full_requests=F incremental_requests=I peak_rss_mb=R
 *
 * M/A/U are what the stored rows say; W counts devices matched to the wrong Intune device or person
 * (a guess where the truth says ambiguous or unmatched is wrong too); F = the full sync's vendor
 * requests + the matching pass's Graph requests; I = the incremental sync's vendor requests; R =
 * this process's peak RSS, the process running the product code (the simulators and Azurite are
 * other processes and not counted).
 * Exits 1 when W > 0 or a sync did not store what the simulator listed, 2 when it could not run.
 * Run: npm run bench:old-mdm   (see docs/bench/old-mdm.md); `-- --devices N` for a smaller trial run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../src/dev/azurite';
import type { ManagedProcess } from '../src/dev/processes';
import { DEFAULT_CLIENT, DEFAULT_TENANT_CODE } from '../src/dev/workspace-one-sim';
import { inventoryKey, inventoryPartitions } from '../src/domain/inventory';
import { type Participant, participantKey } from '../src/domain/participant';
import { type SyncReport, syncSource } from '../src/features/old-mdm/inventory-sync';
import { type MatchPassReport, runMatchPass } from '../src/features/old-mdm/match-pass';
import { readSyncState } from '../src/features/old-mdm/sync-state';
import { credentialFor } from '../src/integrations/graph/credential';
import { GraphApi } from '../src/integrations/graph/graph-api';
import { GraphDeviceDirectory } from '../src/integrations/graph/graph-device-directory';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { WorkspaceOneInventory } from '../src/integrations/workspace-one/ws1-inventory';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import type { Store } from '../src/ports/store';
import { forEachBounded } from '../src/shared/bounded';
import { type BenchTruth, benchPerson, NEW_ID_BASE, WS1_ID_BASE, writeOldMdmBench } from './old-mdm-data';
import { bulkInsert, log, runBenchmark, startSimulator } from './shared';

/** `--devices N` (or BENCH_DEVICES=N) for a smaller trial of the same mix; 100,000 by default. */
function devicesArg(): number {
  const flag = process.argv.find((a) => a.startsWith('--devices='))?.slice('--devices='.length);
  const i = process.argv.indexOf('--devices');
  const value = Number(
    flag ?? (i >= 0 ? process.argv[i + 1] : undefined) ?? process.env.BENCH_DEVICES ?? 100_000,
  );
  if (!Number.isInteger(value) || value < 1_000) throw new Error('--devices must be a whole number ≥ 1000');
  return value;
}
const DEVICES = devicesArg();
const SHARED = Math.round(DEVICES * 0.6);
const NAME_ONLY = Math.round(DEVICES * 0.02);
const AMBIGUOUS = Math.round(DEVICES * 0.005);
const CHANGES = { seen: 970, unenrolled: 20, added: 10 };
const SOURCE = 'workspace-one';
const PREFIX = 'benchom';
/** The issue's aims. */
const AIM = { fullRequests: 210, incrementalRequests: 20, peakRssMb: 600 };
/**
 * The whole run must end within this (a hung simulator or Azurite fails the benchmark, not the
 * machine). The writes go as transactions of up to 100 rows, so at 100,000 devices Azurite serves
 * some 60,000 requests rather than the 800,000 of one write per row.
 */
const TIME_LIMIT_MS = 60 * 60_000;
/** The simulators parse their seed files (tens of MB) before they listen. */

const mb = (bytes: number) => Math.round(bytes / 1_048_576);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Peak RSS so far, RSS now and the live JS heap: a peak far above the heap is garbage V8 has not returned yet. */
function memory(): string {
  const m = process.memoryUsage();
  return `peak_rss=${peakRssMb()} MB rss=${mb(m.rss)} MB heap_used=${mb(m.heapUsed)} MB external=${mb(m.external)} MB`;
}

/** What runs now, for the sampler's lines. */
let phase = 'setup';
/**
 * Memory every 30 s (BENCH_MEMORY_SAMPLE_MS) while a phase runs, so a peak inside a phase shows
 * where it happened.
 */
function sampleMemory(): NodeJS.Timeout {
  let lastPeak = 0;
  const timer = setInterval(
    () => {
      const peak = peakRssMb();
      if (peak > lastPeak) log(`  memory during ${phase}: ${memory()}`);
      lastPeak = peak;
    },
    Number(process.env.BENCH_MEMORY_SAMPLE_MS ?? 30_000),
  );
  timer.unref();
  return timer;
}

/**
 * V8's collections while the pass runs (each `gc` performance entry is one pause of the process):
 * how many, and the longest and total pause of the full (mark-compact) ones.
 */
function watchGcPauses(): { stop(): string } {
  const full: number[] = [];
  let young = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      // NODE_PERFORMANCE_GC_MAJOR = 4 (mark-compact); the others are young-generation and weak-callback work.
      if (e.detail?.kind === 4) full.push(e.duration);
      else young++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      const total = full.reduce((a, b) => a + b, 0);
      return `${full.length} full (longest pause ${Math.round(Math.max(0, ...full))} ms, ${Math.round(total)} ms in all), ${young} others`;
    },
  };
}

function describe(r: SyncReport): string {
  return [
    `ok=${r.ok}${r.failure ? ` failure=${r.failure}` : ''}`,
    `listed=${r.listed}`,
    `inserted=${r.inserted}`,
    `updated=${r.updated}`,
    `revived=${r.revived}`,
    `gone=${r.gone}`,
    `requests=${r.requests}`,
    `time=${(r.durationMs / 1000).toFixed(1)}s`,
  ].join(' ');
}

function describePass(r: MatchPassReport): string {
  return [
    `devices=${r.devices}`,
    `matched=${r.matched}`,
    `ambiguous=${r.ambiguous}`,
    `unmatched=${r.unmatched}`,
    `person_missing=${r.personMissing}`,
    `graph_requests=${r.graphRequests}`,
    `entra_read=${r.entraRead}`,
    `intune_read=${r.intuneRead}${r.intuneReadNote ? ` (${r.intuneReadNote})` : ''}`,
    `rows_written=${r.rowsWritten}`,
    `index_written=${r.indexWritten}`,
    `people_marked=${r.peopleMarked}`,
    `time=${(r.durationMs / 1000).toFixed(1)}s`,
    `(read+match ${(r.phaseMs.match / 1000).toFixed(1)}s, copies ${(r.phaseMs.copies / 1000).toFixed(1)}s, markers ${(r.phaseMs.markers / 1000).toFixed(1)}s, rows ${(r.phaseMs.rows / 1000).toFixed(1)}s)`,
  ].join(' ');
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
}

/** The people as the bot knows them: one participant row each (UPN, no mail, no wave). */
async function seedParticipants(connectionString: string, people: number): Promise<void> {
  const table = TableClient.fromConnectionString(connectionString, `${PREFIX}Participants`, {
    allowInsecureConnection: connectionString.includes('http://'),
  });
  const now = new Date().toISOString();
  // In slices, so the rows being written never add up to much memory here.
  for (let from = 0; from < people; from += 1_000) {
    const rows = [];
    for (let u = from; u < Math.min(people, from + 1_000); u++) {
      const { id, userPrincipalName } = benchPerson(u);
      const value: Participant = {
        aadObjectId: id,
        userPrincipalName,
        firstSeenAt: now,
        lastSeenAt: now,
        version: 1,
      };
      rows.push({ key: participantKey(id), value });
    }
    await bulkInsert(table, rows);
  }
}

interface Score {
  rows: number;
  found: { matched: number; ambiguous: number; unmatched: number };
  wrong: number;
  missed: number;
  personMissed: number;
}

/** The stored rows' match and person against the truth, one partition at a time. */
async function score(store: Store, truth: BenchTruth): Promise<Score> {
  const s: Score = {
    rows: 0,
    found: { matched: 0, ambiguous: 0, unmatched: 0 },
    wrong: 0,
    missed: 0,
    personMissed: 0,
  };
  await forEachBounded(inventoryPartitions(), 8, async (partition) => {
    for await (const { value: row } of store.oldMdmDevices.listPartition(partition)) {
      if (row.source !== SOURCE || row.goneAt) continue;
      s.rows++;
      const t = truth.get(row.vendorId);
      if (!t) throw new Error(`device ${row.vendorId} is not in the generator's truth`);
      const m = row.match;
      if (!m) throw new Error(`device ${row.vendorId} has no stored match after the pass`);
      s.found[m.kind]++;
      const wrongDevice = m.kind === 'matched' && (t.kind !== 'matched' || m.candidateKey !== t.candidateKey);
      const owner = row.person && 'aadObjectId' in row.person ? row.person.aadObjectId : undefined;
      const wrongPerson = owner !== undefined && owner !== t.personId;
      if (wrongDevice || wrongPerson) {
        s.wrong++;
        if (s.wrong <= 5)
          log(`wrong: device ${row.vendorId} (${t.kind}) → ${m.kind}${wrongPerson ? ', wrong person' : ''}`);
      } else if (m.kind !== t.kind) s.missed++;
      if (!owner) s.personMissed++;
    }
  });
  return s;
}

async function main(): Promise<number> {
  const deadline = AbortSignal.timeout(TIME_LIMIT_MS);
  const sampler = sampleMemory();
  const dir = mkdtempSync(path.join(tmpdir(), 'old-mdm-bench-'));
  const files = { ws1: path.join(dir, 'ws1.json'), tenant: path.join(dir, 'tenant.json') };
  log(`generating ${DEVICES} Workspace ONE devices, ${SHARED} of them also in Intune/Entra, into ${dir}`);
  const data = writeOldMdmBench(
    { devices: DEVICES, shared: SHARED, nameOnly: NAME_ONLY, ambiguous: AMBIGUOUS },
    files,
  );
  const { truth } = data;
  log(
    `generated: ${data.people} people, ${data.tenantDevices} tenant devices; mix ${Object.entries(data.mix)
      .map(([k, n]) => `${k}=${n}`)
      .join(' ')}; ${memory()}`,
  );

  log(
    'starting Azurite (in memory), the tenant simulator and the Workspace ONE simulator, each its own process',
  );
  const azurite = await startAzurite({ inMemory: true });
  const running: ManagedProcess[] = [];
  try {
    const [tenantSim, ws1Sim] = await Promise.all([
      startSimulator({
        tag: 'sim',
        main: path.join(__dirname, '..', 'src', 'dev', 'tenant-sim-main.ts'),
        env: { SIM_PORT: '{port}', SIM_HOST: '127.0.0.1', SIM_SEED_FILE: files.tenant },
        ready: '/_sim/health',
      }),
      startSimulator({
        tag: 'ws1',
        main: path.join(__dirname, '..', 'src', 'dev', 'workspace-one-sim', 'main.ts'),
        env: { WS1_SIM_PORT: '{port}', WS1_SIM_HOST: '127.0.0.1', WS1_SIM_SEED_FILE: files.ws1 },
        ready: '/_sim/stats',
      }),
    ]);
    running.push(tenantSim.process, ws1Sim.process);
    rmSync(dir, { recursive: true, force: true });
    log(
      `simulators seeded and listening (tenant ${tenantSim.url}, Workspace ONE ${ws1Sim.url}); ${memory()}`,
    );

    const storage = createAzureStorage({ connectionString: azurite.connectionString, prefix: PREFIX });
    await storage.ensureCreated();
    const { store } = storage;
    await seedParticipants(azurite.connectionString, data.people);
    log(`stored ${data.people} participants (the people matching looks devices' users up in); ${memory()}`);
    const logger = createLogger('warn');
    const deps = { store, clock: systemClock, logger };
    const inventory = new WorkspaceOneInventory(
      {
        apiUrl: ws1Sim.url,
        tokenUrl: `${ws1Sim.url}/connect/token`,
        clientId: DEFAULT_CLIENT.clientId,
        clientSecret: DEFAULT_CLIENT.clientSecret,
        tenantCode: DEFAULT_TENANT_CODE,
      },
      { source: SOURCE, logger },
    );

    // 1. The full sync.
    phase = 'the full sync';
    log('full sync: every page of the Workspace ONE device search into the inventory table…');
    const full = await syncSource(deps, inventory, { full: true, signal: deadline });
    log(`full sync: ${describe(full)}; ${memory()}`);
    let ok = full.ok && full.listed === DEVICES && full.inserted === DEVICES;
    if (!ok) log(`FAILED: the full sync stored ${full.inserted} of ${DEVICES} devices`);

    // 2. The product's matching pass: Graph's devices, the stored inventory and the participants.
    const directory = new GraphDeviceDirectory(
      new GraphApi({
        baseUrl: tenantSim.url,
        credential: credentialFor({ kind: 'simulator' }),
        maxAttempts: 5,
      }),
    );
    await post(`${tenantSim.url}/_sim/stats/reset`, {});
    phase = 'the matching pass';
    log('matching pass: runMatchPass over the stored inventory…');
    const pauses = watchGcPauses();
    const pass = await runMatchPass({ ...deps, directory }, { signal: deadline });
    log(`collections during the pass: ${pauses.stop()}`);
    const served = ((await (await fetch(`${tenantSim.url}/_sim/stats`)).json()) as { total: number }).total;
    log(`matching pass: ${describePass(pass)} (tenant simulator served ${served}); ${memory()}`);

    // Scored against the generator's truth, from what the pass stored.
    phase = 'scoring';
    const s = await score(store, truth);
    const expected = truth.counts();
    log(
      `truth: matched=${expected.matched} ambiguous=${expected.ambiguous} unmatched=${expected.unmatched}; ` +
        `stored: matched=${s.found.matched} ambiguous=${s.found.ambiguous} unmatched=${s.found.unmatched} of ${s.rows} rows; ` +
        `wrong=${s.wrong} missed=${s.missed} (not guessed, but not what the truth says) people not found=${s.personMissed}; ${memory()}`,
    );
    if (s.rows !== DEVICES) {
      ok = false;
      log(`FAILED: ${s.rows} stored rows scored, ${DEVICES} expected`);
    }

    // 3. 1,000 changes in Workspace ONE, then one incremental sync from the full sync's start.
    const step = Math.min(97, Math.floor(DEVICES / 1_000));
    const ids = Array.from({ length: CHANGES.seen + CHANGES.unenrolled }, (_, i) => WS1_ID_BASE + i * step);
    const moves = [
      ...ids.slice(0, CHANGES.seen).map((id) => ['seen', { id }] as const),
      ...ids.slice(CHANGES.seen).map((id) => ['unenroll', { id }] as const),
    ];
    await forEachBounded(moves, 8, ([move, ref]) => post(`${ws1Sim.url}/_sim/devices/${move}`, ref));
    await forEachBounded(
      Array.from({ length: CHANGES.added }, (_, i) => i),
      4,
      (i) =>
        post(`${ws1Sim.url}/_sim/devices`, {
          id: NEW_ID_BASE + i,
          friendlyName: `New device ${i}`,
          userName: benchPerson(i).userPrincipalName,
          platform: 'Android',
          model: 'Galaxy S24',
          serialNumber: `NEW${String(i).padStart(9, '0')}`,
        }),
    );
    log(
      `changed ${CHANGES.seen + CHANGES.unenrolled + CHANGES.added} devices in Workspace ONE: ${CHANGES.seen} checked in, ${CHANGES.unenrolled} unenrolled, ${CHANGES.added} new`,
    );
    const state = await readSyncState(store, SOURCE);
    if (!state.lastFullSyncAt) throw new Error('the full sync recorded no time');
    phase = 'the incremental sync';
    const incremental = await syncSource(deps, inventory, {
      full: false,
      since: new Date(state.lastFullSyncAt),
      signal: deadline,
    });
    log(`incremental sync: ${describe(incremental)}; ${memory()}`);
    const changed = CHANGES.seen + CHANGES.unenrolled;
    const incrementalOk =
      incremental.ok &&
      incremental.listed === changed + CHANGES.added &&
      incremental.inserted === CHANGES.added &&
      incremental.updated === changed &&
      incremental.gone === 0;
    if (!incrementalOk) {
      log(
        `FAILED: the incremental sync should list ${changed + CHANGES.added}, insert ${CHANGES.added} and update ${changed}`,
      );
    }
    const unenrolledRows = await Promise.all(
      ids
        .slice(CHANGES.seen)
        .map(
          async (id) => (await store.oldMdmDevices.get(inventoryKey(SOURCE, String(id))))?.value.enrollment,
        ),
    );
    const unenrolledStored = unenrolledRows.filter((e) => e === 'unenrolled').length;
    log(`stored as unenrolled: ${unenrolledStored}/${CHANGES.unenrolled}`);
    ok = ok && incrementalOk && unenrolledStored === CHANGES.unenrolled && s.wrong === 0;

    const fullRequests = full.requests + pass.graphRequests;
    const wsPages = Math.ceil(DEVICES / 500);
    log(
      `requests: full = ${full.requests} Workspace ONE (token + ${wsPages} pages of 500) + ${pass.graphRequests} Graph ` +
        `(Intune ${pass.intuneRead === 'export' ? 'one page, then the Devices report export: job, polls, download' : 'managedDevices 1,000 a page'}${pass.entraRead ? ', Entra devices 999 a page' : '; Entra not read: Workspace ONE lists no Entra device id'}) = ${fullRequests}; aim ${AIM.fullRequests}: ` +
        `Workspace ONE part ${full.requests <= AIM.fullRequests ? 'meets it' : 'exceeds it'}, the sum ${fullRequests <= AIM.fullRequests ? 'meets it' : 'exceeds it'}`,
    );
    const peak = peakRssMb();
    if (incremental.requests > AIM.incrementalRequests)
      log(`WARNING: incremental requests ${incremental.requests} > ${AIM.incrementalRequests}`);
    if (peak >= AIM.peakRssMb) log(`WARNING: peak RSS ${peak} MB >= ${AIM.peakRssMb} MB`);
    if (s.wrong > 0) log(`FAILED: ${s.wrong} devices matched to the wrong Intune device or person`);
    process.stdout.write(
      `old-mdm: devices=${DEVICES} matched=${s.found.matched} ambiguous=${s.found.ambiguous} unmatched=${s.found.unmatched} wrong=${s.wrong} full_requests=${fullRequests} incremental_requests=${incremental.requests} peak_rss_mb=${peak}\n`,
    );
    return ok ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await Promise.all(running.map((p) => p.stop(5_000)));
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBenchmark('old-mdm', main);
