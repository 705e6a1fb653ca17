/**
 * Jamf Pro inventory records → `OldMdmDevice`. Field names are Jamf's (Jamf Pro 11.30.1 schema,
 * docs/vendor-apis.md §2.2 `ComputerInventoryV4`, §2.3 the iOS `MobileDeviceResponse`); only the
 * sections a sync asks for are read, and any of them may be null.
 */
import type { Platform } from '../../domain/device';
import type { OldMdmDevice, OldMdmEnrollment, OldMdmOwnership } from '../../domain/old-mdm';

/** The sections a sync needs: identity, hardware ids, the user, the OS. */
export const COMPUTER_SECTIONS = ['GENERAL', 'HARDWARE', 'USER_AND_LOCATION', 'OPERATING_SYSTEM'] as const;
/** NETWORK carries the IMEI/MEID the matching uses. */
export const MOBILE_SECTIONS = ['GENERAL', 'HARDWARE', 'USER_AND_LOCATION', 'NETWORK'] as const;

type Maybe<T> = T | null | undefined;

export interface JamfComputerRecord {
  id: string;
  udid?: Maybe<string>;
  general?: Maybe<{
    name?: Maybe<string>;
    remoteManagement?: Maybe<{ managed?: Maybe<boolean> }>;
    supervised?: Maybe<boolean>;
    enrolledViaAutomatedDeviceEnrollment?: Maybe<boolean>;
    reportDate?: Maybe<string>;
    lastContact?: Maybe<string>;
    lastCheckIn?: Maybe<string>;
  }>;
  hardware?: Maybe<{ model?: Maybe<string>; serialNumber?: Maybe<string> }>;
  userAndLocation?: Maybe<{ username?: Maybe<string>; email?: Maybe<string> }>;
  operatingSystem?: Maybe<{ version?: Maybe<string> }>;
}

export interface JamfMobileDeviceRecord {
  mobileDeviceId: string;
  deviceType?: Maybe<string>;
  general?: Maybe<{
    udid?: Maybe<string>;
    displayName?: Maybe<string>;
    osVersion?: Maybe<string>;
    managed?: Maybe<boolean>;
    supervised?: Maybe<boolean>;
    sharedIpad?: Maybe<boolean>;
    deviceOwnershipType?: Maybe<string>;
    enrollmentMethodPrestage?: Maybe<{ mobileDevicePrestageId?: Maybe<string> }>;
    lastInventoryUpdateDate?: Maybe<string>;
    lastContactDate?: Maybe<string>;
  }>;
  hardware?: Maybe<{ model?: Maybe<string>; modelIdentifier?: Maybe<string>; serialNumber?: Maybe<string> }>;
  userAndLocation?: Maybe<{ username?: Maybe<string>; emailAddress?: Maybe<string> }>;
  network?: Maybe<{ imei?: Maybe<string>; meid?: Maybe<string> }>;
}

/**
 * Jamf numbers computers and mobile devices separately (computer 12 and mobile device 12 are two
 * devices), so a mobile device's vendor id carries a prefix; a computer's is Jamf's id as it is.
 */
const MOBILE_PREFIX = 'mobile-';

/** Which Jamf record a vendor id names; undefined for an id Jamf could not have given. */
export function parseJamfVendorId(
  vendorId: string,
): { kind: 'computer' | 'mobile-device'; id: string } | undefined {
  const mobile = vendorId.startsWith(MOBILE_PREFIX);
  const id = mobile ? vendorId.slice(MOBILE_PREFIX.length) : vendorId;
  // Jamf ids are decimal numbers sent as strings ("1", J1).
  if (!/^\d{1,18}$/.test(id)) return undefined;
  return { kind: mobile ? 'mobile-device' : 'computer', id };
}

const text = (v: Maybe<string>): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;

