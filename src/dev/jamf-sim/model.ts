/**
 * The Jamf Pro records the simulator serves, in Jamf's own wire shapes (Jamf Pro 11.30.1 schema,
 * docs/vendor-apis.md §2.2–2.3: `ComputerInventoryV4` and the iOS `MobileDeviceResponse`), and the
 * flat seeds tests and the demo write to create them.
 */
import { randomUUID } from 'node:crypto';
import { resolveTime } from '../tenant-sim/seed';

/** A Mac as `GET /api/v4/computers-inventory` lists it (the sections the simulator models). */
export interface JamfComputer {
  id: string;
  udid: string;
  general: {
    name: string;
    lastIpAddress: string | null;
    platform: 'Mac';
    assetTag: string | null;
    remoteManagement: { managed: boolean };
    supervised: boolean;
    /** An object, not a boolean (§2.2). */
    mdmCapable: { capable: boolean; userManagementInfo: { capableUser: string; managementId: string }[] };
    reportDate: string;
    lastCheckIn: string;
    lastContact: string;
    lastEnrolledDate: string;
    mdmProfileExpiration: string | null;
    initialEntryDate: string;
    site: { id: string; name: string };
    enrolledViaAutomatedDeviceEnrollment: boolean;
    userApprovedMdm: boolean;
    declarativeDeviceManagementEnabled: boolean;
    managementId: string;
  };
  hardware: {
    make: 'Apple';
    model: string;
    modelIdentifier: string;
    serialNumber: string;
    macAddress: string | null;
    appleSilicon: boolean;
  };
  /** Lower-case `realname` and `email`, unlike mobile devices (§2.2). */
  userAndLocation: {
    username: string | null;
    realname: string | null;
    email: string | null;
    position: string | null;
    phone: string | null;
    departmentId: string | null;
    buildingId: string | null;
    room: string | null;
  };
  operatingSystem: {
    name: string;
    version: string;
    build: string | null;
    supplementalBuildVersion: string | null;
    rapidSecurityResponse: string | null;
    fileVault2Status:
      | 'NOT_APPLICABLE'
      | 'NOT_ENCRYPTED'
      | 'BOOT_ENCRYPTED'
      | 'SOME_ENCRYPTED'
      | 'ALL_ENCRYPTED';
  };
}

export const MOBILE_DEVICE_TYPES = ['iOS', 'tvOS', 'watchOS', 'visionOS'] as const;
export type MobileDeviceType = (typeof MOBILE_DEVICE_TYPES)[number];

export const DEVICE_OWNERSHIP_TYPES = [
  'Institutional',
  'UserEnrollment',
  'AccountDrivenUserEnrollment',
  'AccountDrivenDeviceEnrollment',
] as const;
export type DeviceOwnershipType = (typeof DEVICE_OWNERSHIP_TYPES)[number];

/** A mobile device as `GET /api/v2/mobile-devices/detail` lists it (iOS shape, §2.3). */
export interface JamfMobileDevice {
  mobileDeviceId: string;
  deviceType: MobileDeviceType;
  general: {
    udid: string;
    displayName: string;
    assetTag: string | null;
    siteId: string;
    lastInventoryUpdateDate: string;
    lastContactDate: string;
    osVersion: string;
    osBuild: string | null;
    managed: boolean;
    supervised: boolean;
    deviceOwnershipType: DeviceOwnershipType;
    /** Set when the device enrolled through an Automated Device Enrollment prestage. */
    enrollmentMethodPrestage: { mobileDevicePrestageId: string; profileName: string } | null;
    lastEnrolledDate: string;
    managementId: string;
    sharedIpad: boolean;
  };
  hardware: {
    serialNumber: string;
    wifiMacAddress: string | null;
    bluetoothMacAddress: string | null;
    model: string;
    modelIdentifier: string;
    modelNumber: string | null;
  };
  /** `realName` / `emailAddress`, unlike computers (§2.3). */
  userAndLocation: {
    username: string | null;
    realName: string | null;
    emailAddress: string | null;
    position: string | null;
    phoneNumber: string | null;
    building: string | null;
    department: string | null;
    room: string | null;
  };
  network: {
    imei: string | null;
    meid: string | null;
    iccid: string | null;
    phoneNumber: string | null;
  };
}

