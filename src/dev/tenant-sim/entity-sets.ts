/**
 * Per entity type: which properties exist on the wire (for $select and default output), which can be
 * filtered on (and how), and the page sizes Graph allows.
 */
import type { Filterable } from './odata-filter';

export interface EntitySet {
  /** Graph type name, e.g. microsoft.graph.user; appears in error messages and @odata.type. */
  typeName: string;
  /** Every property $select may name. */
  properties: readonly string[];
  /** What Graph returns without $select. */
  defaults: readonly string[];
  filterable: Filterable;
  defaultTop: number;
  maxTop: number;
}

const USER_DEFAULTS = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

export const USERS: EntitySet = {
  typeName: 'microsoft.graph.user',
  properties: [...USER_DEFAULTS, 'usageLocation', 'accountEnabled'],
  defaults: USER_DEFAULTS,
  filterable: {
    id: 'string',
    userPrincipalName: 'string',
    mail: 'string',
    displayName: 'string',
    givenName: 'string',
    surname: 'string',
    usageLocation: 'string',
    preferredLanguage: 'string',
    accountEnabled: 'boolean',
  },
  defaultTop: 100,
  maxTop: 999,
};

const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'mailNickname',
  'mailEnabled',
  'securityEnabled',
  'groupTypes',
] as const;

export const GROUPS: EntitySet = {
  typeName: 'microsoft.graph.group',
  properties: GROUP_PROPERTIES,
  defaults: GROUP_PROPERTIES,
  filterable: { id: 'string', displayName: 'string' },
  defaultTop: 100,
  maxTop: 999,
};

/** Group members are users and groups; $select may name a property of either. */
export const DIRECTORY_OBJECTS: EntitySet = {
  typeName: 'microsoft.graph.directoryObject',
  properties: [...new Set([...USERS.properties, ...GROUP_PROPERTIES])],
  defaults: [],
  filterable: {},
  defaultTop: 100,
  maxTop: 999,
};

const MANAGED_DEVICE_PROPERTIES = [
  'id',
  'deviceName',
  'userId',
  'userPrincipalName',
  'userDisplayName',
  'emailAddress',
  'operatingSystem',
  'osVersion',
  'model',
  'manufacturer',
  'complianceState',
  'managementAgent',
  'managementState',
  'enrolledDateTime',
  'lastSyncDateTime',
  'deviceEnrollmentType',
  'deviceRegistrationState',
  'azureADRegistered',
  'azureADDeviceId',
  'managedDeviceOwnerType',
  'serialNumber',
  'imei',
  'meid',
  'udid',
  'isSupervised',
] as const;

export const MANAGED_DEVICES: EntitySet = {
  typeName: 'microsoft.graph.managedDevice',
  properties: MANAGED_DEVICE_PROPERTIES,
  // Graph documents udid as returned only when $select names it.
  defaults: MANAGED_DEVICE_PROPERTIES.filter((p) => p !== 'udid'),
  filterable: {
    id: 'string',
    userId: 'string',
    userPrincipalName: 'string',
    deviceName: 'string',
    emailAddress: 'string',
    operatingSystem: 'string',
    osVersion: 'string',
    complianceState: 'string',
    managementAgent: 'string',
    deviceEnrollmentType: 'string',
    azureADDeviceId: 'string',
    managedDeviceOwnerType: 'string',
    serialNumber: 'string',
    imei: 'string',
    meid: 'string',
    lastSyncDateTime: 'datetime',
    enrolledDateTime: 'datetime',
    isSupervised: 'boolean',
  },
  defaultTop: 100,
  maxTop: 1000,
};

const DEVICE_PROPERTIES = [
  'id',
  'deviceId',
  'displayName',
  'operatingSystem',
  'operatingSystemVersion',
  'isManaged',
  'isCompliant',
  'mdmAppId',
  'trustType',
  'approximateLastSignInDateTime',
  'registrationDateTime',
  'accountEnabled',
  'deviceOwnership',
  'manufacturer',
  'model',
  'profileType',
] as const;

export const DEVICES: EntitySet = {
  typeName: 'microsoft.graph.device',
  properties: DEVICE_PROPERTIES,
  defaults: DEVICE_PROPERTIES,
  filterable: {
    id: 'string',
    deviceId: 'string',
    displayName: 'string',
    operatingSystem: 'string',
    mdmAppId: 'string',
    trustType: 'string',
    deviceOwnership: 'string',
    isManaged: 'boolean',
    isCompliant: 'boolean',
    accountEnabled: 'boolean',
    approximateLastSignInDateTime: 'datetime',
    registrationDateTime: 'datetime',
  },
  defaultTop: 100,
  maxTop: 999,
};

const EVENT_PROPERTIES = [
  'id',
  'eventDateTime',
  'correlationId',
  'managedDeviceIdentifier',
  'operatingSystem',
  'osVersion',
  'userId',
  'deviceId',
  'enrollmentType',
  'failureCategory',
  'failureReason',
] as const;

export const TROUBLESHOOTING_EVENTS: EntitySet = {
  typeName: 'microsoft.graph.enrollmentTroubleshootingEvent',
  properties: EVENT_PROPERTIES,
  defaults: EVENT_PROPERTIES,
  filterable: {
    id: 'string',
    userId: 'string',
    deviceId: 'string',
    managedDeviceIdentifier: 'string',
    operatingSystem: 'string',
    enrollmentType: 'string',
    failureCategory: 'string',
    eventDateTime: 'datetime',
  },
  defaultTop: 100,
  maxTop: 1000,
};

export const INSTALLED_APPS: EntitySet = {
  typeName: 'microsoft.graph.userScopeTeamsAppInstallation',
  properties: ['id'],
  defaults: ['id'],
  filterable: { 'teamsApp/id': 'string', 'teamsApp/externalId': 'string', 'teamsApp/displayName': 'string' },
  defaultTop: 100,
  maxTop: 999,
};
