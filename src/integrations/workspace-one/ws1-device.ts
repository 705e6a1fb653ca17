/**
 * Workspace ONE's device search answer (v1, `Accept: application/json;version=1`) and its mapping
 * onto OldMdmDevice. Field names are the `DeviceExtended` wire names (docs/vendor-apis.md §1.3:
 * W3 `device_extended.py` attribute_map, W4 `devices_search_resp.json`).
 */
import { z } from 'zod';
import type { Platform } from '../../domain/device';
import type { OldMdmDevice, OldMdmEnrollment, OldMdmOwnership } from '../../domain/old-mdm';

const text = z.string().nullish();
const named = z.object({ Name: text }).passthrough().nullish();

/** Only the fields the connector reads; anything else the API adds is ignored. */
const ws1Device = z.object({
  Id: z.object({ Value: z.union([z.number(), z.string().min(1)]) }),
  Uuid: text,
  Udid: text,
  SerialNumber: text,
  Imei: text,
  DeviceFriendlyName: text,
  DeviceReportedName: text,
  UserName: text,
  UserEmailAddress: text,
  Ownership: text,
  Platform: text,
  PlatformId: named,
  Model: text,
  ModelId: named,
  OperatingSystem: text,
  EnrollmentStatus: text,
  LastSeen: text,
  IsSupervised: z.boolean().nullish(),
});

export type Ws1Device = z.infer<typeof ws1Device>;

/** `{ Devices, Page, PageSize, Total }` (v1 and v2; v3's snake_case shape is unconfirmed in live captures, §1.3). */
const searchPage = z.object({
  Devices: z.array(z.unknown()).nullish(),
  Page: z.number().nullish(),
  PageSize: z.number().nullish(),
  Total: z.number(),
});

export interface Ws1Page {
  devices: OldMdmDevice[];
  page?: number;
  pageSize?: number;
  total: number;
}

/** Why an answer could not be read; the caller turns it into a 'bad-response' naming the page. */
export class Ws1ShapeError extends Error {}

/** Parses one search page. Throws Ws1ShapeError (with the offending item's index, never its data). */
export function parseSearchPage(body: unknown, source: string): Ws1Page {
  const page = searchPage.safeParse(body);
  if (!page.success) throw new Ws1ShapeError(`the page is not { Devices, Page, PageSize, Total }`);
  const devices = (page.data.Devices ?? []).map((item, i) => {
    const device = ws1Device.safeParse(item);
    if (!device.success) {
      const issue = device.error.issues[0];
      throw new Ws1ShapeError(
        `device ${i} of the page: ${issue?.path.join('.') || '(item)'} ${issue?.message}`,
      );
    }
    return toOldMdmDevice(device.data, source);
  });
  return {
    devices,
    page: page.data.Page ?? undefined,
    pageSize: page.data.PageSize ?? undefined,
    total: page.data.Total,
  };
}

/**
 * One device as `GET /API/mdm/devices/{id}` answers it: the v1 `Device` model, whose wire names are
 * the search's (W3 `device.py` / `device_extended.py`). Throws Ws1ShapeError naming the field only.
 */
export function parseDevice(body: unknown, source: string): OldMdmDevice {
  const device = ws1Device.safeParse(body);
  if (!device.success) {
    const issue = device.error.issues[0];
    throw new Ws1ShapeError(`the device: ${issue?.path.join('.') || '(body)'} ${issue?.message}`);
  }
  return toOldMdmDevice(device.data, source);
}

