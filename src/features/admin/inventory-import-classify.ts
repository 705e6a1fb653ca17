/**
 * What a file an admin sends in the 1:1 chat is, decided by its bytes and header row only (pure):
 * an old MDM's device export, a layout mapping (JSON), a user-name → UPN mapping, a wave member
 * list, or something that fits two of these and is refused with an explanation. A member list
 * stays with the member import exactly as before; only a header that names devices, or the two
 * mapping columns, takes a file elsewhere.
 */
import { detectLayout, headerKey, type InventoryField, LAYOUTS } from '../../domain/inventory-file/layouts';
import {
  MAX_INVENTORY_BYTES,
  MAX_INVENTORY_ROWS,
  type OverrideMapping,
} from '../../domain/inventory-file/parse-inventory';
import { clip, isUpn, MAX_UPN_LENGTH, stripBom } from '../../domain/member-import';
import {
  csvRecords,
  decodeImportFile,
  detectDelimiter,
  parseCsvImport,
} from '../../domain/member-import-csv';

export type AdminFileKind =
  | { kind: 'empty' }
  /** An Excel workbook (.xlsx or .xls): no workbook reader is part of the product. */
  | { kind: 'workbook' }
  | { kind: 'not-text' }
  | { kind: 'too-large'; bytes: number }
  /** A layout mapping for exports no built-in layout reads (JSON). */
  | { kind: 'layout-mapping'; json: string }
  /** A device export: a built-in layout, or the stored mapping (`override`), or an unknown layout. */
  | { kind: 'inventory'; text: string; override: boolean }
  /** Two columns: the old MDM's user name and the UPN. */
  | { kind: 'user-names'; text: string }
  /** A wave member list (the member import reads the bytes itself). */
  | { kind: 'members' }
  /** A user column and device columns, but no known layout: neither import can take it safely. */
  | { kind: 'ambiguous'; header: string }
  /** Neither a user column nor a column of any device layout. */
  | { kind: 'unknown'; header: string };

/** Headers of the mapping's user-name column (compared as `headerKey` does: no case, accents or spaces). */
const USER_NAME_HEADERS = new Set(
  [
    'old MDM user name',
    'MDM user name',
    'user name',
    'username',
    'user',
    'user ID',
    'login',
    'login name',
    'account',
    'account name',
    'sAMAccountName',
    'användarnamn',
    'gammalt användarnamn',
  ].map(headerKey),
);
const UPN_HEADERS = new Set(
  ['UPN', 'user principal name', 'userPrincipalName', 'användarhuvudnamn', 'new UPN', 'Entra UPN'].map(
    headerKey,
  ),
);

/** Fields only a device list has; a header naming one of them is a device export, not a member list. */
const DEVICE_FIELDS: readonly InventoryField[] = [
  'name',
  'platform',
  'osVersion',
  'model',
  'serialNumber',
  'imei',
  'meid',
  'udid',
  'entraDeviceId',
  'lastSeen',
];
/** Device-field headers that member lists also use ("Name"). */
const SHARED_HEADERS = new Set(['name', 'id']);
const DEVICE_HEADERS = new Set(
  LAYOUTS.flatMap((l) => DEVICE_FIELDS.flatMap((f) => (l.columns[f] ?? []).map(headerKey))).filter(
    (k) => !SHARED_HEADERS.has(k),
  ),
);

/** Bytes of the file's start read to find its header row. */
const HEADER_SCAN_CHARS = 64 * 1024;
/** Largest layout mapping accepted (it names columns, nothing more). */
export const MAX_LAYOUT_MAPPING_CHARS = 16 * 1024;

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

export function classifyAdminFile(
  bytes: Uint8Array,
  fileName: string,
  override?: OverrideMapping,
): AdminFileKind {
  if (bytes.byteLength === 0) return { kind: 'empty' };
  // "PK\x03\x04" starts .xlsx (a zip); "\xD0\xCF\x11\xE0" starts .xls.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    return { kind: 'workbook' };
  }
  const decoded = decodeImportFile(bytes, MAX_INVENTORY_BYTES);
  if (!decoded.ok) {
    return decoded.problem.reason === 'file-too-large'
      ? { kind: 'too-large', bytes: bytes.byteLength }
      : { kind: 'not-text' };
  }
  const text = stripBom(decoded.text);
  if (text.trim() === '') return { kind: 'empty' };
  if (fileName.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{')) {
    return { kind: 'layout-mapping', json: text };
  }
  const header = headerRow(text);
  if (!header) return { kind: 'empty' };
  const keys = header.map(headerKey).filter((k) => k !== '');
  if (override && overrideFits(override, keys)) return { kind: 'inventory', text, override: true };
  if (detectLayout(header)) return { kind: 'inventory', text, override: false };
  if (isUserNameHeader(keys)) return { kind: 'user-names', text };
  const deviceLike = keys.some((k) => DEVICE_HEADERS.has(k));
  const memberLike = !parseCsvImport(csvLine(header)).problems.some((p) => p.reason === 'missing-column');
  if (deviceLike && memberLike) return { kind: 'ambiguous', header: clip(header.join(', ')) };
  // Device columns without a known layout: the export preview says which columns each layout needs.
  if (deviceLike) return { kind: 'inventory', text, override: false };
  return memberLike ? { kind: 'members' } : { kind: 'unknown', header: clip(header.join(', ')) };
}

