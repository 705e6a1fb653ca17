import assert from 'node:assert/strict';
import type { Deps } from '../../../src/deps';
import { type Broadcast, broadcastKey, type DeliveryJob, deliveryKey } from '../../../src/domain/broadcast';
import { failedDelivery, markSending } from '../../../src/domain/broadcast-pacing';
import { participantKey } from '../../../src/domain/participant';
import {
  type BroadcastDeps,
  BroadcastError,
  type BroadcastHooks,
  cancel,
  confirm,
  createDraft,
  progress,
  queueRecipients,
  type Recipient,
} from '../../../src/features/broadcast/broadcast-service';
import { listDeliveries } from '../../../src/features/broadcast/delivery-rows';
import type { Store } from '../../../src/ports/store';
import { DependencyUnavailableError } from '../../../src/shared/unavailable';
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

/** A broadcast to `count` people, confirmed and about to be queued (`queueing`). */
async function queueingSetup(count: number) {
  const ctx = setup();
  const b = await draft(ctx.deps, count);
  await ctx.store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state: 'queueing' }));
  return { ...ctx, b, hooks: hooksFor(people(count)) };
}

/** The store with its delivery table replaced (a fault or a counter in front of it). */
function withDeliveries(store: Store, deliveries: Store['deliveries']): Store {
  return Object.assign(Object.create(store) as Store, { deliveries });
}

async function rows(store: Store, id: string) {
  const out = [];
  const b = (await store.broadcasts.get(broadcastKey(id)))!.value;
  for await (const r of listDeliveries(store, b)) out.push(r.value);
  return out;
}

/**
 * The store, with delivery transactions that break after `okCount` of them (an instance dying
 * mid-queueing); `onTransaction` runs after each that landed.
 */
function dyingDeliveries(store: Store, okCount: number, onTransaction?: () => Promise<void>): Store {
  const deliveries = Object.create(store.deliveries) as Store['deliveries'];
  let transactions = 0;
  deliveries.transact = async (partitionKey, actions) => {
    if (okCount-- <= 0) throw new Error('instance died');
    transactions++;
    const etags = await store.deliveries.transact(partitionKey, actions);
    await onTransaction?.();
    return etags;
  };
  deliveries.insert = async (key, value) => {
    if (okCount <= 0) throw new Error('instance died');
    return store.deliveries.insert(key, value);
  };
  return Object.assign(Object.create(store) as Store, { deliveries, transactions: () => transactions });
}

