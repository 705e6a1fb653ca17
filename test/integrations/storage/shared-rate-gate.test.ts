import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { prng as seeded } from '../../../src/dev/tenant-sim/generate';
import type { RateGateState } from '../../../src/domain/broadcast-pacing';
import { SharedRateGate } from '../../../src/integrations/storage/shared-rate-gate';
import { AbortedError } from '../../../src/ports/rate-gate';
import type { EntityKey, TransactionAction } from '../../../src/ports/store';
import { InMemoryRepository } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const T0 = Date.parse('2026-11-23T09:00:00Z');

/** Discrete-event time: sleeps resolve when the run advances the clock to them, in order. */
class VirtualTime {
  now = T0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(new AbortedError());
      };
      const timer = {
        at: this.now + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  async runUntil(end: number): Promise<void> {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.resolve();
    }
    this.now = Math.max(this.now, end);
  }
}

/** The in-memory repository (same ETag contract as the table) with storage latency in virtual time. */
function slowRepository(vt: VirtualTime, random: () => number, latencyMs: [number, number] = [1, 7]) {
  const repo = new InMemoryRepository<RateGateState>();
  const latency = () => vt.sleep(latencyMs[0] + random() * (latencyMs[1] - latencyMs[0]));
  return {
    repo,
    get: async (k: EntityKey) => {
      await latency();
      return repo.get(k);
    },
    insert: async (k: EntityKey, v: RateGateState) => {
      await latency();
      return repo.insert(k, v);
    },
    replace: async (k: EntityKey, v: RateGateState, etag: string) => {
      await latency();
      return repo.replace(k, v, etag);
    },
    delete: (k: EntityKey) => repo.delete(k),
    listPartition: (pk: string) => repo.listPartition(pk),
    transact: (pk: string, a: readonly TransactionAction<RateGateState>[]) => repo.transact(pk, a),
    update: (k: EntityKey, m: (c: RateGateState | undefined) => RateGateState | undefined) =>
      repo.update(k, m),
  };
}

/** Most calls in any window of `windowMs` (sliding over every call). */
function peakInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[from]! >= windowMs) from++;
    peak = Math.max(peak, i - from + 1);
  }
  return peak;
}

interface Instance {
  gate: SharedRateGate;
  times: number[];
  stop: AbortController;
}

function startInstances(
  vt: VirtualTime,
  rate: number,
  count: number,
  callers: number,
  seed = 7,
  storageLatencyMs?: [number, number],
): Instance[] {
  const random = seeded(seed);
  const rows = slowRepository(vt, random, storageLatencyMs);
  return Array.from({ length: count }, () => {
    const gate = new SharedRateGate(rows, {
      ratePerSecond: rate,
      now: () => vt.now,
      sleep: vt.sleep,
      random,
    });
    const instance: Instance = { gate, times: [], stop: new AbortController() };
    setMaxListeners(callers * 2, instance.stop.signal);
    for (let c = 0; c < callers; c++) {
      void (async () => {
        try {
          for (;;) {
            await gate.take(instance.stop.signal);
            instance.times.push(vt.now);
            // The send itself, and the storage writes around it.
            await vt.sleep(5 + random() * 60, instance.stop.signal);
          }
        } catch (err) {
          if (!(err instanceof AbortedError)) throw err;
        }
      })();
    }
    return instance;
  });
}

