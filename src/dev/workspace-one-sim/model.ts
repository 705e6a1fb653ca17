/**
 * The simulated Workspace ONE UEM device record, in the API's own wire names (`DeviceExtended`,
 * docs/vendor-apis.md §1.3), and the friendlier seed that tests, the demo and the benchmark write.
 */

/** A device as `GET /API/mdm/devices/search` (v1/v2) returns it. */
export interface Ws1WireDevice {
  Id: { Value: number };
  Uuid: string;
  Udid?: string;
  SerialNumber?: string;
  MacAddress?: string;
  Imei?: string;
  AssetNumber?: string;
  DeviceFriendlyName: string;
  DeviceReportedName?: string;
  LocationGroupId: { Id: { Value: number }; Name: string; Uuid: string };
  LocationGroupName: string;
  UserId: { Id: { Value: number }; Name: string; Uuid: string };
  UserName: string;
  UserEmailAddress?: string;
  /** C = corporate-dedicated, E = employee-owned, S = corporate-shared. */
  Ownership: 'C' | 'E' | 'S' | 'Undefined';
  PlatformId: { Id: { Value: number }; Name: string };
  Platform: string;
  ModelId: { Id: { Value: number }; Name: string };
  Model?: string;
  OperatingSystem?: string;
  /** `yyyy-MM-ddTHH:mm:ss.fff`, no offset (W4). */
  LastSeen: string;
  EnrollmentStatus: Ws1EnrollmentStatus;
  ComplianceStatus: string;
  CompromisedStatus: boolean;
  LastEnrolledOn: string;
  IsSupervised: boolean;
  EnrolledViaDEP: boolean;
}

/** The values of the v1 `enrollmentstatus` filter (W3 DevicesApi.md). */
export type Ws1EnrollmentStatus = 'Enrolled' | 'EnterpriseWipePending' | 'DeviceWipePending' | 'Unenrolled';

/** Platform names as Workspace ONE reports them (litesearch's `platform` values, §1.4). */
export const WS1_PLATFORM_IDS: Readonly<Record<string, number>> = {
  Apple: 2,
  Android: 5,
  AppleOsX: 10,
  WinRT: 12,
  WindowsPc: 11,
};

export interface Ws1DeviceSeed {
  /** `Id.Value`; assigned in order when absent. */
  id?: number;
  uuid?: string;
  udid?: string;
  serialNumber?: string;
  imei?: string;
  macAddress?: string;
  friendlyName: string;
  /** The enrollment user's name (a UPN in directory-integrated tenants). */
  userName: string;
  userEmail?: string;
  /** Workspace ONE's platform name: Apple, AppleOsX, Android, WinRT, WindowsPc, … */
  platform: string;
  model?: string;
  operatingSystem?: string;
  ownership?: Ws1WireDevice['Ownership'];
  enrollmentStatus?: Ws1EnrollmentStatus;
  /** When it last checked in; default now. */
  lastSeen?: Date | string;
  supervised?: boolean;
  enrolledViaDep?: boolean;
  locationGroupId?: number;
}

/** The organization group every seeded device sits in unless told otherwise. */
export const DEFAULT_LOCATION_GROUP = {
  id: 570,
  name: 'Contoso',
  uuid: 'c8f1b2a4-5d6e-4f70-8a9b-0c1d2e3f4a57',
};

/** Offset-less UTC with milliseconds, as Workspace ONE writes LastSeen. */
export function ws1Time(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

/** A stable UUID-shaped id derived from a number, so seeds and the demo stay reproducible. */
export function uuidFor(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

export function wireDevice(seed: Ws1DeviceSeed, id: number, now: number): Ws1WireDevice {
  const lastSeenMs = seed.lastSeen === undefined ? now : new Date(seed.lastSeen).getTime();
  if (Number.isNaN(lastSeenMs)) throw new RangeError(`device ${id}: lastSeen is not a date`);
  const platformId = WS1_PLATFORM_IDS[seed.platform] ?? 0;
  const userId = userIdFor(seed.userName);
  return {
    Id: { Value: id },
    Uuid: seed.uuid ?? uuidFor(0x5e1d, id),
    ...(seed.udid ? { Udid: seed.udid } : {}),
    ...(seed.serialNumber ? { SerialNumber: seed.serialNumber } : {}),
    ...(seed.macAddress ? { MacAddress: seed.macAddress } : {}),
    ...(seed.imei ? { Imei: seed.imei } : {}),
    DeviceFriendlyName: seed.friendlyName,
    DeviceReportedName: seed.friendlyName,
    LocationGroupId: {
      Id: { Value: seed.locationGroupId ?? DEFAULT_LOCATION_GROUP.id },
      Name: DEFAULT_LOCATION_GROUP.name,
      Uuid: DEFAULT_LOCATION_GROUP.uuid,
    },
    LocationGroupName: DEFAULT_LOCATION_GROUP.name,
    UserId: { Id: { Value: userId }, Name: seed.userName, Uuid: uuidFor(0x05e4, userId) },
    UserName: seed.userName,
    ...(seed.userEmail ? { UserEmailAddress: seed.userEmail } : {}),
    Ownership: seed.ownership ?? 'C',
    PlatformId: { Id: { Value: platformId }, Name: seed.platform },
    Platform: seed.platform,
    ModelId: { Id: { Value: platformId }, Name: seed.model ?? seed.platform },
    ...(seed.model ? { Model: seed.model } : {}),
    ...(seed.operatingSystem ? { OperatingSystem: seed.operatingSystem } : {}),
    LastSeen: ws1Time(lastSeenMs),
    EnrollmentStatus: seed.enrollmentStatus ?? 'Enrolled',
    ComplianceStatus: 'Compliant',
    CompromisedStatus: false,
    LastEnrolledOn: ws1Time(lastSeenMs - 200 * 86_400_000),
    IsSupervised: seed.supervised ?? false,
    EnrolledViaDEP: seed.enrolledViaDep ?? false,
  };
}

/** A small stable number per user name (Workspace ONE's user ids are ints). */
function userIdFor(userName: string): number {
  let h = 0;
  for (const c of userName.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 10_000 + (h % 900_000);
}
