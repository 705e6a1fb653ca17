/**
 * Jamf Pro API clients and their access tokens (OAuth client credentials, docs/vendor-apis.md §2.1):
 * each client holds the privileges of its API roles; a token carries them until it expires.
 */
import { randomBytes } from 'node:crypto';
import { SimError } from './store';

export interface JamfApiClient {
  clientId: string;
  clientSecret: string;
  /** Privilege names as Jamf's API roles list them, e.g. "Read Computers". */
  privileges: string[];
}

export const READ_COMPUTERS = 'Read Computers';
export const READ_MOBILE_DEVICES = 'Read Mobile Devices';
/** The release commands' privileges (J1 `x-required-privileges`). */
export const SEND_COMPUTER_UNMANAGE = 'Send Computer Unmanage Command';
export const UNMANAGE_MOBILE_DEVICES = 'Unmanage Mobile Devices';

/** The client the demo and tests use unless they configure others: read-only, both device types. */
export const DEFAULT_CLIENT: JamfApiClient = {
  clientId: 'migration-companion',
  clientSecret: 'jamf-sim-secret',
  privileges: [READ_COMPUTERS, READ_MOBILE_DEVICES],
};

interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

export type TokenCheck = { ok: true; client: JamfApiClient } | { ok: false };

export class JamfAuth {
  private readonly clients = new Map<string, JamfApiClient>();
  private readonly tokens = new Map<string, IssuedToken>();
  issued = 0;

  constructor(
    clients: JamfApiClient[],
    /** Jamf sets this per API client (`accessTokenLifetimeSeconds`); `expires_in` reflects it. */
    public tokenLifetimeSeconds: number,
    private readonly now: () => number,
  ) {
    for (const c of clients) this.clients.set(c.clientId, { ...c, privileges: [...c.privileges] });
  }

  /** The token endpoint: a token for valid credentials, undefined otherwise. */
  issue(clientId: string, clientSecret: string): { token: string; client: JamfApiClient } | undefined {
    const client = this.clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret) return undefined;
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId, expiresAt: this.now() + this.tokenLifetimeSeconds * 1000 });
    this.issued++;
    return { token, client };
  }

  check(authorization: string | undefined): TokenCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const issued = m ? this.tokens.get(m[1]) : undefined;
    if (!issued || issued.expiresAt <= this.now()) return { ok: false };
    const client = this.clients.get(issued.clientId);
    return client ? { ok: true, client } : { ok: false };
  }

  /** Every token issued so far stops working now: what a client sees when its token expires mid-sync. */
  expireAll(): number {
    const at = this.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, at);
    return this.tokens.size;
  }

  /** Changes a client's privileges (a role removed in Jamf takes effect on the next request). */
  setPrivileges(clientId: string, privileges: string[]): void {
    const client = this.clients.get(clientId);
    if (!client) throw new SimError(404, `No API client ${clientId} in the Jamf Pro simulator.`);
    client.privileges = [...privileges];
  }

  addClient(client: JamfApiClient): void {
    this.clients.set(client.clientId, { ...client, privileges: [...client.privileges] });
  }

  scopeOf(client: JamfApiClient): string {
    // Tokens name the client's roles, not its privileges (§2.5); one role per client here.
    return client.privileges.length ? 'api-role:1' : '';
  }
}
