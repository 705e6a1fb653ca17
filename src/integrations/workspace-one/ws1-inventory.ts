/**
 * The Workspace ONE UEM inventory, read-only, through the v1 device search
 * (`GET /API/mdm/devices/search`, docs/vendor-apis.md §1.3): 500 devices a page (the documented
 * maximum), an OAuth bearer token plus the `aw-tenant-code` header on every call, and the
 * `seensince` filter for incremental reads (§1.4 — the API has no "modified since" filter).
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import type { Logger } from '../../logging';
import type { SourceMdmInventory } from '../../ports/source-mdm';
import { type AccessHints, RetryingFetch, type RetryingFetchOptions } from '../http/retrying-fetch';
import { parseSearchPage, Ws1ShapeError, ws1DateTime } from './ws1-device';
import { type WorkspaceOneSettings, WS1_READ_PERMISSION, WS1_SETTING_NAMES } from './ws1-settings';
import { WorkspaceOneToken } from './ws1-token';

/** "If page size is greater than the maximum limit, it will return the first 500 records" (W3, every version). */
export const WS1_MAX_PAGE_SIZE = 500;
/**
 * v1 is the version whose answer shape is confirmed by a live capture (W4); v2 returns the same
 * shape but renames two filters, v3's snake_case answer is spec-only (§1.3).
 */
const SEARCH_ACCEPT = 'application/json;version=1';
/**
 * `seensince` is re-read this far back: the server's clock and its reading of an offset-less time
 * are not ours (§1.3 leaves the zone unconfirmed). Re-reading a device is harmless; missing one
 * would hold a journey until the daily full read.
 */
const DEFAULT_OVERLAP_MS = 15 * 60_000;

/**
 * 403 is a missing admin-role permission, except errorCode 1013, which is Workspace ONE's answer to
 * a wrong `aw-tenant-code` ("Tenant code XYZ does not identify an Organization Group.", W4).
 */
const API_ACCESS: AccessHints = {
  credentials: `${WS1_SETTING_NAMES.clientId} and ${WS1_SETTING_NAMES.clientSecret}`,
  permission: WS1_READ_PERMISSION,
  refine: (status, body) =>
    status === 403 && errorCodeOf(body) === 1013
      ? { failure: 'credentials', missing: `${WS1_SETTING_NAMES.tenantCode} (the REST API key)` }
      : undefined,
};

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
  private readonly http: RetryingFetch;
  private readonly token: WorkspaceOneToken;
  private readonly searchUrl: string;
  private readonly pageSize: number;
  private readonly overlapMs: number;

  constructor(
    private readonly settings: WorkspaceOneSettings,
    private readonly options: WorkspaceOneInventoryOptions = {},
  ) {
    this.source = options.source ?? 'workspace-one';
    this.http = new RetryingFetch({
      source: this.source,
      vendorName: 'Workspace ONE',
      maxAttempts: options.maxAttempts,
      timeoutMs: options.timeoutMs,
      sleep: options.sleep,
      onRetry: options.onRetry,
      fetch: options.fetch,
    });
    this.token = new WorkspaceOneToken({
      tokenUrl: settings.tokenUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      http: this.http,
    });
    this.searchUrl = `${apiBase(settings.apiUrl)}/API/mdm/devices/search`;
    this.pageSize = Math.min(
      WS1_MAX_PAGE_SIZE,
      Math.max(1, Math.floor(options.pageSize ?? WS1_MAX_PAGE_SIZE)),
    );
    this.overlapMs = options.incrementalOverlapMs ?? DEFAULT_OVERLAP_MS;
  }

  /** HTTP requests sent so far, token requests included: the cost a sync logs. */
  get requests(): number {
    return this.http.requests;
  }

  /** Bearer tokens fetched so far. */
  get tokensFetched(): number {
    return this.token.tokensFetched;
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
    const startRequests = this.http.requests;
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
        throw this.http.error(
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
      { source: this.source, kind, pages, devices, requests: this.http.requests - startRequests },
      'workspace one inventory read',
    );
  }

  private search(page: number, filters: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const url = new URL(this.searchUrl);
    url.searchParams.set('page', String(page));
    url.searchParams.set('pagesize', String(this.pageSize));
    // Ordered by device id (the default, made explicit) so a device whose LastSeen changes mid-read keeps its place.
    url.searchParams.set('orderby', 'deviceid');
    url.searchParams.set('sortorder', 'ASC');
    if (this.settings.organizationGroupId !== undefined) {
      url.searchParams.set('lgid', String(this.settings.organizationGroupId));
    }
    for (const [k, v] of Object.entries(filters)) url.searchParams.set(k, v);
    let token: string | undefined;
    return this.http.json({
      url,
      signal,
      access: API_ACCESS,
      headers: async () => {
        token = await this.token.get(signal);
        return {
          Authorization: `Bearer ${token}`,
          // Sent with OAuth too: the Omnissa SDK always does, and Fleet does with a bearer token (§1.1, W5/W7).
          'aw-tenant-code': this.settings.tenantCode,
          Accept: SEARCH_ACCEPT,
        };
      },
      onUnauthorized: () => this.token.invalidate(token),
    });
  }
}

/** `https://as1234.awmdm.com`, `…/` and `…/API` all name the same API host. */
function apiBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, '').replace(/\/api$/i, '');
}

function errorCodeOf(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { errorCode?: unknown };
    return typeof parsed.errorCode === 'number' ? parsed.errorCode : undefined;
  } catch {
    return undefined;
  }
}
