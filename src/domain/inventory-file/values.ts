/**
 * Cell values of an old MDM's device export, read into the shapes of `OldMdmDevice`. Each reader
 * returns `undefined` for an empty cell and `{ bad }` for a value it cannot read, so the row can be
 * reported by line and reason without stopping the file.
 */
import { type Platform, platformOf } from '../device';
import type { OldMdmEnrollment, OldMdmOwnership } from '../old-mdm';

export type Read<T> = T | { bad: true } | undefined;

export const isBad = <T>(v: Read<T>): v is { bad: true } =>
  typeof v === 'object' && v !== null && (v as { bad?: unknown }).bad === true;

/** Lower case, letters and digits only: how cell vocabularies ("Corporate - Dedicated") are compared. */
export const squash = (value: string): string =>
  value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

/** What exports write where a value is missing. */
const PLACEHOLDERS = new Set(['', 'na', 'n/a', 'none', 'null', 'unknown', 'notavailable', '-', '--']);
export const isPlaceholder = (value: string): boolean =>
  PLACEHOLDERS.has(value.trim().toLowerCase()) || PLACEHOLDERS.has(squash(value));

// ---------------------------------------------------------------------------------------------
// Platform

/** Platform words that are real but not one the guidance covers. */
const OTHER_PLATFORMS = new Set([
  'other',
  'chromeos',
  'chrome',
  'chromebook',
  'linux',
  'tvos',
  'appletv',
  'watchos',
  'visionos',
  'blackberry',
  'blackberry10',
  'qnx',
  'symbian',
  'webos',
]);

/**
 * Workspace ONE calls iPhones and iPads "Apple" and Macs "AppleOsX" (docs/vendor-apis.md §1.4,
 * litesearch `platform`), so the model or name tells an iPad apart. Everything else goes through
 * the same mapping Graph's operating-system names use.
 */
export function readPlatform(value: string, model?: string, name?: string): Read<Platform> {
  if (isPlaceholder(value)) return undefined;
  const v = squash(value);
  const hint = `${model ?? ''} ${name ?? ''}`;
  if (v === 'apple' || v === 'appleios' || v === 'iphone' || v === 'ios') {
    return /ipad/i.test(hint) ? 'ipados' : 'ios';
  }
  if (
    v === 'appleosx' ||
    v === 'osx' ||
    v === 'macosx' ||
    v === 'macos' ||
    v === 'mac' ||
    v === 'applemacos'
  ) {
    return 'macos';
  }
  if (v.startsWith('win')) return 'windows';
  if (OTHER_PLATFORMS.has(v)) return 'other';
  const mapped = platformOf(value, model);
  return mapped === 'other' ? { bad: true } : mapped;
}

/** Apple-only exports (Jamf mobile devices) name no platform: the model says iPad or not. */
export function applePlatformFromModel(model?: string, name?: string): Platform {
  return /ipad/i.test(`${model ?? ''} ${name ?? ''}`) ? 'ipados' : 'ios';
}

// ---------------------------------------------------------------------------------------------
// Ownership and enrollment

const OWNERSHIP: Record<string, OldMdmOwnership> = {
  // Workspace ONE: C = corporate-dedicated, E = employee owned, S = corporate-shared (vendor-apis.md §1.3).
  c: 'corporate',
  corporate: 'corporate',
  corporatededicated: 'corporate',
  corporateowned: 'corporate',
  company: 'corporate',
  companyowned: 'corporate',
  // Jamf deviceOwnershipType (vendor-apis.md §2.3); "Work" as BlackBerry UEM's console labels it (unconfirmed).
  institutional: 'corporate',
  accountdrivendeviceenrollment: 'corporate',
  work: 'corporate',
  cope: 'corporate',
  e: 'personal',
  employee: 'personal',
  employeeowned: 'personal',
  personal: 'personal',
  byod: 'personal',
  userenrollment: 'personal',
  accountdrivenuserenrollment: 'personal',
  s: 'shared',
  shared: 'shared',
  corporateshared: 'shared',
};

export function readOwnership(value: string): OldMdmOwnership {
  return OWNERSHIP[squash(value)] ?? 'unknown';
}

const ENROLLMENT: Record<string, OldMdmEnrollment> = {
  enrolled: 'enrolled',
  active: 'enrolled',
  managed: 'enrolled',
  // Still managed until the device confirms the wipe: "removed" is only what the MDM reports as done.
  enterprisewipepending: 'enrolled',
  devicewipepending: 'enrolled',
  wipepending: 'enrolled',
  retirepending: 'enrolled',
  blocked: 'enrolled',
  unenrolled: 'unenrolled',
  retired: 'unenrolled',
  wiped: 'unenrolled',
  unmanaged: 'unenrolled',
  deactivated: 'unenrolled',
  removed: 'unenrolled',
  // Ivanti EPMM statuses (help.ivanti.com, MobileIron Web Service API "Device Management").
  registered: 'pending',
  pending: 'pending',
  enrollmentinprogress: 'pending',
  enrolling: 'pending',
  verificationpending: 'pending',
  verified: 'pending',
  enrollmentverified: 'pending',
  ienrollverified: 'pending',
  ienrollinprogress: 'pending',
  ienrollcomplete: 'enrolled',
};

