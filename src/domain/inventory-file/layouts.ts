/**
 * The device exports the inventory file understands: each vendor's column headers, mapped onto the
 * fields of `OldMdmDevice`. Headers are compared as `headerKey` does (no case, spaces or punctuation),
 * so "Serial Number", "serial_number" and the API's "SerialNumber" are one header.
 *
 * Where the headers come from is said per layout. The vendors document what their consoles show
 * and what their APIs return, rarely the exact header row of an export; where the spelling could
 * not be confirmed, the layout accepts the console label and the API field name both, and says so.
 */
import type { Platform } from '../device';
import type { SourceMdm } from '../source-mdm';

export type InventoryField =
  | 'vendorId'
  | 'name'
  | 'platform'
  | 'osVersion'
  | 'model'
  | 'serialNumber'
  | 'imei'
  | 'meid'
  | 'udid'
  | 'entraDeviceId'
  | 'userPrincipalName'
  | 'userEmail'
  /** The old MDM's own user name (often not a UPN); found through the admin's mapping. */
  | 'userName'
  | 'ownership'
  | 'enrollment'
  /** A yes/no "managed" column, read as enrolled / unenrolled. */
  | 'managed'
  | 'supervised'
  | 'lastSeen';

export const INVENTORY_FIELDS: readonly InventoryField[] = [
  'vendorId',
  'name',
  'platform',
  'osVersion',
  'model',
  'serialNumber',
  'imei',
  'meid',
  'udid',
  'entraDeviceId',
  'userPrincipalName',
  'userEmail',
  'userName',
  'ownership',
  'enrollment',
  'managed',
  'supervised',
  'lastSeen',
];

/** Fields that identify a device; a row without any of them cannot be matched or tracked. */
export const IDENTIFIER_FIELDS: readonly InventoryField[] = [
  'vendorId',
  'serialNumber',
  'imei',
  'meid',
  'udid',
  'entraDeviceId',
];

export type LayoutId =
  | 'workspace-one'
  | 'jamf-computers'
  | 'jamf-mobile-devices'
  | 'ivanti-epmm'
  | 'blackberry-uem'
  | 'citrix-endpoint-management'
  | 'generic';

export interface InventoryLayout {
  id: LayoutId;
  vendor: SourceMdm;
  /** What the admin sees in the preview ("Workspace ONE UEM device list"). */
  label: string;
  /** Accepted headers per field, preferred first. */
  columns: Partial<Record<InventoryField, readonly string[]>>;
  /** Fields whose column must be present for the header row to be this layout. */
  required: readonly InventoryField[];
  /** The platform of every row when the export has no platform column (Jamf computers are Macs). */
  platform?: Platform | 'apple-mobile';
}

/** How headers are compared: no case, accents, spaces or punctuation. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Workspace ONE UEM — Devices > List View > Export (CSV or XLSX).
 * Console labels: "Friendly Name", "Last Seen", "Platform", "OS", "Model", "IMEI", "User",
 * "Email Address" (docs.vmware.com, Workspace ONE UEM "Device List View" and the MEM "List View"
 * page, GUID-AWT-DEVICELISTVIEW / GUID-AWT-LIST-VIEW); API names `DeviceFriendlyName`, `UserName`,
 * `UserEmailAddress`, `SerialNumber`, `Imei`, `Udid`, `Ownership`, `EnrollmentStatus`, `LastSeen`,
 * `Id` (docs/vendor-apis.md §1.3, W3/W4). The export's exact header row is unconfirmed: both spellings
 * are accepted.
 */
const WORKSPACE_ONE: InventoryLayout = {
  id: 'workspace-one',
  vendor: 'workspace-one',
  label: 'Workspace ONE UEM device list',
  columns: {
    vendorId: ['Device ID', 'DeviceId', 'Id'],
    name: ['Friendly Name', 'Device Friendly Name', 'DeviceFriendlyName'],
    platform: ['Platform'],
    osVersion: ['OS', 'OS Version', 'Operating System', 'OperatingSystem'],
    model: ['Model'],
    serialNumber: ['Serial Number'],
    imei: ['IMEI'],
    udid: ['UDID'],
    userName: ['Username', 'User Name', 'User', 'Enrollment User'],
    userEmail: ['Email Address', 'User Email Address', 'UserEmailAddress', 'Email'],
    ownership: ['Ownership'],
    enrollment: ['Enrollment Status', 'Enrollment'],
    supervised: ['Supervised', 'IsSupervised'],
    lastSeen: ['Last Seen', 'Last Seen (UTC)'],
  },
  required: ['name', 'platform', 'lastSeen'],
};

/**
 * Jamf Pro — Computers > Search Inventory / Advanced Computer Search, "Export" (CSV).
 * Display names of the inventory fields: "Computer Name", "Serial Number", "Username",
 * "Email Address", "Model", "Operating System Version", "Last Inventory Update", "Managed",
 * "JSS Computer ID" (brunerd, "Sample JAMF Advanced Computer Search", gist 0bdc10e8 — the Classic API
 * writes the same names with underscores), "Last Check-in" (Jamf Pro "Computer Inventory Information
 * Reference", docs.jamf.com). Every Jamf computer is a Mac.
 */
