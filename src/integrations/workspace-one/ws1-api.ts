/**
 * One connection to a Workspace ONE UEM tenant: the shared retry policy, the OAuth bearer token and
 * the headers every REST call carries (`Authorization`, `aw-tenant-code`, the versioned `Accept`,
 * docs/vendor-apis.md §1.1). The inventory and the release commands use the same connection, so a
 * throttled tenant pauses both and one token serves both.
 */
import {
  type AccessHints,
  RetryingFetch,
  type RetryingFetchOptions,
  type VendorResponse,
} from '../http/retrying-fetch';
import { type WorkspaceOneSettings, WS1_READ_PERMISSION, WS1_SETTING_NAMES } from './ws1-settings';
import { WorkspaceOneToken } from './ws1-token';

/**
 * v1 is the version whose answer shape is confirmed by a live capture (W4), and the only one with
 * the Enterprise Wipe command (§1.5).
 */
const ACCEPT_V1 = 'application/json;version=1';

/**
 * 403 is a missing admin-role permission, except errorCode 1013, which is Workspace ONE's answer to
 * a wrong `aw-tenant-code` ("Tenant code XYZ does not identify an Organization Group.", W4).
 */
export function ws1Access(permission: string): AccessHints {
  return {
    credentials: `${WS1_SETTING_NAMES.clientId} and ${WS1_SETTING_NAMES.clientSecret}`,
    permission,
    refine: (status, body) =>
      status === 403 && errorCodeOf(body) === 1013
        ? { failure: 'credentials', missing: `${WS1_SETTING_NAMES.tenantCode} (the REST API key)` }
        : undefined,
  };
}

/** Reading devices: the "REST API Devices Read" permission. */
export const WS1_READ_ACCESS = ws1Access(WS1_READ_PERMISSION);

export type Ws1ConnectionOptions = Pick<
  RetryingFetchOptions,
  'maxAttempts' | 'timeoutMs' | 'sleep' | 'onRetry' | 'fetch'
> & { source: string };

export interface Ws1Call {
  method?: 'GET' | 'POST';
  /** Under the API host, e.g. `/API/mdm/devices/search`. */
  path: string;
  query?: Record<string, string>;
  access: AccessHints;
  /** Statuses answered rather than thrown (404: the device is not listed). */
  accept?: readonly number[];
  signal?: AbortSignal;
}

export class Ws1Connection {
  readonly http: RetryingFetch;
  readonly token: WorkspaceOneToken;
  private readonly base: string;

  constructor(
    private readonly settings: WorkspaceOneSettings,
    options: Ws1ConnectionOptions,
  ) {
    this.http = new RetryingFetch({ ...options, vendorName: 'Workspace ONE' });
    this.token = new WorkspaceOneToken({
      tokenUrl: settings.tokenUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      http: this.http,
    });
    this.base = apiBase(settings.apiUrl);
  }

  /** The call with a bearer token (fetched again once when it expired mid-read); throws SourceMdmError. */
  send(call: Ws1Call): Promise<VendorResponse> {
    const url = new URL(`${this.base}${call.path}`);
    for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
    let token: string | undefined;
    return this.http.send({
      method: call.method ?? 'GET',
      url,
      signal: call.signal,
      access: call.access,
      accept: call.accept,
      headers: async () => {
        token = await this.token.get(call.signal);
        return {
          Authorization: `Bearer ${token}`,
          // Sent with OAuth too: the Omnissa SDK always does, and Fleet does with a bearer token (§1.1, W5/W7).
          'aw-tenant-code': this.settings.tenantCode,
          Accept: ACCEPT_V1,
        };
      },
      onUnauthorized: () => this.token.invalidate(token),
    });
  }

  /** `send`, then the body as JSON; undefined for 204 or an empty body (a search that found nothing). */
  async json(call: Ws1Call): Promise<unknown> {
    const res = await this.send(call);
    if (res.status === 204 || res.text.trim() === '') return undefined;
    try {
      return JSON.parse(res.text) as unknown;
    } catch {
      throw this.http.error(
        `Workspace ONE answered ${call.path.replace(/\/\d+/g, '/{id}')} with a body that is not JSON.`,
        'bad-response',
        res.status,
      );
    }
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
