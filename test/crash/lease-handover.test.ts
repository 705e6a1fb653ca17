import assert from 'node:assert/strict';
import { Scheduler } from '../../src/workers/scheduler';
import { eventually } from '../helpers/eventually';
import { silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const LEASE_SECONDS = 15;

describe('crash safety: the scheduler lease of a killed instance', function () {
  this.timeout(60_000);

  it('passes to the other instance within the lease time, without a release, and only then', async () => {
    const s = await freshStorage();
    // The leader takes the lease and dies: no renewal, no release (what SIGKILL leaves behind).
    const dead = await s.lock.tryAcquire('scheduler', LEASE_SECONDS);
    assert.ok(dead);
    const diedAt = Date.now();

    let runs = 0;
    const survivor = new Scheduler(
      s.lock,
      [
        {
          name: 'probe',
          intervalMs: 60_000,
          run: async () => {
            runs++;
          },
        },
      ],
      silentLogger,
      { tickMs: 250, leaseSeconds: LEASE_SECONDS },
    );
    survivor.start();
    try {
      await eventually(() => survivor.isLeader, { timeoutMs: (LEASE_SECONDS + 5) * 1000, intervalMs: 100 });
      const took = Date.now() - diedAt;
      assert.ok(
        took >= (LEASE_SECONDS - 1) * 1000,
        `taken over after ${took} ms: the dead lease was still valid`,
      );
      assert.ok(took <= (LEASE_SECONDS + 2) * 1000, `taken over only after ${took} ms`);
      await eventually(() => runs === 1);
    } finally {
      await survivor.stop();
    }
  });
});
