/**
 * An old MDM's device export (CSV) → the devices it lists, and every row that could not be read,
 * by line and reason. Pure: the admin chat decodes nothing itself, shows the preview, and stores
 * the snapshot only once the admin confirms it.
 *
 * Bytes are decoded and records split by the member import's readers (member-import-csv.ts), so
 * encodings (UTF-8 with or without BOM, UTF-16, Windows-1252), delimiters (`,` `;` tab) and quoting
 * behave the same in both imports. Line numbers are the file's, header = line 1.
 *
 * A snapshot replaces the previous one: a device missing from it counts as gone from the old MDM.
 * So whatever would silently drop rows — too many rows, an unclosed quote, an unknown layout — is
 * a blocking problem and nothing is imported; a bad value in a row is reported and the device is
 * still imported without that value.
 */
import type { Platform } from '../device';
import { clip, stripBom, tooLarge } from '../member-import';
import { csvRecords, decodeImportFile, detectDelimiter } from '../member-import-csv';
import type { OldMdmDevice } from '../old-mdm';
import { SOURCE_MDMS, type SourceMdm } from '../source-mdm';
import {
  columnsOf,
  detectLayout,
  headerKey,
  IDENTIFIER_FIELDS,
  INVENTORY_FIELDS,
  type InventoryField,
  type InventoryLayout,
  type LayoutId,
} from './layouts';
import {
  applePlatformFromModel,
  type DayOrder,
  dayOrderOf,
  isBad,
  type Read,
  readBoolean,
  readDate,
  readEnrollment,
  readGuid,
  readImei,
  readOwnership,
  readPlatform,
  readSerial,
  readText,
} from './values';

export type InventoryProblemCode =
  /** The row has no device id, serial number, IMEI/MEID, UDID or Entra device id: it is not imported. */
  | 'no-identifier'
  /** The same device id (or serial number) earlier in the file (`firstLine`): the row is not imported. */
  | 'duplicate'
  /** A platform the product does not know; the device is imported as "other". */
  | 'unknown-platform'
  /** A date that cannot be read; the device is imported without it. */
  | 'bad-date'
  /** An identifier that is not one (an IMEI Excel turned into 3.5E+14, a malformed GUID); dropped. */
  | 'bad-identifier'
  /** A yes/no column holding something else; ignored. */
  | 'bad-value'
  // File-level (blocking): nothing is imported.
  /** The header row is no known export layout, or the file has no header row. */
  | 'unknown-layout'
  /** The header row fits two layouts equally (`value` names both). */
  | 'ambiguous-layout'
  /** The override mapping names a column the file does not have, or is not a valid mapping. */
  | 'bad-mapping'
  | 'too-many-rows'
  | 'file-too-large'
  | 'bad-quotes'
  | 'not-text'
  /** No row could be read as a device. */
  | 'no-devices';

export interface InventoryProblem {
  /** 1-based line in the file; 0 for the file as a whole. */
  line: number;
  reason: InventoryProblemCode;
  /** The header of the offending cell, when one cell is at fault. */
  column?: string;
  /** What the cell (or file) held, clipped. */
  value?: string;
  /** For `duplicate`: where the device was first listed. */
  firstLine?: number;
}

export const BLOCKING_INVENTORY_PROBLEMS: readonly InventoryProblemCode[] = [
  'unknown-layout',
  'ambiguous-layout',
  'bad-mapping',
  'too-many-rows',
  'file-too-large',
  'bad-quotes',
  'not-text',
  'no-devices',
];

export function isBlockingInventory(problems: readonly Pick<InventoryProblem, 'reason'>[]): boolean {
  return problems.some((p) => BLOCKING_INVENTORY_PROBLEMS.includes(p.reason));
}

export interface ParsedInventory {
  /** The layout the header row was read as; `override` when the admin's mapping was used. */
  layout?: LayoutId | 'override';
  devices: OldMdmDevice[];
  problems: InventoryProblem[];
}

/** Devices per file: a campaign's largest old MDM, with room. */
export const MAX_INVENTORY_ROWS = 200_000;
/** Bytes per file: 200,000 devices at a wide export's ~250 bytes a row. */
export const MAX_INVENTORY_BYTES = 50 * 1024 * 1024;

/** An admin's column → field mapping for an export no built-in layout reads (see `parseOverrideMapping`). */
export interface OverrideMapping {
  columns: Partial<Record<InventoryField, string>>;
  /** Every row's platform when the file has no platform column. */
  platform?: Platform;
  vendor?: SourceMdm;
}

export interface InventoryOptions {
  /** The configured source id stored on every device (default `file`). */
  source?: string;
  /** Read the file with this mapping instead of detecting a layout. */
  override?: OverrideMapping;
  /** The old MDM this campaign migrates from, for files read with the generic layout. */
  vendor?: SourceMdm;
  maxRows?: number;
}

