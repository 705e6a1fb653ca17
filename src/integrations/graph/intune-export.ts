/**
 * Intune's whole device list through one report export instead of a page per 1,000 devices:
 * `POST /deviceManagement/reports/exportJobs` for the `Devices` report with the columns matching
 * reads, `GET …/exportJobs('{id}')` until the job says `completed`, then the zipped CSV from the
 * job's `url` (documented in "Export Intune reports using Graph APIs"; the columns in "Intune
 * reports and properties available using Graph API"). At 60,000 devices that is about four
 * requests instead of 60. The file lives in Azure Blob Storage behind its own signature: it is
 * fetched without the Graph token.
 *
 * The report has no UDID column: a device the old MDM lists by UDID alone is matched by the next
 * rule (person + platform + name, with its lower confidence) when the export is read.
 */
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { type GraphApi, GraphRequestError } from './graph-api';

/** One Intune device as matching reads it: managedDevice properties (paged read) or report columns (export). */
export interface IntuneRecord {
  id: string;
  deviceName?: string;
  operatingSystem?: string;
  serialNumber?: string;
  imei?: string;
  meid?: string;
  udid?: string;
  azureADDeviceId?: string;
  userPrincipalName?: string;
  userId?: string;
  model?: string;
}

/** The `Devices` report's columns that matching needs (the managedDevice fields of the paged read, less udid). */
export const EXPORT_COLUMNS = [
  'DeviceId',
  'DeviceName',
  'OS',
  'Model',
  'SerialNumber',
  'IMEI',
  'MEID',
  'ReferenceId',
  'UPN',
  'UserId',
] as const;

interface ExportJob {
  id?: string;
  status?: string;
  url?: string | null;
}

export interface IntuneExportOptions {
  signal?: AbortSignal;
  /** Injected so tests need not wait; a real timer by default. */
  sleep?: (ms: number) => Promise<void>;
  /** How long the job may take before the reader gives up on it (default 10 minutes). */
  deadlineMs?: number;
}

export type IntuneExportResult =
  | { ok: true; records: IntuneRecord[]; requests: number }
  /** `refused`: Graph said 401/403 to the job, i.e. the app's permissions do not cover it. */
  | { ok: false; reason: string; requests: number; refused?: boolean };

/** Waits between polls: quick at first (small tenants finish in seconds), then every 15 s. */
const POLL_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000];
const DEFAULT_DEADLINE_MS = 10 * 60_000;
const DOWNLOAD_TIMEOUT_MS = 120_000;
const DOWNLOAD_ATTEMPTS = 3;
/** A zip larger than this is refused rather than held in memory (1,000,000 devices is about 60 MB). */
const MAX_ZIP_BYTES = 256 * 1024 * 1024;
/** The report writes some enums as numbers (its documented OS example: 1 Windows, 2 iOS, 3 Android, 4 Mac). */
const OS_CODES: Readonly<Record<string, string>> = {
  '1': 'Windows',
  '2': 'iOS',
  '3': 'Android',
  '4': 'macOS',
};

/**
 * Intune's own exports head some columns with display names ("Device name", "Serial number",
 * "Azure AD Device ID"), and `Devices` ignores `localizationType` for legacy compatibility (G6):
 * headers are compared without case, spaces or punctuation, and these names count as the columns.
 */
const HEADER_ALIASES: Readonly<Record<string, ExportColumn>> = {
  azureaddeviceid: 'ReferenceId',
  aaddeviceid: 'ReferenceId',
  entradeviceid: 'ReferenceId',
  microsoftentradeviceid: 'ReferenceId',
  primaryuserupn: 'UPN',
  userprincipalname: 'UPN',
  operatingsystem: 'OS',
};

type ExportColumn = (typeof EXPORT_COLUMNS)[number];
const squash = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const CANONICAL = new Map<string, ExportColumn>([
  ...EXPORT_COLUMNS.map((c): [string, ExportColumn] => [squash(c), c]),
  ...Object.entries(HEADER_ALIASES),
]);

/** "iOS/iPadOS" names both: the model tells them apart (platformOf), as for the paged read's "iOS". */
function osOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (OS_CODES[value]) return OS_CODES[value];
  return /^ios\s*\/\s*ipados$/i.test(value.trim()) ? 'iOS' : value;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Reads the export; never throws for what the export itself does wrong (a refused job, a failed
 * one, a late one, a broken file): the caller falls back to the paged read and says why. An abort
 * and Graph errors from the retry policy propagate like any other read's.
 */
