/**
 * The demo's Jamf Pro inventory, derived from the demo tenant (src/dev/demo-tenant.json) so both
 * simulators tell one story: the tenant's Macs are in Jamf with the same serial numbers (known to
 * both sides), and Alex Wilber has a Mac only Jamf knows (never registered in Entra).
 */
import { demoSeed } from '../tenant-sim/demo';
import type { JamfComputerSeed, JamfMobileDeviceSeed } from './model';

export interface JamfDemoDevices {
  computers: JamfComputerSeed[];
  mobileDevices: JamfMobileDeviceSeed[];
}

export interface JamfDemoOptions {
  /**
   * Also list the tenant's iPhones and iPads in Jamf, for a campaign whose phones are in Jamf too.
   * Off by default: the demo's phones are in Workspace ONE (a source per platform).
   */
  mobileDevices?: boolean;
}

/** Alex's Mac: only Jamf knows it. */
export const ALEX_MAC: JamfComputerSeed = {
  name: "Alex's MacBook Air",
  serialNumber: 'C02ZJ1ALEX01',
  udid: '5A1E7C3B-0D4F-4A8E-9C3B-A1E000000001',
  model: 'MacBook Air (15-inch, M3, 2024)',
  modelIdentifier: 'Mac15,13',
  osVersion: '15.1',
  osBuild: '24B83',
  username: 'alexw@example.com',
  realname: 'Alex Wilber',
  email: 'alexw@example.com',
  enrolledViaAutomatedDeviceEnrollment: true,
  reportDate: '-3h',
  lastContact: '-20m',
  lastEnrolledDate: '-280d',
};

export function demoDevices(options: JamfDemoOptions = {}): JamfDemoDevices {
  const tenant = demoSeed();
  const users = new Map(tenant.users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  const userOf = (ref: string) => users.get(ref.toLowerCase()) ?? tenant.users.find((u) => u.id === ref);
  const computers: JamfComputerSeed[] = [ALEX_MAC];
  const mobileDevices: JamfMobileDeviceSeed[] = [];
  for (const d of tenant.devices) {
    const user = userOf(d.user);
    if (!user || !d.serialNumber) continue;
    const owner = {
      // Jamf's user record usually carries the directory username; with Entra as the directory that is the UPN.
      username: user.userPrincipalName,
      email: user.mail ?? user.userPrincipalName,
    };
    const corporate = d.ownership === 'company';
    if (d.operatingSystem === 'macOS') {
      computers.push({
        name: d.displayName,
        serialNumber: d.serialNumber,
        ...(d.udid ? { udid: d.udid } : {}),
        model: d.model,
        osVersion: d.osVersion,
        ...owner,
        realname: user.displayName,
        enrolledViaAutomatedDeviceEnrollment: corporate,
        supervised: corporate,
        reportDate: '-2h',
        lastContact: d.approximateLastSignInDateTime ?? '-1h',
      });
    } else if (options.mobileDevices && (d.operatingSystem === 'iOS' || d.operatingSystem === 'iPadOS')) {
      mobileDevices.push({
        name: d.displayName,
        serialNumber: d.serialNumber,
        ...(d.udid ? { udid: d.udid } : {}),
        ...(d.imei ? { imei: d.imei } : {}),
        model: d.model,
        osVersion: d.osVersion,
        username: owner.username,
        emailAddress: owner.email,
        realName: user.displayName,
        supervised: d.supervised ?? corporate,
        automatedDeviceEnrollment: corporate,
        deviceOwnershipType: corporate ? 'Institutional' : 'AccountDrivenUserEnrollment',
        lastInventoryUpdateDate: '-2h',
        lastContactDate: d.approximateLastSignInDateTime ?? '-1h',
      });
    }
  }
  return { computers, mobileDevices };
}
