/**
 * Benchmark: the largest wave import an admin can make (50,000 CSV rows) from preview to save.
 *
 * Real parts only: one Azurite (in memory) for storage, the tenant simulator over
 * HTTP for Graph (GraphApi + GraphDeviceDirectory, as in production), and the production import
 * modules: parse the CSV, resolve every row (directory look-ups through $batch, the current wave of
 * every user), keep the preview as a draft, load it back, and write the members. 5 % of the users
 * already sit in the announced pilot (they must stay there), and the file carries rows the parser
 * refuses and UPNs the directory does not know. Afterwards every user is checked: the new members
 * are in the wave with an index row, the pilot's people are not.
 *
 * Last line:
 *   import: rows=R preview_s=P save_s=S graph_requests=G batch_ratio=B members_per_s=M ops_per_member=K storage_ops_per_s=O account_target_ratio=A
 * B = the fewest Graph requests $batch allows (users looked up ÷ 20) ÷ the requests made (1.0 is the
 * best possible); M = members added ÷ S (S runs from loading the draft to the saved result); K =
 * participant and wave-index table requests per member saved (a single-row call, a transaction of up
 * to 100 rows, or a page of a listing each count one); O = those requests per second while saving;
 * A = O ÷ 20,000, Azure Storage's scalability target per account. Exits 1 when a member is missing
 * or misplaced.
 * Flags: --rows N (1,000–50,000; default 50,000, or BENCH_ROWS). Environment (optional):
 * BENCH_STORAGE_CONNECTION_STRING runs it against an account of your own.
 * Run: npm run bench:import [-- --rows 5000]   (see docs/bench/import.md)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../src/dev/azurite';
import { generateTenant, startTenantSimulator } from '../src/dev/tenant-sim';
import { type Wave, waveKey, waveMemberKey } from '../src/domain/campaign';
import { parseCsvImport } from '../src/domain/member-import-csv';
import { type Participant, participantKey } from '../src/domain/participant';
import { type ImportDraft, loadImportDraft, saveImportDraft } from '../src/features/admin/import-drafts';
import { resolveImport } from '../src/features/admin/member-resolve';
import { saveMembers } from '../src/features/admin/member-save';
import { readParticipants } from '../src/features/partition-reads';
import { waveMembersOf } from '../src/features/waves';
import { credentialFor } from '../src/integrations/graph/credential';
import { GraphApi } from '../src/integrations/graph/graph-api';
import { GraphDeviceDirectory } from '../src/integrations/graph/graph-device-directory';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { createLogger } from '../src/logging';
import { systemClock } from '../src/ports/clock';
import type { Repository } from '../src/ports/store';
import { bulkInsert, intOption, log, runBenchmark } from './shared';

/** `--rows N` (or BENCH_ROWS) for a smaller run; the default is the largest import an admin can make. */
const ROWS = intOption('rows', 'BENCH_ROWS', 50_000, 1_000, 50_000);
const IN_PILOT = 0.05;
const BAD_ROWS = 200;
const UNKNOWN = 300;
const WAVE_ID = 'wave-bench';
const PILOT_ID = 'pilot';
/** Azure Storage's scalability target: 20,000 requests per second per storage account. */
const ACCOUNT_TARGET = 20_000;
const ADMIN = { aadObjectId: 'bench-admin', name: 'Bench Admin' };

