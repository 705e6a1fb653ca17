/**
 * Wave members from text an admin supplies: a pasted list of UPNs, or a CSV file. Pure parsing; the
 * directory look-up and the one-wave rule come later (member-import-service.ts, wave-membership.ts).
 *
 * Every row that cannot be used becomes a problem with the line number the admin sees in the file
 * (header = line 1; a quoted field spanning lines is reported at the line it starts on) and a reason
 * code. Problems never stop the rest of the file from being read, except the file-level ones
 * (`BLOCKING_PROBLEMS`): those mean nothing may be imported from this file at all.
 */

export type ImportProblemCode =
  /** Not shaped like name@domain. */
  | 'not-a-upn'
  /** The same UPN earlier in the same import (`firstLine` says where). */
  | 'duplicate'
  /** The row has other cells but the user column is empty. */
  | 'empty'
  /** Longer than a UPN can be (MAX_UPN_LENGTH). */
  | 'too-long'
  /** A header row without any column the import recognises (file-level). */
  | 'missing-column'
  /** More than MAX_IMPORT_ROWS users (file-level; reported at the first row over the limit). */
  | 'too-many-rows'
  /** Larger than MAX_IMPORT_BYTES (file-level, line 0). */
  | 'file-too-large'
  /** A quoted field is never closed, so the rest of the file cannot be read reliably (file-level). */
  | 'bad-quotes'
  /** Not text: a workbook, an image, or text in an encoding that cannot be read (file-level, line 0). */
  | 'not-text';

export interface ImportEntry {
  /** Line of the file (or of the pasted text) the UPN is on, 1-based. */
  line: number;
  /** Lower-case user principal name. */
  upn: string;
}

export interface ImportProblem {
  /** 1-based line as the admin sees it; 0 for problems with the file as a whole. */
  line: number;
  /** What the row held (trimmed, at most MAX_PROBLEM_VALUE characters). */
  value: string;
  reason: ImportProblemCode;
  /** For `duplicate`: the line of the first occurrence. */
  firstLine?: number;
}

export interface ParsedImport {
  entries: ImportEntry[];
  problems: ImportProblem[];
}

/** Users per import; a larger population is imported in several waves or files. */
export const MAX_IMPORT_ROWS = 50_000;
/** Bytes per file (about 100 bytes per row at the row limit). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** Entra ID: at most 113 characters, 64 before the @ and 48 after it. */
export const MAX_UPN_LENGTH = 113;
/** Problems echo at most this much of a row, so a runaway line cannot bloat a card or a draft. */
export const MAX_PROBLEM_VALUE = 200;

/** Problems that make the whole import unusable: the preview shows them and saving is refused. */
export const BLOCKING_PROBLEMS: readonly ImportProblemCode[] = [
  'missing-column',
  'too-many-rows',
  'file-too-large',
  'bad-quotes',
  'not-text',
];

export function isBlocking(problems: readonly Pick<ImportProblem, 'reason'>[]): boolean {
  return problems.some((p) => BLOCKING_PROBLEMS.includes(p.reason));
}