/** A received file: decoded, then parsed. */
export function parseInventoryFile(bytes: Uint8Array, options: InventoryOptions = {}): ParsedInventory {
  const decoded = decodeImportFile(bytes, MAX_INVENTORY_BYTES);
  if (!decoded.ok) {
    const reason = decoded.problem.reason === 'file-too-large' ? 'file-too-large' : 'not-text';
    return { devices: [], problems: [{ line: 0, reason, value: decoded.problem.value }] };
  }
  return parseInventoryText(decoded.text, options);
}

export function parseInventoryText(text: string, options: InventoryOptions = {}): ParsedInventory {
  const source = stripBom(String(text ?? ''));
  const big = tooLarge(source);
  if (big)
    return { devices: [], problems: [{ line: 0, reason: 'file-too-large', value: big.problems[0]!.value }] };
  const { records, unterminatedAt } = csvRecords(source, detectDelimiter(source));
  const rows = records.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = rows[0];
  if (!header) return { devices: [], problems: [{ line: 1, reason: 'unknown-layout', value: '' }] };
  if (unterminatedAt !== undefined) {
    const rest = source.split(/\r\n|\r|\n/).slice(unterminatedAt - 1);
    return {
      devices: [],
      problems: [{ line: unterminatedAt, reason: 'bad-quotes', value: clip(rest.join('\n')) }],
    };
  }
  const maxRows = options.maxRows ?? MAX_INVENTORY_ROWS;
  if (rows.length - 1 > maxRows) {
    return {
      devices: [],
      problems: [{ line: rows[maxRows + 1]!.line, reason: 'too-many-rows', value: String(maxRows) }],
    };
  }

  const chosen = options.override
    ? overrideLayout(options.override, header.cells)
    : chooseLayout(header.cells);
  if ('problem' in chosen) return { devices: [], problems: [{ ...chosen.problem, line: header.line }] };
  const { layout, columns, id } = chosen;
  const vendor =
    options.override?.vendor ?? (layout.vendor === 'other' ? (options.vendor ?? 'other') : layout.vendor);
  const reader = new RowReader(
    layout,
    columns,
    header.cells,
    vendor,
    options.source ?? 'file',
    rows.slice(1),
  );
  for (const row of rows.slice(1)) reader.read(row.line, row.cells);
  // Confirming an empty snapshot would report every device as gone from the old MDM.
  if (reader.devices.length === 0) reader.problems.push({ line: header.line, reason: 'no-devices' });
  return { layout: id, devices: reader.devices, problems: reader.problems };
}

type Chosen =
  | { layout: InventoryLayout; columns: Map<InventoryField, number>; id: LayoutId | 'override' }
  | { problem: Omit<InventoryProblem, 'line'> };

function chooseLayout(header: readonly string[]): Chosen {
  const found = detectLayout(header);
  if (!found) return { problem: { reason: 'unknown-layout', value: clip(header.join(', ')) } };
  if ('ambiguous' in found) {
    return {
      problem: { reason: 'ambiguous-layout', value: found.ambiguous.map((l) => l.label).join(' / ') },
    };
  }
  return { layout: found.layout, columns: columnsOf(found.layout, header), id: found.layout.id };
}

function overrideLayout(override: OverrideMapping, header: readonly string[]): Chosen {
  const columns = new Map<InventoryField, number>();
  const keys = header.map(headerKey);
  const missing: string[] = [];
  for (const [field, column] of Object.entries(override.columns) as [InventoryField, string][]) {
    const i = keys.indexOf(headerKey(column));
    if (i < 0) missing.push(column);
    else columns.set(field, i);
  }
  if (missing.length > 0) return { problem: { reason: 'bad-mapping', value: clip(missing.join(', ')) } };
  const layout: InventoryLayout = {
    id: 'generic',
    vendor: override.vendor ?? 'other',
    label: 'Custom mapping',
    columns: {},
    required: [],
    ...(override.platform ? { platform: override.platform } : {}),
  };
  return { layout, columns, id: 'override' };
}

/**
 * An override mapping as an admin writes it: `{ "<column header>": "<field>", … }`, or
 * `{ "columns": { … }, "platform": "macos", "vendor": "ivanti" }` for a file with no platform column.
 */
export function parseOverrideMapping(
  json: string,
): { ok: true; mapping: OverrideMapping } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(raw)) return { ok: false, reason: 'not an object of column → field' };
  const extended = isRecord(raw.columns);
  const pairs = extended ? (raw.columns as Record<string, unknown>) : raw;
  const columns: Partial<Record<InventoryField, string>> = {};
  for (const [column, field] of Object.entries(pairs)) {
    if (typeof field !== 'string' || !INVENTORY_FIELDS.includes(field as InventoryField)) {
      return { ok: false, reason: `"${clip(column)}" maps to an unknown field` };
    }
    if (columns[field as InventoryField] !== undefined)
      return { ok: false, reason: `two columns map to ${field}` };
    columns[field as InventoryField] = column;
  }
  if (!IDENTIFIER_FIELDS.some((f) => columns[f] !== undefined)) {
    return { ok: false, reason: `no column maps to an identifier (${IDENTIFIER_FIELDS.join(', ')})` };
  }
  const mapping: OverrideMapping = { columns };
  if (extended && raw.platform !== undefined) {
    const platform = typeof raw.platform === 'string' ? readPlatform(raw.platform) : undefined;
    if (!platform || isBad(platform)) return { ok: false, reason: 'unknown platform' };
    mapping.platform = platform;
  }
  if (extended && raw.vendor !== undefined) {
    if (!SOURCE_MDMS.includes(raw.vendor as SourceMdm)) return { ok: false, reason: 'unknown vendor' };
    mapping.vendor = raw.vendor as SourceMdm;
  }
  return { ok: true, mapping };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

