/**
 * Process plumbing for the local stack and the test harnesses: spawn children in their own process
 * groups with tagged output, wait for ports and URLs, stop whole process trees, find free ports.
 * What runs in those processes (Azurite, tenant simulator, bot, playground) is in azurite.ts and
 * stack.ts. Development and test tooling only; production code never imports it.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** tsx's CLI, run with this Node binary: no shell, no npx, so the pid we hold is the real process. */
export const TSX_CLI = require.resolve('tsx/cli');

export type Env = Record<string, string | undefined>;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type TagColor = 'cyan' | 'magenta' | 'yellow' | 'green' | 'blue' | 'red' | 'gray';
const ANSI: Record<TagColor, string> = {
  cyan: '\x1b[36m',
  magenta: '\x1b[35m',
  yellow: '\x1b[33m',
  green: '\x1b[32m',
  blue: '\x1b[34m',
  red: '\x1b[31m',
  gray: '\x1b[90m',
};
const RESET = '\x1b[0m';
const KEPT_LINES = 400;
const TAG_WIDTH = 10;

export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

export function paint(color: TagColor, text: string): string {
  return useColor() ? `${ANSI[color]}${text}${RESET}` : text;
}

export interface SpawnOptions {
  cwd?: string;
  /** Print every output line, tagged, to our stdout (default true). Lines are kept for errors either way. */
  echo?: boolean;
  color?: TagColor;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Whether its output is already shown on our stdout. */
  readonly echoes: boolean;
  /** Resolves when the process has exited; never rejects. */
  readonly exited: Promise<ExitInfo>;
  exitInfo(): ExitInfo | undefined;
  /** The last output lines (stdout and stderr, colour codes removed), for error messages. */
  recentOutput(count?: number): string[];
  /** First output line (already printed or still to come) that matches; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the whole process group, SIGKILL after graceMs; resolves when no process of it is left. */
  stop(graceMs?: number): Promise<void>;
}

/** Every group still running, so that an unplanned exit of this process takes them down too. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a last-resort SIGKILL, the orderly stop happens earlier.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

/**
 * Stops a process and everything it started: the child was spawned detached, so it leads its own
 * process group and grandchildren (tsx watch → node, npx → node) are in that group too.
 */
export async function stopProcessTree(pgid: number, graceMs = 5_000): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) {
    liveGroups.delete(pgid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!signalGroup(pgid, 0)) {
      liveGroups.delete(pgid);
      return;
    }
    await sleep(100);
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 50 && signalGroup(pgid, 0); i++) await sleep(100);
  liveGroups.delete(pgid);
}

/** Starts `cmd args` in its own process group, with `env` as its whole environment. */
export function spawnManaged(
  name: string,
  cmd: string,
  args: readonly string[],
  env: Env,
  options: SpawnOptions = {},
): ManagedProcess {
  installExitHook();
  const child = spawn(cmd, [...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    child.once('error', () => undefined); // reported by the throw below, not as an unhandled 'error'
    throw new Error(`${name}: could not start ${cmd}`);
  }
  const pid = child.pid;
  liveGroups.add(pid);

  const echo = options.echo ?? true;
  const tag = paint(options.color ?? 'gray', `${name.padEnd(TAG_WIDTH).slice(0, TAG_WIDTH)} │`);
  const lines: string[] = [];
  const lineListeners = new Set<(line: string) => void>();
  const onLine = (raw: string) => {
    const line = stripVTControlCharacters(raw);
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    if (echo) process.stdout.write(`${tag} ${raw}\n`);
    for (const listener of lineListeners) listener(line);
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      onLine(`(could not run ${cmd}: ${err.message})`);
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  return {
    name,
    pid,
    echoes: echo,
    exited,
    exitInfo: () => exitInfo,
    recentOutput: (count = 30) => lines.slice(-count),
    waitForLine: (pattern, timeoutMs) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        for (const line of lines) {
          const m = line.match(pattern);
          if (m) return resolve(m);
        }
        const cleanup = () => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        const listener = (line: string) => {
          const m = line.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name} printed no line matching ${pattern} within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        // The child's own handles keep us alive while it runs; a forgotten wait must not.
        timer.unref();
        lineListeners.add(listener);
        void exited.then((info) => {
          cleanup();
          reject(new Error(`${name} ${describeExit(info)} before printing a line matching ${pattern}`));
        });
      }),
    stop: (graceMs) => stopProcessTree(pid, graceMs),
  };
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
}

/** An error that says which process failed and shows what it printed last. */
export function processError(proc: ManagedProcess, what: string): Error {
  const tail = proc.echoes ? [] : proc.recentOutput(25);
  return new Error(
    `${proc.name}: ${what}` + (tail.length > 0 ? `\n  last output:\n    ${tail.join('\n    ')}` : ''),
  );
}

/** A port the OS says is free right now (another process may still take it before we use it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canListen(port: number, host: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code !== 'EADDRINUSE' && err.code !== 'EACCES'),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when nobody listens on the port, on loopback or on all interfaces (the playground binds
 * all interfaces, Azurite and the bot loopback; either blocks the other).
 */
export async function isPortFree(port: number): Promise<boolean> {
  return (await canListen(port, '127.0.0.1')) && (await canListen(port, undefined));
}

export interface WaitOptions {
  /** Give up at once when this process exits while we wait. */
  whileRunning?: ManagedProcess;
}

/** Resolves when a TCP connection to host:port succeeds. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  options: WaitOptions & { host?: string } = {},
): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.setTimeout(1_000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    const proc = options.whileRunning;
    const info = proc?.exitInfo();
    if (proc && info)
      throw processError(proc, `${describeExit(info)} before ${host}:${port} accepted connections`);
    if (Date.now() > deadline)
      throw new Error(`${host}:${port} did not accept connections within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/**
 * Polls a URL until it answers with an accepted status (default: 200-399) and returns that status.
 * Each attempt has its own short timeout, so a server that accepts but never answers cannot hang us.
 */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  options: WaitOptions & { accept?: (status: number) => boolean } = {},
): Promise<number> {
  const accept = options.accept ?? ((s: number) => s >= 200 && s < 400);
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      await res.arrayBuffer();
      if (accept(res.status)) return res.status;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    const proc = options.whileRunning;
    const info = proc?.exitInfo();
    if (proc && info) throw processError(proc, `${describeExit(info)} before ${url} answered`);
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
    await sleep(250);
  }
}
/** Loopback must never go through a proxy a developer may have configured (the playground and Azure SDKs honour *_PROXY). */
export function withLoopbackNoProxy(env: Env): Env {
  const loopback = ['127.0.0.1', 'localhost', '::1'];
  const current = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').filter(Boolean);
  const noProxy = [...new Set([...current, ...loopback])].join(',');
  return { ...env, NO_PROXY: noProxy, no_proxy: noProxy };
}
