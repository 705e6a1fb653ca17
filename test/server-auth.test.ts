import assert from 'node:assert/strict';
import { readConfig } from '../src/config';
import { type RunningBot, startBot } from '../src/runtime';
import { cardAction, personalMessage } from './helpers/activities';
import { silentLogger } from './helpers/fakes';
import { type OpenIdIssuer, rsaKey, startOpenIdIssuer } from './helpers/openid-issuer';
import { testConnectionString } from './helpers/storage';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const now = () => Math.floor(Date.now() / 1000);

describe('integration: /api/messages authentication (SingleTenant, local OpenID issuer)', () => {
  let bot: RunningBot;
  let issuer: OpenIdIssuer;
  const prefix = `sau${Date.now().toString(36)}`;

  async function post(body: unknown, authorization?: string, headers: Record<string, string> = {}) {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(authorization ? { Authorization: authorization } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text(), ms: Date.now() - started, headers: res.headers };
  }
  const message = () => ({ ...personalMessage('hello'), id: 'auth-1', serviceUrl: SERVICE_URL });

  before(async () => {
    issuer = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    const config = readConfig({
      NODE_ENV: 'test',
      PORT: '0',
      BOT_APP_TYPE: 'SingleTenant',
      BOT_APP_ID: APP_ID,
      BOT_APP_PASSWORD: 'not-a-real-secret',
      BOT_TENANT_ID: '00000000-1111-2222-3333-444444444444',
      BOT_OPENID_ISSUER: issuer.url,
      STORAGE_CONNECTION_STRING: testConnectionString(),
      STORAGE_PREFIX: prefix,
      // Nothing listens here: a turn that asks Graph learns at once that it cannot.
      GRAPH_BASE_URL: 'http://127.0.0.1:9',
    });
    bot = await startBot(config, silentLogger, { host: '127.0.0.1' });
  });
  after(async () => {
    await bot.stop();
    await issuer.close();
  });

  it('answers a validly signed activity: the turn runs and its replies come back', async () => {
    const res = await post({ ...message(), deliveryMode: 'expectReplies' }, `Bearer ${issuer.token()}`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /Hi Alex!/);
  });

  const refused: [string, () => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['a header that is not a bearer token', () => 'Basic dXNlcjpwYXNz'],
    ['an unsigned token (alg: none)', () => `Bearer ${issuer.token({}, { alg: 'none' })}`],
    ['an HS256 token', () => `Bearer ${issuer.token({}, { alg: 'HS256', secret: 'guess' })}`],
    ['a token signed by another key', () => `Bearer ${issuer.token({}, { key: rsaKey() })}`],
    ['an expired token', () => `Bearer ${issuer.token({ exp: now() - 600 })}`],
    ['a token not yet valid', () => `Bearer ${issuer.token({ nbf: now() + 600 })}`],
    [
      'a token for another app',
      () => `Bearer ${issuer.token({ aud: '99999999-8888-7777-6666-555555555555' })}`,
    ],
    ['a token from another issuer', () => `Bearer ${issuer.token({ iss: 'https://issuer.example.com' })}`],
    [
      'a token for another serviceUrl',
      () => `Bearer ${issuer.token({ serviceurl: 'https://attacker.example.com/' })}`,
    ],
  ];
  for (const [what, authorization] of refused) {
    it(`answers 401 with no internal text to ${what}`, async () => {
      const res = await post(message(), authorization());
      assert.equal(res.status, 401);
      // The whole body: a fixed word and the id to find the logged reason by, nothing of the library's.
      assert.deepEqual(JSON.parse(res.text), {
        error: 'unauthorized',
        correlationId: res.headers.get('x-correlation-id'),
      });
      assert.ok(res.ms < 2_000, `answered in ${res.ms} ms`);
    });
  }

  it('refuses an invoke with a bad token before the app answers it', async () => {
    const res = await post(
      { ...cardAction('devices.check'), serviceUrl: SERVICE_URL },
      `Bearer ${issuer.token({ aud: 'someone-else' })}`,
    );
    assert.equal(res.status, 401);
    assert.doesNotMatch(res.text, /couldn't find your account/);
  });
});

describe('integration: /api/messages while Bot Framework’s key endpoint is unreachable', () => {
  let bot: RunningBot;
  let issuerUrl: string;

  before(async () => {
    // An address where nothing listens: the key fetch is refused.
    const probe = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    issuerUrl = probe.url;
    await probe.close();
    const config = readConfig({
      NODE_ENV: 'test',
      PORT: '0',
      BOT_APP_TYPE: 'SingleTenant',
      BOT_APP_ID: APP_ID,
      BOT_APP_PASSWORD: 'not-a-real-secret',
      BOT_TENANT_ID: '00000000-1111-2222-3333-444444444444',
      BOT_OPENID_ISSUER: issuerUrl,
      STORAGE_CONNECTION_STRING: testConnectionString(),
      STORAGE_PREFIX: `sak${Date.now().toString(36)}`,
      GRAPH_BASE_URL: 'http://127.0.0.1:9',
    });
    bot = await startBot(config, silentLogger, { host: '127.0.0.1' });
  });
  after(() => bot.stop());

  it('answers 503 with Retry-After and neither the library’s message nor the endpoint’s URL', async () => {
    const issuer = await startOpenIdIssuer({ appId: APP_ID, serviceUrl: SERVICE_URL });
    const token = issuer.token({ iss: issuerUrl });
    await issuer.close();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ ...personalMessage('hello'), serviceUrl: SERVICE_URL }),
      });
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      assert.deepEqual(await res.json(), {
        error: 'temporarily unavailable',
        correlationId: res.headers.get('x-correlation-id'),
      });
    }
  });
});