const JAMF_COMPUTERS: InventoryLayout = {
  id: 'jamf-computers',
  vendor: 'jamf',
  label: 'Jamf Pro computers',
  columns: {
    vendorId: ['JSS Computer ID', 'Jamf Pro Computer ID', 'Computer ID', 'ID'],
    name: ['Computer Name'],
    osVersion: ['Operating System Version', 'Operating System', 'macOS Version'],
    model: ['Model'],
    serialNumber: ['Serial Number'],
    udid: ['UDID', 'Computer UDID'],
    userName: ['Username', 'User Name'],
    userEmail: ['Email Address', 'Email'],
    managed: ['Managed', 'Computer Management Status'],
    supervised: ['Supervised'],
    lastSeen: ['Last Check-in', 'Last Contact Time', 'Last Inventory Update'],
  },
  required: ['name', 'serialNumber'],
  platform: 'macos',
};

/**
 * Jamf Pro — Mobile Devices > Search Inventory / Advanced Mobile Device Search, "Export" (CSV).
 * Field names follow the inventory display names that the API's mobile-device detail exposes as
 * `displayName`, `serialNumber`, `udid`, `imei`, `meid`, `osVersion`, `managed`, `supervised`,
 * `deviceOwnershipType`, `username`, `emailAddress`, `lastInventoryUpdateDate` (docs/vendor-apis.md
 * §2.3, J1). The export's exact header spelling ("Display Name", "iOS Version" or "OS Version") is
 * unconfirmed; the variants are accepted.
 */
const JAMF_MOBILE: InventoryLayout = {
  id: 'jamf-mobile-devices',
  vendor: 'jamf',
  label: 'Jamf Pro mobile devices',
  columns: {
    vendorId: ['Mobile Device ID', 'JSS Mobile Device ID', 'ID'],
    name: ['Display Name', 'Mobile Device Name'],
    osVersion: ['iOS Version', 'iPadOS Version', 'OS Version'],
    model: ['Model'],
    serialNumber: ['Serial Number'],
    imei: ['IMEI'],
    meid: ['MEID'],
    udid: ['UDID'],
    userName: ['Username', 'User Name'],
    userEmail: ['Email Address', 'Email'],
    ownership: ['Device Ownership Type', 'Ownership Type', 'Device Ownership Level'],
    managed: ['Managed'],
    supervised: ['Supervised'],
    lastSeen: ['Last Inventory Update', 'Last Contact Date', 'Last Check-in'],
  },
  required: ['name', 'serialNumber'],
  platform: 'apple-mobile',
};

/**
 * Ivanti EPMM (MobileIron Core) — Devices & Users > Devices, "Export to CSV".
 * Device attributes as the Admin Portal and the reporting database name them: platform, status
 * (ACTIVE, RETIRED, WIPED, …), owner (COMPANY / EMPLOYEE), IMEI, serial number, UUID, last check-in
 * (help.ivanti.com: MobileIron Web Service API "Device Management"; Reporting Database "Value
 * Enumerations" for MI_DEVICE.platform/status/owner). The export's header row is unconfirmed; the
 * Admin Portal column labels are used.
 */
const IVANTI_EPMM: InventoryLayout = {
  id: 'ivanti-epmm',
  vendor: 'ivanti',
  label: 'Ivanti EPMM devices',
  columns: {
    vendorId: ['UUID', 'Device UUID', 'Device ID'],
    name: ['Display Name', 'Device Name'],
    platform: ['Platform', 'Platform Name'],
    osVersion: ['OS Version', 'Operating System Version'],
    model: ['Model'],
    serialNumber: ['Serial Number'],
    imei: ['IMEI'],
    meid: ['MEID'],
    udid: ['UDID'],
    userPrincipalName: ['User Principal Name', 'UPN'],
    userName: ['User ID', 'User Name', 'Username'],
    userEmail: ['Email', 'Email Address', 'User Email'],
    ownership: ['Ownership', 'Owner'],
    enrollment: ['Status', 'Device Status'],
    lastSeen: ['Last Check-In', 'Last Checkin', 'Last Check In'],
  },
  required: ['userName', 'platform', 'lastSeen', 'enrollment'],
};

/**
 * BlackBerry UEM — Users > All users, export of the user list with device columns (.csv).
 * BlackBerry documents that the user list can be customized and exported and that every activated
 * device carries an ownership label (docs.blackberry.com, UEM 12.18 "Viewing and customizing the
 * user list" / "Change the device ownership label"), not the export's header row nor the label's
 * values: these headers and the values "Work" / "Personal" are unconfirmed and follow the console.
 */