function wave(id: string, name: string, order: number, state: Wave['state'], now: string): Wave {
  return {
    id,
    name,
    order,
    state,
    conditionalAccess: { kind: 'none' },
    reminders: { deferralLimit: 3, enabled: true },
    estimatedMinutes: 20,
    createdAt: now,
  };
}

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const own = process.env.BENCH_STORAGE_CONNECTION_STRING;
  log('starting Azurite (in memory) and the tenant simulator');
  const azurite = own
    ? { connectionString: own, stop: async () => {} }
    : await startAzurite({ inMemory: true });
  const seed = generateTenant({ users: ROWS - BAD_ROWS - UNKNOWN, devicesPerUser: 0 });
  const sim = await startTenantSimulator({ seed });
  try {
    const prefix = `im${Date.now().toString(36)}`;
    const storage = createAzureStorage({ connectionString: azurite.connectionString, prefix });
    await storage.ensureCreated();
    const store = storage.store;
    const now = new Date().toISOString();
    await store.waves.insert(waveKey(PILOT_ID), wave(PILOT_ID, 'Pilot', 0, 'announced', now));
    await store.waves.insert(waveKey(WAVE_ID), wave(WAVE_ID, 'Wave 1', 1, 'draft', now));

    const users = seed.users ?? [];
    const byId = new Map(users.map((u) => [u.id.toLowerCase(), u]));
    const pilot = new Set(
      users.filter((_, i) => i % Math.round(1 / IN_PILOT) === 0).map((u) => u.id.toLowerCase()),
    );
    await bulkInsert<Participant>(
      TableClient.fromConnectionString(azurite.connectionString, `${prefix}Participants`, {
        allowInsecureConnection: true,
      }),
      [...pilot].map((id) => {
        const u = byId.get(id)!;
        return {
          key: participantKey(id),
          value: {
            aadObjectId: id,
            userPrincipalName: u.userPrincipalName,
            displayName: u.displayName,
            waveId: PILOT_ID,
            firstSeenAt: now,
            lastSeenAt: now,
            version: 1,
          },
        };
      }),
    );
    await bulkInsert(
      TableClient.fromConnectionString(azurite.connectionString, `${prefix}WaveMembers`, {
        allowInsecureConnection: true,
      }),
      [...pilot].map((id) => ({
        key: waveMemberKey(PILOT_ID, id),
        value: {
          waveId: PILOT_ID,
          aadObjectId: id,
          userPrincipalName: byId.get(id)!.userPrincipalName,
          addedAt: now,
        },
      })),
    );
    log(`seeded ${users.length} directory users, ${pilot.size} of them in the announced pilot`);

    // Every user once, with the refused and unknown rows spread through the file: ROWS rows in all.
    const rows = users.map((u) => `${u.userPrincipalName};Sales`);
    for (let i = 0; i < BAD_ROWS; i++)
      rows.splice(Math.floor((i * rows.length) / BAD_ROWS), 0, 'not an address;Sales');
    for (let i = 0; i < UNKNOWN; i++)
      rows.splice(Math.floor((i * rows.length) / UNKNOWN) + 1, 0, `nobody${i}@example.com;Sales`);
    const csv = ['UserPrincipalName;Department', ...rows].join('\r\n');
    // Every table request of the import, counted (the same requests go to Azure Tables in
    // production): a single-row call, a transaction, or a page of a listing (1,000 rows).
    const calls: Record<string, number> = {};
    let storageOps = 0;
    let rowsWritten = 0;
    const count = (kind: string, n = 1) => {
      calls[kind] = (calls[kind] ?? 0) + n;
      storageOps += n;
    };
    const counting = <R>(kind: string, op: () => R): R => {
      count(kind);
      return op();
    };
    /** A listing costs a request per page of up to 1,000 rows. */
    async function* pagesCounted<R>(name: string, rows: AsyncIterable<R>): AsyncIterable<R> {
      let n = 0;
      count(`${name}.list`);
      for await (const row of rows) {
        if (++n % 1000 === 0) count(`${name}.list`);
        yield row;
      }
    }
    const counted = <T>(name: string, repo: Repository<T>): Repository<T> => ({
      get: (key) => counting(`${name}.get`, () => repo.get(key)),
      insert: (key, value) => counting(`${name}.insert`, () => repo.insert(key, value)),
      replace: (key, value, etag) => counting(`${name}.replace`, () => repo.replace(key, value, etag)),
      delete: (key, etag) => counting(`${name}.delete`, () => repo.delete(key, etag)),
      update: (key, mutate) =>
        repo.update(key, (cur) => {
          count(`${name}.update`, 2);
          return mutate(cur);
        }),
      transact: (pk, actions) => {
        count(`${name}.transact`);
        rowsWritten += actions.length;
        return repo.transact(pk, actions);
      },
      listPartition: (pk, range) => pagesCounted(name, repo.listPartition(pk, range)),
      listPartitions: (partitions, range) => pagesCounted(name, repo.listPartitions(partitions, range)),
    });
    const countedStore = {
      ...store,
      participants: counted('participants', store.participants),
      waveMembers: counted('waveMembers', store.waveMembers),
    };
    const deps = {
      store: countedStore,
      directory: new GraphDeviceDirectory(
        new GraphApi({ baseUrl: sim.url, credential: credentialFor({ kind: 'simulator' }), maxAttempts: 5 }),
      ),
      clock: systemClock,
      logger: createLogger('warn'),
    };

    // Preview: what the admin waits for after pressing "Preview".
    sim.stats.reset();
    const previewStart = Date.now();
    const parsed = parseCsvImport(csv);
    const plan = await resolveImport(deps, parsed.entries, WAVE_ID, { parseProblems: parsed.problems });
    const draft: ImportDraft<{ name: string }> = {
      actorAadObjectId: ADMIN.aadObjectId,
      waveId: WAVE_ID,
      isNew: false,
      settings: { name: 'Wave 1' },
      resolved: plan,
      parseProblems: parsed.problems,
      createdAt: new Date().toISOString(),
    };
    const resolvedS = (Date.now() - previewStart) / 1000;
    const savedDraft = await saveImportDraft(deps, draft);
    if (!savedDraft.ok) throw new Error(`the draft is too large (${savedDraft.chars} characters)`);
    const previewS = (Date.now() - previewStart) / 1000;
    const graphRequests = sim.stats.total;
    const lookedUp = parsed.entries.length;
    const c = plan.summary.counts;
    log(
      `preview of ${ROWS} rows in ${previewS.toFixed(1)} s: ${parsed.entries.length} readable rows, ${c.invalidRows} refused by the parser, ${c.add} to add, ${c.inOtherWave} in the pilot, ${c.notFound} not in the directory, ${c.lookupFailed} failed look-ups; ${graphRequests} Graph requests; parsed and resolved in ${resolvedS.toFixed(1)} s, the draft kept in ${(previewS - resolvedS).toFixed(1)} s`,
    );

    // Save: what the admin waits for after pressing "Save".
    const saveStart = Date.now();
    storageOps = 0;
    rowsWritten = 0;
    for (const k of Object.keys(calls)) delete calls[k];
    const loaded = await loadImportDraft<{ name: string }>(deps, savedDraft.draftId, ADMIN.aadObjectId);
    if (!loaded.ok) throw new Error(`the draft did not load back: ${loaded.reason}`);
    const resolved = loaded.draft.resolved!;
    const result = await saveMembers(deps, WAVE_ID, [...resolved.add, ...resolved.move], ADMIN, {
      source: 'csv',
    });
    const saveS = (Date.now() - saveStart) / 1000;
    const saveOps = storageOps;
    if (!result.ok) throw new Error(`save refused: ${result.reason}`);
    log(
      `saved in ${saveS.toFixed(1)} s: ${result.added.length} added, ${result.conflicts.length} conflicts, ${result.failed.length} failed; ${storageOps} table requests writing ${rowsWritten} rows in transactions ${JSON.stringify(calls)}`,
    );

    // Check every user.
    let missing = 0;
    let misplaced = 0;
    const index = new Set<string>();
    for await (const row of waveMembersOf(store, WAVE_ID)) index.add(row.aadObjectId.toLowerCase());
    const people = await readParticipants(
      store.participants,
      users.map((u) => u.id),
    );
    for (const u of users) {
      const id = u.id.toLowerCase();
      const p = people.get(id)?.value;
      if (pilot.has(id)) {
        if (p?.waveId !== PILOT_ID || index.has(id)) misplaced++;
      } else if (p?.waveId !== WAVE_ID || !index.has(id)) missing++;
    }
    const expectedAdds = users.length - pilot.size;
    log(
      `checked ${users.length} users: ${missing} missing from the wave, ${misplaced} pilot members moved or indexed`,
    );

    const members = result.added.length;
    const batchRatio = lookedUp / 20 / Math.max(1, graphRequests);
    const ok = missing === 0 && misplaced === 0 && members === expectedAdds && result.failed.length === 0;
    if (!ok) log(`FAILED: expected ${expectedAdds} added, every pilot member left where they were`);
    process.stdout.write(
      `import: rows=${ROWS} preview_s=${previewS.toFixed(1)} save_s=${saveS.toFixed(1)} graph_requests=${graphRequests} batch_ratio=${batchRatio.toFixed(3)} members_per_s=${Math.round(members / saveS)} ops_per_member=${(saveOps / Math.max(1, members)).toFixed(2)} storage_ops_per_s=${Math.round(saveOps / saveS)} account_target_ratio=${(saveOps / saveS / ACCOUNT_TARGET).toFixed(3)}\n`,
    );
    return ok ? 0 : 1;
  } finally {
    await sim.close();
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

runBenchmark('import benchmark', main);
