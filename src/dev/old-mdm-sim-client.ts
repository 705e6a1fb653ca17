/**
 * How the dev tools (sim CLI, tenant simulator's control page, launcher) talk to the old-MDM
 * simulator of the campaign — Workspace ONE or Jamf Pro — over its /_sim/ control API, in one shape
 * for both. Light imports only: the CLI must start fast.
 */

export type OldMdmSimKind = 'workspace-one' | 'jamf';

/** Fixed local ports `npm run dev` gives the old-MDM simulators (the tenant simulator has 5055). */
export const OLD_MDM_SIM_PORTS: Readonly<Record<OldMdmSimKind, number>> = {
  'workspace-one': 5056,
  jamf: 5057,
};

export const OLD_MDM_NAMES: Readonly<Record<OldMdmSimKind, string>> = {
  'workspace-one': 'Workspace ONE',
  jamf: 'Jamf Pro',
};

/** A device as the old-MDM simulator lists it, in the tenant simulator's vocabulary. */
export interface OldMdmSimDevice {
  name: string;
  /** The old MDM's user name (a UPN in the demo). */
  user: string;
  serialNumber?: string;
  udid?: string;
  imei?: string;
  model?: string;
  operatingSystem: 'iOS' | 'iPadOS' | 'macOS' | 'Android' | 'Windows';
  osVersion?: string;
  ownership: 'personal' | 'company';
  /** Whether the old MDM still manages it (Workspace ONE "Enrolled"; Jamf managed). */
  enrolled: boolean;
  /** The vendor's own word: Enrolled, Unenrolled, managed, unmanaged … */
  status: string;
  lastSeen?: string;
}

export interface OldMdmSimTarget {
  kind: OldMdmSimKind;
  url: string;
}

/**
 * Which old-MDM simulator the environment points at: OLD_MDM_SIM (workspace-one|jamf), else
 * SOURCE_MDM, else Workspace ONE (the demo campaign's); OLD_MDM_SIM_URL, else its fixed local port.
 */
export function oldMdmSimFromEnv(env: NodeJS.ProcessEnv): OldMdmSimTarget {
  const named = (env.OLD_MDM_SIM ?? env.SOURCE_MDM ?? '').toLowerCase();
  const kind: OldMdmSimKind = named === 'jamf' ? 'jamf' : 'workspace-one';
  const url = (env.OLD_MDM_SIM_URL ?? `http://127.0.0.1:${OLD_MDM_SIM_PORTS[kind]}`).replace(/\/+$/, '');
  return { kind, url };
}

export class OldMdmSimError extends Error {}

interface Ws1Wire {
  DeviceFriendlyName: string;
  UserName: string;
  UserEmailAddress?: string;
  SerialNumber?: string;
  Udid?: string;
  Imei?: string;
  Model?: string;
  Platform: string;
  OperatingSystem?: string;
  Ownership: string;
  EnrollmentStatus: string;
  LastSeen?: string;
}

interface JamfRef {
  kind: 'computer' | 'mobile-device';
  name: string;
  serialNumber: string;
  username: string | null;
  managed: boolean;
  lastUpdate?: string;
}

function fromWs1(d: Ws1Wire): OldMdmSimDevice {
  const apple = d.Platform === 'Apple';
  const os =
    apple && /ipad/i.test(d.Model ?? '')
      ? 'iPadOS'
      : apple
        ? 'iOS'
        : d.Platform === 'AppleOsX'
          ? 'macOS'
          : d.Platform === 'Android'
            ? 'Android'
            : 'Windows';
  return {
    name: d.DeviceFriendlyName,
    user: d.UserName,
    ...(d.SerialNumber ? { serialNumber: d.SerialNumber } : {}),
    ...(d.Udid ? { udid: d.Udid } : {}),
    ...(d.Imei ? { imei: d.Imei } : {}),
    ...(d.Model ? { model: d.Model } : {}),
    operatingSystem: os,
    ...(d.OperatingSystem ? { osVersion: d.OperatingSystem } : {}),
    ownership: d.Ownership === 'E' ? 'personal' : 'company',
    enrolled: d.EnrollmentStatus === 'Enrolled',
    status: d.EnrollmentStatus,
    // Workspace ONE writes LastSeen in UTC without an offset.
    ...(d.LastSeen ? { lastSeen: `${d.LastSeen}Z` } : {}),
  };
}

