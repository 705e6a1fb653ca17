/**
 * Benchmark: do two app instances that raise the same escalation triggers at the same moment ever
 * open a second ticket for a user, or record a trigger twice?
 *
 * Real parts only: Azurite (in memory) as the shared storage, and two separate Node processes
 * (bench/escalation-race-worker.ts), each an app instance with its own storage clients, running the
 * production raiseEscalation (ETag read-modify-write on the Escalations table). Both fire the same
 * 3 triggers for the same 1,000 users, walking the users in the same order with 25 users in flight,
 * so they race on every user. Then every row of the table is read back and checked. The last line
 * is the measurement:
 *
 *   escalation-race: users=1000 triggers=3000 tickets=N duplicates=D
 *
 * triggers = distinct triggers per instance; duplicates = users with more than one unresolved ticket
 * plus trigger entries recorded more than once in a ticket. Exit code 0 when N = 1000 and D = 0 (and
 * no trigger is missing), 1 otherwise, 2 when it could not run.
 * Run: npm run bench:escalation-race   (see docs/benchmarks.md)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../src/dev/azurite';
import {
  describeExit,
  type ManagedProcess,
  processError,
  spawnManaged,
  TSX_CLI,
  withLoopbackNoProxy,
} from '../src/dev/processes';
import { escalationKey, isOpen } from '../src/domain/escalation';
import { normaliseTrigger, triggerFingerprint } from '../src/domain/escalation-input';
import type { Escalation } from '../src/domain/escalation-model';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { raceTriggers, raceUserId, TRIGGERS_PER_USER, type WorkerResult } from './escalation-race-worker';
import { log, runBenchmark } from './shared';

const USERS = 1_000;
const INSTANCES = ['instance-a', 'instance-b'] as const;
const IN_FLIGHT_USERS = 25;
const WORKER = path.join(__dirname, 'escalation-race-worker.ts');
/** Azure Tables scalability targets: entities per second per partition, and per storage account. */
const PARTITION_TARGET = 2_000;
const ACCOUNT_TARGET = 20_000;
const PARTITIONS = 64;

interface Audit {
  rows: number;
  tickets: number;
  usersWithSeveralOpen: number;
  duplicatedTriggers: number;
  missingTriggers: number;
  unexpectedTriggers: number;
  wrongRowKey: number;
}

/** Reads every row of the table (not only the partitions the code would use) and checks each ticket. */
async function audit(connectionString: string, prefix: string): Promise<Audit> {
  const table = TableClient.fromConnectionString(connectionString, `${prefix}Escalations`, {
    allowInsecureConnection: true,
  });
  const expected = new Map<string, Set<string>>();
  for (let i = 0; i < USERS; i++) {
    const ids = raceTriggers(i).map((t) => normaliseTrigger(t, new Date(0).toISOString())!.id);
    expected.set(raceUserId(i), new Set(ids));
  }
  const openByUser = new Map<string, number>();
  const ticketIds = new Set<string>();
  const result: Audit = {
    rows: 0,
    tickets: 0,
    usersWithSeveralOpen: 0,
    duplicatedTriggers: 0,
    missingTriggers: 0,
    unexpectedTriggers: 0,
    wrongRowKey: 0,
  };
  const seenUsers = new Set<string>();
  for await (const row of table.listEntities<{ data: string }>()) {
    result.rows++;
    const e = JSON.parse(row.data) as Escalation;
    const user = e.participant.aadObjectId;
    const key = escalationKey(user);
    if (row.partitionKey !== key.partitionKey || row.rowKey !== key.rowKey) result.wrongRowKey++;
    // Every ticket the row knows: its current one and the summaries of earlier ones (always resolved).
    ticketIds.add(e.ticketId);
    for (const t of e.earlier) ticketIds.add(t.ticketId);
    const open = (isOpen(e) ? 1 : 0) + e.earlier.filter((t) => !t.resolvedAt).length;
    openByUser.set(user, (openByUser.get(user) ?? 0) + open);

    // A trigger entry must not repeat within one open period (creation or a reopen starts one).
    let period = new Set<string>();
    for (const entry of e.timeline) {
      const starts =
        (entry.kind === 'trigger' && entry.outcome !== 'appended') ||
        (entry.kind === 'agent-action' && entry.action === 'reopen');
      if (starts) period = new Set();
      if (entry.kind !== 'trigger') continue;
      if (period.has(entry.triggerId)) result.duplicatedTriggers++;
      period.add(entry.triggerId);
    }
    const want = expected.get(user) ?? new Set<string>();
    const have = new Set(e.triggers.map((t) => triggerFingerprint(t)));
    for (const id of want) if (!have.has(id)) result.missingTriggers++;
    for (const id of have) if (!want.has(id)) result.unexpectedTriggers++;
    seenUsers.add(user);
  }
  for (const user of expected.keys()) if (!seenUsers.has(user)) result.missingTriggers += TRIGGERS_PER_USER;
  result.tickets = ticketIds.size;
  result.usersWithSeveralOpen = [...openByUser.values()].filter((n) => n > 1).length;
  return result;
}

