/**
 * What a device's owner does on the real device (remove the old MDM, enroll with Company Portal,
 * fix a compliance problem, hit an enrollment error), expressed as changes to the Graph records.
 * Each action returns the exact field changes so the CLI and control page can show them.
 */
import { INTUNE_MDM_APP_ID } from './constants';
import type {
  ComplianceState,
  DeviceAction,
  FailureCategory,
  ManagedDevice,
  SimDevice,
  SimUser,
  TroubleshootingEvent,
} from './model';

export interface FieldChange {
  record: 'entra' | 'intune' | 'device' | 'troubleshootingEvent';
  field: string;
  from: unknown;
  to: unknown;
}

export interface ActionOptions {
  failureCategory?: FailureCategory;
  failureReason?: string;
}

export interface ActionContext {
  now: Date;
  newId: () => string;
  user: SimUser;
}

export interface ActionOutcome {
  changes: FieldChange[];
  event?: TroubleshootingEvent;
}

/** A device action that cannot happen in the device's current state, or names nothing. */
export class ActionError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

/** Readable reasons, close to what Intune shows, so escalation cards have something real to display. */
export const FAILURE_REASONS: Readonly<Record<FailureCategory, string>> = {
  unknown: 'The enrollment failed for an unknown reason.',
  authentication:
    'The user could not be authenticated: the sign-in to Company Portal failed or was cancelled.',
  authorization: 'The user is not authorized to enroll devices: no Intune license is assigned.',
  accountValidation: 'The account could not be validated for enrollment.',
  userValidation: 'The user could not be validated: the account is disabled or not found.',
  deviceNotSupported: 'This device or its OS version is not supported for enrollment.',
  inMaintenance: 'The Intune service is in maintenance; try again later.',
  badRequest: 'The enrollment request was not valid.',
  featureNotSupported: 'The enrollment feature used is not supported for this account.',
  enrollmentRestrictionsEnforced:
    'Enrollment restrictions block this device: the platform or personal ownership is not allowed.',
  clientDisconnected: 'The device disconnected before the enrollment finished.',
  userAbandonment: 'The user abandoned the enrollment before it finished.',
};

/** Intune's deviceEnrollmentType for a device enrolled the way the guidance tells its owner to. */
export function defaultEnrollmentType(operatingSystem: string, ownership: 'personal' | 'company'): string {
  const company = ownership === 'company';
  switch (operatingSystem) {
    case 'iOS':
    case 'iPadOS':
    case 'macOS':
      return company ? 'appleBulkWithUser' : 'userEnrollment';
    case 'Android':
      return company ? 'androidEnterpriseCorporateWorkProfile' : 'userEnrollment';
    case 'Windows':
      return company ? 'windowsAzureADJoin' : 'userEnrollment';
    default:
      return 'unknown';
  }
}

/** Intune lists iPads as iOS devices; Entra keeps the finer name. */
export function intuneOperatingSystem(entraOs: string): ManagedDevice['operatingSystem'] {
  if (entraOs === 'iPadOS') return 'iOS';
  if (entraOs === 'Android' || entraOs === 'Windows' || entraOs === 'macOS') return entraOs;
  return 'iOS';
}

export function createManagedDevice(
  device: SimDevice,
  user: SimUser,
  fields: {
    id: string;
    complianceState: ComplianceState;
    enrolledDateTime: string;
    lastSyncDateTime: string;
  },
): ManagedDevice {
  return {
    id: fields.id,
    deviceName: device.entra.displayName,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName,
    emailAddress: user.mail ?? user.userPrincipalName,
    operatingSystem: intuneOperatingSystem(device.entra.operatingSystem),
    osVersion: device.entra.operatingSystemVersion,
    model: device.entra.model,
    manufacturer: device.entra.manufacturer,
    complianceState: fields.complianceState,
    managementAgent: 'mdm',
    managementState: 'managed',
    enrolledDateTime: fields.enrolledDateTime,
    lastSyncDateTime: fields.lastSyncDateTime,
    deviceEnrollmentType: device.enrollmentType,
    deviceRegistrationState: 'registered',
    azureADRegistered: true,
    azureADDeviceId: device.entra.deviceId,
    managedDeviceOwnerType: device.ownership,
    serialNumber: device.serialNumber,
    imei: device.imei,
    meid: device.meid,
    udid: device.udid,
    isSupervised: device.isSupervised,
  };
}

/** Sets a field and records the change when the value actually differs. */
function set<T extends object, K extends keyof T & string>(
  changes: FieldChange[],
  record: FieldChange['record'],
  target: T,
  field: K,
  value: T[K],
): void {
  if (target[field] === value) return;
  changes.push({ record, field, from: target[field], to: value });
  target[field] = value;
}

function touch(changes: FieldChange[], device: SimDevice, now: string): void {
  set(changes, 'entra', device.entra, 'approximateLastSignInDateTime', now);
  if (device.intune) set(changes, 'intune', device.intune, 'lastSyncDateTime', now);
}

/**
 * Removes the old MDM. If Intune already manages the device (dual enrollment), Entra's mdmAppId
 * falls back to Intune and the device stays managed.
 */
