/**
 * A local OpenID Connect issuer for tests: serves discovery metadata and a JWKS over HTTP on
 * loopback, as login.botframework.com does for Bot Framework, and signs tokens with a locally
 * generated RSA key. The bot is pointed at it with BOT_OPENID_ISSUER (refused in production).
 */
import { createHmac, createPublicKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';

export interface OpenIdIssuer {
  /** The issuer (the `iss` of its tokens); metadata at `${url}/.well-known/openid-configuration`. */
  url: string;
  kid: string;
  /** Requests served (metadata and keys), to see how often the bot fetched them. */
  requests: string[];
  /** While true, metadata and keys answer 503. */
  down: boolean;
  /** A token as Bot Framework sends it to the bot, with `claims` set over the valid defaults. */
  token(claims?: Record<string, unknown>, options?: TokenOptions): string;
  close(): Promise<void>;
}

export interface TokenOptions {
  /** Sign with this key instead of the issuer's (the `kid` stays the issuer's). */
  key?: KeyObject;
  alg?: 'RS256' | 'HS256' | 'none';
  /** HS256 secret. */
  secret?: string;
  kid?: string;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function rsaKey(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/** Signs `header.payload` as a JWS of the given algorithm. */
export function jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: { alg: 'RS256'; key: KeyObject } | { alg: 'HS256'; secret: string } | { alg: 'none' },
): string {
  const input = `${b64url({ ...header, alg: sign.alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (sign.alg === 'none') return `${input}.`;
  if (sign.alg === 'HS256') {
    return `${input}.${createHmac('sha256', sign.secret).update(input).digest('base64url')}`;
  }
  return `${input}.${createSign('RSA-SHA256').update(input).sign(sign.key).toString('base64url')}`;
}

export async function startOpenIdIssuer(options: {
  appId: string;
  serviceUrl: string;
}): Promise<OpenIdIssuer> {
  const key = rsaKey();
  const kid = 'local-test-key';
  // Only the public half is published; Teams' keys carry the channels they endorse.
  const publicJwk = {
    ...createPublicKey(key).export({ format: 'jwk' }),
    kid,
    use: 'sig',
    endorsements: ['msteams'],
  };
  const state = { down: false };
  const requests: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (state.down) {
      res.writeHead(503);
      res.end();
      return;
    }
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    if (req.url === '/keys') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    kid,
    requests,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    token(claims = {}, tokenOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: url,
        aud: options.appId,
        serviceurl: options.serviceUrl,
        nbf: now - 60,
        iat: now - 60,
        exp: now + 3600,
        ...claims,
      };
      const header = { kid: tokenOptions.kid ?? kid };
      const alg = tokenOptions.alg ?? 'RS256';
      if (alg === 'none') return jws(header, payload, { alg });
      if (alg === 'HS256') return jws(header, payload, { alg, secret: tokenOptions.secret ?? 'secret' });
      return jws(header, payload, { alg, key: tokenOptions.key ?? key });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
