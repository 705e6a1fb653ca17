/**
 * One connection to a Jamf Pro server: the shared retry policy and the API client's access token
 * (docs/vendor-apis.md §2.1), sent as a bearer on every call and fetched again once when Jamf refuses
 * it mid-read. The inventory and the release commands share it: one token, one pause after a 429.
 */
import {
  type AccessHints,
  RetryingFetch,
  type RetryingFetchOptions,
  type VendorResponse,
} from '../http/retrying-fetch';
import { DEFAULT_JAMF_SETTINGS, type JamfSettingNames, JamfTokenProvider } from './jamf-token';

export interface JamfConnectionOptions
  extends Pick<RetryingFetchOptions, 'maxAttempts' | 'timeoutMs' | 'sleep' | 'fetch' | 'onRetry'> {
  /** The Jamf Pro URL, e.g. https://example.jamfcloud.com (the API lives under /api). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  source: string;
  settings?: JamfSettingNames;
}

export interface JamfCall {
  method?: 'GET' | 'POST';
  /** Under the Jamf Pro URL, e.g. `/api/v4/computers-inventory`. */
  path: string;
  /** Repeated keys (`section`) as arrays. */
  query?: Record<string, string | readonly string[]>;
  /** The privilege the call needs, named when Jamf answers 403. */
  privilege: string;
  /** Statuses answered rather than thrown (404: the device is not listed). */
  accept?: readonly number[];
  signal?: AbortSignal;
}

export class JamfConnection {
  readonly http: RetryingFetch;
  readonly tokens: JamfTokenProvider;
  readonly settings: JamfSettingNames;

  constructor(private readonly options: JamfConnectionOptions) {
    this.settings = options.settings ?? DEFAULT_JAMF_SETTINGS;
    this.http = new RetryingFetch({
      source: options.source,
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
  }

  access(privilege: string): AccessHints {
    return {
      credentials: `${this.settings.clientId} / ${this.settings.clientSecret}`,
      permission: privilege,
    };
  }

  send(call: JamfCall): Promise<VendorResponse> {
    const url = new URL(call.path, this.options.baseUrl);
    for (const [k, v] of Object.entries(call.query ?? {})) {
      for (const value of typeof v === 'string' ? [v] : v) url.searchParams.append(k, value);
    }
    let used: string | undefined;
    return this.http.send({
      method: call.method ?? 'GET',
      url,
      headers: async () => {
        used = await this.tokens.token(call.signal);
        return { Authorization: `Bearer ${used}`, Accept: 'application/json' };
      },
      access: this.access(call.privilege),
      accept: call.accept,
      // A token can expire mid-sync (Jamf does not say when, §2.1): drop it and fetch one more, once.
      onUnauthorized: () => {
        if (used) this.tokens.invalidate(used);
      },
      signal: call.signal,
    });
  }

  /** `send`, then the body as JSON (undefined when empty); a body that is not JSON is a 'bad-response'. */
  async json(call: JamfCall): Promise<{ status: number; body: unknown }> {
    const res = await this.send(call);
    if (res.text.trim() === '') return { status: res.status, body: undefined };
    try {
      return { status: res.status, body: JSON.parse(res.text) as unknown };
    } catch {
      throw this.http.error(
        `Jamf Pro answered ${call.path.replace(/\/\d+(?=\/|$)/g, '/{id}')} with a body that is not JSON.`,
        'bad-response',
        res.status,
      );
    }
  }
}
