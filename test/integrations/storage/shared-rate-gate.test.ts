import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { prng as seeded } from '../../../src/dev/tenant-sim/generate';
import { type BudgetState, interactiveWaitBoundMs } from '../../../src/domain/outgoing-budget';
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
  const repo = new InMemoryRepository<BudgetState>();
  const calls = { count: 0 };
  const latency = () => {
    calls.count++;
    return vt.sleep(latencyMs[0] + random() * (latencyMs[1] - latencyMs[0]));
  };
  return {
    repo,
    calls,
    get: async (k: EntityKey) => {
      await latency();
      return repo.get(k);
    },
    insert: async (k: EntityKey, v: BudgetState) => {
      await latency();
      return repo.insert(k, v);
    },
    replace: async (k: EntityKey, v: BudgetState, etag: string) => {
      await latency();
      return repo.replace(k, v, etag);
    },
    delete: (k: EntityKey) => repo.delete(k),
    listPartition: (pk: string) => repo.listPartition(pk),
    listPartitions: (p: { from: string; to: string }) => repo.listPartitions(p),
    transact: (pk: string, a: readonly TransactionAction<BudgetState>[]) => repo.transact(pk, a),
    update: (k: EntityKey, m: (c: BudgetState | undefined) => BudgetState | undefined) => repo.update(k, m),
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
      // An instant handed out late (every caller was busy at it) may share a second with 48 after it.
      assert.ok(peakInWindow(all, 1_000) <= 49, `peak ${peakInWindow(all, 1_000)}`);
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

  describe('priorities: one budget for interactive and bulk calls', () => {
    interface Mixed {
      gate: SharedRateGate;
      bulk: number[];
      interactive: { asked: number; got: number }[];
      stop: AbortController;
    }

    /** Instances whose bulk callers saturate the gate while people press buttons on each of them. */
    function startMixed(
      vt: VirtualTime,
      o: {
        rate: number;
        instances: number;
        bulkCallers: number;
        interactiveGapMs: [number, number];
        seed: number;
      },
    ) {
      const random = seeded(o.seed);
      const rows = slowRepository(vt, random);
      const instances = Array.from({ length: o.instances }, (): Mixed => {
        const gate = new SharedRateGate(rows, {
          ratePerSecond: o.rate,
          now: () => vt.now,
          sleep: vt.sleep,
          random,
        });
        const m: Mixed = { gate, bulk: [], interactive: [], stop: new AbortController() };
        setMaxListeners(o.bulkCallers * 4, m.stop.signal);
        const loop = async (body: () => Promise<void>) => {
          try {
            for (;;) await body();
          } catch (err) {
            if (!(err instanceof AbortedError)) throw err;
          }
        };
        for (let c = 0; c < o.bulkCallers; c++) {
          void loop(async () => {
            await gate.take(m.stop.signal, 'bulk');
            m.bulk.push(vt.now);
            await vt.sleep(5 + random() * 60, m.stop.signal);
          });
        }
        void loop(async () => {
          const [min, max] = o.interactiveGapMs;
          await vt.sleep(min + random() * (max - min), m.stop.signal);
          const asked = vt.now;
          // A card update from someone; several may overlap.
          void gate.take(m.stop.signal, 'interactive').then(
            () => m.interactive.push({ asked, got: vt.now }),
            (err: unknown) => {
              if (!(err instanceof AbortedError)) throw err;
            },
          );
        });
        return m;
      });
      return { instances, calls: rows.calls };
    }

    // Storage answers in 1–7 ms here; a claim is a read and a write, twice after an ETag conflict,
    // with a jittered back-off of up to 12 ms between.
    const RATE = 49;
    const BOUND_MS = interactiveWaitBoundMs({ intervalMs: 1000 / RATE, maxAheadMs: 1_000 }, 4 * 7 + 12);

    it('two instances saturated by broadcasts: every interactive call gets an instant within the bound, the total stays within the rate, and bulk uses the rest', async () => {
      const vt = new VirtualTime();
      const { instances, calls } = startMixed(vt, {
        rate: RATE,
        instances: 2,
        bulkCallers: 16,
        interactiveGapMs: [200, 800],
        seed: 21,
      });
      await vt.runUntil(T0 + 30_000);
      for (const i of instances) i.stop.abort();
      await vt.runUntil(vt.now + 1_000);
      const interactive = instances.flatMap((i) => i.interactive);
      const waits = interactive.map((x) => x.got - x.asked);
      const bulk = instances.flatMap((i) => i.bulk);
      const all = [...bulk, ...interactive.map((x) => x.got)].filter((t) => t < T0 + 30_000);
      assert.ok(interactive.length >= 100, `${interactive.length} interactive calls in 30 s`);
      assert.ok(
        Math.max(...waits) <= BOUND_MS,
        `longest interactive wait ${Math.max(...waits)} ms > ${BOUND_MS}`,
      );
      const peak = peakInWindow(all, 1_000);
      assert.ok(
        peak <= RATE + 1,
        `at most ${RATE} + 1 in any sliding second over both priorities, saw ${peak}`,
      );
      assert.ok(all.length >= 0.95 * RATE * 30, `the rate is used: ${all.length} calls in 30 s`);
      assert.ok(bulk.length >= all.length - interactive.length - 1, 'bulk takes all that interactive leaves');
      for (const i of instances)
        assert.ok(i.bulk.length > 300, `each instance sends its share (${i.bulk.length})`);
      // Two writes per block of ~22 while the instances take turns, and a small claim for a person
      // on the instance whose turn it is not.
      const perCall = calls.count / all.length;
      assert.ok(perCall <= 0.14, `storage round trips per call ${perCall.toFixed(3)}`);
    });

    it('two instances with broadcasts only take turns with whole blocks: about 0.1 storage round trips per call', async () => {
      const vt = new VirtualTime();
      const random = seeded(8);
      const rows = slowRepository(vt, random);
      const times: number[] = [];
      const stop = new AbortController();
      setMaxListeners(64, stop.signal);
      for (let i = 0; i < 2; i++) {
        const gate = new SharedRateGate(rows, {
          ratePerSecond: RATE,
          now: () => vt.now,
          sleep: vt.sleep,
          random,
        });
        for (let c = 0; c < 16; c++) {
          void (async () => {
            try {
              for (;;) {
                await gate.take(stop.signal);
                times.push(vt.now);
                await vt.sleep(5 + random() * 60, stop.signal);
              }
            } catch (err) {
              if (!(err instanceof AbortedError)) throw err;
            }
          })();
        }
      }
      await vt.runUntil(T0 + 30_000);
      stop.abort();
      assert.ok(times.length >= 0.97 * RATE * 30, `${times.length} calls in 30 s`);
      assert.ok(peakInWindow(times, 1_000) <= RATE + 1, `peak ${peakInWindow(times, 1_000)}`);
      const perCall = rows.calls.count / times.length;
      assert.ok(perCall <= 0.11, `storage round trips per call ${perCall.toFixed(3)}`);
    });

    it('on one instance a person gets the next instant ahead of every waiting broadcast call', async () => {
      const vt = new VirtualTime();
      const { instances, calls } = startMixed(vt, {
        rate: RATE,
        instances: 1,
        bulkCallers: 32,
        interactiveGapMs: [50, 400],
        seed: 3,
      });
      await vt.runUntil(T0 + 20_000);
      instances[0]!.stop.abort();
      await vt.runUntil(vt.now + 1_000);
      const { interactive, bulk } = instances[0]!;
      const waits = interactive.map((x) => x.got - x.asked).sort((a, b) => a - b);
      // Its own instants are one interval apart: the next one, or the one after when two people asked at once.
      assert.ok(waits.at(-1)! <= 3 * (1000 / RATE), `longest interactive wait ${waits.at(-1)} ms`);
      const total = bulk.length + interactive.length;
      assert.ok(total >= 0.95 * RATE * 20, `${total} calls in 20 s`);
      assert.ok(
        calls.count / total <= 0.1,
        `storage round trips per call ${(calls.count / total).toFixed(3)}`,
      );
    });

    it('a pause holds interactive callers too, until it ends', async () => {
      const vt = new VirtualTime();
      const { instances } = startMixed(vt, {
        rate: RATE,
        instances: 2,
        bulkCallers: 8,
        interactiveGapMs: [100, 300],
        seed: 9,
      });
      await vt.runUntil(T0 + 2_000);
      const until = vt.now + 3_000;
      void instances[1]!.gate.pauseUntil(new Date(until));
      await vt.runUntil(until + 2_000);
      for (const i of instances) i.stop.abort();
      const during = instances.flatMap((i) => [...i.bulk, ...i.interactive.map((x) => x.got)]);
      // The other instance learns of the pause with its next claim: within its horizon.
      assert.deepEqual(
        during.filter((t) => t >= until - 3_000 + 600 && t < until),
        [],
        'nothing is sent in the pause, interactive or bulk',
      );
      const after = instances.flatMap((i) => i.interactive).filter((x) => x.asked < until && x.got >= until);
      assert.ok(after.length > 0, 'people who asked during the pause were served after it');
    });

    it('storage that does not answer: an interactive call goes ahead after the bound (logged), bulk keeps waiting', async () => {
      const vt = new VirtualTime();
      const bypassed: number[] = [];
      const errors: unknown[] = [];
      const down = {
        get: () => vt.sleep(3_000).then(() => Promise.reject(new Error('storage: no answer within 3000 ms'))),
        insert: () => Promise.reject(new Error('storage down')),
        replace: () => Promise.reject(new Error('storage down')),
      } as unknown as ConstructorParameters<typeof SharedRateGate>[0];
      const gate = new SharedRateGate(down, {
        ratePerSecond: RATE,
        now: () => vt.now,
        sleep: vt.sleep,
        random: seeded(1),
        onBypass: ({ waitedMs }) => bypassed.push(waitedMs),
        onError: (err) => errors.push(err),
      });
      const stop = new AbortController();
      let bulkDone = false;
      const bulk = gate.take(stop.signal, 'bulk').then(
        () => {
          bulkDone = true;
        },
        (err: unknown) => assert.ok(err instanceof AbortedError),
      );
      await vt.runUntil(T0 + 500);
      const asked = vt.now;
      let got: number | undefined;
      const person = gate.take(undefined, 'interactive').then(() => {
        got = vt.now;
      });
      await vt.runUntil(T0 + 10_000);
      await person;
      assert.ok(got !== undefined, 'the interactive call went ahead');
      assert.ok(got - asked <= 1_000, `after ${got - asked} ms`);
      assert.deepEqual(bypassed, [got - asked]);
      // Known to be down (its calls fail): the next person's calls go at once, not a second later each.
      const before = vt.now;
      await gate.take(undefined, 'interactive');
      assert.equal(vt.now, before);
      assert.deepEqual(bypassed, [got - asked, 0]);
      assert.equal(bulkDone, false, 'a broadcast call never goes over the budget');
      assert.ok(errors.length >= 2, 'the storage trouble is reported');
      stop.abort();
      await bulk;
    });

    it('storage that answers slowly is not "down": an interactive call waits for its instant', async () => {
      const vt = new VirtualTime();
      const random = seeded(4);
      const rows = slowRepository(vt, random, [300, 400]);
      const bypassed: number[] = [];
      const gate = new SharedRateGate(rows, {
        ratePerSecond: RATE,
        now: () => vt.now,
        sleep: vt.sleep,
        random,
        onBypass: ({ waitedMs }) => bypassed.push(waitedMs),
      });
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        void gate.take(undefined, 'interactive').then(() => times.push(vt.now));
      }
      await vt.runUntil(T0 + 10_000);
      assert.equal(times.length, 40);
      assert.deepEqual(bypassed, []);
      assert.ok(peakInWindow(times, 1_000) <= RATE, `peak ${peakInWindow(times, 1_000)}`);
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

      const pausedAt = Date.now();
      const until = new Date(pausedAt + 1_500);
      await a.pauseUntil(until);
      // The other gate may still use instants it claimed before (at most 500 ms ahead); after those,
      // it reads the pause from the table and waits for its end.
      const taken: number[] = [];
      while (taken.length < 40 && (taken.at(-1) ?? 0) < until.getTime() - 5) {
        await b.take();
        taken.push(Date.now());
      }
      const inPause = taken.filter((t) => t >= pausedAt + 600 && t < until.getTime() - 5);
      assert.deepEqual(inPause, [], 'the other gate waited for the pause it read from the table');
      assert.ok(taken.at(-1)! >= until.getTime() - 5);
      assert.equal(b.pausedUntil(), undefined);
    });
  });
});