/** Every recipient id in the queue's jobs, in order (an id twice when two jobs carry it). */
function jobIds(queue: InMemoryWorkQueue<DeliveryJob>): string[] {
  return queue.messages.flatMap((m) => m.body.recipients.map((r) => r.id));
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

  it('confirm records one delivery row per person and one job carries them, with what sending needs', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps);
    const chat = {
      serviceUrl: 'https://smba.example/',
      channelId: 'msteams',
      conversationId: 'a:chat-0',
      botId: 'bot',
      userId: '29:0',
    };
    await store.participants.insert(participantKey('user-00000'), {
      aadObjectId: 'user-00000',
      conversation: chat,
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      firstSeenAt: '2026-01-01T00:00:00Z',
      lastSeenAt: '2026-01-01T00:00:00Z',
      version: 1,
    });
    await store.participants.insert(participantKey('user-00003'), {
      aadObjectId: 'user-00003',
      erasedAt: '2026-01-02T00:00:00Z',
      firstSeenAt: '2026-01-02T00:00:00Z',
      lastSeenAt: '2026-01-02T00:00:00Z',
      version: 2,
    });
    const hooks = hooksFor([...people(4), { aadObjectId: 'USER-00001', displayName: 'same person' }]);
    const confirmed = await confirm(deps, hooks, b.id, { actor: ADMIN });
    assert.equal(confirmed.state, 'queueing');
    const sending = await queueRecipients(deps, hooks, b.id);
    assert.equal(sending?.state, 'sending');
    assert.equal(sending?.recipientCount, 3, 'the erased person gets no row');
    assert.equal(sending?.queuedCount, 3);
    assert.equal(hooks.resolved, 1, 'the second call joined the run confirm started');
    const recorded = await rows(store, b.id);
    assert.deepEqual(recorded.map((d) => [d.aadObjectId, d.state, d.attempts]).sort(), [
      ['user-00000', 'queued', 0],
      ['user-00001', 'queued', 0],
      ['user-00002', 'queued', 0],
    ]);
    assert.equal(queue.size, 1);
    assert.deepEqual(queue.messages[0]!.body, {
      broadcastId: b.id,
      recipients: [
        { id: 'user-00000', chat, locale: 'sv-SE', timeZone: 'Europe/Stockholm' },
        { id: 'user-00001' },
        { id: 'user-00002' },
      ],
    });
    const audit = store.audit.values();
    assert.deepEqual(
      audit.map((a) => [a.action, a.actorAadObjectId, a.target]),
      [['broadcast.confirm', 'admin-1', `broadcast:${b.id}`]],
    );
    // Nobody is queued twice, however often queueing is asked for.
    await queueRecipients(deps, hooks, b.id);
    assert.equal(queue.size, 1);
  });

  it('writes rows a transaction per 100 and jobs of at most 100 recipients, in row-key order', async () => {
    const { deps, store, queue } = setup();
    const b = await draft(deps, 250);
    const hooks = hooksFor(people(250));
    const counted = dyingDeliveries(store, Number.POSITIVE_INFINITY) as Store & { transactions(): number };
    await confirm({ ...deps, store: counted }, hooks, b.id, { actor: ADMIN });
    await queueRecipients({ ...deps, store: counted }, hooks, b.id);
    assert.equal(counted.transactions(), 3);
    assert.equal((await rows(store, b.id)).length, 250);
    const sizes = queue.messages.map((m) => m.body.recipients.length).sort((x, y) => y - x);
    assert.deepEqual(sizes, [100, 100, 50]);
    for (const m of queue.messages) {
      const ids = m.body.recipients.map((r) => r.id);
      assert.deepEqual(ids, [...ids].sort(), 'neighbours in row-key order: one range read');
    }
    assert.equal(new Set(jobIds(queue)).size, 250);
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

  it('queueing cancelled half-way records nobody else; the jobs queued find the broadcast cancelled', async () => {
    const { deps, store, queue, b, hooks } = await queueingSetup(2000);
    let landed = 0;
    const watching = dyingDeliveries(store, Number.POSITIVE_INFINITY, async () => {
      if (++landed === 3) await cancel(deps, b.id, ADMIN);
    });
    const end = await queueRecipients({ ...deps, store: watching }, hooks, b.id);
    assert.equal(end?.state, 'cancelled');
    assert.equal((await rows(store, b.id)).length, 1000, 'stopped at the end of the batch it was in');
    assert.equal(new Set(jobIds(queue)).size, 1000, 'jobs only for the rows written');
  });

  it('queueing interrupted half-way resumes without losing or doubling anyone', async () => {
    const { deps, store, queue, b, hooks } = await queueingSetup(1000);
    await assert.rejects(queueRecipients({ ...deps, store: dyingDeliveries(store, 4) }, hooks, b.id), /died/);
    const half = (await store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.equal(half.state, 'queueing');
    const before = (await rows(store, b.id)).length;
    assert.equal(before, 400, 'whole transactions only');
    const written = new Set((await rows(store, b.id)).map((d) => d.aadObjectId));
    assert.ok(
      jobIds(queue).filter((id) => !written.has(id)).length > 0,
      'jobs go first: some wait for rows that were never written',
    );

    const resumed = await queueRecipients(deps, hooks, b.id);
    assert.deepEqual([resumed?.state, resumed?.recipientCount], ['sending', 1000]);
    const recorded = await rows(store, b.id);
    assert.equal(recorded.length, 1000);
    assert.equal(new Set(recorded.map((d) => d.aadObjectId)).size, 1000);
    const jobs = jobIds(queue);
    assert.equal(new Set(jobs).size, 1000, 'everyone has a job');
    const twice = jobs.length - 1000;
    assert.ok(twice <= 400, `${twice} recipients in two jobs: at most those of the transactions in flight`);
    for (const id of written)
      assert.equal(jobs.filter((j) => j === id).length, 1, 'a written row is not queued again');
  });

  it('a resumed queueing starts after the last whole window (its cursor) and lists only the rows past it', async () => {
    const { deps, store, queue, b, hooks } = await queueingSetup(2500);
    // The first window (1,000 rows, 10 transactions) lands whole; the second dies after 3 more.
    await assert.rejects(
      queueRecipients({ ...deps, store: dyingDeliveries(store, 13) }, hooks, b.id),
      /died/,
    );
    const half = (await store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.deepEqual(
      [half.state, half.queuedThrough, half.queuedCount],
      ['queueing', people(1000).at(-1)!.aadObjectId, 1000],
    );
    const listed: { from?: string; rows: number }[] = [];
    const counting = Object.create(store.deliveries) as Store['deliveries'];
    counting.listPartitions = async function* (partitions, range) {
      const seen = { ...(range?.from ? { from: range.from } : {}), rows: 0 };
      listed.push(seen);
      for await (const row of store.deliveries.listPartitions(partitions, range)) {
        seen.rows++;
        yield row;
      }
    };
    const resumed = await queueRecipients({ ...deps, store: withDeliveries(store, counting) }, hooks, b.id);
    assert.deepEqual(
      [resumed?.state, resumed?.recipientCount, resumed?.queuedThrough],
      ['sending', 2500, undefined],
    );
    assert.deepEqual(listed, [{ from: half.queuedThrough, rows: 301 }], 'the cursor row and the 300 past it');
    const recorded = await rows(store, b.id);
    assert.equal(new Set(recorded.map((d) => d.aadObjectId)).size, 2500);
    const jobs = jobIds(queue);
    assert.equal(new Set(jobs).size, 2500, 'everyone has a job');
    for (const id of people(1000).map((r) => r.aadObjectId))
      assert.equal(jobs.filter((j) => j === id).length, 1, 'nobody through the cursor is queued again');
  });

  it('storage that stops answering for a moment mid-window: the window is tried again and the queueing goes on', async () => {
    const { deps, store, queue, b, hooks } = await queueingSetup(2500);
    const flaky = Object.create(store.deliveries) as Store['deliveries'];
    let transactions = 0;
    flaky.transact = async (partitionKey, actions) => {
      transactions++;
      // The 13th and 14th transactions (second window) find storage silent; the 12th landed.
      if (transactions === 13 || transactions === 14)
        throw new DependencyUnavailableError(
          'storage',
          'storage is unreachable (transact: no answer within 3000 ms)',
        );
      return store.deliveries.transact(partitionKey, actions);
    };
    const done = await queueRecipients({ ...deps, store: withDeliveries(store, flaky) }, hooks, b.id, {
      attempts: 3,
      waitMs: 1,
    });
    assert.deepEqual([done?.state, done?.recipientCount], ['sending', 2500]);
    const recorded = await rows(store, b.id);
    assert.equal(new Set(recorded.map((d) => d.aadObjectId)).size, 2500);
    const jobs = jobIds(queue);
    assert.equal(new Set(jobs).size, 2500, 'everyone has a job');
    assert.ok(
      jobs.length - 2500 <= 800,
      `${jobs.length - 2500} second jobs: only the retried window's unwritten rows`,
    );
    assert.equal(transactions, 27, 'only the two that failed are tried again: no rows written twice');
  });

  it('storage silent past the window tries: the queueing stops (the broadcast job resumes it from the cursor)', async () => {
    const { deps, store, b, hooks } = await queueingSetup(1500);
    const silent = Object.create(store.deliveries) as Store['deliveries'];
    let transactions = 0;
    silent.transact = async (partitionKey, actions) => {
      if (++transactions > 10)
        throw new DependencyUnavailableError('storage', 'storage is unreachable (transact)');
      return store.deliveries.transact(partitionKey, actions);
    };
    await assert.rejects(
      queueRecipients({ ...deps, store: withDeliveries(store, silent) }, hooks, b.id, {
        attempts: 2,
        waitMs: 1,
      }),
      (err: unknown) => err instanceof DependencyUnavailableError,
    );
    const half = (await store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.deepEqual([half.state, half.queuedCount], ['queueing', 1000]);
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
    ) => store.deliveries.update(deliveryKey(b, `user-0000${i}`), (d) => f(d!));
    await set(0, (d) => ({ ...markSending(d, now), state: 'sent' }));
    await set(1, (d) => failedDelivery(d, 'app-install-blocked', 'Graph 403', now));
    await set(2, (d) => markSending(d, now));
    const p = await progress(store, b.id);
    assert.deepEqual(p.counts, { queued: 1, sending: 1, sent: 1, failed: 1, uncertain: 0 });
    assert.deepEqual(p.failures, { 'app-install-blocked': 1 });
    await assert.rejects(progress(store, 'missing'), (err: unknown) => err instanceof BroadcastError);
  });

  it('against Azurite: queueing 300 recipients, interrupted and resumed, gives 300 rows and a job for everyone', async function () {
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
    await assert.rejects(queueRecipients({ ...deps, store: dyingDeliveries(storage.store, 1) }, hooks, b.id));
    const done = await queueRecipients(deps, hooks, b.id);
    assert.equal(done?.state, 'sending');
    assert.equal((await rows(storage.store, b.id)).length, 300);
    const jobs: string[] = [];
    for (;;) {
      const got = await queue.receive(32, 120);
      if (got.length === 0) break;
      jobs.push(...got.flatMap((m) => m.body.recipients.map((r) => r.id)));
    }
    assert.equal(new Set(jobs).size, 300, 'everyone has a job');
    assert.ok(jobs.length <= 500, `${jobs.length} places in jobs for 300: at most the dead run's twice`);
  });
});
