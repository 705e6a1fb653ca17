/**
 * One app instance of the escalation-race benchmark (bench/escalation-race.ts starts two). It opens
 * the shared Azurite tables through the production code (createAzureStorage → TableRepository →
 * raiseEscalation), says `ready`, waits for the go file, then raises 3 triggers for each of the
 * users, with a bounded number of users in flight, and writes what it saw to its result file.
 *
 * Both instances walk the users in the same order and fire each user's three triggers at once, so
 * that they meet on every user; instance b fires them in reverse order to vary the interleaving.
 *
 * Environment: RACE_CONNECTION_STRING, RACE_PREFIX, RACE_INSTANCE (a name), RACE_USERS,
 * RACE_IN_FLIGHT (users at a time), RACE_GO_FILE, RACE_RESULT_FILE.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { EscalationParticipant, RaiseOutcome, TriggerInput } from '../src/domain/escalation-model';
import { raiseEscalation } from '../src/features/helpdesk/escalation-service';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { systemClock } from '../src/ports/clock';
import { ConcurrencyError, type EntityKey, type Repository } from '../src/ports/store';
import { forEachBounded } from '../src/shared/bounded';

export const TRIGGERS_PER_USER = 3;

export function raceUserId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

export function raceParticipant(i: number): EscalationParticipant {
  return {
    aadObjectId: raceUserId(i),
    userPrincipalName: `user${i}@example.com`,
    displayName: `Race User ${i}`,
    waveId: 'bench-wave',
    locale: i % 2 === 0 ? 'en-US' : 'sv-SE',
  };
}

/** The same three triggers in both instances; no `at`, so each instance stamps them with its own clock. */
export function raceTriggers(i: number): TriggerInput[] {
  const deviceKey = `bench-device-${i}`;
  return [
    { reason: 'user-stuck', deviceKey, detail: { said: 'The Company Portal keeps spinning' } },
    {
      reason: 'enrollment-failed',
      deviceKey,
      detail: { category: 'authentication', reason: 'MFA required', at: '2026-11-23T08:55:00.000Z' },
    },
    { reason: 'no-progress', deviceKey, detail: { stage: 'unenrolling', businessHours: 16 } },
  ];
}

export interface WorkerResult {
  instance: string;
  calls: number;
  outcomes: Record<RaiseOutcome | 'rejected' | 'error', number>;
  /** Read-modify-write rounds summed over calls; attempts − calls = rounds redone after an ETag conflict. */
  attempts: number;
  maxAttempts: number;
  reads: number;
  writes: number;
  /** Writes refused by the table: 412 (ETag no longer matches) and 409 (insert lost to another insert). */
  conflicts: { etagMismatch: number; alreadyExists: number };
  /** Users whose ticket got at least one trigger written by this instance (created or appended). */
  contributed: number[];
  /** Per user (by index): when this instance started and finished raising its triggers (epoch ms). */
  windows: [number, number][];
  errors: string[];
  startedAt: number;
  finishedAt: number;
}

/**
 * Counts storage calls and conflicts. The wrapper inherits from the repository, so `update` (which
 * calls `this.get`, `this.insert`, `this.replace`) goes through the counting methods below.
 */
function counting<T>(repo: Repository<T>, result: WorkerResult): Repository<T> {
  const wrapper = Object.create(repo) as Repository<T>;
  wrapper.get = (key: EntityKey) => {
    result.reads++;
    return repo.get(key);
  };
  const write =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      result.writes++;
      try {
        return await fn(...args);
      } catch (err) {
        if (err instanceof ConcurrencyError) {
          if (err.kind === 'etag-mismatch') result.conflicts.etagMismatch++;
          else result.conflicts.alreadyExists++;
        }
        throw err;
      }
    };
  wrapper.insert = write((key: EntityKey, value: T) => repo.insert(key, value));
  wrapper.replace = write((key: EntityKey, value: T, etag: string) => repo.replace(key, value, etag));
  return wrapper;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this worker is started by bench/escalation-race.ts)`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const instance = required('RACE_INSTANCE');
  const users = Number(required('RACE_USERS'));
  const inFlight = Number(process.env.RACE_IN_FLIGHT ?? '25');
  const goFile = required('RACE_GO_FILE');
  const resultFile = required('RACE_RESULT_FILE');
  const storage = createAzureStorage({
    connectionString: required('RACE_CONNECTION_STRING'),
    prefix: required('RACE_PREFIX'),
  });
  const result: WorkerResult = {
    instance,
    calls: 0,
    outcomes: { created: 0, appended: 0, reopened: 0, duplicate: 0, rejected: 0, error: 0 },
    attempts: 0,
    maxAttempts: 0,
    reads: 0,
    writes: 0,
    conflicts: { etagMismatch: 0, alreadyExists: 0 },
    contributed: [],
    windows: [],
    errors: [],
    startedAt: 0,
    finishedAt: 0,
  };
  const escalations = counting(storage.store.escalations, result);
  // One request before the start, so connection set-up is not part of the race.
  await storage.store.ping();

  process.stdout.write('ready\n');
  while (!existsSync(goFile)) await sleep(2);
  result.startedAt = Date.now();

  const reversed = instance.endsWith('b');
  const oneUser = async (i: number) => {
    const triggers = raceTriggers(i);
    if (reversed) triggers.reverse();
    let wrote = false;
    const from = Date.now();
    await Promise.all(
      triggers.map(async (trigger) => {
        result.calls++;
        try {
          const r = await raiseEscalation({ escalations }, systemClock, {
            participant: raceParticipant(i),
            trigger,
          });
          result.attempts += r.attempts;
          result.maxAttempts = Math.max(result.maxAttempts, r.attempts);
          if (!r.ok) result.outcomes.rejected++;
          else {
            result.outcomes[r.outcome]++;
            if (r.outcome === 'created' || r.outcome === 'appended') wrote = true;
          }
        } catch (err) {
          result.outcomes.error++;
          if (result.errors.length < 10) result.errors.push(err instanceof Error ? err.message : String(err));
        }
      }),
    );
    result.windows[i] = [from, Date.now()];
    if (wrote) result.contributed.push(i);
  };
  await forEachBounded(
    Array.from({ length: users }, (_, i) => i),
    inFlight,
    oneUser,
  );
  result.finishedAt = Date.now();
  writeFileSync(resultFile, JSON.stringify(result));
  process.stdout.write(
    `done: ${result.calls} triggers in ${((result.finishedAt - result.startedAt) / 1000).toFixed(1)} s\n`,
  );
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(2);
    },
  );
}
