/**
 * The demo's Workspace ONE inventory, derived from the demo tenant (src/dev/demo-tenant.json): every
 * device the tenant shows as managed by the partner MDM, with the same serial numbers, names and
 * users, IMEIs and UDIDs, so both simulators describe the same devices — plus Alex Wilber's iPad, which only
 * Workspace ONE knows (personal, never registered in Entra).
 */
import { demoSeed } from '../tenant-sim/demo';
import { resolveTime } from '../tenant-sim/seed';
import type { Ws1DeviceSeed } from './model';

/** The tenant simulator's operating systems as Workspace ONE names the platform. */
const PLATFORM_OF: Readonly<Record<string, string>> = {
  iOS: 'Apple',
  iPadOS: 'Apple',
  macOS: 'AppleOsX',
  Android: 'Android',
  Windows: 'WinRT',
};

export const ALEX_IPAD: Ws1DeviceSeed = {
  id: 1100,
  friendlyName: "Alex's iPad",
  userName: 'alexw@example.com',
  userEmail: 'alexw@example.com',
  platform: 'Apple',
  model: 'iPad (10th generation)',
  operatingSystem: '18.1',
  serialNumber: 'DMPXK9ABCD12',
  udid: '00008101-000A1B2C3D4E5F12',
  ownership: 'E',
  supervised: false,
};

export interface DemoDevicesOptions {
  /** The clock relative seed times resolve against; default now. */
  now?: Date;
  /**
   * Only these Workspace ONE platforms (e.g. without `AppleOsX` when a campaign reads its Macs from
   * Jamf Pro); default all.
   */
  platforms?: readonly string[];
}

export function demoDevices(options: DemoDevicesOptions = {}): Ws1DeviceSeed[] {
  const now = options.now ?? new Date();
  const seed = demoSeed();
  const users = new Map(seed.users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  const devices: Ws1DeviceSeed[] = [];
  seed.devices.forEach((d, i) => {
    // Devices already moved (intune) or unmanaged (none) in the seed are not in the old MDM.
    if (d.management !== 'partner' && d.management !== 'dual') return;
    const user = users.get(d.user.toLowerCase());
    const platform = PLATFORM_OF[d.operatingSystem] ?? 'Other';
    const lastSeen = d.approximateLastSignInDateTime ?? '-1d';
    const n = i + 1;
    devices.push({
      id: 1000 + n,
      friendlyName: d.displayName,
      userName: user?.userPrincipalName ?? d.user,
      userEmail: user?.mail ?? undefined,
      platform,
      model: d.model,
      operatingSystem: d.osVersion,
      serialNumber: d.serialNumber,
      // The tenant seed carries the hardware identifiers Intune reports, so both sides agree on them.
      ...(d.udid ? { udid: d.udid } : {}),
      ...(d.imei ? { imei: d.imei } : {}),
      ownership: d.ownership === 'personal' ? 'E' : 'C',
      supervised: d.supervised ?? false,
      lastSeen: resolveTime(lastSeen, now),
    });
  });
  devices.push({ ...ALEX_IPAD, lastSeen: resolveTime('-2h', now) });
  return options.platforms ? devices.filter((d) => options.platforms!.includes(d.platform)) : devices;
}