class RowReader {
  readonly devices: OldMdmDevice[] = [];
  readonly problems: InventoryProblem[] = [];
  private readonly firstLineOf = new Map<string, number>();
  private readonly dayOrder: DayOrder;

  constructor(
    private readonly layout: InventoryLayout,
    private readonly columns: Map<InventoryField, number>,
    private readonly header: readonly string[],
    private readonly vendor: SourceMdm,
    private readonly source: string,
    rows: readonly { cells: string[] }[],
  ) {
    const lastSeen = columns.get('lastSeen');
    this.dayOrder = dayOrderOf(lastSeen === undefined ? [] : rows.map((r) => r.cells[lastSeen] ?? ''));
  }

  read(line: number, cells: readonly string[]): void {
    const cell = (field: InventoryField): string => {
      const i = this.columns.get(field);
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const checked = <T>(
      field: InventoryField,
      value: Read<T>,
      reason: InventoryProblemCode,
    ): T | undefined => {
      if (!isBad(value)) return value;
      this.problems.push({ line, reason, column: this.columnName(field), value: clip(cell(field)) });
      return undefined;
    };

    const serialNumber = checked('serialNumber', readSerial(cell('serialNumber')), 'bad-identifier');
    const imei =
      checked('imei', readImei(cell('imei')), 'bad-identifier') ??
      checked('meid', readImei(cell('meid')), 'bad-identifier');
    const udid = readText(cell('udid'));
    const entraDeviceId = checked('entraDeviceId', readGuid(cell('entraDeviceId')), 'bad-identifier');
    const ownId = readText(cell('vendorId'));
    const vendorId =
      ownId ??
      (serialNumber
        ? `serial:${serialNumber}`
        : imei
          ? `imei:${imei}`
          : udid
            ? `udid:${udid}`
            : entraDeviceId);
    if (!vendorId) {
      this.problems.push({ line, reason: 'no-identifier', value: clip(cells.join(', ')) });
      return;
    }
    const first = this.firstLineOf.get(vendorId.toUpperCase());
    if (first !== undefined) {
      this.problems.push({ line, reason: 'duplicate', value: clip(vendorId), firstLine: first });
      return;
    }
    this.firstLineOf.set(vendorId.toUpperCase(), line);

    const name = readText(cell('name'));
    const model = readText(cell('model'));
    const platform = this.platformOf(line, cell('platform'), model, name);
    const managed = checked('managed', readBoolean(cell('managed')), 'bad-value');
    const enrollmentCell = cell('enrollment');
    const device: OldMdmDevice = {
      source: this.source,
      vendor: this.vendor,
      vendorId,
      platform,
      ownership: readOwnership(cell('ownership')),
      enrollment:
        enrollmentCell.trim() !== ''
          ? readEnrollment(enrollmentCell)
          : managed === undefined
            ? 'unknown'
            : managed
              ? 'enrolled'
              : 'unenrolled',
    };
    // A user column that holds an account name rather than a UPN is the old MDM's own user name,
    // which the admin's mapping (device-matching.ts) resolves.
    const userColumn = readText(cell('userPrincipalName')) ?? readText(cell('userName'));
    const optional: Partial<OldMdmDevice> = {
      name,
      model,
      osVersion: readText(cell('osVersion')),
      serialNumber,
      imei,
      udid,
      entraDeviceId,
      userPrincipalName: userColumn?.includes('@') ? userColumn : undefined,
      userName: userColumn && !userColumn.includes('@') ? userColumn : undefined,
      userEmail: readText(cell('userEmail')),
      supervised: checked('supervised', readBoolean(cell('supervised')), 'bad-value'),
      lastSeen: checked('lastSeen', readDate(cell('lastSeen'), this.dayOrder), 'bad-date'),
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (device as unknown as Record<string, unknown>)[key] = value;
    }
    this.devices.push(device);
  }

  private platformOf(line: number, value: string, model?: string, name?: string): Platform {
    const fixed = this.layout.platform;
    if (fixed && !this.columns.has('platform'))
      return fixed === 'apple-mobile' ? applePlatformFromModel(model, name) : fixed;
    const read = readPlatform(value, model, name);
    if (read && !isBad(read)) return read;
    this.problems.push({
      line,
      reason: 'unknown-platform',
      column: this.columnName('platform'),
      value: clip(value),
    });
    return 'other';
  }

  private columnName(field: InventoryField): string | undefined {
    const i = this.columns.get(field);
    return i === undefined ? undefined : this.header[i];
  }
}
