import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

/** Runs the project's import rules over a small tree of files and returns the rule names it reports. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'import-rules-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true }, include: ['src'] }),
    );
    const config = path.join(ROOT, '.dependency-cruiser.cjs');
    const result = await run(DEPCRUISE, ['src', '--config', config, '--output-type', 'json'], {
      cwd: dir,
    }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(result.stdout) as { summary: { violations: { rule: { name: string } }[] } };
    return [...new Set(report.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('lint: import rules (dependency-cruiser)', function () {
  this.timeout(60_000);

  it('accepts imports that point down the layers', async () => {
    assert.deepEqual(
      await violations({
        'src/domain/wave.ts': 'export const order = 1;\n',
        'src/cards/wave-card.ts': "import { order } from '../domain/wave';\nexport const card = order;\n",
        'src/features/waves/show.ts':
          "import { card } from '../../cards/wave-card';\nexport const shown = card;\n",
        'src/workers/tick.ts':
          "import { shown } from '../features/waves/show';\nexport const tick = shown;\n",
      }),
      [],
    );
  });

  it('fails on an upward import: domain importing a feature, a feature importing a worker', async () => {
    assert.deepEqual(
      await violations({
        'src/features/waves/show.ts':
          "import { tick } from '../../workers/tick';\nexport const shown = tick;\n",
        'src/workers/tick.ts': 'export const tick = 1;\n',
        'src/domain/wave.ts':
          "import { shown } from '../features/waves/show';\nexport const order = shown;\n",
      }),
      ['domain-is-pure', 'features-never-import-workers-or-the-root'],
    );
  });

  it('fails on a cycle, also when one side imports only a type', async () => {
    assert.deepEqual(
      await violations({
        'src/features/admin/turn.ts':
          "import type { Home } from './home';\nexport interface Turn { home?: Home }\n",
        'src/features/admin/home.ts':
          "import type { Turn } from './turn';\nexport interface Home { turn?: Turn }\nexport const home = 1;\n",
      }),
      ['no-cycles'],
    );
  });

  it('fails when cards import a feature or production code imports the simulators', async () => {
    assert.deepEqual(
      await violations({
        'src/features/admin/verbs.ts': "export const VERB = 'admin.home';\n",
        'src/cards/home-card.ts':
          "import { VERB } from '../features/admin/verbs';\nexport const card = VERB;\n",
        'src/dev/sim.ts': 'export const sim = 1;\n',
        'src/server.ts': "import { sim } from './dev/sim';\nexport const server = sim;\n",
      }),
      ['cards-render-only', 'production-never-imports-dev'],
    );
  });
});
