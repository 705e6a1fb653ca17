/**
 * The simulator's OAuth clients and bearer tokens (Workspace ONE's token service, docs/vendor-apis.md
 * §1.2) and the `aw-tenant-code` check (§1.6).
 */
import { randomBytes } from 'node:crypto';

/** The permission the read-only connector needs; a client without it gets 403 from the device search. */
export const DEVICES_READ = 'REST API Devices Read';
/** What the release (Enterprise Wipe) command needs on top; a client without it gets 403 from the command. */
export const DEVICES_EXECUTE = 'REST API Devices Execute';

export interface Ws1SimClient {
  clientId: string;
  clientSecret: string;
  /** Admin-role permissions of the client's role. Default: DEVICES_READ. */
  permissions?: string[];
}

export const DEFAULT_CLIENT: Required<Ws1SimClient> = {
  clientId: 'migration-companion',
  clientSecret: 'simulator-secret',
  permissions: [DEVICES_READ],
};

/**
 * The demo's account (`npm run dev`, browser tests): its role may also release devices, because the demo
 * turns release on for Workspace ONE. Every simulator knows it besides the clients it was given, so the
 * demo needs no other wiring; DEFAULT_CLIENT stays read-only, as a production account should be.
 */
export const DEMO_RELEASE_CLIENT: Required<Ws1SimClient> = {
  clientId: 'migration-companion-demo',
  clientSecret: 'simulator-demo-secret',
  permissions: [DEVICES_READ, DEVICES_EXECUTE],
};

export const DEFAULT_TENANT_CODE = 'SIMULATED-REST-API-KEY';

interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

export type TokenCheck =
  | { ok: true; client: Required<Ws1SimClient> }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

export class Ws1SimAuth {
  private readonly clients = new Map<string, Required<Ws1SimClient>>();
  private readonly tokens = new Map<string, IssuedToken>();
  private issued = 0;

  constructor(
    clients: readonly Ws1SimClient[],
    readonly tenantCode: string,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number,
  ) {
    this.clients.set(DEMO_RELEASE_CLIENT.clientId, DEMO_RELEASE_CLIENT);
    for (const c of clients) this.clients.set(c.clientId, { permissions: [DEVICES_READ], ...c });
  }

  /** Tokens issued so far. */
  get tokensIssued(): number {
    return this.issued;
  }

  /** Client credentials → a token, or the OAuth error (RFC 6749 §5.2) the token service answers. */
  issue(
    form: URLSearchParams,
    basic: { id: string; secret: string } | undefined,
  ):
    | { ok: true; body: Record<string, unknown> }
    | { ok: false; status: number; body: Record<string, string> } {
    if (form.get('grant_type') !== 'client_credentials') {
      return { ok: false, status: 400, body: { error: 'unsupported_grant_type' } };
    }
    // Form fields (Omnissa SDK, Fleet) or HTTP Basic (a third-party walkthrough, W14): both accepted.
    const id = form.get('client_id') ?? basic?.id;
    const secret = form.get('client_secret') ?? basic?.secret;
    if (!id || !secret) return { ok: false, status: 400, body: { error: 'invalid_request' } };
    const client = this.clients.get(id);
    if (!client || client.clientSecret !== secret) {
      return { ok: false, status: 400, body: { error: 'invalid_client' } };
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId: id, expiresAt: this.now() + this.lifetimeSeconds * 1000 });
    this.issued++;
    return {
      ok: true,
      body: { access_token: token, expires_in: this.lifetimeSeconds, token_type: 'Bearer', scope: 'api' },
    };
  }

  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return { ok: false, reason: 'missing' };
    const issued = this.tokens.get(m[1]!);
    if (!issued) return { ok: false, reason: 'unknown' };
    if (this.now() >= issued.expiresAt) return { ok: false, reason: 'expired' };
    const client = this.clients.get(issued.clientId);
    return client ? { ok: true, client } : { ok: false, reason: 'unknown' };
  }

  /** Every token issued so far stops working now (as if its hour had passed). */
  expireAll(): void {
    const now = this.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
  }

  /** Adds or replaces a client (e.g. one whose role lacks a permission). */
  setClient(client: Ws1SimClient): void {
    this.clients.set(client.clientId, { permissions: [DEVICES_READ], ...client });
  }
}

/** A fixed window of requests per client, with the X-RateLimit-* headers Workspace ONE sends (§1.6, W6). */
export class Ws1SimRateLimit {
  private windowStart = 0;
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly windowSeconds: number,
    private readonly now: () => number,
  ) {}

  /** Counts one request; the headers to send and, when over the limit, the seconds to wait. */
  take(): { headers: Record<string, string>; retryAfterSeconds?: number } {
    const now = this.now();
    if (now - this.windowStart >= this.windowSeconds * 1000) [this.windowStart, this.used] = [now, 0];
    const resetMs = this.windowStart + this.windowSeconds * 1000;
    const over = this.used >= this.limit;
    if (!over) this.used++;
    const headers = {
      'X-RateLimit-Limit': String(this.limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.limit - this.used)),
      'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
    };
    return over
      ? { headers, retryAfterSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)) }
      : { headers };
  }
}
