/**
 * The Workspace ONE UEM inventory, read-only, through the v1 device search
 * (`GET /API/mdm/devices/search`, docs/vendor-apis.md §1.3): 500 devices a page (the documented
 * maximum), an OAuth bearer token plus the `aw-tenant-code` header on every call, and the
 * `seensince` filter for incremental reads (§1.4 — the API has no "modified since" filter); one
 * device at a time (`GET /API/mdm/devices/{id}`) for a live look-up.
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import type { Logger } from '../../logging';
import type { SourceMdmInventory } from '../../ports/source-mdm';
import type { SourceMdmRelease } from '../../ports/source-mdm-release';
import type { RetryingFetchOptions } from '../http/retrying-fetch';
import { WS1_READ_ACCESS, Ws1Connection } from './ws1-api';
import { parseDevice, parseSearchPage, Ws1ShapeError, ws1DateTime } from './ws1-device';
import { WorkspaceOneRelease } from './ws1-release';
import type { WorkspaceOneSettings } from './ws1-settings';

/** "If page size is greater than the maximum limit, it will return the first 500 records" (W3, every version). */
export const WS1_MAX_PAGE_SIZE = 500;
/**
 * `seensince` is re-read this far back: the server's clock and its reading of an offset-less time
 * are not ours (§1.3 leaves the zone unconfirmed). Re-reading a device is harmless; missing one
 * would hold a journey until the daily full read.
 */
const DEFAULT_OVERLAP_MS = 15 * 60_000;

export interface WorkspaceOneInventoryOptions
  extends Pick<RetryingFetchOptions, 'maxAttempts' | 'timeoutMs' | 'sleep' | 'onRetry' | 'fetch'> {
  /** The configured source id. Default `workspace-one`. */
  source?: string;
  /** Devices a page, at most 500. Default 500. */
  pageSize?: number;
  /** How far before `since` an incremental read starts. Default 15 minutes. */
  incrementalOverlapMs?: number;
  /** Logs each read's cost (ids and counts only). */
  logger?: Logger;
}

export class WorkspaceOneInventory implements SourceMdmInventory {
  readonly source: string;
  readonly vendor = 'workspace-one' as const;
  private readonly api: Ws1Connection;
  private readonly pageSize: number;
  private readonly overlapMs: number;

  constructor(
    private readonly settings: WorkspaceOneSettings,
    private readonly options: WorkspaceOneInventoryOptions = {},
  ) {
    this.source = options.source ?? 'workspace-one';
    this.api = new Ws1Connection(settings, {
      source: this.source,
      maxAttempts: options.maxAttempts,
      timeoutMs: options.timeoutMs,
      sleep: options.sleep,
      onRetry: options.onRetry,
      fetch: options.fetch,
    });
    this.pageSize = Math.min(
      WS1_MAX_PAGE_SIZE,
      Math.max(1, Math.floor(options.pageSize ?? WS1_MAX_PAGE_SIZE)),
    );
    this.overlapMs = options.incrementalOverlapMs ?? DEFAULT_OVERLAP_MS;
  }

  /** HTTP requests sent so far, token requests included: the cost a sync logs. */
  get requests(): number {
    return this.api.http.requests;
  }

  /** Bearer tokens fetched so far. */
  get tokensFetched(): number {
    return this.api.token.tokensFetched;
  }

  listAll(signal?: AbortSignal): AsyncIterable<OldMdmDevice[]> {
    return this.pages({}, 'full', signal);
  }

  /**
   * Devices seen since `since` (less the overlap). A device removed from Workspace ONE is never in
   * this answer, and whether an Enterprise Wipe moves LastSeen is not documented: the daily full
   * read is what notices those.
   */
  listChangedSince(since: Date, signal?: AbortSignal): AsyncIterable<OldMdmDevice[]> {
    const from = new Date(since.getTime() - this.overlapMs);
    return this.pages({ seensince: ws1DateTime(from) }, 'incremental', signal);
  }

  private async *pages(
    filters: Record<string, string>,
    kind: 'full' | 'incremental',
    signal?: AbortSignal,
  ): AsyncGenerator<OldMdmDevice[]> {
    const startRequests = this.api.http.requests;
    const seen = new Set<string>();
    let devices = 0;
    let pages = 0;
    for (let page = 0; ; page++) {
      const body = await this.search(page, filters, signal);
      pages++;
      // 204 with no body: nothing (more) matches (§1.3, W6).
      if (body === undefined) break;
      let parsed: ReturnType<typeof parseSearchPage>;
      try {
        parsed = parseSearchPage(body, this.source);
      } catch (err) {
        if (!(err instanceof Ws1ShapeError)) throw err;
        throw this.api.http.error(
          `Workspace ONE device search page ${page} is not what the API documents: ${err.message}.`,
          'bad-response',
          200,
        );
      }
      // Paging by offset can repeat a device when one is enrolled mid-read; each is listed once.
      const fresh = parsed.devices.filter((d) => !seen.has(d.vendorId) && seen.add(d.vendorId));
      devices += fresh.length;
      if (fresh.length > 0) yield fresh;
      const size = parsed.pageSize && parsed.pageSize > 0 ? parsed.pageSize : this.pageSize;
      // Stop at Total (W11) or an empty page (W8), never on a short page: the server may cap the size.
      if (parsed.devices.length === 0 || (page + 1) * size >= parsed.total) break;
    }
    this.options.logger?.info(
      { source: this.source, kind, pages, devices, requests: this.api.http.requests - startRequests },
      'workspace one inventory read',
    );
  }

  /**
   * `GET /API/mdm/devices/{id}` (v1, W3 DevicesApi.md `devices_get_by_id_async`), mapped like a
   * search result. 404 (errorCode 5061, "Device not found for this request.", W4): Workspace ONE no
   * longer lists it. A device an Enterprise Wipe removed stays listed as Unenrolled until an admin
   * deletes the record.
   */
  async deviceById(vendorId: string, signal?: AbortSignal): Promise<OldMdmDevice | undefined> {
    // Workspace ONE device ids are numbers (`Id.Value`); anything else is no device of this tenant.
    if (!/^\d{1,18}$/.test(vendorId)) return undefined;
    const res = await this.api.send({
      path: `/API/mdm/devices/${vendorId}`,
      access: WS1_READ_ACCESS,
      accept: [404],
      signal,
    });
    if (res.status === 404 || res.status === 204 || res.text.trim() === '') return undefined;
    try {
      return parseDevice(JSON.parse(res.text) as unknown, this.source);
    } catch (err) {
      throw this.api.http.error(
        `Workspace ONE answered the look-up of device ${vendorId} with something the API does not document${err instanceof Ws1ShapeError ? `: ${err.message}` : ''}.`,
        'bad-response',
        res.status,
      );
    }
  }

  /**
   * The release commands of this tenant, on the same connection (one token, one pause after a 429).
   * Only the composition root calls it, and only for a source OLD_MDM_ALLOW_RELEASE names.
   */
  release(): SourceMdmRelease {
    return new WorkspaceOneRelease(this.api, this);
  }

  private search(page: number, filters: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const query: Record<string, string> = {
      page: String(page),
      pagesize: String(this.pageSize),
      // Ordered by device id (the default, made explicit) so a device whose LastSeen changes mid-read keeps its place.
      orderby: 'deviceid',
      sortorder: 'ASC',
    };
    if (this.settings.organizationGroupId !== undefined) {
      query.lgid = String(this.settings.organizationGroupId);
    }
    return this.api.json({
      path: '/API/mdm/devices/search',
      query: { ...query, ...filters },
      access: WS1_READ_ACCESS,
      signal,
    });
  }
}
