import assert from 'node:assert/strict';
import { type Job, Scheduler } from '../../src/workers/scheduler';
import { silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

function countingJob(name: string, intervalMs: number): Job & { runs: number } {
  const job = {
    name,
    intervalMs,
    runs: 0,
    async run() {
      job.runs++;
    },
  };
  return job;
}

describe('workers: scheduler (blob lease, Azurite)', () => {
  it('runs jobs on exactly one of two instances, and hands over when the leader stops', async () => {
    const { lock } = await freshStorage();
    const jobA = countingJob('refresh', 0);
    const jobB = countingJob('refresh', 0);
    const a = new Scheduler(lock, [jobA], silentLogger, { tickMs: 50, leaseSeconds: 15 });
    const b = new Scheduler(lock, [jobB], silentLogger, { tickMs: 50, leaseSeconds: 15 });
    await a.tick();
    await b.tick();
    await a.tick();
    await b.tick();
    assert.equal(a.isLeader, true);
    assert.equal(b.isLeader, false);
    assert.equal(jobA.runs, 2);
    assert.equal(jobB.runs, 0);

    await a.stop();
    await b.tick();
    assert.equal(b.isLeader, true, 'the lease is released on stop, so the other instance takes over at once');
    assert.equal(jobB.runs, 1);
    await b.stop();
  });

  it('does not start a job again before its interval has passed, nor while it is still running', async () => {
    const { lock } = await freshStorage();
    let release: () => void = () => {};
    let starts = 0;
    const slow: Job = {
      name: 'slow',
      intervalMs: 0,
      run: () => {
        starts++;
        return new Promise<void>((r) => {
          release = r;
        });
      },
    };
    const hourly = countingJob('hourly', 3_600_000);
    const s = new Scheduler(lock, [slow, hourly], silentLogger);
    await s.tick();
    await s.tick();
    assert.equal(starts, 1);
    assert.equal(hourly.runs, 1);
    release();
    await new Promise((r) => setImmediate(r));
    await s.tick();
    assert.equal(starts, 2);
    assert.equal(hourly.runs, 1);
    release();
    await s.stop();
  });
});