/** The first row with any cell filled in, read from the start of the file. */
function headerRow(text: string): string[] | undefined {
  const head = text.length > HEADER_SCAN_CHARS ? text.slice(0, HEADER_SCAN_CHARS) : text;
  const { records } = csvRecords(head, detectDelimiter(head));
  return records.find((r) => r.cells.some((c) => c.trim() !== ''))?.cells;
}

function overrideFits(override: OverrideMapping, keys: readonly string[]): boolean {
  const columns = Object.values(override.columns);
  return columns.length > 0 && columns.every((c) => keys.includes(headerKey(c)));
}

function isUserNameHeader(keys: readonly string[]): boolean {
  if (keys.length !== 2) return false;
  const [a, b] = keys as [string, string];
  return (USER_NAME_HEADERS.has(a) && UPN_HEADERS.has(b)) || (UPN_HEADERS.has(a) && USER_NAME_HEADERS.has(b));
}

const csvLine = (cells: readonly string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(',');

// ---------------------------------------------------------------------------------------------
// The user-name mapping file

export type UserNameProblemCode =
  | 'no-user-name'
  | 'not-a-upn'
  | 'too-long'
  /** The same user name earlier in the file (`firstLine`). */
  | 'duplicate'
  // File-level: nothing is stored.
  | 'too-many-rows'
  | 'bad-quotes'
  | 'no-rows';

export interface UserNameProblem {
  line: number;
  reason: UserNameProblemCode;
  value: string;
  firstLine?: number;
}

export interface UserNameEntry {
  line: number;
  /** The old MDM's user name as written (compared without case when matching). */
  userName: string;
  /** Lower case. */
  upn: string;
}

export const BLOCKING_USER_NAME_PROBLEMS: readonly UserNameProblemCode[] = [
  'too-many-rows',
  'bad-quotes',
  'no-rows',
];

/** Longest user name kept: it becomes a table row key. */
export const MAX_USER_NAME_CHARS = 256;

/** The mapping file: header row, then `user name, UPN` per row (either column order). */
export function parseUserNameMapping(text: string): {
  entries: UserNameEntry[];
  problems: UserNameProblem[];
} {
  const source = stripBom(text);
  const { records, unterminatedAt } = csvRecords(source, detectDelimiter(source));
  const rows = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = rows[0];
  if (unterminatedAt !== undefined) {
    return { entries: [], problems: [{ line: unterminatedAt, reason: 'bad-quotes', value: '' }] };
  }
  if (!header || rows.length === 1) {
    return { entries: [], problems: [{ line: header?.line ?? 1, reason: 'no-rows', value: '' }] };
  }
  if (rows.length - 1 > MAX_INVENTORY_ROWS) {
    const line = rows[MAX_INVENTORY_ROWS + 1]!.line;
    return { entries: [], problems: [{ line, reason: 'too-many-rows', value: String(MAX_INVENTORY_ROWS) }] };
  }
  const keys = header.cells.map(headerKey);
  const upnColumn = keys.findIndex((k) => UPN_HEADERS.has(k));
  const nameColumn = keys.findIndex((k, i) => i !== upnColumn && k !== '');
  const entries: UserNameEntry[] = [];
  const problems: UserNameProblem[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows.slice(1)) {
    const userName = (row.cells[nameColumn] ?? '').trim();
    const rawUpn = (row.cells[upnColumn] ?? '').trim();
    const upn = rawUpn.toLowerCase();
    if (userName === '') problems.push({ line: row.line, reason: 'no-user-name', value: clip(rawUpn) });
    else if (userName.length > MAX_USER_NAME_CHARS || upn.length > MAX_UPN_LENGTH)
      problems.push({ line: row.line, reason: 'too-long', value: clip(userName) });
    else if (!isUpn(upn)) problems.push({ line: row.line, reason: 'not-a-upn', value: clip(rawUpn) });
    else {
      const key = userName.toLowerCase();
      const first = firstLineOf.get(key);
      if (first !== undefined) {
        problems.push({ line: row.line, reason: 'duplicate', value: clip(userName), firstLine: first });
        continue;
      }
      firstLineOf.set(key, row.line);
      entries.push({ line: row.line, userName, upn });
    }
  }
  if (entries.length === 0) problems.push({ line: header.line, reason: 'no-rows', value: '' });
  return { entries, problems };
}

/** The layout's columns in this header, for the preview ("Serial Number → serial number"). */
export function mappedColumns(override: OverrideMapping): { column: string; field: InventoryField }[] {
  return (Object.entries(override.columns) as [InventoryField, string][]).map(([field, column]) => ({
    column,
    field,
  }));
}
