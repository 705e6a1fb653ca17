/**
 * What a validated seed entry becomes in the simulated tenant: the user, group and device records,
 * with the defaults Entra and Intune would fill in. Indexing them is the tenant's job.
 */
import { INTUNE_MDM_APP_ID, WORKSPACE_ONE_MDM_APP_ID } from './constants';
import { createManagedDevice, defaultEnrollmentType } from './device-actions';
import type { SimDevice, SimGroup, SimUser } from './model';
import { type ParsedDeviceSeed, type ParsedGroupSeed, type ParsedUserSeed, resolveTime } from './seed';

export function userFromSeed(u: ParsedUserSeed): SimUser {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    mail: u.mail === undefined ? u.userPrincipalName : u.mail,
    preferredLanguage: u.preferredLanguage ?? null,
    usageLocation: u.usageLocation ?? null,
    jobTitle: u.jobTitle ?? null,
    officeLocation: u.officeLocation ?? null,
    mobilePhone: u.mobilePhone ?? null,
    businessPhones: [],
    accountEnabled: u.accountEnabled ?? true,
    blocksApp: u.blocksApp ?? false,
  };
}

/** A group without members: members may be groups seeded later in the same seed. */
export function groupShellFromSeed(g: ParsedGroupSeed): SimGroup {
  return {
    id: g.id,
    displayName: g.displayName,
    description: g.description ?? null,
    mailNickname: g.displayName.replace(/[^A-Za-z0-9]/g, ''),
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    memberIds: [],
  };
}

/** A physical device: its Entra record, and its Intune record when Intune manages it. */
export function deviceFromSeed(
  d: ParsedDeviceSeed,
  user: SimUser,
  deviceId: string,
  { now, newId, changeSeq }: { now: Date; newId: () => string; changeSeq: number },
): SimDevice {
  const partner = d.management === 'partner' || d.management === 'dual';
  const inIntune = d.management === 'intune' || d.management === 'dual';
  const partnerMdmAppId = partner ? (d.partnerMdmAppId ?? WORKSPACE_ONE_MDM_APP_ID) : null;
  const complianceState = d.intune?.complianceState ?? 'compliant';
  const device: SimDevice = {
    userId: user.id,
    ownership: d.ownership,
    relationship: d.relationship,
    partnerMdmAppId,
    enrollmentType: d.enrollmentType ?? defaultEnrollmentType(d.operatingSystem, d.ownership),
    serialNumber: d.serialNumber ?? deviceId.replace(/-/g, '').slice(0, 12).toUpperCase(),
    imei: d.imei ?? '',
    meid: d.meid ?? '',
    udid: d.udid ?? '',
    isSupervised: d.supervised ?? false,
    entra: {
      id: d.id ?? newId(),
      deviceId,
      displayName: d.displayName,
      operatingSystem: d.operatingSystem,
      operatingSystemVersion: d.osVersion,
      isManaged: partner || inIntune,
      isCompliant: inIntune ? complianceState === 'compliant' : partner ? (d.partnerCompliant ?? true) : null,
      mdmAppId: partnerMdmAppId ?? (inIntune ? INTUNE_MDM_APP_ID : null),
      trustType:
        d.trustType ??
        (d.operatingSystem === 'Windows' && d.ownership === 'company' ? 'AzureAd' : 'Workplace'),
      approximateLastSignInDateTime:
        d.approximateLastSignInDateTime === null
          ? null
          : resolveTime(d.approximateLastSignInDateTime ?? '-1d', now),
      registrationDateTime: resolveTime(d.registrationDateTime ?? '-365d', now),
      accountEnabled: true,
      deviceOwnership: d.ownership,
      manufacturer: d.manufacturer,
      model: d.model,
      profileType: 'RegisteredDevice',
    },
    intune: null,
    changeSeq,
  };
  if (inIntune) {
    device.intune = createManagedDevice(device, user, {
      id: d.intune?.id ?? newId(),
      complianceState,
      enrolledDateTime: resolveTime(d.intune?.enrolledDateTime ?? '-30d', now),
      lastSyncDateTime: resolveTime(d.intune?.lastSyncDateTime ?? '-1h', now),
    });
  }
  return device;
}
