/**
 * The simulator's in-memory records. Graph-visible records use Graph's own property names so the
 * OData layer can filter and select on them directly; which properties are visible on the wire is
 * decided by the entity sets (entity-sets.ts), so sim-only fields (blocksApp …) never leak.
 */

/** Operating systems as Entra names them; Intune reports iPadOS devices as 'iOS'. */
export const OPERATING_SYSTEMS = ['iOS', 'iPadOS', 'Android', 'Windows', 'macOS'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export type Ownership = 'personal' | 'company';

export const COMPLIANCE_STATES = [
  'compliant',
  'noncompliant',
  'inGracePeriod',
  'unknown',
  'conflict',
  'error',
  'configManager',
] as const;
export type ComplianceState = (typeof COMPLIANCE_STATES)[number];

export const FAILURE_CATEGORIES = [
  'unknown',
  'authentication',
  'authorization',
  'accountValidation',
  'userValidation',
  'deviceNotSupported',
  'inMaintenance',
  'badRequest',
  'featureNotSupported',
  'enrollmentRestrictionsEnforced',
  'clientDisconnected',
  'userAbandonment',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export const DEVICE_ACTIONS = ['unenroll', 'enroll', 'comply', 'noncomply', 'fail'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];

export function isDeviceAction(value: string): value is DeviceAction {
  return (DEVICE_ACTIONS as readonly string[]).includes(value);
}

/** Which Entra relationship lists the device under its user (registeredDevices, ownedDevices or both). */
export type DeviceRelationship = 'both' | 'registered' | 'owned';

export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  preferredLanguage: string | null;
  usageLocation: string | null;
  jobTitle: string | null;
  officeLocation: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  accountEnabled: boolean;
  /** Sim-only: installing the Teams app for this user answers 403 (blocked by user or policy). */
  blocksApp: boolean;
}

export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  /** Direct members: user ids and group ids. */
  memberIds: string[];
}

/** Entra's device object (GET /devices). */
export interface EntraDevice {
  id: string;
  deviceId: string;
  displayName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  isManaged: boolean | null;
  isCompliant: boolean | null;
  mdmAppId: string | null;
  trustType: 'Workplace' | 'AzureAd' | 'ServerAd';
  approximateLastSignInDateTime: string | null;
  registrationDateTime: string;
  accountEnabled: boolean;
  deviceOwnership: 'personal' | 'company' | 'unknown';
  manufacturer: string;
  model: string;
  profileType: 'RegisteredDevice' | 'SecureVM' | 'Printer' | 'Shared' | 'IoT';
}

/** Intune's managedDevice (GET /deviceManagement/managedDevices). */
export interface ManagedDevice {
  id: string;
  deviceName: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  emailAddress: string;
  operatingSystem: 'iOS' | 'Android' | 'Windows' | 'macOS';
  osVersion: string;
  model: string;
  manufacturer: string;
  complianceState: ComplianceState;
  managementAgent: 'mdm';
  managementState: 'managed';
  enrolledDateTime: string;
  lastSyncDateTime: string;
  deviceEnrollmentType: string;
  deviceRegistrationState: 'registered';
  azureADRegistered: boolean;
  azureADDeviceId: string;
  managedDeviceOwnerType: Ownership;
  serialNumber: string;
  /** Empty when the device has no cellular modem, as Graph returns it. */
  imei: string;
  meid: string;
  /** Apple devices only; empty otherwise. */
  udid: string;
  isSupervised: boolean;
}

/** One physical device: its Entra record always, its Intune record once enrolled. */
export interface SimDevice {
  userId: string;
  ownership: Ownership;
  relationship: DeviceRelationship;
  /** The old MDM's app id while it still manages the device; kept during dual enrollment. */
  partnerMdmAppId: string | null;
  /** The deviceEnrollmentType Intune will record when this device enrolls. */
  enrollmentType: string;
  serialNumber: string;
  /** Hardware identifiers Intune reports once the device enrolls ('' when it has none). */
  imei: string;
  meid: string;
  udid: string;
  isSupervised: boolean;
  entra: EntraDevice;
  intune: ManagedDevice | null;
  /**
   * Sim-only: the tenant's change sequence number when this device's Entra record last changed
   * (seeding or any device action). GET /devices/delta returns the devices whose number is past the
   * one its token remembers; it never reaches the wire.
   */
  changeSeq: number;
}

export interface TroubleshootingEvent {
  '@odata.type': '#microsoft.graph.enrollmentTroubleshootingEvent';
  id: string;
  eventDateTime: string;
  correlationId: string;
  managedDeviceIdentifier: string;
  operatingSystem: string;
  osVersion: string;
  userId: string;
  deviceId: string;
  enrollmentType: string;
  failureCategory: FailureCategory;
  failureReason: string;
}

export interface TeamsAppRef {
  id: string;
  externalId: string | null;
  displayName: string;
  distributionMethod: 'organization' | 'store' | 'sideloaded';
}

export interface InstalledApp {
  id: string;
  userId: string;
  teamsApp: TeamsAppRef;
  /** The 1:1 chat between the user and the bot, which Graph exposes under .../installedApps/{id}/chat. */
  chatId: string;
}
