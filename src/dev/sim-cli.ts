/**
 * Moves a device along on both sides — the tenant simulator (Graph) and the old MDM's simulator
 * (Workspace ONE or Jamf Pro) — as its owner would on the real device:
 *
 *   npm run sim -- unenroll|enroll|comply|noncomply|fail <upn> [device name or id] [--category <c>] [--reason <text>]
 *   npm run sim -- list [upn]
 *
 * Talks HTTP to the tenant simulator at SIM_URL (default http://127.0.0.1:5055) and the old-MDM
 * simulator at OLD_MDM_SIM_URL (default its fixed port; skipped when it is not running). Exit 0 on success,
 * 1 when the simulator refuses (unknown user/device, wrong state) or is not running, 2 on bad usage.
 */
// Only light modules: the CLI talks HTTP and must start fast.
import { OldMdmSimClient, type OldMdmSimDevice, oldMdmSimFromEnv } from './old-mdm-sim-client';
import { mdmName } from './tenant-sim/constants';
import type { DeviceState } from './tenant-sim/device-state';
import { DEVICE_ACTIONS, type DeviceAction, FAILURE_CATEGORIES } from './tenant-sim/model';
import type { UserState } from './tenant-sim/state';
import type { ActionResult } from './tenant-sim/tenant';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
    /** The simulator's error code (DeviceNotFound …), when it answered with one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

const USAGE = `Usage:
  npm run sim -- <action> <upn> [device name or id] [--category <failureCategory>] [--reason <text>]
  npm run sim -- list [upn]

Actions (what the user does on the device; the tenant simulator and the old-MDM simulator move together):
  unenroll    remove the old MDM: Entra/Intune side and the old MDM's own inventory
  enroll      enroll in Intune (Company Portal); allowed while the old MDM is still there = dual enrollment
  comply      Intune marks the device compliant
  noncomply   Intune marks the device noncompliant
  fail        an enrollment attempt fails (troubleshooting event; --category ${FAILURE_CATEGORIES.join('|')})

Without a device, the user's first device is used. SIM_URL (default http://127.0.0.1:5055) is the
tenant simulator; OLD_MDM_SIM (workspace-one|jamf, default from SOURCE_MDM, else workspace-one) and
OLD_MDM_SIM_URL (default http://127.0.0.1:5056, Jamf 5057) the old MDM's simulator.`;

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
    const error = (data as { error?: { message?: string; code?: string } }).error;
    throw new CliError(error?.message ?? `HTTP ${res.status}`, 1, error?.code);
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

function formatOldDevice(name: string, d: OldMdmSimDevice): string {
  const os = `${d.operatingSystem} ${d.osVersion ?? ''}`.trimEnd();
  return `  [${name}] ${d.name.padEnd(26 - name.length - 3)} ${os.padEnd(24)} ${d.ownership.padEnd(9)} ${d.status}`;
}

/** The users' devices as Graph sees them, then as the old MDM lists them (when its simulator runs). */
export function formatUsers(
  users: UserState[],
  oldMdm?: { name: string; devices: OldMdmSimDevice[] },
): string {
  return users
    .map((u) => {
      const head = `${u.displayName} <${u.userPrincipalName}>  ${u.preferredLanguage ?? ''}`.trimEnd();
      const failures = u.troubleshootingEvents.length
        ? `  (${u.troubleshootingEvents.length} failed enrollment(s))`
        : '';
      const upn = u.userPrincipalName.toLowerCase();
      const old = (oldMdm?.devices ?? [])
        .filter((d) => d.user.toLowerCase() === upn)
        .map((d) => formatOldDevice(oldMdm!.name, d));
      const graph = u.devices.length ? u.devices.map(formatDevice) : ['  (no devices in Entra/Intune)'];
      return [head + failures, ...graph, ...old].join('\n');
    })
    .join('\n\n');
}

/** The old MDM's part of a move, as a line under the tenant's. */
function oldMdmLine(name: string, before: OldMdmSimDevice, after: OldMdmSimDevice): string {
  return `  ${name}: ${after.name} ${before.status} -> ${after.status}`;
}

/**
 * unenroll/enroll on both sides: the tenant simulator as before, and the old MDM's own inventory —
 * unenroll lets the device go there too; a device only the old MDM knows is unenrolled there only,
 * and enrolls into the tenant as a new device carrying the old MDM's serial number.
 */
