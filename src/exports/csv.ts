/**
 * CSV writing for the exports: RFC 4180 quoting, spreadsheet formula injection neutralised, and
 * rows produced one at a time from async sources so a large export never sits in memory as one string.
 *
 * Names, device names and exclusion reasons are typed by users and admins; a cell such as
 * `=HYPERLINK(…)` would run as a formula when the file is opened in Excel, so text cells starting
 * with = + - @ tab or CR get a leading apostrophe (OWASP's advice). Numbers are written as numbers.
 */
import type { Delivery } from '../domain/broadcast';
import type { Escalation } from '../domain/escalation';
import type { Participant } from '../domain/participant';
import { participantRetirement } from '../domain/retirement';
import importEn from '../i18n/import.en.json';
import importSv from '../i18n/import.sv.json';

export type CsvValue = string | number | boolean | null | undefined;
export type CsvLanguage = 'en' | 'sv';

/** Excel with Swedish regional settings splits on `;`, with English ones on `,`. */
export function delimiterFor(language: CsvLanguage): ',' | ';' {
  return language === 'sv' ? ';' : ',';
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue, delimiter: string = ','): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'boolean' ? String(value) : value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  const needsQuotes =
    text.includes('"') ||
    text.includes(',') ||
    text.includes(';') ||
    text.includes(delimiter) ||
    text.includes('\n') ||
    text.includes('\r') ||
    /^\s|\s$/.test(text);
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[], delimiter: string = ','): string {
  return `${values.map((v) => csvCell(v, delimiter)).join(delimiter)}\r\n`;
}

/**
 * Header row, then one row per item, grouped into chunks of about `chunkChars` for the socket. A
 * byte order mark leads so that Excel reads the file as UTF-8 (å, ä, ö in names).
 */
export async function* csvLines<T>(
  header: readonly string[],
  items: AsyncIterable<T> | Iterable<T>,
  toRow: (item: T) => readonly CsvValue[],
  options: { delimiter?: string; chunkChars?: number; onRow?: () => void } = {},
): AsyncGenerator<string> {
  const delimiter = options.delimiter ?? ',';
  const chunkChars = options.chunkChars ?? 64 * 1024;
  let chunk = `\uFEFF${csvRow(header, delimiter)}`;
  for await (const item of items) {
    chunk += csvRow(toRow(item), delimiter);
    options.onRow?.();
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

// ---------------------------------------------------------------------------------------------
// The two exports

const catalogs = { en: importEn, sv: importSv } as const;
type ImportKey = keyof typeof importEn;
const text = (language: CsvLanguage, key: ImportKey) => catalogs[language][key] ?? importEn[key];

export interface ParticipantExportRow {
  participant: Participant;
  waveName?: string;
  /** The user's helpdesk ticket row, if any; only an unresolved ticket is shown. */
  escalation?: Escalation;
}

export const PARTICIPANT_COLUMNS = [
  'upn',
  'name',
  'wave',
  'language',
  'devices',
  'stages',
  'migrated',
  'excluded',
  'ticket',
  'lastSeen',
] as const;

export const DELIVERY_COLUMNS = [
  'upn',
  'name',
  'state',
  'reason',
  'detail',
  'attempts',
  'updatedAt',
] as const;

export function participantHeader(language: CsvLanguage): string[] {
  return PARTICIPANT_COLUMNS.map((c) => text(language, `import.csv.${c}` as ImportKey));
}

export function deliveryHeader(language: CsvLanguage): string[] {
  return DELIVERY_COLUMNS.map((c) => text(language, `import.csv.${c}` as ImportKey));
}

/**
 * One participant: the wave by name, each device with its journey stage (`name: stage`, `; `
 * between), "migrated" in the retirement report's sense, the exclusion reasons, the open ticket.
 */
export function participantRow(row: ParticipantExportRow, language: CsvLanguage): CsvValue[] {
  const p = row.participant;
  const r = participantRetirement(p);
  const journeys = p.journeys ?? [];
  const e = row.escalation;
  return [
    p.userPrincipalName,
    p.displayName,
    row.waveName ?? p.waveId,
    p.locale,
    journeys.length,
    journeys.map((j) => `${j.name}: ${j.stage}`).join('; '),
    text(language, r.status === 'migrated' ? 'import.csv.yes' : 'import.csv.no'),
    [...new Set(r.excludedDevices.map((d) => d.reason))].join('; '),
    e && e.state !== 'resolved' ? `#${e.ticketNumber} ${e.state}` : '',
    p.lastSeenAt,
  ];
}

export function deliveryRow(d: Delivery): CsvValue[] {
  return [d.userPrincipalName, d.displayName, d.state, d.reason, d.detail, d.attempts, d.updatedAt];
}

export function participantsCsv(
  rows: AsyncIterable<ParticipantExportRow> | Iterable<ParticipantExportRow>,
  language: CsvLanguage = 'en',
  onRow?: () => void,
): AsyncGenerator<string> {
  return csvLines(participantHeader(language), rows, (r) => participantRow(r, language), {
    delimiter: delimiterFor(language),
    onRow,
  });
}

export function deliveriesCsv(
  deliveries: AsyncIterable<Delivery> | Iterable<Delivery>,
  language: CsvLanguage = 'en',
  onRow?: () => void,
): AsyncGenerator<string> {
  return csvLines(deliveryHeader(language), deliveries, deliveryRow, {
    delimiter: delimiterFor(language),
    onRow,
  });
}
