import assert from 'node:assert/strict';
import type { Deps } from '../../../src/deps';
import {
  type Broadcast,
  broadcastKey,
  type DeliveryJob,
  deliveryKey,
  deliveryPartition,
} from '../../../src/domain/broadcast';
import { failedDelivery, markSending } from '../../../src/domain/broadcast-pacing';
import {
  type BroadcastDeps,
  BroadcastError,
  type BroadcastHooks,
  cancel,
  confirm,
  createDraft,
  deliveryRowsOf,
  feedQueue,
  progress,
  queueRecipients,
  queueWindow,
  type Recipient,
} from '../../../src/features/broadcast/broadcast-service';
import type { QueueMessage, WorkQueue } from '../../../src/ports/queue';
import type { Store } from '../../../src/ports/store';
import { testConfig } from '../../helpers/config';
import { InMemoryWorkQueue } from '../../helpers/fake-rate-gate';
import { FakeClock, InMemoryStore, silentLogger } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const ADMIN = { aadObjectId: 'ADMIN-1', name: 'Ada Admin' };

function people(n: number, prefix = 'user'): Recipient[] {
  return Array.from({ length: n }, (_, i) => ({
    aadObjectId: `${prefix}-${String(i).padStart(5, '0')}`,
    displayName: `Person ${i}`,
  }));
}

function hooksFor(recipients: Recipient[]): BroadcastHooks & { resolved: number } {
  const hooks = {
    resolved: 0,
    async recipients() {
      hooks.resolved++;
      return recipients;
    },
    async compose() {
      return { card: { type: 'AdaptiveCard' }, summary: 's' };
    },
  };
  return hooks;
}

function setup() {
  const store = new InMemoryStore();
  const clock = new FakeClock();
  const queue = new InMemoryWorkQueue<DeliveryJob>(clock);
  const deps: BroadcastDeps & Pick<Deps, 'config'> = {
    store,
    clock,
    logger: silentLogger,
    deliveryQueue: queue,
    config: testConfig(),
  };
  return { store, clock, queue, deps };
}

async function draft(deps: BroadcastDeps, count = 3): Promise<Broadcast> {
  return createDraft(deps, { kind: 'announcement', waveId: 'wave-1', createdBy: ADMIN, note: 'Hi' }, count);
}

async function rows(store: Store, id: string) {
  const out = [];
  for await (const r of store.deliveries.listPartition(deliveryPartition(id))) out.push(r.value);
  return out;
}

/** The store, with delivery inserts that break after `okCount` (an instance dying mid-queueing). */
function dyingDeliveries(store: Store, okCount: number, onInsert?: () => Promise<void>): Store {
  const deliveries = Object.create(store.deliveries) as Store['deliveries'];
  deliveries.insert = async (key, value) => {
    if (okCount-- <= 0) throw new Error('instance died');
    const stored = await store.deliveries.insert(key, value);
    await onInsert?.();
    return stored;
  };
  return Object.assign(Object.create(store) as Store, { deliveries });
}

/** A queue that breaks after `okCount` messages, as an instance dying mid-queueing would. */
class DyingQueue<T> implements WorkQueue<T> {
  constructor(
    private readonly inner: WorkQueue<T>,
    private okCount: number,
  ) {}
  async enqueue(body: T) {
    if (this.okCount-- <= 0) throw new Error('instance died');
    await this.inner.enqueue(body);
  }
  receive(max: number, v: number) {
    return this.inner.receive(max, v);
  }
  complete(m: QueueMessage<T>) {
    return this.inner.complete(m);
  }
  postpone(m: QueueMessage<T>, s: number) {
    return this.inner.postpone(m, s);
  }
}

