import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  blockLimit,
  budgetWithPause,
  claimBlock,
  claimSizeFor,
  instantsPerHorizon,
  interactiveWaitBoundMs,
  othersAreBusy,
} from '../../src/domain/outgoing-budget';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const OPTS = { intervalMs: 1000 / 49, maxAheadMs: 500 };

describe('domain: the outgoing budget', () => {
  it('a horizon of 500 ms at 49/s holds 25 instants', () => {
    assert.equal(instantsPerHorizon(OPTS), 25);
    assert.equal(instantsPerHorizon({ intervalMs: 20, maxAheadMs: 500 }), 26);
  });

  it('claims consecutive instants from the next free one, never past the horizon', () => {
    const g = claimBlock({ nextAt: T0 + 100, pausedUntil: 0 }, T0, { count: 30, minCount: 1 }, OPTS);
    assert.equal(g.kind, 'granted');
    if (g.kind !== 'granted') return;
    assert.equal(g.instants[0], T0 + 100);
    assert.ok(g.instants.at(-1)! <= T0 + 500 + 1e-6);
    assert.equal(g.instants.length, 20);
    assert.equal(g.next.nextAt, T0 + 100 + 20 * OPTS.intervalMs);
  });

  it('a bulk claim waits until its whole block fits rather than writing a small one', () => {
    const state = { nextAt: T0 + 300, pausedUntil: 0 };
    const g = claimBlock(state, T0, { count: 20, minCount: 20 }, OPTS);
    assert.equal(g.kind, 'wait');
    if (g.kind !== 'wait') return;
    const later = claimBlock(state, T0 + g.waitMs, { count: 20, minCount: 20 }, OPTS);
    assert.equal(later.kind === 'granted' && later.instants.length, 20);
    // A person takes the first that fits, at once.
    const person = claimBlock(state, T0, { count: 20, minCount: 1 }, OPTS);
    assert.equal(person.kind === 'granted' && person.instants[0], T0 + 300);
  });

  it('nothing is granted inside a pause, and a pause only grows', () => {
    const paused = budgetWithPause({ nextAt: T0, pausedUntil: 0 }, T0 + 3_000);
    assert.deepEqual(budgetWithPause(paused, T0 + 1_000), paused);
    assert.equal(claimBlock(paused, T0, { count: 1, minCount: 1 }, OPTS).kind, 'wait');
    const g = claimBlock(paused, T0 + 2_800, { count: 1, minCount: 1 }, OPTS);
    assert.equal(g.kind === 'granted' && g.instants[0], T0 + 3_000);
  });

  it('any sequence of claims at any times never puts two instants closer than one interval, nor in the past', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 0, max: 400 }),
            count: fc.integer({ min: 1, max: 30 }),
            minCount: fc.integer({ min: 1, max: 30 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (claims) => {
          let state: ReturnType<typeof budgetWithPause> | undefined;
          let now = T0;
          const all: number[] = [];
          for (const c of claims) {
            now += c.gapMs;
            const g = claimBlock(state, now, c, OPTS);
            if (g.kind === 'wait') continue;
            assert.ok(g.instants[0]! >= now, 'never an instant in the past');
            assert.ok(g.instants.at(-1)! <= now + OPTS.maxAheadMs + 1e-6, 'never past the horizon');
            all.push(...g.instants);
            state = g.next;
          }
          for (let i = 1; i < all.length; i++) assert.ok(all[i]! - all[i - 1]! >= OPTS.intervalMs - 1e-3);
        },
      ),
    );
  });

  it('sizes claims: people take one that fits soonest, broadcasts what they used over the last horizon', () => {
    assert.deepEqual(
      claimSizeFor({ interactiveWaiting: 0, bulkWaiting: 3, held: 3, servedRecently: 20 }, OPTS),
      {
        count: 0,
        minCount: 0,
      },
    );
    assert.deepEqual(
      claimSizeFor({ interactiveWaiting: 0, bulkWaiting: 1, held: 0, servedRecently: 0 }, OPTS),
      {
        count: 1,
        minCount: 1,
      },
    );
    assert.deepEqual(
      claimSizeFor({ interactiveWaiting: 0, bulkWaiting: 16, held: 0, servedRecently: 24 }, OPTS),
      {
        count: 25,
        minCount: 25,
      },
    );
    assert.deepEqual(
      claimSizeFor({ interactiveWaiting: 1, bulkWaiting: 16, held: 0, servedRecently: 24 }, OPTS),
      {
        count: 25,
        minCount: 1,
      },
    );
    // A person whose instant this instance holds needs no claim of their own.
    assert.equal(
      claimSizeFor({ interactiveWaiting: 1, bulkWaiting: 16, held: 4, servedRecently: 24 }, OPTS).minCount,
      25,
    );
  });

  it('tells when another instance claims whole blocks too, and leaves room at the end of the horizon then', () => {
    assert.equal(othersAreBusy(T0 + 1_000, undefined, OPTS), false);
    assert.equal(othersAreBusy(T0 + 1_000, T0 + 1_000, OPTS), false);
    assert.equal(othersAreBusy(T0 + 1_000, T0 + 900, OPTS), false);
    assert.equal(othersAreBusy(T0 + 1_000, T0 + 500, OPTS), true);
    assert.equal(blockLimit(OPTS, false, 5), 25);
    assert.equal(blockLimit(OPTS, true, 5), 22);
    assert.ok(blockLimit(OPTS, true, 60) < blockLimit(OPTS, true, 5));
  });

  it('states the interactive bound: the horizon, two intervals and the claim', () => {
    assert.equal(Math.round(interactiveWaitBoundMs(OPTS, 60)), 601);
  });
});