describe('integration: shared rate gate', () => {
  describe('pacing across instances (virtual time, storage latency, ETag races)', () => {
    it('three instances with eight callers each stay within the rate (+1 for timing) in any sliding second, and use it', async () => {
      const vt = new VirtualTime();
      const instances = startInstances(vt, 45, 3, 8);
      await vt.runUntil(T0 + 20_000);
      for (const i of instances) i.stop.abort();
      await vt.runUntil(vt.now + 1_000);
      const all = instances.flatMap((i) => i.times);
      // Calls start at their instant or a little after it, never before: one more may fit a window.
      const peak = peakInWindow(all, 1_000);
      assert.ok(peak <= 46, `at most 45 + 1 in any second, saw ${peak}`);
      const instants = peakInWindow(
        all.map((t) => Math.floor(t / 1000)),
        1,
      );
      assert.ok(instants <= 46, `per calendar second ${instants}`);
      assert.ok(all.length >= 0.95 * 45 * 20, `uses the rate: ${all.length} calls in 20 s`);
      for (const i of instances)
        assert.ok(i.times.length > 150, `every instance gets its share (${i.times.length})`);
    });

    it('at 49/s keeps to Teams’ 50 in any sliding second, with two instances of sixteen callers', async () => {
      const vt = new VirtualTime();
      const instances = startInstances(vt, 49, 2, 16, 11);
      await vt.runUntil(T0 + 10_000);
      for (const i of instances) i.stop.abort();
      const all = instances.flatMap((i) => i.times);
      assert.ok(peakInWindow(all, 1_000) <= 50, `peak ${peakInWindow(all, 1_000)}`);
      assert.ok(all.length >= 0.95 * 490, `${all.length} calls in 10 s`);
    });

    it('with slow storage (40–80 ms a call), instants are claimed past the write, so few callers are not starved', async () => {
      // Three callers per instance: each claim is small and starts near "now"; were its instants
      // counted from before the write, they would be past (and dropped) by the time it lands.
      const vt = new VirtualTime();
      const instances = startInstances(vt, 48, 2, 3, 5, [40, 80]);
      await vt.runUntil(T0 + 20_000);
      for (const i of instances) i.stop.abort();
      const all = instances.flatMap((i) => i.times).filter((t) => t >= T0 + 2_000);
      assert.ok(all.length >= 200, `${all.length} calls in 18 s by six callers`);
      assert.ok(peakInWindow(all, 1_000) <= 48, `peak ${peakInWindow(all, 1_000)}`);
    });

    it('with slow storage and many callers, uses the rate and keeps under it', async () => {
      const vt = new VirtualTime();
      const instances = startInstances(vt, 48, 2, 32, 5, [40, 80]);
      await vt.runUntil(T0 + 20_000);
      for (const i of instances) i.stop.abort();
      const all = instances.flatMap((i) => i.times).filter((t) => t >= T0 + 2_000);
      assert.ok(peakInWindow(all, 1_000) <= 49, `peak ${peakInWindow(all, 1_000)}`);
      assert.ok(all.length >= 0.95 * 48 * 18, `${all.length} calls in 18 s at 48/s`);
    });

    it('a pause set by one instance stops every instance until it ends, then sending resumes', async () => {
      const vt = new VirtualTime();
      const [a, b] = startInstances(vt, 40, 2, 8);
      await vt.runUntil(T0 + 2_000);
      const pausedAt = vt.now;
      const until = pausedAt + 3_000;
      const pausing = a!.gate.pauseUntil(new Date(until));
      await vt.runUntil(until + 2_000);
      await pausing;
      a!.stop.abort();
      b!.stop.abort();
      const inPause = (i: Instance, from: number) => i.times.filter((t) => t >= from && t < until);
      assert.deepEqual(inPause(a!, pausedAt + 1), [], 'the instance that was throttled stops at once');
      // The other learns of it with its next claim: at most the instants it already held (500 ms ahead).
      assert.deepEqual(inPause(b!, pausedAt + 600), [], 'the other instance stops within its claim horizon');
      assert.ok(b!.gate.pausedUntil() === undefined || b!.gate.pausedUntil()!.getTime() <= vt.now);
      const after = [...a!.times, ...b!.times].filter((t) => t >= until && t < until + 2_000);
      assert.ok(after.length >= 70, `sending resumes after the pause (${after.length} in 2 s)`);
    });

    it('an instance that dies holds no capacity hostage: the others soon use the whole rate', async () => {
      const vt = new VirtualTime();
      const [a, b, dead] = startInstances(vt, 45, 3, 8);
      await vt.runUntil(T0 + 3_000);
      dead!.stop.abort();
      const diedAt = vt.now;
      await vt.runUntil(diedAt + 5_000);
      a!.stop.abort();
      b!.stop.abort();
      const after = [...a!.times, ...b!.times].filter((t) => t >= diedAt + 500 && t < diedAt + 5_000);
      assert.ok(after.length >= 0.95 * 45 * 4.5, `${after.length} calls in the 4.5 s after the death`);
    });
  });

  describe('against Azure Tables (Azurite)', () => {
    it('two gates on one table share the rate and the pause', async function () {
      this.timeout(20_000);
      const storage = await freshStorage();
      const a = storage.rateGate({ ratePerSecond: 20 });
      const b = storage.rateGate({ ratePerSecond: 20 });
      const times: number[] = [];
      const start = Date.now();
      const end = start + 3_000;
      await Promise.all(
        [a, b].flatMap((gate) =>
          Array.from({ length: 4 }, async () => {
            while (Date.now() < end) {
              await gate.take();
              times.push(Date.now());
            }
          }),
        ),
      );
      assert.ok(peakInWindow(times, 1_000) <= 21, `peak ${peakInWindow(times, 1_000)} in a second`);
      const inTime = times.filter((t) => t < end).length;
      assert.ok(inTime >= 50 && inTime <= 61, `${inTime} calls in 3 s at 20/s`);

      const until = new Date(Date.now() + 1_500);
      await a.pauseUntil(until);
      await b.take();
      assert.ok(
        Date.now() >= until.getTime() - 5,
        'the other gate waited for the pause it read from the table',
      );
      assert.equal(b.pausedUntil(), undefined);
    });
  });
});
