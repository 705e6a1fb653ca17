/**
 * CSV writing for the exports: RFC 4180 quoting, spreadsheet formula injection neutralised, and
 * rows produced one at a time from async sources so a large export never sits in memory as one string.
 *
 * Names, device names and exclusion reasons are typed by users and admins; a cell such as
 * `=HYPERLINK(…)` would run as a formula when the file is opened in Excel, so text cells starting
 * with = + - @ tab or CR get a leading apostrophe (OWASP's advice). Numbers are written as numbers.
 */
import type { Delivery } from '../domain/broadcast';
import { canonicalJson } from '../domain/canonical';
import type { Escalation } from '../domain/escalation-model';
import type { PersonInventoryDevice } from '../domain/inventory';
import type { DeviceJourney } from '../domain/journey';
import type { Participant } from '../domain/participant';
import { participantRetirement } from '../domain/retirement';
import { type Language, type MessageKey, translator } from '../i18n';

/**
 * What a cell may hold. Stored rows are JSON and older rows may hold another type than the model
 * says, so any value is written as some text rather than failing the export.
 */
export type CsvValue = unknown;

/** Excel with Swedish regional settings splits on `;`, with English ones on `,`. */
export function delimiterFor(language: Language): ',' | ';' {
  return language === 'sv' ? ';' : ',';
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A value as cell text: arrays as their items joined by `; `, other objects as JSON, dates in ISO form. */
function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (Array.isArray(value)) return value.map(cellText).join('; ');
  if (typeof value === 'object' && value !== null) {
    try {
      return canonicalJson(value);
    } catch {
      return '';
    }
  }
  return '';
}

export function csvCell(value: CsvValue, delimiter: string = ','): string {
  // Numbers are written as numbers, so a negative one is not taken for a formula.
  if (typeof value === 'number' || typeof value === 'bigint') return cellText(value);
  let text = cellText(value);
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

export interface ParticipantExportRow {
  participant: Participant;
  waveName?: string;
  /** The user's helpdesk ticket row, if any; only an unresolved ticket is shown. */
  escalation?: Escalation;
  /** What the old MDM's own inventory lists for them (the person index of the matching pass). */
  oldMdm?: readonly PersonInventoryDevice[];
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
  'oldMdmListed',
  'oldMdmDevices',
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

export function participantHeader(language: Language): string[] {
  const t = translator(language);
  return PARTICIPANT_COLUMNS.map((c) => t(`import.csv.${c}` as MessageKey));
}

export function deliveryHeader(language: Language): string[] {
  const t = translator(language);
  return DELIVERY_COLUMNS.map((c) => t(`import.csv.${c}` as MessageKey));
}

/**
 * One participant: the wave by name, each device with its journey stage (`name: stage`, `; `
 * between), "migrated" in the retirement report's sense, the exclusion reasons, the open ticket.
 * Rows are read as stored, so every field may hold any JSON type: a column that cannot be worked
 * out from what the row holds is left empty, and the rest of the row and of the export go on.
 */
export function participantRow(row: ParticipantExportRow, language: Language): CsvValue[] {
  const t = translator(language);
  const p = (isRecord(row.participant) ? row.participant : {}) as Partial<Participant>;
  const journeys = listOf<DeviceJourney>(p.journeys);
  const oldMdm = listOf<PersonInventoryDevice>(row.oldMdm);
  const e = isRecord(row.escalation) ? (row.escalation as Partial<Escalation>) : undefined;
  const retirement = attempt(() => participantRetirement({ ...p, journeys } as unknown as Participant));
  return [
    p.userPrincipalName,
    p.displayName,
    row.waveName ?? p.waveId,
    p.locale,
    journeys.length,
    journeys.map((j) => `${cellText(j.name)}: ${cellText(j.stage)}`).join('; '),
    retirement ? t(retirement.status === 'migrated' ? 'import.csv.yes' : 'import.csv.no') : '',
    retirement
      ? [
          ...new Set(listOf<{ reason: unknown }>(retirement.excludedDevices).map((d) => cellText(d.reason))),
        ].join('; ')
      : '',
    e && e.state !== 'resolved' ? `#${cellText(e.ticketNumber)} ${cellText(e.state)}` : '',
    p.lastSeenAt,
    oldMdm.filter((d) => !d.goneAt).length,
    oldMdm.map((d) => attempt(() => oldMdmCell(d, language)) ?? '').join('; '),
  ];
}

/** "iPad (source): listed, last seen …" or "…: gone" — the old MDM's own word on one device. */
function oldMdmCell(d: Partial<PersonInventoryDevice>, language: Language): string {
  const t = translator(language);
  const state = d.goneAt
    ? t('import.csv.oldMdm.gone')
    : d.lastSeen
      ? t('import.csv.oldMdm.listedSince', { time: cellText(d.lastSeen) })
      : t('import.csv.oldMdm.listed');
  return `${cellText(d.name ?? d.platform)} (${cellText(d.source)}): ${state}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of a stored list; anything else (a string, a number, an object) is no list. */
function listOf<T>(value: unknown): Partial<T>[] {
  return (Array.isArray(value) ? value.filter(isRecord) : []) as Partial<T>[];
}

function attempt<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

export function deliveryRow(d: Delivery): CsvValue[] {
  return [d.userPrincipalName, d.displayName, d.state, d.reason, d.detail, d.attempts, d.updatedAt];
}

export function participantsCsv(
  rows: AsyncIterable<ParticipantExportRow> | Iterable<ParticipantExportRow>,
  language: Language = 'en',
  onRow?: () => void,
): AsyncGenerator<string> {
  return csvLines(participantHeader(language), rows, (r) => participantRow(r, language), {
    delimiter: delimiterFor(language),
    onRow,
  });
}

export function deliveriesCsv(
  deliveries: AsyncIterable<Delivery> | Iterable<Delivery>,
  language: Language = 'en',
  onRow?: () => void,
): AsyncGenerator<string> {
  return csvLines(deliveryHeader(language), deliveries, deliveryRow, {
    delimiter: delimiterFor(language),
    onRow,
  });
}
