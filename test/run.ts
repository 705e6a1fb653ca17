/**
 * The test command. Starts what the integration tier needs (Azurite, in memory, on free ports),
 * runs mocha over test/**\/*.test.ts (or the browser tier, test/e2e/**\/*.e2e.ts, with --e2e),
 * and ends with one line: "N passed, N failed" (", N skipped" when any were).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { startAzurite } from '../src/dev/azurite';

async function main(): Promise<void> {
  const e2e = process.argv.includes('--e2e');
  const grep = process.argv.find((a) => a.startsWith('--grep='))?.slice('--grep='.length);
  // `--files=features/admin,workers` runs only the test files whose path contains one of the parts.
  const only = process.argv
    .find((a) => a.startsWith('--files='))
    ?.slice('--files='.length)
    .split(',')
    .filter(Boolean);
  const root = path.resolve(__dirname);
  const suffix = e2e ? '.e2e.ts' : '.test.ts';
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix) && (e2e || !f.startsWith(`e2e${path.sep}`)))
    .filter((f) => !only || only.some((part) => f.includes(part)))
    .map((f) => path.join(root, f))
    .sort();

  let azurite: Awaited<ReturnType<typeof startAzurite>> | undefined;
  if (!e2e) {
    azurite = await startAzurite({ inMemory: true });
    process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  }

  const mocha = new Mocha({ timeout: e2e ? 120_000 : 20_000, reporter: 'spec', grep });
  for (const f of files) mocha.addFile(f);
  let failures = 0;
  try {
    await mocha.loadFilesAsync();
    const stats = await new Promise<Mocha.Stats>((resolve) => {
      const runner = mocha.run(() => resolve(runner.stats!));
    });
    failures = stats.failures;
    const skipped = stats.pending > 0 ? `, ${stats.pending} skipped` : '';
    process.stdout.write(`\n${stats.passes} passed, ${stats.failures} failed${skipped}\n`);
  } catch (err) {
    failures = 1;
    process.stderr.write(`test run could not start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.stdout.write('\n0 passed, 1 failed\n');
  } finally {
    await azurite?.stop();
  }
  process.exit(failures > 0 ? 1 : 0);
}

void main();