// ---------------------------------------------------------------------------------------------
// UPNs

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `name@domain.tld` as Entra accepts it (guest UPNs with #EXT# included); the directory decides the rest. */
export function isUpn(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= 64 && domain.length <= 255 && LOCAL_PART.test(local) && DOMAIN.test(domain);
}

/** Strips what mail clients wrap around an address: quotes, angle brackets, `mailto:`. */
function cleanCandidate(raw: string): string {
  let v = raw.trim();
  const angle = /<([^<>]*)>/.exec(v);
  if (angle) v = angle[1]!.trim();
  v = v.replace(/^["']+|["']+$/g, '').trim();
  if (/^mailto:/i.test(v)) v = v.slice('mailto:'.length);
  return v.trim();
}

function clip(value: string): string {
  const v = value.trim();
  return v.length > MAX_PROBLEM_VALUE ? `${v.slice(0, MAX_PROBLEM_VALUE - 1)}…` : v;
}

/** Collects entries and problems in file order, with duplicates and the row limit applied. */
class Collector {
  readonly entries: ImportEntry[] = [];
  readonly problems: ImportProblem[] = [];
  private readonly firstLineOf = new Map<string, number>();
  private rows = 0;
  /** Set once the row limit was passed: nothing more is read. */
  full = false;

  /** One candidate value from the given line; `raw` is reported as the admin wrote it. */
  add(line: number, raw: string, candidate = cleanCandidate(raw)): void {
    if (this.full) return;
    if (++this.rows > MAX_IMPORT_ROWS) {
      this.full = true;
      this.problems.push({ line, value: String(MAX_IMPORT_ROWS), reason: 'too-many-rows' });
      return;
    }
    if (candidate === '') {
      this.problems.push({ line, value: clip(raw), reason: 'empty' });
      return;
    }
    if (candidate.length > MAX_UPN_LENGTH) {
      this.problems.push({ line, value: clip(raw), reason: 'too-long' });
      return;
    }
    const upn = candidate.toLowerCase();
    if (!isUpn(upn)) {
      this.problems.push({ line, value: clip(raw), reason: 'not-a-upn' });
      return;
    }
    const first = this.firstLineOf.get(upn);
    if (first !== undefined) {
      this.problems.push({ line, value: upn, reason: 'duplicate', firstLine: first });
      return;
    }
    this.firstLineOf.set(upn, line);
    this.entries.push({ line, upn });
  }

  result(): ParsedImport {
    return { entries: this.entries, problems: this.problems };
  }
}

function tooLarge(text: string): ParsedImport | undefined {
  // Characters never outnumber UTF-8 bytes, so the exact count is only needed near the limit.
  if (text.length * 3 <= MAX_IMPORT_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_IMPORT_BYTES) return undefined;
  return { entries: [], problems: [{ line: 0, value: String(bytes), reason: 'file-too-large' }] };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------
// Pasted lists

/**
 * UPNs pasted into the wave editor, separated by newlines, commas, semicolons or spaces. Addresses
 * copied from a mail client (`Alex Wilber <alexw@contoso.com>`, `"Wilber, Alex" <alexw@…>`) keep only
 * the address: within a `;`-separated part that holds `<…>`, words outside the brackets are a name.
 */
export function parsePastedList(text: string): ParsedImport {
  const source = stripBom(String(text ?? ''));
  const big = tooLarge(source);
  if (big) return big;
  const out = new Collector();
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && !out.full; i++) {
    for (const part of splitOutside(lines[i]!, ';')) {
      if (out.full) break;
      for (const token of tokensOf(part)) out.add(i + 1, token.raw, token.candidate);
    }
  }
  return out.result();
}

/** Splits on `sep` except inside double quotes or angle brackets. */
function splitOutside(line: string, sep: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let angled = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && !angled) quoted = !quoted;
    else if (c === '<' && !quoted) angled = true;
    else if (c === '>' && !quoted) angled = false;
    else if (c === sep && !quoted && !angled) {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

function tokensOf(part: string): { raw: string; candidate?: string }[] {
  if (!part.includes('<')) {
    return part
      .split(/[\s,]+/)
      .filter((t) => t.trim() !== '')
      .map((raw) => ({ raw }));
  }
  const tokens: { raw: string; candidate?: string }[] = [];
  // Quoted display names may hold commas and spaces; they are names, never addresses.
  const withoutNames = part.replace(/"[^"]*"/g, ' ');
  const outside = withoutNames.replace(/<([^<>]*)>?/g, (whole, inner: string) => {
    tokens.push({ raw: whole, candidate: inner.trim() });
    return ' ';
  });
  const inBrackets = new Set(tokens.map((t) => t.candidate?.toLowerCase()));
  for (const word of outside.split(/[\s,]+/)) {
    // 'alex@contoso.com' <alex@contoso.com>: a display name that repeats the address is a name too.
    if (word.includes('@') && !inBrackets.has(cleanCandidate(word).toLowerCase())) tokens.push({ raw: word });
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// CSV files

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
  return cell
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
  line: number;
  cells: string[];
  /** A quoted field ran to the end of the text. */
  unterminated: boolean;
}

/**
 * RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks; CRLF, LF
 * and CR all end a line. Characters after a closing quote are kept (Excel writes such fields).
 */
function* csvRecords(text: string, delimiter: string): Generator<CsvRecord> {
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let unterminated = false;
    let ended = false;
    while (!ended) {
      if (i >= n) {
        cells.push(cell);
        break;
      }
      const c = text[i]!;
      if (c === '"' && cell.trim() === '') {
        // A quoted field: read to the closing quote.
        cell = '';
        i++;
        let closed = false;
        while (i < n) {
          const q = text[i]!;
          if (q === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (q === '\r' || q === '\n') {
            if (q === '\r' && text[i + 1] === '\n') {
              cell += '\r';
              i++;
            }
            line++;
          }
          cell += text[i]!;
          i++;
        }
        if (!closed) {
          unterminated = true;
          cells.push(cell);
          break;
        }
        continue;
      }
      if (delimiter !== '' && c === delimiter) {
        cells.push(cell);
        cell = '';
        i++;
        continue;
      }
      if (c === '\r' || c === '\n') {
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        cells.push(cell);
        ended = true;
        continue;
      }
      cell += c;
      i++;
    }
    yield { line: start, cells, unterminated };
    if (unterminated) return;
  }
}

/** The delimiter the file uses: the most frequent of `,` `;` tab outside quotes in the first lines. */
function detectDelimiter(text: string): string {
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
  let column: number | undefined;
  for (const record of csvRecords(source, delimiter)) {
    if (out.full) break;
    if (record.unterminated) {
      out.problems.push({
        line: record.line,
        value: clip(record.cells.join(delimiter)),
        reason: 'bad-quotes',
      });
      break;
    }
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
): { ok: true; text: string } | { ok: false; problem: ImportProblem } {
  if (bytes.byteLength > MAX_IMPORT_BYTES) {
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
