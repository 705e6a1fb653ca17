/**
 * Wave members from a CSV file an admin sends: the bytes decoded (UTF-8, UTF-16, Windows-1252), the
 * delimiter and the user column found, every row read into entries and problems (member-import.ts).
 */
import { CsvError, parse } from 'csv-parse/sync';
import {
  Collector,
  cleanCandidate,
  clip,
  type ImportProblem,
  isUpn,
  MAX_IMPORT_BYTES,
  type ParsedImport,
  stripBom,
  tooLarge,
} from './member-import';

/** Header names (normalised: lower case, no accents, spaces, dashes, underscores or dots) by preference. */
const UPN_HEADERS = new Set([
  'upn',
  'userprincipalname',
  'primaryuserupn',
  'anvandarhuvudnamn',
  'anvandarenshuvudnamn',
]);
const MAIL_HEADERS = new Set([
  'email',
  'emailaddress',
  'emailadress',
  'mail',
  'mailaddress',
  'mailadress',
  'epost',
  'epostadress',
  'mejl',
  'mejladress',
  'primaryuseremailaddress',
]);
/** Generic names for the user column; used only when no column says UPN or mail. */
const USER_HEADERS = new Set([
  'user',
  'users',
  'username',
  'member',
  'members',
  'anvandare',
  'anvandarnamn',
  'medlem',
  'medlemmar',
]);

function normaliseHeader(cell: string): string {
  // csv-parse keeps the quotes of a quoted header followed by spaces (`"UPN" ,`).
  return cell
    .replace(/^"(.*)"\s+$/s, '$1')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');
}

function headerRank(cell: string): number {
  const h = normaliseHeader(cell);
  if (UPN_HEADERS.has(h)) return 1;
  if (MAIL_HEADERS.has(h)) return 2;
  if (USER_HEADERS.has(h)) return 3;
  return 0;
}

interface CsvRecord {
  /** The line the record starts on. */
  line: number;
  cells: string[];
}

/** Stands for "no delimiter": a file of one column is read whole, whatever its lines hold. */
const NO_DELIMITER = '\u0000';

/**
 * RFC 4180 records (csv-parse): quoted fields may hold the delimiter, doubled quotes and line
 * breaks. Line breaks are made uniform first: CRLF, LF and CR all end a line, and a file may mix
 * them. Spaces before a quoted field are dropped; quotes inside an unquoted field, and a quoted field
 * with text after its closing quote, are kept as written. Every line, blank ones too, gives a record,
 * so a quoted field that is never closed starts on the line after the last complete record.
 */
export function csvRecords(
  text: string,
  delimiter: string,
): { records: CsvRecord[]; unterminatedAt?: number } {
  const records: CsvRecord[] = [];
  let endLine = 0;
  try {
    parse(text.replace(/\r\n?/g, '\n'), {
      delimiter: delimiter || NO_DELIMITER,
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      ltrim: true,
      on_record: (record, context) => {
        const breaks = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
        records.push({ line: context.lines - breaks, cells: record });
        endLine = context.lines;
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return { records, unterminatedAt: endLine + 1 };
  }
  return { records };
}

/** The delimiter the file uses: the most frequent of `,` `;` tab outside quotes in the first lines. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [';', 0],
    [',', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  let lines = 0;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
    else if (!quoted && c === '\n' && ++lines >= 10) break;
  }
  let best = '';
  let most = 0;
  for (const [d, count] of counts) {
    if (count > most) {
      best = d;
      most = count;
    }
  }
  return best;
}

const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

/**
 * A CSV file's text (already decoded; see `decodeImportFile`). The user column is the one headed
 * upn / userPrincipalName (or the Swedish "Användarhuvudnamn"), else email / mail / e-post, else
 * user / member (användare / medlem); a file without a header row must have the UPN as its only
 * address-like cell in the first row (often a single column). The delimiter is `,`, `;` (Excel with
 * Swedish regional settings) or tab.
 * Blank lines, and rows of empty cells, are skipped but still counted for line numbers.
 */
export function parseCsvImport(text: string): ParsedImport {
  const source = stripBom(String(text ?? ''));
  const big = tooLarge(source);
  if (big) return big;
  const out = new Collector();
  const delimiter = detectDelimiter(source);
  const { records, unterminatedAt } = csvRecords(source, delimiter);
  let column: number | undefined;
  for (const record of records) {
    if (out.full) break;
    if (isBlank(record.cells)) continue;
    if (column === undefined) {
      const first = firstRow(record);
      if (first.kind === 'missing') {
        return {
          entries: [],
          problems: [{ line: record.line, value: first.value, reason: 'missing-column' }],
        };
      }
      column = first.column;
      if (first.kind === 'header') continue;
    }
    out.add(record.line, record.cells[column] ?? '');
  }
  if (unterminatedAt !== undefined && !out.full) {
    const rest = source.split(/\r\n|\r|\n/).slice(unterminatedAt - 1);
    out.problems.push({ line: unterminatedAt, value: clip(rest.join('\n')), reason: 'bad-quotes' });
  }
  return out.result();
}

function firstRow(
  record: CsvRecord,
): { kind: 'header' | 'data'; column: number } | { kind: 'missing'; value: string } {
  const { cells } = record;
  let best = 0;
  let column = -1;
  cells.forEach((cell, i) => {
    const rank = headerRank(cell);
    if (rank > 0 && (best === 0 || rank < best)) {
      best = rank;
      column = i;
    }
  });
  if (column >= 0) return { kind: 'header', column };
  const addressLike = cells.flatMap((cell, i) => (isUpn(cleanCandidate(cell).toLowerCase()) ? [i] : []));
  if (addressLike.length === 1) return { kind: 'data', column: addressLike[0]! };
  // A lone cell the import does not recognise is read as data, so a mistyped first UPN is reported.
  if (cells.length === 1) return { kind: 'data', column: 0 };
  return { kind: 'missing', value: clip(cells.join(', ')) };
}

// ---------------------------------------------------------------------------------------------
// Files as bytes

/**
 * A file as received (bytes) → its text. UTF-8 (with or without BOM) and UTF-16 with a BOM are read
 * as such; other bytes that are not valid UTF-8 are read as Windows-1252, which is what Excel's
 * "CSV (semicolon separated)" writes on Swedish Windows. Workbooks and binary files are refused.
 */
export function decodeImportFile(
  bytes: Uint8Array,
  maxBytes: number = MAX_IMPORT_BYTES,
): { ok: true; text: string } | { ok: false; problem: ImportProblem } {
  if (bytes.byteLength > maxBytes) {
    return { ok: false, problem: { line: 0, value: String(bytes.byteLength), reason: 'file-too-large' } };
  }
  const notText = { ok: false as const, problem: { line: 0, value: '', reason: 'not-text' as const } };
  // "PK\x03\x04" starts .xlsx (a zip); "\xD0\xCF\x11\xE0" starts .xls.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    return notText;
  }
  let text: string;
  if (startsWith(bytes, [0xff, 0xfe])) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (startsWith(bytes, [0xfe, 0xff])) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      text = new TextDecoder('windows-1252').decode(bytes);
    }
  }
  // NUL characters do not occur in CSV text; they mean the bytes were something else.
  if (text.includes('\u0000')) return notText;
  return { ok: true, text };
}

/** A received file, decoded and parsed; a file that cannot be read is one file-level problem. */
export function parseImportFile(bytes: Uint8Array): ParsedImport {
  const decoded = decodeImportFile(bytes);
  return decoded.ok ? parseCsvImport(decoded.text) : { entries: [], problems: [decoded.problem] };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