export function toOldMdmDevice(d: Ws1Device, source: string): OldMdmDevice {
  const model = blank(d.Model) ?? blank(d.ModelId?.Name);
  const userName = blank(d.UserName);
  return {
    source,
    vendor: 'workspace-one',
    vendorId: String(d.Id.Value),
    name: blank(d.DeviceFriendlyName) ?? blank(d.DeviceReportedName),
    platform: platformOf(blank(d.Platform) ?? blank(d.PlatformId?.Name), model),
    osVersion: blank(d.OperatingSystem),
    model,
    serialNumber: blank(d.SerialNumber),
    imei: digits(d.Imei),
    udid: blank(d.Udid),
    // UserName is the enrollment user's name as the directory gave it: a UPN only when it looks like one
    // (a bare sAMAccountName would never match a person by UPN and would read as one).
    userPrincipalName: userName?.includes('@') ? userName : undefined,
    ...(userName && !userName.includes('@') ? { userName } : {}),
    userEmail: blank(d.UserEmailAddress),
    ownership: ownershipOf(d.Ownership),
    supervised: d.IsSupervised ?? undefined,
    enrollment: enrollmentOf(d.EnrollmentStatus),
    lastSeen: utcIso(d.LastSeen),
  };
}

/**
 * Workspace ONE platform names (the `platform` values of litesearch, §1.4: Apple, AppleOsX,
 * Android, WindowsPc, WinRT, …; `WinRT` is what Windows 10/11 desktops report, W4). "Apple" covers
 * iPhone and iPad alike: the model tells them apart.
 */
export function platformOf(platform: string | undefined, model: string | undefined): Platform {
  const p = (platform ?? '').toLowerCase().replace(/[\s_-]/g, '');
  if (p === 'appleosx' || p === 'macos' || p === 'applemacos' || p === 'osx') return 'macos';
  if (p === 'apple' || p === 'appleios' || p === 'ios' || p === 'ipados') {
    return p === 'ipados' || /ipad/i.test(model ?? '') ? 'ipados' : 'ios';
  }
  if (p.startsWith('android')) return 'android';
  if (p === 'winrt' || p === 'windowspc' || p === 'windowsdesktop' || p === 'windows' || p === 'windows10') {
    return 'windows';
  }
  // Apple TV, Chrome OS, Linux, Windows Phone/Mobile, QNX, …: outside what the guidance covers.
  return 'other';
}

/** `Ownership`: C = corporate-dedicated, E = employee-owned, S = corporate-shared, Undefined (W3 param doc, W4). */
function ownershipOf(value: string | null | undefined): OldMdmOwnership {
  switch ((value ?? '').trim().toUpperCase()) {
    case 'C':
      return 'corporate';
    case 'E':
      return 'personal';
    case 'S':
      return 'shared';
    default:
      return 'unknown';
  }
}

/**
 * `EnrollmentStatus` (W3 enum, §1.4/1.5): Enrolled; EnterpriseWipePending / DeviceWipePending — a
 * release was sent and the device has not acknowledged it, so it is still managed but leaving;
 * Unenrolled. Pre-enrollment records (Registered, Discovered, …) are not reported as managed.
 */
function enrollmentOf(value: string | null | undefined): OldMdmEnrollment {
  switch ((value ?? '').trim().toLowerCase()) {
    case 'enrolled':
      return 'enrolled';
    case 'enterprisewipepending':
    case 'devicewipepending':
      return 'pending';
    case 'unenrolled':
      return 'unenrolled';
    default:
      return 'unknown';
  }
}

/**
 * `LastSeen` comes without an offset ("2021-06-28T04:35:20.150", W4). No vendor page says which zone
 * it is in; XSOAR labels it "Last Seen (In UTC)" (W4) and the Omnissa SDK emits such values as UTC
 * (W5 `uemtime.go`), so an offset-less value is read as UTC. A value with an offset keeps it.
 */
export function utcIso(value: string | null | undefined): string | undefined {
  const v = blank(value);
  if (!v) return undefined;
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(v);
  const ms = Date.parse(hasZone ? v : `${v.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * `seensince` as the v1 spec lists it, `yyyy-MM-ddTHH:mm:ss.fff` (W3 DevicesApi.md), in UTC for the
 * same reason as `utcIso`.
 */
export function ws1DateTime(at: Date): string {
  return at.toISOString().slice(0, 23);
}

function blank(value: string | null | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function digits(value: string | null | undefined): string | undefined {
  const v = value?.replace(/\D/g, '');
  return v ? v : undefined;
}
