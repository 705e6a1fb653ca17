/**
 * `npm run dev:background [-- --teams]` and `npm run dev:stop`: the local stack of `npm run dev`,
 * started in the background for tools whose steps must return, such as the deploy step of
 * Microsoft 365 Agents Toolkit's playground and local environments (teamsapp.testtool.yml,
 * teamsapp.local.yml). It returns once everything answers, with the same summary `npm run dev`
 * prints; the full output goes to .data/dev-stack.log.
 *
 * `--teams`: real Teams through a dev tunnel instead of the Agents Playground. The bot takes its
 * credentials and public address from .data/teams-local.env, which teamsapp.local.yml writes.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from './app-package';
import { REPO_ROOT, TSX_CLI } from './processes';

const DATA = path.join(REPO_ROOT, '.data');
const LOG = path.join(DATA, 'dev-stack.log');
const PID = path.join(DATA, 'dev-stack.pid');
export const TEAMS_LOCAL_ENV = path.join(DATA, 'teams-local.env');
const READY = 'local stack is running';
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  if (!existsSync(PID)) return undefined;
  const pid = Number(readFileSync(PID, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(teams: boolean): Promise<void> {
  const running = runningPid();
  if (running) {
    process.stdout.write(
      `The local stack is already running (process ${running}); npm run dev:stop stops it.\n`,
    );
    return;
  }
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  if (teams) {
    if (!existsSync(TEAMS_LOCAL_ENV)) {
      throw new Error(
        `${path.relative(REPO_ROOT, TEAMS_LOCAL_ENV)} is missing: provision and deploy the "local" environment with Microsoft 365 Agents Toolkit first (docs/deploy.md, "Real Teams on your machine").`,
      );
    }
    Object.assign(env, parseEnvFile(readFileSync(TEAMS_LOCAL_ENV, 'utf8')), { DEV_NO_PLAYGROUND: '1' });
  }
  mkdirSync(DATA, { recursive: true });
  const log = openSync(LOG, 'w');
  const child = spawn(process.execPath, [TSX_CLI, path.join('src', 'dev', 'launcher.ts')], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (!child.pid) throw new Error('the launcher did not start');
  child.unref();
  writeFileSync(PID, String(child.pid));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const text = existsSync(LOG) ? readFileSync(LOG, 'utf8') : '';
    const at = text.indexOf(READY);
    if (at >= 0) {
      await sleep(200);
      const summary = readFileSync(LOG, 'utf8')
        .slice(at)
        .split('\n')
        .slice(0, 12)
        .filter((line) => !line.includes('Ctrl+C'))
        .join('\n');
      process.stdout.write(
        `Migration Companion: ${summary.trimEnd()}\n  Output: ${path.relative(REPO_ROOT, LOG)}; npm run dev:stop stops it.\n`,
      );
      return;
    }
    if (!alive(child.pid)) break;
    await sleep(500);
  }
  const tail = (existsSync(LOG) ? readFileSync(LOG, 'utf8') : '').trimEnd().split('\n').slice(-30).join('\n');
  if (alive(child.pid)) await stop();
  rmSync(PID, { force: true });
  throw new Error(`the local stack did not come up; the end of ${path.relative(REPO_ROOT, LOG)}:\n${tail}`);
}

async function stop(): Promise<void> {
  const pid = runningPid();
  if (!pid) {
    rmSync(PID, { force: true });
    process.stdout.write('The local stack is not running.\n');
    return;
  }
  // The launcher leads its own process group: signal the group, as Ctrl+C would.
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (alive(pid) && Date.now() < deadline) await sleep(250);
  if (alive(pid)) process.kill(-pid, 'SIGKILL');
  rmSync(PID, { force: true });
  process.stdout.write('The local stack has stopped.\n');
}

const [command, ...flags] = process.argv.slice(2);
const run = command === 'stop' ? stop() : command === 'start' ? start(flags.includes('--teams')) : undefined;
if (!run) {
  process.stderr.write('usage: background-stack.ts start [--teams] | stop\n');
  process.exit(2);
}
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