function fromJamf(d: JamfRef): OldMdmSimDevice {
  return {
    name: d.name,
    user: d.username ?? '',
    serialNumber: d.serialNumber,
    operatingSystem: d.kind === 'computer' ? 'macOS' : /ipad/i.test(d.name) ? 'iPadOS' : 'iOS',
    ownership: 'company',
    enrolled: d.managed,
    status: d.managed ? 'managed' : 'unmanaged',
    ...(d.lastUpdate ? { lastSeen: d.lastUpdate } : {}),
  };
}

export class OldMdmSimClient {
  readonly name: string;

  constructor(readonly target: OldMdmSimTarget) {
    this.name = OLD_MDM_NAMES[target.kind];
  }

  /** Every device the simulator lists, or undefined when it is not running. */
  async devices(): Promise<OldMdmSimDevice[] | undefined> {
    const body = await this.call('GET', '/_sim/devices');
    if (body === undefined) return undefined;
    const list = (body as { devices?: unknown[] }).devices ?? [];
    return this.target.kind === 'jamf' ? (list as JamfRef[]).map(fromJamf) : (list as Ws1Wire[]).map(fromWs1);
  }

  /** The user's devices (by the old MDM's user name or mail), or undefined when it is not running. */
  async devicesOf(upn: string): Promise<OldMdmSimDevice[] | undefined> {
    const all = await this.devices();
    const wanted = upn.toLowerCase();
    return all?.filter((d) => d.user.toLowerCase() === wanted);
  }

  /**
   * One of the user's devices by name (case-insensitive, then a unique part of it); undefined when
   * it lists none, `'not-running'` when the simulator is not there.
   */
  async find(upn: string, name: string): Promise<OldMdmSimDevice | undefined | 'not-running'> {
    const mine = await this.devicesOf(upn);
    if (!mine) return 'not-running';
    const key = name.toLowerCase();
    const exact = mine.filter((d) => d.name.toLowerCase() === key);
    const loose = exact.length ? exact : mine.filter((d) => d.name.toLowerCase().includes(key));
    if (loose.length > 1)
      throw new OldMdmSimError(
        `"${name}" matches ${loose.length} ${this.name} devices: ${loose.map((d) => d.name).join(', ')}`,
      );
    return loose[0];
  }

  /** The old MDM lets the device go: Workspace ONE unenrolls it, Jamf stops managing it. */
  async unenroll(device: OldMdmSimDevice): Promise<OldMdmSimDevice> {
    const ref = device.serialNumber
      ? { serialNumber: device.serialNumber }
      : { user: device.user, name: device.name };
    const verb = this.target.kind === 'jamf' ? 'unmanage' : 'unenroll';
    const body = await this.call('POST', `/_sim/devices/${verb}`, ref);
    if (body === undefined) throw new OldMdmSimError(`The ${this.name} simulator stopped answering.`);
    return this.target.kind === 'jamf' ? fromJamf(body as JamfRef) : fromWs1(body as Ws1Wire);
  }

  /** The parsed answer; undefined when nothing listens there. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      return undefined;
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new OldMdmSimError(`${this.target.url} answered ${res.status} with something that is not JSON.`);
    }
    if (!res.ok) {
      const error = (data as { error?: unknown }).error;
      throw new OldMdmSimError(
        `${this.name} simulator: ${typeof error === 'string' ? error : `HTTP ${res.status}`}`,
      );
    }
    return data;
  }
}
