import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { eventually } from '../helpers/eventually';
import { type OpenIdIssuer, startOpenIdIssuer } from '../helpers/openid-issuer';
import { testConnectionString } from '../helpers/storage';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const APP_ID = '11111111-2222-3333-4444-555555555555';
const MiB = 1024 * 1024;

/** Resident memory of a process, from Linux's /proc. */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmRSS is readable');
  return Number(match[1]) * 1024;
}

/**
 * `inflatedMiB` MiB of zeros as concatenated gzip members (a gunzip stream reads them all): about
 * 1 KiB each, so a few hundred KiB on the wire — under the 512 KiB body limit — inflating without end.
 */
function gzipBomb(inflatedMiB: number): Buffer {
  const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: inflatedMiB }, () => member));
}

describe('the real entry point, hardened (spawned)', function () {
  this.timeout(60_000);

  it('refuses NODE_ENV=Production (not exactly "production") instead of running without checks', () => {
    const res = spawnSync(TSX, ['src/index.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'Production',
        STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        GRAPH_BASE_URL: 'http://127.0.0.1:5055',
        PORT: '0',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 78, res.stderr);
    assert.match(res.stderr, /NODE_ENV: "Production" is not one of production, development, test/);
    assert.doesNotMatch(res.stdout, /is listening/);
  });

  describe('a gzip bomb and other large bodies before authentication', () => {
    let child: ChildProcess;
    let issuer: OpenIdIssuer;
    let port = 0;
    let output = '';

    before(async () => {
      issuer = await startOpenIdIssuer({
        appId: APP_ID,
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
      });
      // node itself (tsx as a loader), so that the pid whose memory is read is the server's.
      child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          PORT: '0',
          LOG_LEVEL: 'info',
          BOT_APP_TYPE: 'SingleTenant',
          BOT_APP_ID: APP_ID,
          BOT_APP_PASSWORD: 'not-a-real-secret',
          BOT_TENANT_ID: '00000000-1111-2222-3333-444444444444',
          BOT_OPENID_ISSUER: issuer.url,
          STORAGE_CONNECTION_STRING: testConnectionString(),
          STORAGE_PREFIX: `ent${Date.now().toString(36)}`,
          GRAPH_BASE_URL: 'http://127.0.0.1:9',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      port = await eventually(
        () => {
          const line = output.split('\n').find((l) => l.includes('is listening'));
          return line ? (JSON.parse(line) as { port: number }).port : false;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
    });
    after(async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await issuer.close();
    });

    const url = (p: string) => `http://127.0.0.1:${port}${p}`;

    async function timed(init: RequestInit, target = '/api/messages') {
      const started = Date.now();
      const res = await fetch(url(target), init);
      return { status: res.status, text: await res.text(), ms: Date.now() - started };
    }

    it('answers a 400 MiB gzip bomb with 415 at once; memory stays flat and /healthz answers', async () => {
      const bomb = gzipBomb(400);
      assert.ok(bomb.length < 512 * 1024, `the bomb is ${bomb.length} bytes on the wire`);
      const before = rssBytes(child.pid!);
      const res = await timed({
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: new Uint8Array(bomb),
      });
      assert.equal(res.status, 415);
      assert.ok(res.ms < 1_000, `answered in ${res.ms} ms`);
      assert.doesNotMatch(res.text, /gzip|zlib|Error|at /);
      const health = await timed({ method: 'GET' }, '/healthz');
      assert.equal(health.status, 200);
      assert.ok(health.ms < 500, `/healthz answered in ${health.ms} ms`);
      const grown = rssBytes(child.pid!) - before;
      assert.ok(grown < 64 * MiB, `memory grew by ${Math.round(grown / MiB)} MiB`);
    });

    /**
     * Sends only the request line and headers of a request that announces a body, and waits for the
     * answer: one that comes proves the server decided from the headers, without reading the body.
     */
    function headersOnly(headers: Record<string, string>) {
      return new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(url('/api/messages'), { method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, text });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.flushHeaders();
      });
    }

    it('refuses a 50 MiB body without a token with 401 from the headers alone', async () => {
      const res = await headersOnly({
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
      });
      assert.equal(res.status, 401);
      assert.deepEqual(Object.keys(JSON.parse(res.text)), ['error', 'correlationId']);
      const declared = await headersOnly({
        'Content-Type': 'application/json',
        'Content-Length': String(50 * MiB),
      });
      assert.equal(declared.status, 413);
    });

    it('refuses a declared length over the limit with 413 even with a well-formed token', async () => {
      const res = await headersOnly({
        'Content-Type': 'application/json',
        'Content-Length': String(2 * MiB),
        Authorization: `Bearer ${issuer.token()}`,
      });
      assert.equal(res.status, 413);
      assert.equal((await timed({ method: 'GET' }, '/healthz')).status, 200);
    });
  });
});