async function moveDevice(cmd: Command, baseUrl: string, oldMdm: OldMdmSimClient): Promise<string> {
  const upn = cmd.upn!;
  const body = {
    ...(cmd.device ? { device: cmd.device } : {}),
    ...(cmd.category ? { failureCategory: cmd.category } : {}),
    ...(cmd.reason ? { failureReason: cmd.reason } : {}),
  };
  const path = `/_sim/users/${encodeURIComponent(upn)}/devices/${cmd.action}`;
  let tenant: ActionResult | undefined;
  let refused: CliError | undefined;
  try {
    tenant = await request<ActionResult>(baseUrl, 'POST', path, body);
  } catch (err) {
    const bothSides = cmd.action === 'unenroll' || cmd.action === 'enroll';
    if (!(err instanceof CliError) || !bothSides || err.exitCode !== 1 || !err.code) throw err;
    refused = err;
  }
  if (cmd.action !== 'unenroll' && cmd.action !== 'enroll') return formatResult(tenant!);

  const name = tenant?.device.name ?? cmd.device;
  const old = name ? await oldMdm.find(upn, name) : undefined;
  const notRunning = `  (${oldMdm.name} simulator not running at ${oldMdm.target.url}; only the tenant moved)`;
  if (tenant) {
    const lines = [formatResult(tenant)];
    if (old === 'not-running') lines.push(notRunning);
    else if (!old) lines.push(`  ${oldMdm.name} does not list ${tenant.device.name}`);
    else if (cmd.action === 'enroll' && old.enrolled)
      lines.push(`  ${oldMdm.name} still lists ${old.name} (${old.status}): enrolled in both`);
    else if (cmd.action === 'unenroll' && old.enrolled)
      lines.push(oldMdmLine(oldMdm.name, old, await oldMdm.unenroll(old)));
    else lines.push(`  ${oldMdm.name}: ${old.name} ${old.status}`);
    return lines.join('\n');
  }
  // The tenant refused: the device may be one only the old MDM knows.
  const onlyOld = refused?.code === 'DeviceNotFound' || refused?.code === 'NotManagedByOldMdm';
  if (!onlyOld || !old || old === 'not-running') throw refused!;
  if (cmd.action === 'unenroll') {
    if (!old.enrolled) throw new CliError(`${oldMdm.name} already lists ${old.name} as ${old.status}.`, 1);
    const after = await oldMdm.unenroll(old);
    return [
      `unenroll: ${old.name} (${old.operatingSystem}) of ${upn}, known to ${oldMdm.name} only`,
      oldMdmLine(oldMdm.name, old, after),
    ].join('\n');
  }
  if (refused?.code !== 'DeviceNotFound') throw refused!;
  return enrollFromOldMdm(baseUrl, upn, old, oldMdm.name);
}

/** Company Portal registers the device in Entra and enrolls it; Intune then reports the same serial. */
async function enrollFromOldMdm(
  baseUrl: string,
  upn: string,
  old: OldMdmSimDevice,
  oldMdmName: string,
): Promise<string> {
  const apple = ['iOS', 'iPadOS', 'macOS'].includes(old.operatingSystem);
  const registered = await request<DeviceState>(
    baseUrl,
    'POST',
    `/_sim/users/${encodeURIComponent(upn)}/devices`,
    {
      displayName: old.name,
      operatingSystem: old.operatingSystem,
      osVersion: old.osVersion ?? 'unknown',
      model: old.model ?? old.operatingSystem,
      manufacturer: apple ? 'Apple' : 'unknown',
      ownership: old.ownership,
      ...(old.serialNumber ? { serialNumber: old.serialNumber } : {}),
      ...(old.imei ? { imei: old.imei } : {}),
      ...(old.udid ? { udid: old.udid } : {}),
    },
  );
  const result = await request<ActionResult>(
    baseUrl,
    'POST',
    `/_sim/devices/${encodeURIComponent(registered.deviceId)}/enroll`,
    {},
  );
  return [
    formatResult(result),
    `  registered in Entra from ${oldMdmName}'s record (serial ${old.serialNumber ?? 'none'}); ${oldMdmName}: ${old.status}`,
  ].join('\n');
}

export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const cmd = parseArgs(argv);
  const baseUrl = (env.SIM_URL ?? 'http://127.0.0.1:5055').replace(/\/+$/, '');
  const oldMdm = new OldMdmSimClient(oldMdmSimFromEnv(env));
  if (cmd.kind === 'help') return USAGE;
  if (cmd.kind === 'list') {
    const users = cmd.upn
      ? [await request<UserState>(baseUrl, 'GET', `/_sim/users/${encodeURIComponent(cmd.upn)}`)]
      : (await request<{ users: UserState[] }>(baseUrl, 'GET', '/_sim/state?limit=200')).users;
    const devices = await oldMdm.devices().catch(() => undefined);
    return formatUsers(users, devices && { name: oldMdm.name, devices });
  }
  return moveDevice(cmd, baseUrl, oldMdm);
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
