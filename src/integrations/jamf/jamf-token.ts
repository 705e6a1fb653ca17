/**
 * Access tokens for a Jamf Pro API client (OAuth client credentials, Jamf Pro ≥ 10.49;
 * docs/vendor-apis.md §2.1). One token is shared by every request of the connector, cached until
 * shortly before it expires, fetched once however many requests need it at the same moment, and
 * dropped when Jamf refuses it mid-sync so the next request fetches a new one.
 */
import type { RetryingFetch } from '../http/retrying-fetch';

/**
 * The schema's path (J1 `/v1/oauth/token`, also `ApiClient.tokenUrl`). Jamf's client-credentials
 * guide shows `/api/oauth/token` (J3, quoted in J4); both reach the same endpoint, and the schema is
 * the reference Jamf versions, so the connector uses it.
 */
export const JAMF_TOKEN_PATH = '/api/v1/oauth/token';

/** Refresh this long before `expires_in` runs out, at most; a fifth of a short lifetime otherwise. */
const REFRESH_MARGIN_MS = 60_000;

/** The settings an admin fixes when Jamf refuses the client, named in errors. */
export interface JamfSettingNames {
  url: string;
  clientId: string;
  clientSecret: string;
}

export const DEFAULT_JAMF_SETTINGS: JamfSettingNames = {
  url: 'JAMF_URL',
  clientId: 'JAMF_CLIENT_ID',
  clientSecret: 'JAMF_CLIENT_SECRET',
};

export interface JamfTokenOptions {
  /** The Jamf Pro URL, e.g. https://example.jamfcloud.com (no /api). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  http: RetryingFetch;
  settings?: JamfSettingNames;
  now?: () => number;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

/** RFC 6749 §5.2 error body, which Jamf's token endpoint uses instead of its ApiError (J1). */
function oauthError(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

export class JamfTokenProvider {
  private cached?: CachedToken;
  private pending?: Promise<string>;
  private fetchedCount = 0;
  private readonly settings: JamfSettingNames;
  private readonly now: () => number;

  constructor(private readonly options: JamfTokenOptions) {
    this.settings = options.settings ?? DEFAULT_JAMF_SETTINGS;
    this.now = options.now ?? Date.now;
  }

  /** Tokens fetched so far (a sync that outlives one token fetches a second). */
  get fetched(): number {
    return this.fetchedCount;
  }

  /** A valid access token: the cached one, or a new one (a single request however many callers wait). */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Jamf refused `token` (401): forget it unless a newer one already replaced it, so concurrent
   * requests that all held the expired token cause one new token, not one each.
   */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret } = this.settings;
    const credentials = `${clientId} / ${clientSecret}`;
    const body = await this.options.http.json({
      method: 'POST',
      url: new URL(JAMF_TOKEN_PATH, this.options.baseUrl),
      headers: () => ({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }),
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
      }),
      access: {
        credentials,
        permission: 'an API role assigned to the API client',
        refine: (status, text) => {
          const error = oauthError(text);
          // The schema documents 400 for a refused client; RFC 6749 also allows 401.
          if (error === 'invalid_client' || error === 'unauthorized_client' || status === 401) {
            return { failure: 'credentials', missing: credentials };
          }
          if (error === 'invalid_scope') {
            return { failure: 'permission', missing: 'an API role assigned to the API client' };
          }
          // No token endpoint at this address: the Jamf Pro URL is wrong (or Jamf Pro is older than 10.49).
          if (status === 404) return { failure: 'bad-response', missing: this.settings.url };
          return undefined;
        },
      },
      signal,
    });
    const parsed = body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof parsed?.access_token !== 'string' || typeof parsed.expires_in !== 'number') {
      throw this.options.http.error(
        `Jamf Pro answered ${JAMF_TOKEN_PATH} without an access_token and expires_in.`,
        'bad-response',
        200,
      );
    }
    const lifetimeMs = Math.max(0, parsed.expires_in * 1000);
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5);
    this.cached = { token: parsed.access_token, refreshAt: this.now() + lifetimeMs - margin };
    this.fetchedCount++;
    return parsed.access_token;
  }
}
