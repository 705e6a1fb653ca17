import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { collectGarbageNow } from '../../src/shared/full-collection';

describe('collectGarbageNow', () => {
  it('runs a full collection without a start-up flag: an object nothing holds is gone after it', async () => {
    let held: { payload: number[] } | undefined = { payload: new Array(10_000).fill(7) };
    const ref = new WeakRef(held);
    held = undefined;
    // A WeakRef keeps its target alive until the current job ends.
    await nextTurn();
    assert.equal(collectGarbageNow(), true);
    assert.equal(ref.deref(), undefined);
  });

  it('leaves what is still referenced alone', async () => {
    const kept = { payload: [1, 2, 3] };
    const ref = new WeakRef(kept);
    await nextTurn();
    collectGarbageNow();
    assert.equal(ref.deref(), kept);
    assert.deepEqual(kept.payload, [1, 2, 3]);
  });
});
