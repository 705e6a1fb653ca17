/**
 * The Jamf Pro inventory as the source of truth for the devices to migrate: computers from
 * `GET /api/v4/computers-inventory` (current in Jamf Pro 11.30.1; v1–v3 deprecated, §2.2) and
 * mobile devices from `GET /api/v2/mobile-devices/detail` (§2.3), with only the sections a sync
 * needs, paged, and filtered by inventory date for an incremental sync. Read-only: it needs the
 * privileges "Read Computers" and "Read Mobile Devices" and nothing else.
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import type { SourceMdmInventory } from '../../ports/source-mdm';
import { mapBounded } from '../../shared/bounded';
import { RetryingFetch, type RetryingFetchOptions } from '../http/retrying-fetch';
import {
  COMPUTER_SECTIONS,
  computerToDevice,
  type JamfComputerRecord,
  type JamfMobileDeviceRecord,
  MOBILE_SECTIONS,
  mobileDeviceToDevice,
} from './jamf-devices';
import { DEFAULT_JAMF_SETTINGS, type JamfSettingNames, JamfTokenProvider } from './jamf-token';

/**
 * The schema gives no maximum `page-size`; Jamf has been seen to clamp silently at 2000 (J9) and an
 * integration documents 1000 for computers-inventory (J10). 500 keeps each answer small.
 */
const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 1000;
/** Jamf's scalability guidance: no more than 5 concurrent connections to one Jamf Pro (J6). */
const MAX_CONCURRENCY = 5;
const DEFAULT_CONCURRENCY = 3;

export interface JamfInventoryOptions {
  /** The Jamf Pro URL, e.g. https://example.jamfcloud.com (the API lives under /api). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The configured source id. Default `jamf`. */
  source?: string;
  /** Which inventories this source lists; both by default (a campaign may read Macs only). */
  computers?: boolean;
  mobileDevices?: boolean;
  /** Devices per page, at most 1000. Default 500. */
  pageSize?: number;
  /** Pages in flight at once, at most 5 (J6). Default 3. */
  concurrency?: number;
  /** Setting names named in credential errors. */
  settings?: JamfSettingNames;
  /** Retry policy knobs, passed to the shared `RetryingFetch`. */
  maxAttempts?: number;
  timeoutMs?: number;
  sleep?: RetryingFetchOptions['sleep'];
  fetch?: typeof fetch;
  onRetry?: RetryingFetchOptions['onRetry'];
  /** Called after each page with ids and counts only: never personal data. */
  onPage?: (info: {
    source: string;
    kind: JamfKind;
    page: number;
    devices: number;
    totalCount: number;
  }) => void;
}

export type JamfKind = 'computers' | 'mobile-devices';

interface Collection<R> {
  kind: JamfKind;
  path: string;
  sections: readonly string[];
  /** A stable order, so pages do not overlap while paging (both are documented sort fields). */
  sort: string;
  /** The inventory-date field of the RSQL filter. */
  changedField: string;
  privilege: string;
  isRecord: (r: unknown) => r is R;
  toDevice: (r: R, source: string) => OldMdmDevice;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * `general.reportDate` is when the Mac last submitted inventory: the record's facts (user, OS,
 * managed state) change then. `lastContact` moves on every check-in, which would make an
 * incremental sync re-read nearly every active Mac.
 */
const COMPUTERS: Collection<JamfComputerRecord> = {
  kind: 'computers',
  path: '/api/v4/computers-inventory',
  sections: COMPUTER_SECTIONS,
  sort: 'id:asc',
  changedField: 'general.reportDate',
  privilege: 'Read Computers',
  isRecord: (r): r is JamfComputerRecord => isObject(r) && typeof r.id === 'string',
  toDevice: computerToDevice,
};

/** The mobile-device filter uses flat field names (`lastInventoryUpdateDate`, J1). */
const MOBILE_DEVICES: Collection<JamfMobileDeviceRecord> = {
  kind: 'mobile-devices',
  path: '/api/v2/mobile-devices/detail',
  sections: MOBILE_SECTIONS,
  sort: 'mobileDeviceId:asc',
  changedField: 'lastInventoryUpdateDate',
  privilege: 'Read Mobile Devices',
  isRecord: (r): r is JamfMobileDeviceRecord => isObject(r) && typeof r.mobileDeviceId === 'string',
  toDevice: mobileDeviceToDevice,
};

interface JamfPage<R> {
  totalCount: number;
  results: R[];
}

export class JamfInventory implements SourceMdmInventory {
  readonly source: string;
  readonly vendor = 'jamf' as const;
  private readonly http: RetryingFetch;
  private readonly tokens: JamfTokenProvider;
  private readonly pageSize: number;
  private readonly concurrency: number;
  private readonly settings: JamfSettingNames;