async function main(): Promise<number> {
  log('starting Azurite (in memory)');
  const azurite = await startAzurite({ inMemory: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'escalation-race-'));
  const workers: ManagedProcess[] = [];
  try {
    const prefix = `race${randomBytes(3).toString('hex')}`;
    const storage = createAzureStorage({ connectionString: azurite.connectionString, prefix });
    await storage.ensureCreated();
    const goFile = path.join(work, 'go');
    const resultFile = (name: string) => path.join(work, `${name}.json`);

    log(`starting ${INSTANCES.length} app instances (separate Node processes) on storage prefix ${prefix}`);
    for (const name of INSTANCES) {
      const env = withLoopbackNoProxy({
        ...process.env,
        RACE_CONNECTION_STRING: azurite.connectionString,
        RACE_PREFIX: prefix,
        RACE_INSTANCE: name,
        RACE_USERS: String(USERS),
        RACE_IN_FLIGHT: String(IN_FLIGHT_USERS),
        RACE_GO_FILE: goFile,
        RACE_RESULT_FILE: resultFile(name),
      });
      workers.push(spawnManaged(name, process.execPath, [TSX_CLI, WORKER], env, { echo: false }));
    }
    // Both must be connected before either starts, or the first would simply run alone.
    await Promise.all(
      workers.map((w) =>
        w.waitForLine(/^ready$/, 60_000).catch((err: unknown) => {
          throw processError(w, err instanceof Error ? err.message : String(err));
        }),
      ),
    );
    log(
      `both ready: go — each fires ${TRIGGERS_PER_USER} triggers for ${USERS} users (${IN_FLIGHT_USERS} users in flight)`,
    );
    writeFileSync(goFile, String(Date.now()));
    const exits = await Promise.all(workers.map((w) => w.exited));
    exits.forEach((info, i) => {
      if (info.code !== 0) throw processError(workers[i]!, describeExit(info));
    });

    const results = INSTANCES.map(
      (name) => JSON.parse(readFileSync(resultFile(name), 'utf8')) as WorkerResult,
    );
    for (const r of results) {
      const seconds = (r.finishedAt - r.startedAt) / 1000;
      const o = r.outcomes;
      log(
        `${r.instance}: ${r.calls} triggers in ${seconds.toFixed(1)} s (${(r.calls / seconds).toFixed(0)}/s); ` +
          `created=${o.created} appended=${o.appended} reopened=${o.reopened} duplicate=${o.duplicate} rejected=${o.rejected} errors=${o.error}; ` +
          `attempts=${r.attempts} (ETag retries=${r.attempts - r.calls + o.error}, max ${r.maxAttempts} for one trigger); ` +
          `conflicts: 412=${r.conflicts.etagMismatch} 409=${r.conflicts.alreadyExists}; reads=${r.reads} writes=${r.writes}`,
      );
      for (const e of r.errors) log(`${r.instance} error: ${e}`);
    }

    const calls = results.reduce((n, r) => n + r.calls, 0);
    const wall =
      (Math.max(...results.map((r) => r.finishedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
    const retries = results.reduce((n, r) => n + r.attempts - r.calls + r.outcomes.error, 0);
    const requests = results.reduce((n, r) => n + r.reads + r.writes, 0);
    const errors = results.reduce((n, r) => n + r.outcomes.error + r.outcomes.rejected, 0);
    const [a, b] = results.map((r) => new Set(r.contributed));
    const both = [...a!].filter((u) => b!.has(u)).length;
    // Same machine, same clock: a user was raced when both instances' raises for them overlapped in time.
    let overlapped = 0;
    for (let i = 0; i < USERS; i++) {
      const [wa, wb] = results.map((r) => r.windows[i]);
      if (wa && wb && Math.max(wa[0], wb[0]) < Math.min(wa[1], wb[1])) overlapped++;
    }
    log(
      `together: ${calls} raise calls in ${wall.toFixed(1)} s = ${(calls / wall).toFixed(0)} triggers/s; ` +
        `ETag retries=${retries} (${((100 * retries) / calls).toFixed(1)}% of calls); ` +
        `storage requests=${requests} (${(requests / calls).toFixed(2)} per call, ${(requests / wall).toFixed(0)}/s); ` +
        `users raced (both instances' raises in flight at once): ${overlapped}/${USERS}; ` +
        `users whose ticket both instances wrote triggers to: ${both}/${USERS}`,
    );
    const perPartition = requests / wall / PARTITIONS;
    log(
      `ratios: ${(requests / wall).toFixed(0)} storage requests/s = ${((100 * requests) / wall / ACCOUNT_TARGET).toFixed(1)}% of the ` +
        `${ACCOUNT_TARGET}/s account target; ~${perPartition.toFixed(0)}/s per partition over ${PARTITIONS} = ` +
        `${((100 * perPartition) / PARTITION_TARGET).toFixed(2)}% of the ${PARTITION_TARGET}/s partition target`,
    );

    const check = await audit(azurite.connectionString, prefix);
    const duplicates = check.usersWithSeveralOpen + check.duplicatedTriggers;
    log(
      `table: rows=${check.rows} tickets=${check.tickets} users with >1 open ticket=${check.usersWithSeveralOpen} ` +
        `duplicated trigger entries=${check.duplicatedTriggers} missing triggers=${check.missingTriggers} ` +
        `unexpected triggers=${check.unexpectedTriggers} rows under a wrong key=${check.wrongRowKey}`,
    );
    const ok =
      check.tickets === USERS &&
      check.rows === USERS &&
      duplicates === 0 &&
      check.missingTriggers === 0 &&
      check.unexpectedTriggers === 0 &&
      check.wrongRowKey === 0 &&
      errors === 0;
    if (!ok)
      log('FAILED: expected one ticket per user holding each of its triggers exactly once, and no errors');
    process.stdout.write(
      `escalation-race: users=${USERS} triggers=${USERS * TRIGGERS_PER_USER} tickets=${check.tickets} duplicates=${duplicates}\n`,
    );
    return ok ? 0 : 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop(2_000)));
    await azurite.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

runBenchmark('escalation-race', main);
