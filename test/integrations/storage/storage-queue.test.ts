import assert from 'node:assert/strict';
import { eventually } from '../../helpers/eventually';
import { freshStorage } from '../../helpers/storage';

describe('integration: storage queue (Azurite)', () => {
  it('queues survive: a message not completed comes back, a completed one does not', async () => {
    const s = await freshStorage();
    const q = s.queue<{ n: number }>('jobs');
    await q.enqueue({ n: 1 });
    const [m] = await q.receive(1, 1);
    assert.deepEqual(m?.body, { n: 1 });
    assert.deepEqual(await q.receive(1, 1), [], 'invisible while being worked on');
    // Visible again once its 1 s visibility timeout has run out.
    const again = await eventually(
      async () => {
        const [m2] = await q.receive(1, 30);
        assert.ok(m2, 'not visible again yet');
        return m2;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    assert.equal(again?.body.n, 1);
    assert.equal(again?.dequeueCount, 2);
    await q.complete(again);
    assert.deepEqual(await q.receive(1, 1), []);
  });
});
