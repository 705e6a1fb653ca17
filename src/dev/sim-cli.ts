/**
 * Moves a device of the running tenant simulator along, as its owner would on the real device:
 *
 *   npm run sim -- unenroll|enroll|comply|noncomply|fail <upn> [device name or id] [--category <c>] [--reason <text>]
 *   npm run sim -- list [upn]
 *
 * Talks HTTP to the simulator at SIM_URL (default http://127.0.0.1:5055). Exit 0 on success,
 * 1 when the simulator refuses (unknown user/device, wrong state) or is not running, 2 on bad usage.
 */
// Only light modules: the CLI talks HTTP and must start fast.
import { mdmName } from './tenant-sim/constants';
import type { DeviceState } from './tenant-sim/device-state';
import { DEVICE_ACTIONS, type DeviceAction, FAILURE_CATEGORIES } from './tenant-sim/model';
import type { UserState } from './tenant-sim/state';
import type { ActionResult } from './tenant-sim/tenant';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const USAGE = `Usage:
  npm run sim -- <action> <upn> [device name or id] [--category <failureCategory>] [--reason <text>]
  npm run sim -- list [upn]

Actions (what the user does on the device):
  unenroll    remove the old MDM (Workspace ONE)
  enroll      enroll in Intune (Company Portal); allowed while the old MDM is still there = dual enrollment
  comply      Intune marks the device compliant
  noncomply   Intune marks the device noncompliant
  fail        an enrollment attempt fails (troubleshooting event; --category ${FAILURE_CATEGORIES.join('|')})

Without a device, the user's first device is used. SIM_URL (default http://127.0.0.1:5055) is the simulator.`;

interface Command {
  kind: 'action' | 'list' | 'help';
  action?: DeviceAction;
  upn?: string;
  device?: string;
  category?: string;
  reason?: string;
}

export function parseArgs(argv: readonly string[]): Command {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--category' || arg === '--reason') {
      const value = argv[++i];
      if (value === undefined) throw new CliError(`${arg} needs a value.\n\n${USAGE}`, 2);
      flags[arg.slice(2)] = value;
    } else if (arg === '-h' || arg === '--help') {
      return { kind: 'help' };
    } else if (arg.startsWith('--')) {
      throw new CliError(`Unknown option ${arg}.\n\n${USAGE}`, 2);
    } else {
      positional.push(arg);
    }
  }
  const [verb, upn, ...rest] = positional;
  if (!verb || verb === 'help') return { kind: 'help' };
  if (verb === 'list') return { kind: 'list', upn };
  if (!(DEVICE_ACTIONS as readonly string[]).includes(verb)) {
    throw new CliError(
      `Unknown action "${verb}"; use one of ${DEVICE_ACTIONS.join(', ')} or list.\n\n${USAGE}`,
      2,
    );
  }
  if (!upn) throw new CliError(`${verb} needs a user (UPN).\n\n${USAGE}`, 2);
  if (flags.category && verb !== 'fail') throw new CliError('--category only applies to fail.', 2);
  return {
    kind: 'action',
    action: verb as DeviceAction,
    upn,
    device: rest.length > 0 ? rest.join(' ') : undefined,
    category: flags.category,
    reason: flags.reason,
  };
}

async function request<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = err instanceof Error ? (err.cause as { code?: string } | undefined)?.code : undefined;
    throw new CliError(
      `The tenant simulator is not reachable at ${baseUrl}${cause ? ` (${cause})` : ''}. Start it with ` +
        '`npx tsx src/dev/tenant-sim-main.ts` (or `npm run dev`), or set SIM_URL to where it runs.',
      1,
    );
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(
      `${baseUrl} answered ${res.status} with something that is not the simulator's JSON.`,
      1,
    );
  }
  if (!res.ok) {
    const message = (data as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
    throw new CliError(message, 1);
  }
  return data as T;
}

function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string') {
    const name = field === 'mdmAppId' || field === 'partnerMdmAppId' ? mdmName(value) : null;
    return name ? `${value} (${name})` : value;
  }
  return JSON.stringify(value);
}

export function formatResult(r: ActionResult): string {
  const lines = [
    `${r.action}: ${r.device.name} (${r.device.operatingSystem}) of ${r.user.userPrincipalName}`,
  ];
  const width = Math.max(...r.changes.map((c) => `${c.record}.${c.field}`.length), 0);
  for (const c of r.changes) {
    const name = `${c.record}.${c.field}`.padEnd(width);
    lines.push(`  ${name}  ${formatValue(c.field, c.from)} -> ${formatValue(c.field, c.to)}`);
  }
  lines.push(`now: ${r.device.summary}`);
  return lines.join('\n');
}

function formatDevice(d: DeviceState): string {
  const os = `${d.operatingSystem} ${d.osVersion}`;
  return `  ${d.name.padEnd(26)} ${os.padEnd(24)} ${d.ownership.padEnd(9)} ${d.summary}`;
}

export function formatUsers(users: UserState[]): string {
  return users
    .map((u) => {
      const head = `${u.displayName} <${u.userPrincipalName}>  ${u.preferredLanguage ?? ''}`.trimEnd();
      const failures = u.troubleshootingEvents.length
        ? `  (${u.troubleshootingEvents.length} failed enrollment(s))`
        : '';
      return [head + failures, ...(u.devices.length ? u.devices.map(formatDevice) : ['  (no devices)'])].join(
        '\n',
      );
    })
    .join('\n\n');
}

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const cmd = parseArgs(argv);
  const baseUrl = (env.SIM_URL ?? 'http://127.0.0.1:5055').replace(/\/+$/, '');
  if (cmd.kind === 'help') return USAGE;
  if (cmd.kind === 'list') {
    if (cmd.upn)
      return formatUsers([
        await request<UserState>(baseUrl, 'GET', `/_sim/users/${encodeURIComponent(cmd.upn)}`),
      ]);
    const state = await request<{ users: UserState[] }>(baseUrl, 'GET', '/_sim/state?limit=200');
    return formatUsers(state.users);
  }
  const body = {
    ...(cmd.device ? { device: cmd.device } : {}),
    ...(cmd.category ? { failureCategory: cmd.category } : {}),
    ...(cmd.reason ? { failureReason: cmd.reason } : {}),
  };
  const path = `/_sim/users/${encodeURIComponent(cmd.upn!)}/devices/${cmd.action}`;
  return formatResult(await request<ActionResult>(baseUrl, 'POST', path, body));
}

if (require.main === module) {
  run(process.argv.slice(2), process.env).then(
    (out) => process.stdout.write(`${out}\n`),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`sim: ${message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    },
  );
}
