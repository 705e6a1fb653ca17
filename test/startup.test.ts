import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs the real entry point with only the given environment (plus PATH). */
function start(env: Record<string, string>) {
  return spawnSync(TSX, ['src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up (the real entry point)', function () {
  this.timeout(30_000);
  it('in production without credentials, exits non-zero naming every missing setting', () => {
    const res = start({ NODE_ENV: 'production' });
    assert.equal(res.status, 78);
    for (const name of [
      'BOT_APP_ID',
      'BOT_APP_PASSWORD',
      'BOT_TENANT_ID',
      'STORAGE_CONNECTION_STRING',
      'HELPDESK_CHANNEL_ID',
      'EXPORT_SIGNING_KEY',
    ]) {
      assert.match(res.stderr, new RegExp(`${name}: not set`));
    }
  });

  it('in production pointed at the tenant simulator, refuses to start', () => {
    const res = start({
      NODE_ENV: 'production',
      BOT_APP_ID: '11111111-2222-3333-4444-555555555555',
      BOT_APP_PASSWORD: 'x',
      BOT_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      STORAGE_CONNECTION_STRING:
        'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      HELPDESK_CHANNEL_ID: '19:x@thread.tacv2',
      ADMIN_UPNS: 'a@contoso.com',
    });
    assert.equal(res.status, 78);
    assert.match(res.stderr, /GRAPH_BASE_URL: "http:\/\/127.0.0.1:5055" is not Microsoft Graph/);
  });

  it('with a broken guidance override file, exits 78 naming the file and field', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mc-guidance-'));
    const file = path.join(dir, 'override.json');
    writeFileSync(
      file,
      JSON.stringify({ guides: { jamf: { ios: { personal: { steps: [{ en: 'only English' }] } } } } }),
    );
    const res = start({
      GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      GUIDANCE_OVERRIDE_PATH: file,
    });
    assert.equal(res.status, 78, res.stderr);
    assert.match(res.stderr, /override\.json/);
  });

  it('with storage unreachable, exits non-zero and says where to look', function () {
    this.timeout(60_000); // the storage SDK retries a refused connection a few times first
    const res = start({
      STORAGE_CONNECTION_STRING:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;',
      GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      PORT: '0',
    });
    assert.equal(res.status, 1);
    assert.match(res.stdout + res.stderr, /Azure Storage is not reachable/);
  });
});
