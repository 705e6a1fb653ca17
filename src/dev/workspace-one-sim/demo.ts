/**
 * The demo's Workspace ONE inventory, derived from the demo tenant (src/dev/demo-tenant.json): every
 * device the tenant shows as managed by the partner MDM, with the same serial numbers, names and
 * users, IMEIs and UDIDs, so both simulators describe the same devices — plus the devices only Workspace
 * ONE knows when the demo starts: Alex Wilber's personal iPad (never registered in Entra), Megan Bowen's
 * corporate, supervised iPhone that she cannot unenroll herself (the helpdesk removes it from Workspace
 * ONE), and Alex's company-owned, supervised MacBook Pro enrolled with Automated Device Enrollment (the
 * Mac that Apple's managed-device migration moves).
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

/** Corporate and supervised: only IT can release it (the demo's open "needs IT" ticket is about it). */
export const MEGAN_IPHONE: Ws1DeviceSeed = {
  id: 1101,
  friendlyName: "Megan's iPhone",
  userName: 'meganb@example.com',
  userEmail: 'meganb@example.com',
  platform: 'Apple',
  model: 'iPhone 15',
  operatingSystem: '18.1',
  serialNumber: 'F2LXK9MEGB21',
  udid: '00008110-001C2D3E4F5A6B21',
  ownership: 'C',
  supervised: true,
  enrolledViaDep: true,
};

/** Company-owned and supervised through Automated Device Enrollment: eligible for Apple's migration. */
export const ALEX_MACBOOK: Ws1DeviceSeed = {
  id: 1102,
  friendlyName: "Alex's MacBook Pro",
  userName: 'alexw@example.com',
  userEmail: 'alexw@example.com',
  platform: 'AppleOsX',
  model: 'MacBook Pro (14-inch, M4)',
  operatingSystem: '26.1',
  serialNumber: 'C02ZK7ABCD20',
  ownership: 'C',
  supervised: true,
  enrolledViaDep: true,
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
  devices.push({ ...MEGAN_IPHONE, lastSeen: resolveTime('-1h', now) });
  devices.push({ ...ALEX_MACBOOK, lastSeen: resolveTime('-3h', now) });
  return options.platforms ? devices.filter((d) => options.platforms!.includes(d.platform)) : devices;
}