/** ISO 8601 in UTC; undefined for an absent or unreadable date. */
function utc(v: Maybe<string>): string | undefined {
  const t = text(v);
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function enrollment(managed: Maybe<boolean>): OldMdmEnrollment {
  return managed === true ? 'enrolled' : managed === false ? 'unenrolled' : 'unknown';
}

/**
 * Jamf's username is the directory account; with Entra ID as the directory it is the UPN. A bare
 * account name is not a UPN, so it is left for matching by email instead.
 */
function person(
  username: Maybe<string>,
  email: Maybe<string>,
): Pick<OldMdmDevice, 'userPrincipalName' | 'userEmail' | 'userName'> {
  const upn = text(username);
  return {
    userPrincipalName: upn?.includes('@') ? upn : undefined,
    ...(upn && !upn.includes('@') ? { userName: upn } : {}),
    userEmail: text(email),
  };
}

/** IMEI or MEID without the spaces Jamf keeps (`59 105109 176278 3`); an MEID may hold hex digits. */
function deviceNumber(imei: Maybe<string>, meid: Maybe<string>): string | undefined {
  const v = (text(imei) ?? text(meid))?.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  return v ? v : undefined;
}

export function computerToDevice(r: JamfComputerRecord, source: string): OldMdmDevice {
  const g = r.general ?? undefined;
  // Jamf has no ownership field for computers: Automated Device Enrollment (or supervision, which
  // only an organisation can set up) means the organisation owns the Mac; otherwise it is not known.
  const corporate = g?.enrolledViaAutomatedDeviceEnrollment === true || g?.supervised === true;
  return {
    source,
    vendor: 'jamf',
    vendorId: r.id,
    name: text(g?.name),
    platform: 'macos',
    osVersion: text(r.operatingSystem?.version),
    model: text(r.hardware?.model),
    serialNumber: text(r.hardware?.serialNumber),
    udid: text(r.udid),
    ...person(r.userAndLocation?.username, r.userAndLocation?.email),
    ownership: corporate ? 'corporate' : 'unknown',
    supervised: typeof g?.supervised === 'boolean' ? g.supervised : undefined,
    enrollment: enrollment(g?.remoteManagement?.managed),
    lastSeen: utc(g?.lastContact) ?? utc(g?.lastCheckIn) ?? utc(g?.reportDate),
  };
}

/** iPhone and iPad both report deviceType iOS (J1); the model tells them apart. */
export function mobilePlatform(r: JamfMobileDeviceRecord): Platform {
  if (r.deviceType && r.deviceType !== 'iOS') return 'other';
  const model = `${r.hardware?.model ?? ''} ${r.hardware?.modelIdentifier ?? ''}`.toLowerCase();
  if (model.includes('ipad')) return 'ipados';
  if (model.includes('appletv') || model.includes('apple tv')) return 'other';
  return 'ios';
}

function mobileOwnership(g: JamfMobileDeviceRecord['general']): OldMdmOwnership {
  switch (g?.deviceOwnershipType) {
    // User Enrollment (profile- or account-driven) exists only for personal devices.
    case 'UserEnrollment':
    case 'AccountDrivenUserEnrollment':
      return 'personal';
    // Account-driven device enrollment is Apple's flow for organisation-owned devices.
    case 'AccountDrivenDeviceEnrollment':
      return 'corporate';
  }
  if (g?.sharedIpad === true) return 'shared';
  // "Institutional" covers any device enrollment, a personal phone's included: only ADE or
  // supervision says the organisation owns it.
  if (g?.enrollmentMethodPrestage?.mobileDevicePrestageId || g?.supervised === true) return 'corporate';
  return 'unknown';
}

export function mobileDeviceToDevice(r: JamfMobileDeviceRecord, source: string): OldMdmDevice {
  const g = r.general ?? undefined;
  return {
    source,
    vendor: 'jamf',
    vendorId: `${MOBILE_PREFIX}${r.mobileDeviceId}`,
    name: text(g?.displayName),
    platform: mobilePlatform(r),
    osVersion: text(g?.osVersion),
    model: text(r.hardware?.model),
    serialNumber: text(r.hardware?.serialNumber),
    imei: deviceNumber(r.network?.imei, r.network?.meid),
    udid: text(g?.udid),
    ...person(r.userAndLocation?.username, r.userAndLocation?.emailAddress),
    ownership: mobileOwnership(g),
    supervised: typeof g?.supervised === 'boolean' ? g.supervised : undefined,
    enrollment: enrollment(g?.managed),
    lastSeen: utc(g?.lastContactDate) ?? utc(g?.lastInventoryUpdateDate),
  };
}
