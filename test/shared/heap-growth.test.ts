import assert from 'node:assert/strict';
import { growthSetAtStart, heapGrowthLowered, withLowHeapGrowth } from '../../src/shared/heap-growth';

describe('withLowHeapGrowth', () => {
  it('holds the lower growth while the work runs and gives it back after', async () => {
    assert.equal(heapGrowthLowered(), false);
    const inside = await withLowHeapGrowth(async () => heapGrowthLowered());
    assert.equal(inside, true);
    assert.equal(heapGrowthLowered(), false);
  });

  it('overlapping jobs share it: the default returns only when the last one ends', async () => {
    let releaseFirst!: () => void;
    const first = withLowHeapGrowth(
      () =>
        new Promise<void>((resolve) => {
          releaseFirst = resolve;
        }),
    );
    await withLowHeapGrowth(async () => assert.equal(heapGrowthLowered(), true));
    assert.equal(heapGrowthLowered(), true, 'the first job still runs');
    releaseFirst();
    await first;
    assert.equal(heapGrowthLowered(), false);
  });

  it('gives it back when the work fails', async () => {
    await assert.rejects(
      withLowHeapGrowth(async () => {
        throw new Error('storage went away');
      }),
      /storage went away/,
    );
    assert.equal(heapGrowthLowered(), false);
  });

  it('leaves a growth the deployment started the process with alone', () => {
    assert.equal(growthSetAtStart(['--heap-growing-percent=50']), true);
    assert.equal(growthSetAtStart([], '--max-old-space-size=2048 --heap_growing_percent=40'), true);
    assert.equal(growthSetAtStart(['--heap-growing-percent', '40']), true);
    assert.equal(growthSetAtStart(['--max-old-space-size=2048'], '--enable-source-maps'), false);
    assert.equal(growthSetAtStart([], '--heap-growing-percentage=3'), false, 'not a V8 flag');
  });
});