/**
 * What a test or the demo writes to create a Mac. Times are ISO 8601, "now" or relative to the
 * simulator clock ("-2h", "-3d"), like the tenant simulator's seeds.
 */
export interface JamfComputerSeed {
  id?: string;
  udid?: string;
  name: string;
  serialNumber: string;
  model?: string;
  modelIdentifier?: string;
  osVersion?: string;
  osBuild?: string;
  username?: string;
  realname?: string;
  email?: string;
  /** Default true: Jamf manages it. */
  managed?: boolean;
  supervised?: boolean;
  enrolledViaAutomatedDeviceEnrollment?: boolean;
  reportDate?: string;
  lastContact?: string;
  lastEnrolledDate?: string;
}

export interface JamfMobileDeviceSeed {
  id?: string;
  udid?: string;
  name: string;
  serialNumber: string;
  /** Default iOS (iPhone and iPad both report iOS; the model tells them apart). */
  deviceType?: MobileDeviceType;
  model?: string;
  modelIdentifier?: string;
  osVersion?: string;
  username?: string;
  realName?: string;
  emailAddress?: string;
  imei?: string;
  meid?: string;
  managed?: boolean;
  supervised?: boolean;
  deviceOwnershipType?: DeviceOwnershipType;
  /** Enrolled through an Automated Device Enrollment prestage. */
  automatedDeviceEnrollment?: boolean;
  lastInventoryUpdateDate?: string;
  lastContactDate?: string;
  lastEnrolledDate?: string;
}