function unenroll(device: SimDevice, ctx: ActionContext): ActionOutcome {
  if (!device.partnerMdmAppId) {
    throw new ActionError(
      409,
      'NotManagedByOldMdm',
      `${device.entra.displayName} is not managed by the old MDM.`,
    );
  }
  const changes: FieldChange[] = [];
  set(changes, 'device', device, 'partnerMdmAppId', null);
  const intune = device.intune;
  set(changes, 'entra', device.entra, 'mdmAppId', intune ? INTUNE_MDM_APP_ID : null);
  set(changes, 'entra', device.entra, 'isManaged', intune !== null);
  set(changes, 'entra', device.entra, 'isCompliant', intune ? intune.complianceState === 'compliant' : null);
  touch(changes, device, ctx.now.toISOString());
  return { changes };
}

/**
 * Enrolls in Intune. A device the old MDM still manages may enroll too (dual enrollment, which the
 * product must detect): then Entra keeps the partner's mdmAppId, as the partner still claims the
 * device, and the new Intune record is what reveals the second enrollment.
 */
function enroll(device: SimDevice, ctx: ActionContext): ActionOutcome {
  if (device.intune) {
    throw new ActionError(
      409,
      'AlreadyEnrolled',
      `${device.entra.displayName} is already enrolled in Intune.`,
    );
  }
  const now = ctx.now.toISOString();
  const changes: FieldChange[] = [];
  const intune = createManagedDevice(device, ctx.user, {
    id: ctx.newId(),
    complianceState: 'unknown',
    enrolledDateTime: now,
    lastSyncDateTime: now,
  });
  device.intune = intune;
  for (const field of [
    'id',
    'managementAgent',
    'complianceState',
    'enrolledDateTime',
    'lastSyncDateTime',
    'deviceEnrollmentType',
    'azureADDeviceId',
  ] as const) {
    changes.push({ record: 'intune', field, from: null, to: intune[field] });
  }
  set(changes, 'entra', device.entra, 'mdmAppId', device.partnerMdmAppId ?? INTUNE_MDM_APP_ID);
  set(changes, 'entra', device.entra, 'isManaged', true);
  set(changes, 'entra', device.entra, 'isCompliant', false);
  set(changes, 'entra', device.entra, 'approximateLastSignInDateTime', now);
  return { changes };
}

function setCompliance(
  device: SimDevice,
  ctx: ActionContext,
  state: 'compliant' | 'noncompliant',
): ActionOutcome {
  if (!device.intune) {
    throw new ActionError(
      409,
      'NotEnrolled',
      `${device.entra.displayName} is not enrolled in Intune yet; enroll it before changing compliance.`,
    );
  }
  const changes: FieldChange[] = [];
  set(changes, 'intune', device.intune, 'complianceState', state);
  set(changes, 'entra', device.entra, 'isCompliant', state === 'compliant');
  touch(changes, device, ctx.now.toISOString());
  return { changes };
}

/**
 * A failed enrollment attempt: Intune records a troubleshooting event. The device's records are
 * unchanged, except that a device Intune already knows checked in (its lastSyncDateTime moves), as
 * every action does.
 */
function fail(device: SimDevice, ctx: ActionContext, options: ActionOptions): ActionOutcome {
  const category = options.failureCategory ?? 'authentication';
  const event: TroubleshootingEvent = {
    '@odata.type': '#microsoft.graph.enrollmentTroubleshootingEvent',
    id: ctx.newId(),
    eventDateTime: ctx.now.toISOString(),
    correlationId: ctx.newId(),
    managedDeviceIdentifier: device.intune?.id ?? '',
    operatingSystem: intuneOperatingSystem(device.entra.operatingSystem),
    osVersion: device.entra.operatingSystemVersion,
    userId: ctx.user.id,
    deviceId: device.entra.deviceId,
    enrollmentType: device.enrollmentType,
    failureCategory: category,
    failureReason: options.failureReason ?? FAILURE_REASONS[category],
  };
  const changes: FieldChange[] = (['id', 'eventDateTime', 'failureCategory', 'failureReason'] as const).map(
    (field) => ({ record: 'troubleshootingEvent', field, from: null, to: event[field] }),
  );
  // Seeded events may lie in the past: a check-in time never moves backwards.
  const now = ctx.now.toISOString();
  if (device.intune && Date.parse(now) > Date.parse(device.intune.lastSyncDateTime)) {
    set(changes, 'intune', device.intune, 'lastSyncDateTime', now);
  }
  return { changes, event };
}

export function performAction(
  action: DeviceAction,
  device: SimDevice,
  ctx: ActionContext,
  options: ActionOptions = {},
): ActionOutcome {
  switch (action) {
    case 'unenroll':
      return unenroll(device, ctx);
    case 'enroll':
      return enroll(device, ctx);
    case 'comply':
      return setCompliance(device, ctx, 'compliant');
    case 'noncomply':
      return setCompliance(device, ctx, 'noncompliant');
    case 'fail':
      return fail(device, ctx, options);
  }
}
