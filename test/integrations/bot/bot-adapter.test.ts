import assert from 'node:assert/strict';
import http from 'node:http';
import type { Activity } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import { authSettingsOf, BotAdapter, PUBLIC_CLOUD } from '../../../src/integrations/bot/bot-adapter';
import { personalMessage } from '../../helpers/activities';
import { type OpenIdIssuer, rsaKey, startOpenIdIssuer } from '../../helpers/openid-issuer';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const OTHER_APP_ID = '99999999-8888-7777-6666-555555555555';
const TENANT_ID = '00000000-1111-2222-3333-444444444444';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const now = () => Math.floor(Date.now() / 1000);

function identity(openIdIssuer: string) {
  return {
    appType: 'SingleTenant' as const,
    appId: APP_ID,
    appPassword: 'not-a-real-secret',
    tenantId: TENANT_ID,
    openIdIssuer,
  };
}

function activity(): Activity {
  return { ...personalMessage('hello'), serviceUrl: SERVICE_URL } as Activity;
}

/** Runs one request through the adapter; `ran` tells whether the turn (the app) was reached. */
async function send(adapter: BotAdapter, authorization: string) {
  let ran = false;
  const outcome = await adapter.handle(activity(), authorization, async () => {
    ran = true;
  });
  return { outcome, ran };
}

describe('integration: BotAdapter authentication against a local OpenID issuer', () => {
  let issuer: OpenIdIssuer;
  let adapter: BotAdapter;

  before(async () => {
    issuer = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    adapter = new BotAdapter(identity(issuer.url));
  });
  after(() => issuer.close());

  it('runs the turn for a valid token and answers 200', async () => {
    const { outcome, ran } = await send(adapter, `Bearer ${issuer.token()}`);
    assert.deepEqual(outcome, { kind: 'done', status: 200, body: undefined });
    assert.equal(ran, true);
  });

  const refused: [string, () => string][] = [
    ['no token', () => ''],
    ['a token without the Bearer scheme', () => issuer.token()],
    [
      'an unsigned token (alg: none) naming the real key',
      () => `Bearer ${issuer.token({}, { alg: 'none' })}`,
    ],
    [
      'an unsigned token (alg: none) naming no key',
      () => `Bearer ${issuer.token({}, { alg: 'none', kid: '' })}`,
    ],
    [
      'an HS256 token keyed with the public key (algorithm confusion)',
      () => `Bearer ${issuer.token({}, { alg: 'HS256', secret: 'public key as a secret' })}`,
    ],
    [
      'a token signed by another key under the real key id',
      () => `Bearer ${issuer.token({}, { key: rsaKey() })}`,
    ],
    ['an expired token (beyond the 5-minute skew)', () => `Bearer ${issuer.token({ exp: now() - 600 })}`],
    ['a token not yet valid (beyond the skew)', () => `Bearer ${issuer.token({ nbf: now() + 600 })}`],
    ['a token for another app id', () => `Bearer ${issuer.token({ aud: OTHER_APP_ID })}`],
    ['a token from another issuer', () => `Bearer ${issuer.token({ iss: 'https://issuer.example.com' })}`],
    [
      'a token whose serviceurl claim differs from the activity',
      () => `Bearer ${issuer.token({ serviceurl: 'https://attacker.example.com/' })}`,
    ],
  ];
  for (const [what, header] of refused) {
    it(`refuses ${what} (401) without running the turn`, async () => {
      const { outcome, ran } = await send(adapter, header());
      assert.equal(outcome.kind, 'unauthorized', JSON.stringify(outcome));
      assert.equal(ran, false);
    });
  }

  it('fetched the metadata and keys once for all of these requests', async () => {
    await send(adapter, `Bearer ${issuer.token()}`);
    assert.deepEqual(issuer.requests, ['/.well-known/openid-configuration', '/keys']);
  });

  it('uses the library’s public-cloud endpoints for everything but the issuer', () => {
    assert.equal(PUBLIC_CLOUD.ToChannelFromBotLoginUrl, AuthenticationConstants.ToChannelFromBotLoginUrl);
    assert.equal(PUBLIC_CLOUD.ToChannelFromBotOAuthScope, AuthenticationConstants.ToChannelFromBotOAuthScope);
    assert.equal(PUBLIC_CLOUD.OAuthUrl, AuthenticationConstants.OAuthUrl);
    const settings = authSettingsOf(identity(issuer.url));
    assert.equal(settings.ToBotFromChannelTokenIssuer, issuer.url);
    assert.equal(
      settings.ToBotFromChannelOpenIdMetadataUrl,
      `${issuer.url}/.well-known/openid-configuration`,
    );
    // Without a local issuer the library keeps Bot Framework's own endpoints.
    const { openIdIssuer, ...production } = identity(issuer.url);
    assert.ok(openIdIssuer);
    assert.equal(authSettingsOf(production).ToBotFromChannelOpenIdMetadataUrl, undefined);
  });
});

describe('integration: BotAdapter while the signing keys cannot be fetched', () => {
  it('answers 503 and pauses instead of fetching per request, then recovers', async () => {
    const issuer = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    let clock = Date.now();
    const adapter = new BotAdapter(identity(issuer.url), { now: () => clock, pauseMs: 10_000 });
    try {
      issuer.down = true;
      const first = await send(adapter, `Bearer ${issuer.token()}`);
      assert.equal(first.outcome.kind, 'unavailable');
      assert.equal(first.ran, false);
      assert.equal(issuer.requests.length, 1);

      const during = await Promise.all([1, 2, 3].map(() => send(adapter, `Bearer ${issuer.token()}`)));
      for (const { outcome } of during) {
        assert.equal(outcome.kind, 'unavailable');
        if (outcome.kind === 'unavailable') assert.equal(outcome.retryAfterSeconds, 10);
      }
      assert.equal(issuer.requests.length, 1, 'no fetch while paused');

      issuer.down = false;
      clock += 10_001;
      const after = await send(adapter, `Bearer ${issuer.token()}`);
      assert.equal(after.outcome.kind, 'done');
      assert.equal(after.ran, true);
      const fetches = issuer.requests.length;
      await Promise.all([1, 2, 3].map(() => send(adapter, `Bearer ${issuer.token()}`)));
      assert.equal(issuer.requests.length, fetches, 'served from the cache once fetched');
    } finally {
      await issuer.close();
    }
  });

  it('answers 503 for an endpoint that refuses connections, and one that never answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const refusedUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const refusing = new BotAdapter(identity(refusedUrl));
    const issuer = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    const refusedOutcome = await send(refusing, `Bearer ${issuer.token({ iss: refusedUrl })}`);
    assert.equal(refusedOutcome.outcome.kind, 'unavailable');

    const silent = http.createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const hanging = new BotAdapter(identity(silentUrl), { timeoutMs: 300 });
      const started = Date.now();
      const { outcome } = await send(hanging, `Bearer ${issuer.token({ iss: silentUrl })}`);
      assert.equal(outcome.kind, 'unavailable');
      assert.ok(Date.now() - started < 2_000, 'answered within the time budget');
    } finally {
      silent.closeAllConnections();
      silent.close();
      await issuer.close();
    }
  });

  it('needs no token for the development-only local type', async () => {
    const local = new BotAdapter({ appType: 'local', appId: '' });
    assert.equal(local.requiresToken, false);
    const { outcome, ran } = await send(local, '');
    assert.equal(outcome.kind, 'done');
    assert.equal(ran, true);
  });
});
