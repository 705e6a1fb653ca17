/**
 * `npm run stage:azure` (after `npm run build`): the folder App Service runs, in .data/deploy/app:
 * the compiled bot (dist/, templates and guidance included), package.json, package-lock.json and the
 * production dependencies only, installed exactly from the lock file. teamsapp.yml zips and deploys it;
 * so can `az webapp deploy --src-path` with a zip of it (docs/deploy.md).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './processes';

/** Under .data/, which git ignores: a build product, not a source. */
export const STAGE_DIR = path.join(REPO_ROOT, '.data', 'deploy', 'app');

function main(): void {
  const entry = path.join(REPO_ROOT, 'dist', 'src', 'index.js');
  if (!existsSync(entry)) throw new Error('dist/src/index.js is missing: run `npm run build` first');
  rmSync(STAGE_DIR, { recursive: true, force: true });
  mkdirSync(STAGE_DIR, { recursive: true });
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(STAGE_DIR, 'dist'), { recursive: true });
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
    if (existsSync(path.join(REPO_ROOT, file)))
      cpSync(path.join(REPO_ROOT, file), path.join(STAGE_DIR, file));
  }
  // Lifecycle scripts stay off, as in development installs; the server needs none of them.
  execFileSync(
    process.platform === 'win32' ? 'npm.cmd' : 'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    {
      cwd: STAGE_DIR,
      stdio: 'inherit',
    },
  );
  process.stdout.write(
    `staged for App Service: ${path.relative(REPO_ROOT, STAGE_DIR)} (start command: node dist/src/index.js)\n`,
  );
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
