/** Pieces every benchmark under bench/ uses: a timestamped log, bulk table seeding, simulators as child processes. */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import {
  freePort,
  type ManagedProcess,
  spawnManaged,
  TSX_CLI,
  waitForHttp,
  withLoopbackNoProxy,
} from '../src/dev/processes';
import { forEachBounded } from '../src/shared/bounded';

/** How long a simulator may take to seed itself and listen. */
const SIM_START_MS = 180_000;

const started = Date.now();

/** A line on stdout with the seconds since the benchmark started. */
export function log(line: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${s}s] ${line}\n`);
}

/**
 * Bulk rows through Azure Tables batch transactions (≤ 100 entities, one partition each), in the
 * layout TableRepository reads: the entity as JSON in one `data` column.
 */
export async function bulkInsert<T>(
  table: TableClient,
  rows: { key: { partitionKey: string; rowKey: string }; value: T }[],
  parallel = 8,
): Promise<void> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const r of rows) {
    const list = byPartition.get(r.key.partitionKey) ?? [];
    list.push(['create', { ...r.key, data: JSON.stringify(r.value) }]);
    byPartition.set(r.key.partitionKey, list);
  }
  const batches: TransactionAction[][] = [];
  for (const actions of byPartition.values()) {
    for (let i = 0; i < actions.length; i += 100) batches.push(actions.slice(i, i + 100));
  }
  await forEachBounded(batches, parallel, (batch) => table.submitTransaction(batch));
}

/** Runs a benchmark's main: exits with its code, or 2 (with the stack) when it could not run. */
export function runBenchmark(what: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(2);
    },
  );
}

/**
 * A whole-number option: `--<flag> N` on the command line, else the environment variable `env`,
 * else `fallback`; anything outside [min, max] stops the benchmark with a message naming the range.
 */
export function intOption(
  flag: string,
  env: string,
  fallback: number,
  min: number,
  max: number,
  argv: readonly string[] = process.argv,
): number {
  const i = argv.indexOf(`--${flag}`);
  const raw = i >= 0 ? argv[i + 1] : process.env[env];
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`--${flag} takes a whole number from ${min} to ${max}, not ${raw}`);
  }
  return n;
}

/**
 * A simulator's stand-alone entry point as a child process (seeded from a file, or configured by
 * `env`), so that the benchmark's own work never stalls its clock. `{port}` in a value becomes the
 * free port chosen for it; `ready` is a path that answers 200 once it listens.
 */
export async function startSimulator(options: {
  tag: string;
  main: string;
  env: Record<string, string>;
  ready: string;
}): Promise<{ url: string; process: ManagedProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = withLoopbackNoProxy({ ...process.env, ...options.env });
  for (const [k, v] of Object.entries(options.env)) env[k] = v.replace('{port}', String(port));
  const proc = spawnManaged(options.tag, process.execPath, [TSX_CLI, options.main], env, { echo: false });
  try {
    await waitForHttp(`${url}${options.ready}`, SIM_START_MS, {
      whileRunning: proc,
      accept: (s) => s === 200,
    });
  } catch (err) {
    await proc.stop(2_000);
    throw err;
  }
  return { url, process: proc };
}
