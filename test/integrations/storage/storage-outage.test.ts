import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createAzureStorage } from '../../../src/integrations/storage/azure-storage';
import { InvalidKeyError } from '../../../src/integrations/storage/table-repository';
import { isUnavailable } from '../../../src/shared/unavailable';
import { eventually } from '../../helpers/eventually';
import { startBlackHole, startStorageProxy } from '../../helpers/storage-proxy';

const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFR8Q4Ql2UvU7fnwM5ZxwQ==';

function blackHoleConnectionString(port: number): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${ACCOUNT}`,
    `AccountKey=${KEY}`,
    `BlobEndpoint=http://127.0.0.1:${port}/${ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${port}/${ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT}`,
  ].join(';');
}

async function timed<T>(work: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await work;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe('integration: Azure Storage out of reach (black-hole port, paused relay to Azurite)', () => {
  it('a call to storage that never answers fails within its bound as "storage unavailable", then the next fail at once', async () => {
    const hole = await startBlackHole();
    try {
      const storage = createAzureStorage({
        connectionString: blackHoleConnectionString(hole.port),
        prefix: 'tbh',
        timeouts: { callMs: 400, coolDownMs: 5_000 },
      });
      const first = await timed(storage.store.participants.get({ partitionKey: 'p01', rowKey: 'x' }));
      assert.ok(isUnavailable(first.error, 'storage'), String(first.error));
      assert.ok(first.ms >= 350 && first.ms < 2_000, `gave up after ${first.ms} ms`);
      // Nothing internal in what a user could be shown: the operation only, no URL, no key.
      assert.doesNotMatch((first.error as Error).message, /127\.0\.0\.1|devstoreaccount|p01/);

      const connectionsBefore = hole.connections();
      const second = await timed(storage.store.waves.get({ partitionKey: 'wave', rowKey: 'w1' }));
      assert.ok(isUnavailable(second.error, 'storage'));
      assert.ok(second.ms < 50, `the cool-down answers at once (${second.ms} ms)`);
      assert.equal(hole.connections(), connectionsBefore, 'no request is sent during the cool-down');

      const queue = await timed(storage.queue('jobs').receive(1, 30));
      assert.ok(isUnavailable(queue.error, 'storage'));
      // /readyz's ping does not wait out the cool-down: it asks storage itself, bounded too.
      const ping = await timed(storage.store.ping());
      assert.ok(isUnavailable(ping.error, 'storage'));
      assert.ok(ping.ms < 2_000);
    } finally {
      await hole.close();
    }
  });

  it('storage that answers again is used again once the cool-down has passed', async () => {
    const proxy = await startStorageProxy();
    try {
      const prefix = `t${randomBytes(5).toString('hex')}`;
      const storage = createAzureStorage({
        connectionString: proxy.connectionString,
        prefix,
        timeouts: { callMs: 300, coolDownMs: 200 },
      });
      await storage.ensureCreated();
      const key = { partitionKey: 'p01', rowKey: 'resumes' };
      await storage.store.jobState.insert(key, { lastCycleStartedAt: 'before' });

      proxy.pause();
      const during = await timed(storage.store.jobState.get(key));
      assert.ok(isUnavailable(during.error, 'storage'));
      proxy.resume();

      const row = await eventually(() => storage.store.jobState.get(key), { timeoutMs: 3_000 });
      assert.equal(row?.value.lastCycleStartedAt, 'before');
    } finally {
      await proxy.close();
    }
  });

  it('a key Azure refuses (/ \\ # ?) fails at once without a request, instead of seconds of retries', async () => {
    const hole = await startBlackHole();
    try {
      const storage = createAzureStorage({
        connectionString: blackHoleConnectionString(hole.port),
        prefix: 'tbk',
      });
      for (const rowKey of ["a'/\\#?%", 'a/b', 'x\u0001y']) {
        const result = await timed(storage.store.participants.get({ partitionKey: 'p01', rowKey }));
        assert.ok(result.error instanceof InvalidKeyError, String(result.error));
        assert.ok(result.ms < 50);
      }
      const notText = await timed(
        storage.store.participants.update(
          { partitionKey: 'p01', rowKey: 42 as unknown as string },
          () => undefined,
        ),
      );
      assert.ok(notText.error instanceof InvalidKeyError);
      assert.equal(hole.connections(), 0);
    } finally {
      await hole.close();
    }
  });

  it('keys with percent-encoding (as the inventory keys use) still work', async () => {
    const proxy = await startStorageProxy();
    try {
      const storage = createAzureStorage({
        connectionString: proxy.connectionString,
        prefix: `t${randomBytes(5).toString('hex')}`,
      });
      await storage.ensureCreated();
      const key = {
        partitionKey: 'o01',
        rowKey: `${encodeURIComponent('jamf')}:${encodeURIComponent('a b/c')}`,
      };
      await storage.store.jobState.insert(key, { deltaLink: 'x' });
      assert.equal((await storage.store.jobState.get(key))?.value.deltaLink, 'x');
    } finally {
      await proxy.close();
    }
  });
});
