/**
 * Wave members from text an admin supplies: a pasted list of UPNs, or a CSV file (member-import-csv.ts).
 * Pure parsing; the directory look-up and the one-wave rule come later (features/admin/member-resolve.ts,
 * wave-membership.ts).
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
export function cleanCandidate(raw: string): string {
  let v = raw.trim();
  const angle = /<([^<>]*)>/.exec(v);
  if (angle) v = angle[1]!.trim();
  v = v.replace(/^["']+|["']+$/g, '').trim();
  if (/^mailto:/i.test(v)) v = v.slice('mailto:'.length);
  return v.trim();
}

export function clip(value: string): string {
  const v = value.trim();
  return v.length > MAX_PROBLEM_VALUE ? `${v.slice(0, MAX_PROBLEM_VALUE - 1)}…` : v;
}

/** Collects entries and problems in file order, with duplicates and the row limit applied. */
export class Collector {
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

export function tooLarge(text: string): ParsedImport | undefined {
  // Characters never outnumber UTF-8 bytes, so the exact count is only needed near the limit.
  if (text.length * 3 <= MAX_IMPORT_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_IMPORT_BYTES) return undefined;
  return { entries: [], problems: [{ line: 0, value: String(bytes), reason: 'file-too-large' }] };
}

export function stripBom(text: string): string {
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
