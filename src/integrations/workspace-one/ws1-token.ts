/**
 * OAuth 2.0 client-credentials tokens from Workspace ONE's regional token service
 * (docs/vendor-apis.md §1.2): `POST <region>/connect/token` with the client id and secret as form
 * fields (what the Omnissa SDK and Fleet send, W5/W7), answered with
 * `{ access_token, token_type, expires_in }`.
 */
import type { AccessHints, RetryingFetch } from '../http/retrying-fetch';
import { WS1_SETTING_NAMES } from './ws1-settings';

/** The Omnissa SDK refreshes five minutes before expiry (W5 `client/auth.go`). */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** "These tokens have a limited lifespan of one hour" (W12), used only when `expires_in` is absent. */
const DEFAULT_LIFETIME_S = 3600;

const CREDENTIAL_SETTINGS = `${WS1_SETTING_NAMES.clientId} and ${WS1_SETTING_NAMES.clientSecret}`;

/**
 * The token service is an OAuth 2.0 server: a wrong id or secret is 400 `invalid_client` (RFC 6749
 * §5.2; the 401 variant is allowed there too). Either way the admin must fix the client credentials,
 * or the token URL when it points at the wrong region.
 */
const TOKEN_ACCESS: AccessHints = {
  credentials: CREDENTIAL_SETTINGS,
  permission: CREDENTIAL_SETTINGS,
  refine: (status, body) => {
    const error = oauthError(body);
    if (error === 'invalid_client' || error === 'unauthorized_client' || status === 401) {
      return {
        failure: 'credentials',
        missing: `${CREDENTIAL_SETTINGS} (for the region of ${WS1_SETTING_NAMES.tokenUrl})`,
      };
    }
    return undefined;
  },
};

export interface Ws1TokenOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  http: RetryingFetch;
  /** Injected by tests; default Date.now. */
  now?: () => number;
}

export class WorkspaceOneToken {
  private current?: { token: string; refreshAt: number };
  private inFlight?: Promise<string>;
  private fetched = 0;

  constructor(private readonly options: Ws1TokenOptions) {}

  /** Tokens fetched so far (a sync that needed a second one shows it here). */
  get tokensFetched(): number {
    return this.fetched;
  }

  /** A valid bearer token: the cached one until shortly before it expires, else a new one (one request for all callers). */
  async get(signal?: AbortSignal): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.current && now < this.current.refreshAt) return this.current.token;
    this.inFlight ??= this.fetch(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets `token` (the API answered 401 to it: it expired or was revoked), so the next `get` fetches anew. */
  invalidate(token?: string): void {
    if (!token || this.current?.token === token) this.current = undefined;
  }

  private async fetch(signal?: AbortSignal): Promise<string> {
    const { http, tokenUrl, clientId, clientSecret } = this.options;
    const body = await http.json({
      method: 'POST',
      url: tokenUrl,
      headers: () => ({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }),
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
      access: TOKEN_ACCESS,
      signal,
    });
    const answer = (body ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw http.error(
        'The Workspace ONE token service answered without an access_token.',
        'bad-response',
        200,
      );
    }
    const lifetimeS =
      typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : DEFAULT_LIFETIME_S;
    const lifetimeMs = lifetimeS * 1000;
    // Short-lived tokens (the simulator's) are refreshed at half their life instead.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.current = {
      token: answer.access_token,
      refreshAt: (this.options.now ?? Date.now)() + lifetimeMs - margin,
    };
    this.fetched++;
    return answer.access_token;
  }
}

function oauthError(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}