describe('features: broadcast service', () => {
  it('creates a draft and refuses bad input with a specific error, storing nothing', async () => {
    const { deps, store } = setup();
    const b = await draft(deps);
    assert.deepEqual(
      [b.state, b.recipientCount, b.createdBy.aadObjectId, b.note],
      ['draft', 3, 'admin-1', 'Hi'],
    );
    assert.ok((await store.broadcasts.get(broadcastKey(b.id)))?.value);
    const bad = [
      () =>
        createDraft(
          deps,
          { kind: 'announcement', waveId: 'w', createdBy: ADMIN, alsoPostToChannelId: 'general' },
          1,
        ),
      () =>
        createDraft(deps, { kind: 'announcement', waveId: 'w', createdBy: ADMIN, note: 'x'.repeat(501) }, 1),
      () => createDraft(deps, { kind: 'announcement', waveId: ' ', createdBy: ADMIN }, 1),
      () => createDraft(deps, { kind: 'announcement', waveId: 'w', createdBy: ADMIN }, -1),
      () => createDraft(deps, { kind: 'everyone' as never, waveId: 'w', createdBy: ADMIN }, 1),
    ];
    for (const attempt of bad) {
      await assert.rejects(
        attempt(),
        (err: unknown) => err instanceof BroadcastError && err.code === 'invalid',
      );
    }
    assert.equal(store.broadcasts.rows.size, 1);
  });

  it('confirm records one delivery row per person; fed, the queue gets one job each', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps);
    const hooks = hooksFor([...people(3), { aadObjectId: 'USER-00001', displayName: 'same person' }]);
    const confirmed = await confirm(deps, hooks, b.id, { actor: ADMIN });
    assert.equal(confirmed.state, 'queueing');
    const sending = await queueRecipients(deps, hooks, b.id);
    assert.equal(sending?.state, 'sending');
    assert.equal(sending?.recipientCount, 3);
    assert.equal(sending?.queuedCount, 0);
    assert.equal(hooks.resolved, 1, 'the second call joined the run confirm started');
    assert.equal(queue.size, 0, 'jobs are fed by the leased job, not by queueing');
    assert.equal(await feedQueue(deps, sending!, await deliveryRowsOf(store, b.id), queueWindow(deps)), 3);
    const recorded = await rows(store, b.id);
    assert.deepEqual(recorded.map((d) => [d.aadObjectId, d.state, d.attempts]).sort(), [
      ['user-00000', 'queued', 0],
      ['user-00001', 'queued', 0],
      ['user-00002', 'queued', 0],
    ]);
    assert.deepEqual(queue.messages.map((m) => m.body.aadObjectId).sort(), [
      'user-00000',
      'user-00001',
      'user-00002',
    ]);
    const audit = store.audit.values();
    assert.deepEqual(
      audit.map((a) => [a.action, a.actorAadObjectId, a.target]),
      [['broadcast.confirm', 'admin-1', `broadcast:${b.id}`]],
    );
    // Nobody is queued twice, however often queueing is asked for.
    await queueRecipients(deps, hooks, b.id);
    assert.equal(queue.size, 3);
  });

  it('confirm with a later time schedules it and queues nothing yet', async () => {
    const { deps, queue, store, clock } = setup();
    const b = await draft(deps);
    const at = new Date(clock.now().getTime() + 3_600_000);
    const scheduled = await confirm(deps, hooksFor(people(3)), b.id, { scheduledAt: at, actor: ADMIN });
    assert.equal(scheduled.state, 'scheduled');
    assert.equal(scheduled.scheduledAt, at.toISOString());
    assert.equal(queue.size, 0);
    assert.equal(store.audit.values()[0]?.action, 'broadcast.schedule');
  });

  it('refuses to confirm what is not a draft, what does not exist, or without a delivery queue', async () => {
    const { deps, store, clock } = setup();
    const b = await draft(deps);
    const hooks = hooksFor(people(2));
    await assert.rejects(
      confirm({ ...deps, deliveryQueue: undefined }, hooks, b.id, { actor: ADMIN }),
      (err: unknown) => err instanceof BroadcastError && err.code === 'unavailable',
    );
    assert.equal((await store.broadcasts.get(broadcastKey(b.id)))?.value.state, 'draft');
    await assert.rejects(
      confirm(deps, hooks, b.id, { actor: ADMIN, scheduledAt: new Date('nonsense') }),
      (err: unknown) => err instanceof BroadcastError && err.code === 'invalid',
    );
    await assert.rejects(
      confirm(deps, hooks, b.id, {
        actor: ADMIN,
        scheduledAt: new Date(clock.now().getTime() + 400 * 86_400_000),
      }),
      /more than a year ahead/,
    );
    await confirm(deps, hooks, b.id, { actor: ADMIN });
    await queueRecipients(deps, hooks, b.id);
    await assert.rejects(
      confirm(deps, hooks, b.id, { actor: ADMIN }),
      (err: unknown) => err instanceof BroadcastError && err.code === 'not-draft',
    );
    await assert.rejects(
      confirm(deps, hooks, 'no-such-id', { actor: ADMIN }),
      (err: unknown) => err instanceof BroadcastError && err.code === 'not-found',
    );
    assert.equal(store.audit.values().length, 1);
  });

  it('cancel stops a broadcast (audited); a finished one cannot be cancelled', async () => {
    const { deps, store } = setup();
    const b = await draft(deps);
    const hooks = hooksFor(people(2));
    await confirm(deps, hooks, b.id, { actor: ADMIN });
    await queueRecipients(deps, hooks, b.id);
    const cancelled = await cancel(deps, b.id, { aadObjectId: 'admin-2' });
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.cancelledAt);
    assert.deepEqual(
      store.audit
        .values()
        .map((a) => a.action)
        .sort(),
      ['broadcast.cancel', 'broadcast.confirm'],
    );
    await assert.rejects(
      cancel(deps, b.id, ADMIN),
      (err: unknown) => err instanceof BroadcastError && err.code === 'finished',
    );
  });

  it('queueing cancelled half-way records nobody else and queues no job', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps, 2000);
    const hooks = hooksFor(people(2000));
    await store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state: 'queueing' }));
    let inserted = 0;
    const watching = dyingDeliveries(store, Number.POSITIVE_INFINITY, async () => {
      if (++inserted === 250) await cancel(deps, b.id, ADMIN);
    });
    const end = await queueRecipients({ ...deps, store: watching }, hooks, b.id);
    assert.equal(end?.state, 'cancelled');
    assert.equal((await rows(store, b.id)).length, 500, 'stopped at the end of the batch it was in');
    assert.equal(queue.size, 0);
  });

  it('queueing interrupted half-way resumes without losing or doubling anyone', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps, 1000);
    const hooks = hooksFor(people(1000));
    await store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state: 'queueing' }));
    await assert.rejects(
      queueRecipients({ ...deps, store: dyingDeliveries(store, 437) }, hooks, b.id),
      /died/,
    );
    const half = (await store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.equal(half.state, 'queueing');
    assert.equal((await rows(store, b.id)).length, 437);
    assert.equal(queue.size, 0, 'no job before every row is written');

    const resumed = await queueRecipients(deps, hooks, b.id);
    assert.deepEqual([resumed?.state, resumed?.recipientCount], ['sending', 1000]);
    await feedQueue(deps, resumed!, await deliveryRowsOf(store, b.id), queueWindow(deps));
    const recorded = await rows(store, b.id);
    assert.equal(recorded.length, 1000);
    assert.equal(new Set(recorded.map((d) => d.aadObjectId)).size, 1000);
    const jobs = queue.messages.map((m) => m.body.aadObjectId);
    assert.equal(jobs.length, 1000);
    assert.equal(new Set(jobs).size, 1000, 'one job per recipient');
  });

  it('queues jobs a window at a time as deliveries finish; a crash while feeding doubles a few, loses none', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps, 400);
    const hooks = hooksFor(people(400));
    await confirm(deps, hooks, b.id, { actor: ADMIN });
    const sending = (await queueRecipients(deps, hooks, b.id))!;
    const window = queueWindow(deps, { queueAheadSeconds: 2 });
    assert.equal(window, 90, '2 s at the default 45/s');
    assert.equal(await feedQueue(deps, sending, await deliveryRowsOf(store, b.id), window), 90);
    const current = async () => (await store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.equal((await current()).queuedCount, 90);
    assert.equal(queue.size, 90);
    assert.equal(
      await feedQueue(deps, await current(), await deliveryRowsOf(store, b.id), window),
      0,
      'window full',
    );

    // Senders finish the first 50.
    for (const m of queue.messages.splice(0, 50)) {
      await store.deliveries.update(deliveryKey(b.id, m.body.aadObjectId), (d) => ({ ...d!, state: 'sent' }));
    }
    assert.equal(await feedQueue(deps, await current(), await deliveryRowsOf(store, b.id), window), 50);
    assert.equal((await current()).queuedCount, 140);

    // The instance feeding dies after 20 of the next jobs; the watermark stays, the next feed repeats them.
    for (const m of queue.messages.splice(0, 60)) {
      await store.deliveries.update(deliveryKey(b.id, m.body.aadObjectId), (d) => ({ ...d!, state: 'sent' }));
    }
    await assert.rejects(
      feedQueue(
        { ...deps, deliveryQueue: new DyingQueue(queue, 20) },
        await current(),
        await deliveryRowsOf(store, b.id),
        window,
      ),
      /died/,
    );
    assert.equal((await current()).queuedCount, 140);
    let guard = 0;
    while ((await current()).queuedCount! < 400 && guard++ < 20) {
      for (const m of queue.messages.splice(0)) {
        await store.deliveries.update(deliveryKey(b.id, m.body.aadObjectId), (d) =>
          d!.state === 'queued' ? { ...d!, state: 'sent' } : undefined,
        );
      }
      await feedQueue(deps, await current(), await deliveryRowsOf(store, b.id), window);
    }
    assert.equal((await current()).queuedCount, 400);
    const jobs = queue.enqueued;
    assert.ok(
      jobs >= 400 && jobs <= 420,
      `${jobs} jobs for 400 recipients: at most the 20 of the crash twice`,
    );
  });

  it('reports progress: counts by state and failures by reason', async () => {
    const { deps, store } = setup();
    const b = await draft(deps, 4);
    const hooks = hooksFor(people(4));
    await confirm(deps, hooks, b.id, { actor: ADMIN });
    await queueRecipients(deps, hooks, b.id);
    const now = deps.clock.now();
    const set = (
      i: number,
      f: (
        d: import('../../../src/domain/broadcast').Delivery,
      ) => import('../../../src/domain/broadcast').Delivery,
    ) => store.deliveries.update(deliveryKey(b.id, `user-0000${i}`), (d) => f(d!));
    await set(0, (d) => ({ ...markSending(d, now), state: 'sent' }));
    await set(1, (d) => failedDelivery(d, 'app-install-blocked', 'Graph 403', now));
    await set(2, (d) => markSending(d, now));
    const p = await progress(store, b.id);
    assert.deepEqual(p.counts, { queued: 1, sending: 1, sent: 1, failed: 1, uncertain: 0 });
    assert.deepEqual(p.failures, { 'app-install-blocked': 1 });
    await assert.rejects(progress(store, 'missing'), (err: unknown) => err instanceof BroadcastError);
  });

  it('against Azurite: queueing 300 recipients, interrupted and resumed, gives 300 rows and 300 distinct jobs', async function () {
    this.timeout(60_000);
    const storage = await freshStorage();
    const clock = new FakeClock();
    const queue = storage.queue<DeliveryJob>('deliveries');
    const deps: BroadcastDeps & Pick<Deps, 'config'> = {
      store: storage.store,
      clock,
      logger: silentLogger,
      deliveryQueue: queue,
      config: testConfig(),
    };
    const b = await draft(deps, 300);
    const hooks = hooksFor(people(300));
    await storage.store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state: 'queueing' }));
    await assert.rejects(
      queueRecipients({ ...deps, store: dyingDeliveries(storage.store, 150) }, hooks, b.id),
    );
    const done = await queueRecipients(deps, hooks, b.id);
    assert.equal(done?.state, 'sending');
    assert.equal((await rows(storage.store, b.id)).length, 300);
    await feedQueue(deps, done!, await deliveryRowsOf(storage.store, b.id), queueWindow(deps));
    const jobs: string[] = [];
    for (;;) {
      const got = await queue.receive(32, 120);
      if (got.length === 0) break;
      jobs.push(...got.map((m) => m.body.aadObjectId));
    }
    assert.equal(jobs.length, 300);
    assert.equal(new Set(jobs).size, 300);
  });
});