  constructor(private readonly options: JamfInventoryOptions) {
    this.source = options.source ?? 'jamf';
    this.settings = options.settings ?? DEFAULT_JAMF_SETTINGS;
    this.http = new RetryingFetch({
      source: this.source,
      vendorName: 'Jamf Pro',
      maxAttempts: options.maxAttempts,
      timeoutMs: options.timeoutMs,
      sleep: options.sleep,
      fetch: options.fetch,
      onRetry: options.onRetry,
    });
    this.tokens = new JamfTokenProvider({
      baseUrl: options.baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      http: this.http,
      settings: this.settings,
    });
    this.pageSize = clamp(options.pageSize ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    this.concurrency = clamp(options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
  }

  /** HTTP requests sent so far, token requests and retries included: the cost of the syncs. */
  get requests(): number {
    return this.http.requests;
  }

  /** Access tokens fetched so far. */
  get tokensFetched(): number {
    return this.tokens.fetched;
  }

  listAll(signal?: AbortSignal): AsyncIterable<OldMdmDevice[]> {
    return this.list(undefined, signal);
  }

  /** Devices whose inventory was updated at or after `since` (a device unmanaged since is among them). */
  listChangedSince(since: Date, signal?: AbortSignal): AsyncIterable<OldMdmDevice[]> {
    return this.list(since, signal);
  }

  private async *list(since: Date | undefined, signal?: AbortSignal): AsyncGenerator<OldMdmDevice[]> {
    if (this.options.computers !== false) yield* this.collection(COMPUTERS, since, signal);
    if (this.options.mobileDevices !== false) yield* this.collection(MOBILE_DEVICES, since, signal);
  }

  /**
   * Page 0 first (it gives totalCount), then the remaining pages a few at a time in order. The last
   * page is found from totalCount, never from a short page (Jamf may clamp page-size silently, J9).
   */
  private async *collection<R>(
    c: Collection<R>,
    since: Date | undefined,
    signal?: AbortSignal,
  ): AsyncGenerator<OldMdmDevice[]> {
    const filter = since ? rsqlSince(c.changedField, since) : undefined;
    const first = await this.page(c, 0, this.pageSize, filter, signal);
    yield this.devices(c, 0, first);
    // A page-size Jamf clamped shows as a full first page shorter than asked for: page by what it serves.
    const size =
      first.results.length > 0 &&
      first.results.length < this.pageSize &&
      first.results.length < first.totalCount
        ? first.results.length
        : this.pageSize;
    const lastPage = Math.ceil(first.totalCount / size) - 1;
    for (let start = 1; start <= lastPage; start += this.concurrency) {
      const window = range(start, Math.min(lastPage, start + this.concurrency - 1));
      const pages = await mapBounded(window, this.concurrency, (p) => this.page(c, p, size, filter, signal), {
        signal,
      });
      for (const [i, page] of pages.entries()) {
        // Devices deleted while paging shorten the list: an empty page ends it.
        if (page.results.length === 0) return;
        yield this.devices(c, window[i], page);
      }
    }
  }

  private devices<R>(c: Collection<R>, page: number, p: JamfPage<R>): OldMdmDevice[] {
    const devices = p.results.map((r) => c.toDevice(r, this.source));
    this.options.onPage?.({
      source: this.source,
      kind: c.kind,
      page,
      devices: devices.length,
      totalCount: p.totalCount,
    });
    return devices;
  }

  private async page<R>(
    c: Collection<R>,
    page: number,
    size: number,
    filter: string | undefined,
    signal?: AbortSignal,
  ): Promise<JamfPage<R>> {
    const url = new URL(c.path, this.options.baseUrl);
    for (const s of c.sections) url.searchParams.append('section', s);
    url.searchParams.set('page', String(page));
    url.searchParams.set('page-size', String(size));
    url.searchParams.set('sort', c.sort);
    if (filter) url.searchParams.set('filter', filter);
    let used: string | undefined;
    const body = await this.http.json({
      url,
      headers: async () => {
        used = await this.tokens.token(signal);
        return { Authorization: `Bearer ${used}`, Accept: 'application/json' };
      },
      access: {
        credentials: `${this.settings.clientId} / ${this.settings.clientSecret}`,
        permission: c.privilege,
      },
      // A token can expire mid-sync (Jamf does not say when, §2.1): drop it and fetch one more, once.
      onUnauthorized: () => {
        if (used) this.tokens.invalidate(used);
      },
      signal,
    });
    if (
      !isObject(body) ||
      typeof body.totalCount !== 'number' ||
      !Array.isArray(body.results) ||
      !body.results.every(c.isRecord)
    ) {
      throw this.http.error(
        `Jamf Pro answered ${c.path} (page ${page}) without the documented { totalCount, results } of ${c.kind}.`,
        'bad-response',
        200,
      );
    }
    return { totalCount: body.totalCount, results: body.results as R[] };
  }
}

/**
 * `field=ge="…"` in UTC with a Z. Jamf's "Filtering with RSQL" guide lists `=ge=` and `>=` alike;
 * `=ge=` is the form of the schema's one date example (J1). Jamf refuses a date with a numeric
 * offset. An instant in the future would read nothing, so it is clamped to now.
 */
export function rsqlSince(field: string, since: Date): string {
  const at = new Date(Math.min(since.getTime(), Date.now()));
  return `${field}=ge="${at.toISOString()}"`;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