export function readEnrollment(value: string): OldMdmEnrollment {
  return ENROLLMENT[squash(value)] ?? 'unknown';
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'managed', 'supervised']);
const FALSE = new Set(['false', 'no', 'n', '0', 'unmanaged', 'unsupervised']);

export function readBoolean(value: string): Read<boolean> {
  const v = squash(value);
  if (v === '') return undefined;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return { bad: true };
}

// ---------------------------------------------------------------------------------------------
// Identifiers

/** Excel turns long digit strings into "3.56938E+14" and the digits are gone for good. */
const EXCEL_NUMBER = /^\d(\.\d+)?e\+\d+$/i;

/**
 * IMEI (14–16 digits) or MEID (14 hex digits), separators removed. A cell listing both SIMs of a
 * dual-SIM phone keeps the first.
 */
export function readImei(value: string): Read<string> {
  if (isPlaceholder(value)) return undefined;
  const first = value.split(/[,;/|]/)[0]!.trim();
  if (EXCEL_NUMBER.test(first)) return { bad: true };
  const v = first.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{14,16}$/.test(v) || /^[0-9A-F]{14}$/.test(v)) return v;
  return { bad: true };
}

export function readSerial(value: string): Read<string> {
  if (isPlaceholder(value) || value.trim() === '0') return undefined;
  const v = value.trim();
  return EXCEL_NUMBER.test(v) ? { bad: true } : v;
}

const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

export function readGuid(value: string): Read<string> {
  if (isPlaceholder(value) || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(value.trim())) return undefined;
  const v = value.trim();
  return GUID.test(v) ? v.replace(/[{}]/g, '').toLowerCase() : { bad: true };
}

export function readText(value: string): string | undefined {
  return isPlaceholder(value) ? undefined : value.trim();
}

// ---------------------------------------------------------------------------------------------
// Dates

export type DayOrder = 'mdy' | 'dmy';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:(?:[T ]|\s+at\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*([AP]M)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMERIC = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;
const NEVER = new Set(['never', 'nevercheckedin', 'notcheckedin']);

/**
 * A last-seen date as exports write it, as ISO 8601 UTC. Times without an offset are read as UTC:
 * Workspace ONE's own timestamps carry none and are UTC (docs/vendor-apis.md §1.3, W4/W5), Jamf's
 * exports write "yyyy-MM-dd HH:mm:ss" (brunerd's advanced-search sample) or "… at h:mm AM". Dates
 * with slashes are month-first unless `order` says otherwise (see `dayOrderOf`); with dots
 * (31.12.2026) they are always day-first.
 */
export function readDate(value: string, order: DayOrder = 'mdy'): Read<string> {
  const v = value.trim();
  if (isPlaceholder(v) || NEVER.has(squash(v))) return undefined;
  const iso = ISO.exec(v);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, ampm, offset] = iso;
    return build(+y!, +mo!, +d!, h, mi, s, frac, ampm, offset);
  }
  const num = NUMERIC.exec(v);
  if (num) {
    const [, a, sep, b, y, h, mi, s, ampm] = num;
    const dayFirst = sep === '.' || order === 'dmy';
    return build(+y!, dayFirst ? +b! : +a!, dayFirst ? +a! : +b!, h, mi, s, undefined, ampm, undefined);
  }
  return { bad: true };
}

/** Day-first when any slash date in the column can only be read that way (13/01/2026), else month-first. */
export function dayOrderOf(values: Iterable<string>): DayOrder {
  for (const value of values) {
    const num = NUMERIC.exec(value.trim());
    if (!num || num[2] === '.') continue;
    if (+num[1]! > 12 && +num[3]! <= 12) return 'dmy';
    if (+num[3]! > 12 && +num[1]! <= 12) return 'mdy';
  }
  return 'mdy';
}

function build(
  y: number,
  mo: number,
  d: number,
  h: string | undefined,
  mi: string | undefined,
  s: string | undefined,
  frac: string | undefined,
  ampm: string | undefined,
  offset: string | undefined,
): Read<string> {
  let hour = h === undefined ? 0 : +h;
  if (ampm) {
    if (hour < 1 || hour > 12) return { bad: true };
    hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  }
  const minute = mi === undefined ? 0 : +mi;
  const second = s === undefined ? 0 : +s;
  const ms = frac === undefined ? 0 : Math.round(+`0.${frac}` * 1000);
  if (mo < 1 || mo > 12 || d < 1 || hour > 23 || minute > 59 || second > 59) return { bad: true };
  let t = Date.UTC(y, mo - 1, d, hour, minute, second, ms);
  const check = new Date(t);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return { bad: true };
  if (offset && offset.toUpperCase() !== 'Z') {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
    t -= (m[1] === '-' ? -1 : 1) * (+m[2]! * 60 + +m[3]!) * 60_000;
  }
  return new Date(t).toISOString();
}
