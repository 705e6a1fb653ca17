import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextThreadSlot, recentThreadCalls, TEAMS_THREAD_WINDOWS } from '../../src/domain/thread-pacing';
import { ThreadPacer } from '../../src/features/helpdesk/thread-pacer';

/** The most calls any window of `windowMs` holds, over every window that starts at a call. */
function busiest(calls: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0; i < calls.length; i++) {
    let n = 0;
    for (let j = i; j < calls.length && calls[j]! < calls[i]! + windowMs; j++) n++;
    most = Math.max(most, n);
  }
  return most;
}

describe("domain: pacing calls into one Teams thread (Teams' per-thread limits)", () => {
  it('a burst of 20 calls at once: 7 go now, the 8th within 2 s, the rest spread so that no window is exceeded', () => {
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) sent.push(nextThreadSlot(sent, 0, TEAMS_THREAD_WINDOWS));
    assert.deepEqual(sent.slice(0, 7), [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(sent[7], 1_000, 'the 8th waits for the first second to pass');
    assert.equal(sent[8], 2_000, 'the 9th for the first two seconds');
    for (const w of TEAMS_THREAD_WINDOWS)
      assert.ok(busiest(sent, w.windowMs) <= w.count, `${w.count}/${w.windowMs} ms`);
  });

  it('any arrival pattern: slots keep order, never come before the call, and no window holds more than its count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 150 }), (gaps) => {
        const sent: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const at = nextThreadSlot(sent, now, TEAMS_THREAD_WINDOWS, 50);
          assert.ok(at >= now);
          assert.ok(at >= (sent.at(-1) ?? 0));
          sent.push(at);
        }
        for (const w of TEAMS_THREAD_WINDOWS)
          assert.ok(busiest(sent, w.windowMs + 50) <= w.count, `${w.count} per ${w.windowMs} ms`);
      }),
      { numRuns: 200 },
    );
  });

  it('remembers only the calls inside the longest window', () => {
    const hour = 3_600_000;
    assert.deepEqual(recentThreadCalls([0, 10, hour, hour + 5], hour + 20, TEAMS_THREAD_WINDOWS), [
      hour,
      hour + 5,
    ]);
  });
});

describe('helpdesk: the per-thread pacer (fake clock)', () => {
  function pacer() {
    let now = 0;
    const slept: number[] = [];
    const p = new ThreadPacer({
      marginMs: 0,
      now: () => now,
      sleep: async (ms) => {
        slept.push(now + ms);
      },
    });
    return {
      p,
      slept,
      at: (t: number) => {
        now = t;
      },
    };
  }

  it('calls into one channel wait their turn; another channel is not held up by it', async () => {
    const { p, slept } = pacer();
    for (let i = 0; i < 9; i++) await p.turn('channel-a');
    assert.deepEqual(slept, [1_000, 2_000], 'the 8th and 9th call into the channel wait');
    await p.turn('channel-b');
    assert.deepEqual(slept, [1_000, 2_000], 'a call into another channel goes at once');
  });

  it("after a 429 the channel's next call waits for its Retry-After", async () => {
    const { p, slept, at } = pacer();
    await p.turn('channel-a');
    p.holdUntil('channel-a', 30_000);
    at(5_000);
    await p.turn('channel-a');
    assert.deepEqual(slept, [30_000]);
    at(31_000);
    await p.turn('channel-b');
    assert.deepEqual(slept, [30_000]);
  });
});