export async function readIntuneExport(
  graph: GraphApi,
  options: IntuneExportOptions = {},
): Promise<IntuneExportResult> {
  const { signal } = options;
  const sleep = options.sleep ?? ((ms: number) => realSleep(ms, signal));
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  let waited = 0;
  let requests = 0;
  const fail = (reason: string): Extract<IntuneExportResult, { ok: false }> => ({
    ok: false,
    reason,
    requests,
  });

  let job: ExportJob;
  try {
    requests++;
    job = await graph.post<ExportJob>('/deviceManagement/reports/exportJobs', {
      reportName: 'Devices',
      select: EXPORT_COLUMNS,
      format: 'csv',
    });
  } catch (err) {
    if (!(err instanceof GraphRequestError)) throw err;
    return {
      ...fail(`the export job was refused: ${err.message}`),
      refused: err.status === 401 || err.status === 403,
    };
  }
  if (!job.id) return fail('the export job came back without an id');
  const jobPath = `/deviceManagement/reports/exportJobs('${encodeURIComponent(job.id)}')`;
  for (let poll = 0; job.status !== 'completed'; poll++) {
    if (job.status === 'failed') return fail(`Intune reported the export job ${job.id} as failed`);
    const wait = POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)]!;
    if (waited + wait > deadlineMs) {
      return fail(`the export job ${job.id} was still ${job.status ?? 'pending'} after ${waited / 1000} s`);
    }
    waited += wait;
    await sleep(wait);
    signal?.throwIfAborted();
    requests++;
    try {
      job = await graph.get<ExportJob>(jobPath);
    } catch (err) {
      if (err instanceof GraphRequestError)
        return fail(`the export job ${job.id} could not be read: ${err.message}`);
      throw err;
    }
  }
  if (!job.url) return fail(`the export job ${job.id} completed without a download URL`);

  const downloaded = await download(job.url, signal);
  requests += downloaded.attempts;
  if (!downloaded.bytes) return fail(downloaded.reason);
  try {
    return { ok: true, records: recordsOf(downloaded.bytes), requests };
  } catch (err) {
    return fail(`the export file could not be read: ${errorText(err)}`);
  }
}

async function download(
  url: string,
  signal: AbortSignal | undefined,
): Promise<{ bytes?: Uint8Array; reason: string; attempts: number }> {
  let reason = '';
  for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
    signal?.throwIfAborted();
    try {
      const timeout = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
      const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (res.ok) {
        const size = Number(res.headers.get('content-length') ?? 0);
        if (size > MAX_ZIP_BYTES) {
          await res.body?.cancel();
          return { reason: `the export file is ${size} bytes, over ${MAX_ZIP_BYTES}`, attempts: attempt };
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (bytes.length > MAX_ZIP_BYTES) {
          return {
            reason: `the export file is ${bytes.length} bytes, over ${MAX_ZIP_BYTES}`,
            attempts: attempt,
          };
        }
        return { bytes, reason: '', attempts: attempt };
      }
      await res.body?.cancel();
      reason = `the export file could not be downloaded (HTTP ${res.status})`;
      if (res.status < 500 && res.status !== 429) return { reason, attempts: attempt };
    } catch (err) {
      signal?.throwIfAborted();
      reason = `the export file could not be downloaded: ${errorText(err)}`;
    }
    if (attempt < DOWNLOAD_ATTEMPTS) await realSleep(1_000 * attempt, signal);
  }
  return { reason, attempts: DOWNLOAD_ATTEMPTS };
}

/** The zip's one CSV file, as the records the paged read would have given (no udid). */
export function recordsOf(zip: Uint8Array): IntuneRecord[] {
  const files = unzipSync(zip, { filter: (f) => f.name.toLowerCase().endsWith('.csv') });
  const names = Object.keys(files);
  if (names.length !== 1) throw new Error(`expected one CSV file in the export, found ${names.length}`);
  let header: string[] = [];
  const rows = parse(Buffer.from(files[names[0]!]!), {
    bom: true,
    // Unknown columns keep their own name (undefined would drop them, and a report may add some).
    columns: (names: string[]) => {
      header = names.map((h) => CANONICAL.get(squash(h)) ?? h);
      return header;
    },
    skip_empty_lines: true,
  }) as Record<string, string>[];
  const missing = header.length ? EXPORT_COLUMNS.filter((c) => !header.includes(c)) : [];
  if (missing.length) throw new Error(`the export lacks the column(s) ${missing.join(', ')}`);
  return rows.map((r) => {
    const record: IntuneRecord = { id: r.DeviceId ?? '' };
    if (!record.id) throw new Error('a row of the export has no DeviceId');
    assign(record, 'deviceName', r.DeviceName);
    assign(record, 'operatingSystem', osOf(r.OS));
    assign(record, 'model', r.Model);
    assign(record, 'serialNumber', r.SerialNumber);
    assign(record, 'imei', r.IMEI);
    assign(record, 'meid', r.MEID);
    assign(record, 'azureADDeviceId', r.ReferenceId);
    assign(record, 'userPrincipalName', r.UPN);
    assign(record, 'userId', r.UserId);
    return record;
  });
}

function assign<K extends keyof IntuneRecord>(r: IntuneRecord, key: K, v: string | undefined): void {
  if (v) r[key] = v as IntuneRecord[K];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
