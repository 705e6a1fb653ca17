/**
 * The Jamf Pro inventory as the source of truth for the devices to migrate: computers from
 * `GET /api/v4/computers-inventory` (current in Jamf Pro 11.30.1; v1–v3 deprecated, §2.2) and
 * mobile devices from `GET /api/v2/mobile-devices/detail` (§2.3), with only the sections a sync
 * needs, paged, and filtered by inventory date for an incremental sync; one device at a time for a
 * live look-up. Read-only: it needs the privileges "Read Computers" and "Read Mobile Devices" and
 * nothing else (releasing is `JamfRelease`, built only when configured).
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import type { SourceMdmInventory } from '../../ports/source-mdm';
import type { SourceMdmRelease } from '../../ports/source-mdm-release';
import { mapBounded } from '../../shared/bounded';
import type { RetryingFetchOptions } from '../http/retrying-fetch';
import { JamfConnection } from './jamf-connection';
import {
  COMPUTER_SECTIONS,
  computerToDevice,
  type JamfComputerRecord,
  type JamfMobileDeviceRecord,
  MOBILE_SECTIONS,
  mobileDeviceToDevice,
  parseJamfVendorId,
} from './jamf-devices';
import { JamfRelease } from './jamf-release';
import type { JamfSettingNames } from './jamf-token';

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
  private readonly api: JamfConnection;
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(private readonly options: JamfInventoryOptions) {
    this.source = options.source ?? 'jamf';
    this.api = new JamfConnection({
      baseUrl: options.baseUrl,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      source: this.source,
      settings: options.settings,
      maxAttempts: options.maxAttempts,
      timeoutMs: options.timeoutMs,
      sleep: options.sleep,
      fetch: options.fetch,
      onRetry: options.onRetry,
    });
    this.pageSize = clamp(options.pageSize ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    this.concurrency = clamp(options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
  }

  /** HTTP requests sent so far, token requests and retries included: the cost of the syncs. */
  get requests(): number {
    return this.api.http.requests;
  }

  /** Access tokens fetched so far. */
  get tokensFetched(): number {
    return this.api.tokens.fetched;
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

  /**
   * One device by the id `listAll` gives it. A computer: `GET /api/v4/computers-inventory/{id}` with the
   * sync's sections (J1, J2; 404 ApiError "Specified computer object does not exist"). A mobile device:
   * the same `GET /api/v2/mobile-devices/detail` the sync pages, filtered by `mobileDeviceId` (an
   * allowed RSQL field, J1), so the answer has the list's shape and mapper; no result means Jamf no
   * longer lists it. (`/api/v2/mobile-devices/{id}/detail` answers another shape, MobileDeviceDetailsV2.)
   * An unmanaged device stays listed, with enrollment `unenrolled`.
   */
  async deviceById(vendorId: string, signal?: AbortSignal): Promise<OldMdmDevice | undefined> {
    const id = parseJamfVendorId(vendorId);
    if (!id) return undefined;
    if (id.kind === 'computer') {
      if (this.options.computers === false) return undefined;
      const { status, body } = await this.api.json({
        path: `${COMPUTERS.path}/${id.id}`,
        query: { section: COMPUTERS.sections },
        privilege: COMPUTERS.privilege,
        accept: [404],
        signal,
      });
      if (status === 404) return undefined;
      if (!COMPUTERS.isRecord(body))
        throw this.shapeError(COMPUTERS, 'the look-up of one computer', 'record');
      return computerToDevice(body, this.source);
    }
    if (this.options.mobileDevices === false) return undefined;
    const page = await this.request(
      MOBILE_DEVICES,
      {
        section: MOBILE_DEVICES.sections,
        page: '0',
        'page-size': '1',
        filter: `mobileDeviceId=="${id.id}"`,
      },
      'the look-up of one mobile device',
      signal,
    );
    const record = page.results[0];
    return record ? mobileDeviceToDevice(record, this.source) : undefined;
  }

  /**
   * The release commands of this server, on the same connection (one token, one pause after a 429).
   * Only the composition root calls it, and only for a source OLD_MDM_ALLOW_RELEASE names.
   */
  release(): SourceMdmRelease {
    return new JamfRelease(this.api, this);
  }

  private page<R>(
    c: Collection<R>,
    page: number,
    size: number,
    filter: string | undefined,
    signal?: AbortSignal,
  ): Promise<JamfPage<R>> {
    return this.request(
      c,
      {
        section: c.sections,
        page: String(page),
        'page-size': String(size),
        sort: c.sort,
        ...(filter ? { filter } : {}),
      },
      `page ${page}`,
      signal,
    );
  }

  private async request<R>(
    c: Collection<R>,
    query: Record<string, string | readonly string[]>,
    what: string,
    signal?: AbortSignal,
  ): Promise<JamfPage<R>> {
    const { body } = await this.api.json({ path: c.path, query, privilege: c.privilege, signal });
    if (
      !isObject(body) ||
      typeof body.totalCount !== 'number' ||
      !Array.isArray(body.results) ||
      !body.results.every(c.isRecord)
    ) {
      throw this.shapeError(c, what);
    }
    return { totalCount: body.totalCount, results: body.results as R[] };
  }

  private shapeError<R>(c: Collection<R>, what: string, shape = '{ totalCount, results }') {
    return this.api.http.error(
      `Jamf Pro answered ${c.path} (${what}) without the documented ${shape} of ${c.kind}.`,
      'bad-response',
      200,
    );
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
