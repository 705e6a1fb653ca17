import assert from 'node:assert/strict';
import { freshStorage } from '../../helpers/storage';

describe('integration: blob lease lock (Azurite)', () => {
  it('a lease is held by one instance at a time and can be taken over once released', async () => {
    const s = await freshStorage();
    const a = await s.lock.tryAcquire('job', 15);
    assert.ok(a);
    assert.equal(await s.lock.tryAcquire('job', 15), undefined);
    await a.renew();
    await a.release();
    const b = await s.lock.tryAcquire('job', 15);
    assert.ok(b);
    await b.release();
  });
});
