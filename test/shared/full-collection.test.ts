import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { collectGarbageNow, HeapCeiling } from '../../src/shared/full-collection';

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

describe('HeapCeiling', () => {
  it('collects once the heap has grown past its margin, then measures from what the collection left', () => {
    const ceiling = new HeapCeiling(0, 16 * 1_048_576);
    ceiling.check();
    assert.equal(ceiling.collections, 0, 'nothing has grown yet');
    // About 40 MB the test still holds: growth past the 16 MB margin.
    const held: number[][] = [];
    for (let i = 0; i < 40; i++) held.push(new Array(131_072).fill(i));
    ceiling.check();
    assert.equal(ceiling.collections, 1);
    ceiling.check();
    assert.equal(ceiling.collections, 1, 'what is still held is the new base, not growth');
    assert.equal(held.length, 40);
    assert.ok(ceiling.pauseMs > 0 && ceiling.longestPauseMs <= ceiling.pauseMs, 'the pause is measured');
  });

  it('counts a collection asked for directly like one the ceiling ran', () => {
    const ceiling = new HeapCeiling();
    ceiling.collectNow();
    ceiling.collectNow();
    assert.equal(ceiling.collections, 2);
    assert.ok(ceiling.longestPauseMs > 0 && ceiling.pauseMs >= ceiling.longestPauseMs);
  });
});