const BLACKBERRY_UEM: InventoryLayout = {
  id: 'blackberry-uem',
  vendor: 'blackberry',
  label: 'BlackBerry UEM users and devices',
  columns: {
    vendorId: ['Device ID', 'Device GUID'],
    name: ['Device Name', 'Device'],
    platform: ['OS', 'Device OS', 'Platform'],
    osVersion: ['OS Version'],
    model: ['Device Model', 'Model'],
    serialNumber: ['Serial Number', 'Hardware Serial Number'],
    imei: ['IMEI'],
    meid: ['MEID'],
    udid: ['UDID'],
    userName: ['Username', 'User Name'],
    userEmail: ['Email Address', 'Email'],
    ownership: ['Device Ownership', 'Ownership'],
    enrollment: ['Activation Status', 'Device Status'],
    lastSeen: ['Last Contact Time', 'Last Contact', 'Last Contact Date'],
  },
  required: ['model', 'userName', 'lastSeen'],
};

/**
 * Citrix Endpoint Management (XenMobile) — Manage > Devices, "Export": "exports all device
 * attributes" to .csv; the default headings are "User name", "Device platform", "Operating system
 * version", "Device model", "Last access" and "Inactivity days" (docs.citrix.com, XenMobile Server
 * "Devices"). Serial number and IMEI/MEID are device attributes there ("A unique serial number or
 * IMEI/MEID uniquely defines each mobile device"); their header spelling is unconfirmed.
 */
const CITRIX: InventoryLayout = {
  id: 'citrix-endpoint-management',
  vendor: 'citrix',
  label: 'Citrix Endpoint Management devices',
  columns: {
    vendorId: ['Device ID', 'ID'],
    name: ['Device name', 'Device Friendly Name', 'Name'],
    platform: ['Device platform'],
    osVersion: ['Operating system version'],
    model: ['Device model'],
    serialNumber: ['Serial Number'],
    imei: ['IMEI/MEID', 'IMEI'],
    udid: ['UDID'],
    userName: ['User name'],
    userEmail: ['User email', 'Email'],
    ownership: ['Ownership', 'Device ownership'],
    enrollment: ['Managed', 'Enrollment status'],
    lastSeen: ['Last access'],
  },
  required: ['userName', 'platform', 'osVersion', 'lastSeen'],
};

/**
 * The layout this product documents for any other MDM (docs/old-mdm.md): one column per field,
 * headers as below in any case or spacing ("device_name", "Device Name").
 */
const GENERIC: InventoryLayout = {
  id: 'generic',
  vendor: 'other',
  label: 'Generic device list',
  columns: {
    vendorId: ['vendor_device_id', 'device_id'],
    name: ['device_name'],
    platform: ['platform'],
    osVersion: ['os_version'],
    model: ['model'],
    serialNumber: ['serial_number', 'serial'],
    imei: ['imei'],
    meid: ['meid'],
    udid: ['udid'],
    entraDeviceId: ['entra_device_id', 'azure_ad_device_id'],
    userPrincipalName: ['user_principal_name', 'upn'],
    userEmail: ['email', 'user_email'],
    userName: ['user_name', 'username'],
    ownership: ['ownership'],
    enrollment: ['enrollment_status'],
    supervised: ['supervised'],
    lastSeen: ['last_seen'],
  },
  required: ['name', 'platform'],
};

export const LAYOUTS: readonly InventoryLayout[] = [
  WORKSPACE_ONE,
  JAMF_COMPUTERS,
  JAMF_MOBILE,
  IVANTI_EPMM,
  BLACKBERRY_UEM,
  CITRIX,
  GENERIC,
];

/** Column index per field in this header row, for the layout's accepted headers. */
export function columnsOf(layout: InventoryLayout, header: readonly string[]): Map<InventoryField, number> {
  const index = new Map<string, number>();
  header.forEach((cell, i) => {
    const key = headerKey(cell);
    if (key && !index.has(key)) index.set(key, i);
  });
  const out = new Map<InventoryField, number>();
  for (const field of INVENTORY_FIELDS) {
    for (const name of layout.columns[field] ?? []) {
      const i = index.get(headerKey(name));
      if (i !== undefined) {
        out.set(field, i);
        break;
      }
    }
  }
  return out;
}

/**
 * The layout this header row is: every required column present; the layout requiring more columns
 * is the more specific one and wins; two equally specific fits are reported, never picked.
 */
export function detectLayout(
  header: readonly string[],
): { layout: InventoryLayout } | { ambiguous: [InventoryLayout, InventoryLayout] } | undefined {
  const fits = LAYOUTS.filter((layout) => {
    const columns = columnsOf(layout, header);
    return layout.required.every((field) => columns.has(field));
  }).sort((a, b) => b.required.length - a.required.length);
  if (fits.length === 0) return undefined;
  if (fits.length > 1 && fits[0]!.required.length === fits[1]!.required.length) {
    return { ambiguous: [fits[0]!, fits[1]!] };
  }
  return { layout: fits[0]! };
}
