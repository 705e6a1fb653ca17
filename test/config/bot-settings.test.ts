import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '../../src/config';
import { isStorageEmulator, usesPlainHttp } from '../../src/config/storage-account';

const GUID = '11111111-2222-3333-4444-555555555555';
const AZURITE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';
const REAL_STORAGE =
  'DefaultEndpointsProtocol=https;AccountName=mcprod;AccountKey=a2V5;EndpointSuffix=core.windows.net';

const production = {
  NODE_ENV: 'production',
  BOT_APP_TYPE: 'SingleTenant',
  BOT_APP_ID: GUID,
  BOT_APP_PASSWORD: 'secret',
  BOT_TENANT_ID: GUID,
  STORAGE_CONNECTION_STRING: REAL_STORAGE,
  GRAPH_CLIENT_ID: GUID,
  GRAPH_CLIENT_SECRET: 'graph-secret',
  HELPDESK_CHANNEL_ID: '19:abc@thread.tacv2',
  ADMIN_UPNS: 'admin@contoso.com',
  EXPORT_SIGNING_KEY: 'k'.repeat(40),
  PRIVACY_PSEUDONYM_KEY: 'p'.repeat(40),
};

function problems(env: Record<string, string>): string[] {
  try {
    readConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

describe('config: the environment and the bot identity', () => {
  describe('NODE_ENV', () => {
    for (const value of ['Production', 'PRODUCTION', 'prod', 'staging', ' production-eu']) {
      it(`refuses "${value}" and checks the rest as production`, () => {
        const p = problems({
          NODE_ENV: value,
          STORAGE_CONNECTION_STRING: AZURITE,
          GRAPH_BASE_URL: 'http://127.0.0.1:5055',
        });
        assert.ok(
          p.some((x) =>
            x.startsWith(`NODE_ENV: "${value.trim()}" is not one of production, development, test`),
          ),
          JSON.stringify(p),
        );
        // With the safe side as stand-in, the credential-less default is not what it falls back to.
        assert.ok(p.some((x) => x.startsWith('BOT_APP_ID: not set')));
        assert.ok(p.some((x) => x.startsWith('STORAGE_CONNECTION_STRING: points at the storage emulator')));
      });
    }

    it('accepts development and test, where the local bot type is the default', () => {
      for (const env of ['development', 'test']) {
        const c = readConfig({
          NODE_ENV: env,
          STORAGE_CONNECTION_STRING: AZURITE,
          GRAPH_BASE_URL: 'http://127.0.0.1:5055',
        });
        assert.equal(c.production, false);
        assert.equal(c.bot.appType, 'local');
      }
    });

    it('unset, allows the local type only against the storage emulator', () => {
      assert.equal(
        readConfig({ STORAGE_CONNECTION_STRING: AZURITE, GRAPH_BASE_URL: 'http://127.0.0.1:5055' }).bot
          .appType,
        'local',
      );
      for (const appType of [{}, { BOT_APP_TYPE: 'local' }] as Record<string, string>[]) {
        const p = problems({
          ...appType,
          STORAGE_CONNECTION_STRING: REAL_STORAGE,
          GRAPH_BASE_URL: 'http://127.0.0.1:5055',
        });
        assert.ok(
          p.some((x) =>
            x.startsWith(
              'NODE_ENV: not set, but STORAGE_CONNECTION_STRING names a real Azure Storage account',
            ),
          ),
          JSON.stringify(p),
        );
      }
    });

    it('development against a real account is a choice that can be made explicitly', () => {
      const c = readConfig({
        NODE_ENV: 'development',
        STORAGE_CONNECTION_STRING: REAL_STORAGE,
        GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      });
      assert.equal(c.bot.appType, 'local');
    });
  });

  describe('BOT_APP_TYPE', () => {
    it('refuses MultiTenant in production, saying Microsoft no longer creates such bots', () => {
      const p = problems({ ...production, BOT_APP_TYPE: 'MultiTenant' });
      const message = p.find((x) => x.startsWith('BOT_APP_TYPE: MultiTenant is refused in production'));
      assert.ok(message, JSON.stringify(p));
      assert.match(message, /stopped creating multi-tenant bots after 31 July 2025/);
      assert.match(message, /BOT_ALLOW_MULTI_TENANT=true/);
    });

    it('lets an existing multi-tenant bot run in production with the explicit override', () => {
      const c = readConfig({ ...production, BOT_APP_TYPE: 'MultiTenant', BOT_ALLOW_MULTI_TENANT: 'true' });
      assert.equal(c.bot.appType, 'MultiTenant');
    });

    it('still accepts MultiTenant outside production', () => {
      const c = readConfig({
        NODE_ENV: 'development',
        BOT_APP_TYPE: 'MultiTenant',
        BOT_APP_ID: GUID,
        BOT_APP_PASSWORD: 'x',
        STORAGE_CONNECTION_STRING: AZURITE,
        GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      });
      assert.equal(c.bot.appType, 'MultiTenant');
    });
  });

  describe('BOT_OPENID_ISSUER', () => {
    it('points a development bot at a local issuer', () => {
      const c = readConfig({
        NODE_ENV: 'test',
        BOT_APP_TYPE: 'SingleTenant',
        BOT_APP_ID: GUID,
        BOT_APP_PASSWORD: 'x',
        BOT_TENANT_ID: GUID,
        BOT_OPENID_ISSUER: 'http://127.0.0.1:4000/',
        STORAGE_CONNECTION_STRING: AZURITE,
        GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      });
      assert.equal(c.bot.openIdIssuer, 'http://127.0.0.1:4000');
    });

    it('is refused in production and must be a URL', () => {
      assert.ok(
        problems({ ...production, BOT_OPENID_ISSUER: 'http://127.0.0.1:4000' }).some((x) =>
          x.startsWith('BOT_OPENID_ISSUER: a local token issuer is for development and tests only'),
        ),
      );
      assert.ok(
        problems({
          NODE_ENV: 'test',
          BOT_OPENID_ISSUER: 'issuer',
          STORAGE_CONNECTION_STRING: AZURITE,
        }).includes('BOT_OPENID_ISSUER: "issuer" is not an http(s) URL.'),
      );
    });

    it('is never set by the production defaults', () => {
      assert.equal(readConfig(production).bot.openIdIssuer, undefined);
    });
  });

  describe('production storage', () => {
    const emulators = [
      'UseDevelopmentStorage=true',
      AZURITE,
      // Any account name, any spelling of a loopback or an IP address.
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;TableEndpoint=https://localhost:10002/prod;',
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;BlobEndpoint=https://[::1]:10000/prod;',
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;QueueEndpoint=https://10.1.2.3:10001/prod;',
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;TableEndpoint=https://azurite:10002/prod;',
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;TableEndpoint=https://127.1.1.1/prod;',
      'AccountName=prod;AccountKey=a2V5;DevelopmentStorageProxyUri=http://proxy',
    ];
    for (const storage of emulators) {
      it(`refuses the emulator: ${storage.slice(0, 90)}`, () => {
        assert.equal(isStorageEmulator(storage), true);
        assert.ok(
          problems({ ...production, STORAGE_CONNECTION_STRING: storage }).some((x) =>
            x.startsWith('STORAGE_CONNECTION_STRING: points at the storage emulator'),
          ),
        );
      });
    }

    it('accepts a real account, by suffix or by endpoint, and refuses plain http to one', () => {
      assert.equal(isStorageEmulator(REAL_STORAGE), false);
      const endpoints =
        'AccountName=prod;AccountKey=a2V5;TableEndpoint=https://prod.table.core.windows.net/;QueueEndpoint=https://prod.queue.core.windows.net/';
      assert.equal(isStorageEmulator(endpoints), false);
      assert.deepEqual(problems({ ...production, STORAGE_CONNECTION_STRING: endpoints }), []);
      const plain = REAL_STORAGE.replace('https', 'http');
      assert.equal(usesPlainHttp(plain), true);
      assert.ok(
        problems({ ...production, STORAGE_CONNECTION_STRING: plain }).some((x) =>
          x.startsWith('STORAGE_CONNECTION_STRING: uses plain http'),
        ),
      );
    });
  });
});