/** Jamf's examples carry computer dates without milliseconds and mobile-device dates with them (J1). */
export function computerDate(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

function time(value: string | undefined, fallback: string, now: Date): string {
  return resolveTime(value ?? fallback, now);
}

function fakeMac(n: number): string {
  const hex = n.toString(16).padStart(10, '0').slice(-10);
  return `a4:83:${hex.match(/../g)!.join(':')}`;
}

export function buildComputer(seed: JamfComputerSeed, id: string, now: Date): JamfComputer {
  const managed = seed.managed ?? true;
  const reportDate = computerDate(time(seed.reportDate, '-1h', now));
  const lastContact = computerDate(time(seed.lastContact, seed.reportDate ?? '-15m', now));
  const enrolled = computerDate(time(seed.lastEnrolledDate, '-200d', now));
  const ade = seed.enrolledViaAutomatedDeviceEnrollment ?? false;
  return {
    id,
    udid: seed.udid ?? randomUUID().toUpperCase(),
    general: {
      name: seed.name,
      lastIpAddress: '10.0.0.10',
      platform: 'Mac',
      assetTag: null,
      remoteManagement: { managed },
      supervised: seed.supervised ?? ade,
      mdmCapable: { capable: managed, userManagementInfo: [] },
      reportDate,
      lastCheckIn: lastContact,
      lastContact,
      lastEnrolledDate: enrolled,
      mdmProfileExpiration: managed
        ? computerDate(new Date(now.getTime() + 700 * 86_400_000).toISOString())
        : null,
      initialEntryDate: enrolled.slice(0, 10),
      site: { id: '-1', name: 'None' },
      enrolledViaAutomatedDeviceEnrollment: ade,
      userApprovedMdm: true,
      declarativeDeviceManagementEnabled: true,
      managementId: randomUUID(),
    },
    hardware: {
      make: 'Apple',
      model: seed.model ?? 'MacBook Air (13-inch, M2, 2022)',
      modelIdentifier: seed.modelIdentifier ?? 'Mac14,2',
      serialNumber: seed.serialNumber,
      macAddress: fakeMac(Number(id) || 1),
      appleSilicon: true,
    },
    userAndLocation: {
      username: seed.username ?? null,
      realname: seed.realname ?? null,
      email: seed.email ?? null,
      position: null,
      phone: null,
      departmentId: null,
      buildingId: null,
      room: null,
    },
    operatingSystem: {
      name: 'macOS',
      version: seed.osVersion ?? '15.1',
      build: seed.osBuild ?? null,
      supplementalBuildVersion: null,
      rapidSecurityResponse: null,
      fileVault2Status: 'ALL_ENCRYPTED',
    },
  };
}

export function buildMobileDevice(seed: JamfMobileDeviceSeed, id: string, now: Date): JamfMobileDevice {
  const model = seed.model ?? 'iPhone 15';
  const ade = seed.automatedDeviceEnrollment ?? false;
  return {
    mobileDeviceId: id,
    deviceType: seed.deviceType ?? 'iOS',
    general: {
      udid: seed.udid ?? randomUUID().replace(/-/g, '').toLowerCase(),
      displayName: seed.name,
      assetTag: null,
      siteId: '-1',
      lastInventoryUpdateDate: time(seed.lastInventoryUpdateDate, '-1h', now),
      lastContactDate: time(seed.lastContactDate, seed.lastInventoryUpdateDate ?? '-15m', now),
      osVersion: seed.osVersion ?? '18.1',
      osBuild: null,
      managed: seed.managed ?? true,
      supervised: seed.supervised ?? ade,
      deviceOwnershipType: seed.deviceOwnershipType ?? 'Institutional',
      enrollmentMethodPrestage: ade
        ? { mobileDevicePrestageId: '1', profileName: 'Corporate devices' }
        : null,
      lastEnrolledDate: time(seed.lastEnrolledDate, '-200d', now),
      managementId: randomUUID(),
      sharedIpad: false,
    },
    hardware: {
      serialNumber: seed.serialNumber,
      wifiMacAddress: null,
      bluetoothMacAddress: null,
      model,
      modelIdentifier: seed.modelIdentifier ?? (/ipad/i.test(model) ? 'iPad13,16' : 'iPhone15,4'),
      modelNumber: null,
    },
    userAndLocation: {
      username: seed.username ?? null,
      realName: seed.realName ?? null,
      emailAddress: seed.emailAddress ?? null,
      position: null,
      phoneNumber: null,
      building: null,
      department: null,
      room: null,
    },
    network: { imei: seed.imei ?? null, meid: seed.meid ?? null, iccid: null, phoneNumber: null },
  };
}

/** The `section` values each endpoint accepts, and the response key each one fills (§2.2, §2.3). */
export const COMPUTER_SECTIONS: Readonly<Record<string, string>> = {
  GENERAL: 'general',
  DISK_ENCRYPTION: 'diskEncryption',
  PURCHASING: 'purchasing',
  APPLICATIONS: 'applications',
  STORAGE: 'storage',
  USER_AND_LOCATION: 'userAndLocation',
  CONFIGURATION_PROFILES: 'configurationProfiles',
  PRINTERS: 'printers',
  SERVICES: 'services',
  HARDWARE: 'hardware',
  LOCAL_USER_ACCOUNTS: 'localUserAccounts',
  CERTIFICATES: 'certificates',
  ATTACHMENTS: 'attachments',
  PACKAGE_RECEIPTS: 'packageReceipts',
  SECURITY: 'security',
  OPERATING_SYSTEM: 'operatingSystem',
  LICENSED_SOFTWARE: 'licensedSoftware',
  IBEACONS: 'ibeacons',
  SOFTWARE_UPDATES: 'softwareUpdates',
  EXTENSION_ATTRIBUTES: 'extensionAttributes',
  CONTENT_CACHING: 'contentCaching',
  GROUP_MEMBERSHIPS: 'groupMemberships',
};

export const MOBILE_SECTIONS: Readonly<Record<string, string>> = {
  GENERAL: 'general',
  HARDWARE: 'hardware',
  USER_AND_LOCATION: 'userAndLocation',
  PURCHASING: 'purchasing',
  SECURITY: 'security',
  APPLICATIONS: 'applications',
  EBOOKS: 'ebooks',
  NETWORK: 'network',
  SERVICE_SUBSCRIPTIONS: 'serviceSubscriptions',
  CERTIFICATES: 'certificates',
  PROFILES: 'profiles',
  USER_PROFILES: 'userProfiles',
  PROVISIONING_PROFILES: 'provisioningProfiles',
  SHARED_USERS: 'sharedUsers',
  GROUPS: 'groups',
  EXTENSION_ATTRIBUTES: 'extensionAttributes',
};
