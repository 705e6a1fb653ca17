import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  broadcastKey,
  type Delivery,
  type DeliveryJob,
  type DeliveryLayout,
  deliveryKey,
  deliveryKeyCharsFor,
  deliveryPartitionOf,
} from '../../../src/domain/broadcast';
import { queuedDelivery } from '../../../src/domain/broadcast-pacing';
import {
  type BroadcastDeps,
  confirm,
  createDraft,
  queueRecipients,
  type Recipient,
  tally,
} from '../../../src/features/broadcast/broadcast-service';
import { DeliveryRows, listDeliveries } from '../../../src/features/broadcast/delivery-rows';
import { personRows, removeDependents } from '../../../src/features/privacy/person-data';
import type { Store, TransactionAction } from '../../../src/ports/store';
import { testConfig } from '../../helpers/config';
import { InMemoryWorkQueue } from '../../helpers/fake-rate-gate';
import { FakeClock, InMemoryStore, silentLogger } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const ADMIN = { aadObjectId: 'admin-1', name: 'Ada Admin' };

/** Object-id-like recipients: hexadecimal, spread evenly over every first character. */
function people(n: number): Recipient[] {
  return Array.from({ length: n }, (_, i) => ({
    aadObjectId: createHash('sha256').update(String(i)).digest('hex').slice(0, 32),
  }));
}

function setup(recipients: Recipient[]) {
  const store = new InMemoryStore();
  const clock = new FakeClock();
  const queue = new InMemoryWorkQueue<DeliveryJob>(clock);
  const deps: BroadcastDeps = { store, clock, logger: silentLogger, deliveryQueue: queue };
  const hooks = {
    recipients: async () => recipients,
    compose: async () => ({ card: { type: 'AdaptiveCard' }, summary: 's' }),
  };
  return { store, clock, queue, deps, hooks };
}

async function allRows(store: Pick<Store, 'deliveries'>, b: DeliveryLayout) {
  const rows: { partitionKey: string; rowKey: string; value: Delivery }[] = [];
  for await (const r of listDeliveries(store, b)) rows.push({ ...r.key, value: r.value });
  return rows;
}

const sorted = (keys: string[]) => [...keys].sort();

describe('features: broadcast delivery partitions', () => {
  it('a broadcast of up to 3,199 people keeps its rows together; larger ones split by 1 to 4 leading characters', () => {
    assert.deepEqual(
      [1, 3_199, 3_200, 10_000, 51_199, 51_200, 100_000, 1_000_000, 1e9].map(deliveryKeyCharsFor),
      [0, 0, 1, 1, 1, 2, 2, 3, 4],
    );
  });

  it('a partition is a range of row keys: partitions sort as their row keys do', () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), minLength: 0, maxLength: 12 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), hex, hex, (chars, a, b) => {
        const layout = { id: '2026-12-03-0a1b2c3d', deliveryKeyChars: chars };
        const pa = deliveryPartitionOf(layout, a);
        const pb = deliveryPartitionOf(layout, b);
        // Never out of order, and one partition's rows never interleave another's.
        if (a < b) assert.ok(pa <= pb, `${a} < ${b} but ${pa} > ${pb}`);
        assert.ok(pa.startsWith(`b-${layout.id}-`));
      }),
    );
  });

  it('queueing 3,600 people: 16 partitions, every transaction and every job inside one, rows listed in row-key order', async () => {
    const recipients = people(3_600);
    const s = setup(recipients);
    const b = await createDraft(s.deps, { kind: 'announcement', waveId: 'w1', createdBy: ADMIN }, 3_600);
    assert.equal(b.deliveryKeyChars, 1);
    const transactions: { partitionKey: string; rowKeys: string[] }[] = [];
    const deliveries = Object.create(s.store.deliveries) as Store['deliveries'];
    deliveries.transact = (partitionKey: string, actions: readonly TransactionAction<Delivery>[]) => {
      transactions.push({ partitionKey, rowKeys: actions.map((a) => a.rowKey) });
      return s.store.deliveries.transact(partitionKey, actions);
    };
    const store = Object.assign(Object.create(s.store) as Store, { deliveries });
    await confirm({ ...s.deps, store }, s.hooks, b.id, { actor: ADMIN });
    const sending = await queueRecipients({ ...s.deps, store }, s.hooks, b.id);
    assert.equal(sending?.state, 'sending');

    for (const t of transactions)
      assert.ok(
        t.rowKeys.every((k) => deliveryPartitionOf(b, k) === t.partitionKey),
        `a transaction of ${t.partitionKey} holds a row of another partition`,
      );
    assert.ok(transactions.every((t) => t.rowKeys.length <= 100));
    const jobs = s.queue.messages.map((m) => m.body);
    for (const job of jobs)
      assert.equal(
        new Set(job.recipients.map((r) => deliveryPartitionOf(b, r.id))).size,
        1,
        'a job spans partitions',
      );
    assert.equal(jobs.flatMap((j) => j.recipients).length, 3_600);

    const rows = await allRows(s.store, b);
    assert.equal(new Set(rows.map((r) => r.partitionKey)).size, 16);
    assert.deepEqual(
      rows.map((r) => r.rowKey),
      sorted(recipients.map((r) => r.aadObjectId)),
      'every row once, in row-key order',
    );
    const counted = await tally(s.store, b);
    assert.equal(counted.counts.queued, 3_600);
  });

  it('a broadcast written before the split (no deliveryKeyChars) queues, lists and counts from its one partition', async () => {
    const recipients = people(40);
    const s = setup(recipients);
    const created = await createDraft(s.deps, { kind: 'announcement', waveId: 'w1', createdBy: ADMIN }, 40);
    await s.store.broadcasts.update(broadcastKey(created.id), (cur) => {
      const { deliveryKeyChars: _, ...older } = cur!;
      return older;
    });
    const b = (await s.store.broadcasts.get(broadcastKey(created.id)))!.value;
    await confirm(s.deps, s.hooks, b.id, { actor: ADMIN });
    await queueRecipients(s.deps, s.hooks, b.id);
    const rows = await allRows(s.store, b);
    assert.equal(rows.length, 40);
    assert.ok(rows.every((r) => r.partitionKey === `b-${b.id}`));
    assert.equal((await tally(s.store, b)).counts.queued, 40);
  });

  it('erasing a person finds and deletes their delivery in a split broadcast and in an older one', async () => {
    const [person] = people(1);
    const s = setup([]);
    const split = await createDraft(s.deps, { kind: 'announcement', waveId: 'w1', createdBy: ADMIN }, 60_000);
    const older = await createDraft(s.deps, { kind: 'stragglers', waveId: 'w1', createdBy: ADMIN }, 2);
    await s.store.broadcasts.update(broadcastKey(older.id), (cur) => {
      const { deliveryKeyChars: _, ...rest } = cur!;
      return rest;
    });
    const olderLayout = { id: older.id };
    const now = s.clock.now();
    for (const b of [split, olderLayout] as const)
      await s.store.deliveries.insert(
        deliveryKey(b, person!.aadObjectId),
        queuedDelivery(b.id, person!, now),
      );
    const deps = { store: s.store, clock: s.clock, logger: silentLogger, config: testConfig() };
    const rows = await personRows(deps, person!.aadObjectId);
    assert.deepEqual(sorted(rows.deliveries.map((d) => d.broadcastId)), sorted([split.id, older.id]));
    assert.equal(deliveryKey(split, person!.aadObjectId).partitionKey.length, `b-${split.id}-`.length + 2);
    await removeDependents(deps, rows, { erase: true });
    for (const b of [split, olderLayout])
      assert.equal(await s.store.deliveries.get(deliveryKey(b, person!.aadObjectId)), undefined);
  });

  describe('against Azurite', () => {
    it('lists a range of partitions, and within it a range of row keys, in row-key order', async () => {
      const storage = await freshStorage();
      const b = { id: '2026-12-03-feedf00d', deliveryKeyChars: 1 };
      const other = { id: '2026-12-03-feedf00e', deliveryKeyChars: 1 };
      const ids = people(64).map((r) => r.aadObjectId);
      const now = new Date();
      for (const layout of [b, other])
        for (const id of ids)
          await storage.store.deliveries.insert(
            deliveryKey(layout, id),
            queuedDelivery(layout.id, { aadObjectId: id }, now),
          );
      const all = await allRows(storage.store, b);
      assert.deepEqual(
        all.map((r) => r.rowKey),
        sorted(ids),
      );
      assert.ok(
        all.every((r) => r.value.broadcastId === b.id),
        'nothing of the next broadcast',
      );
      const keys = sorted(ids);
      const from = keys[10]!;
      const to = keys[40]!;
      const part: string[] = [];
      for await (const r of listDeliveries(storage.store, b, { from, to })) part.push(r.key.rowKey);
      assert.deepEqual(part, keys.slice(10, 40));
    });

    it('writes of one chunk in two partitions land, each partition in a transaction of its own', async () => {
      const storage = await freshStorage();
      const b = { id: '2026-12-03-0badcafe', deliveryKeyChars: 1 };
      const ids = ['0aaa', '0bbb', 'f111', 'f222', 'f333'];
      const now = new Date();
      for (const id of ids)
        await storage.store.deliveries.insert(
          deliveryKey(b, id),
          queuedDelivery(b.id, { aadObjectId: id }, now),
        );
      const rows = new DeliveryRows(storage.store, silentLogger);
      const found = await rows.read(b, ids);
      assert.equal(found.size, 5);
      const landed = await rows.commit(
        b,
        ids.map((id) => {
          const cur = found.get(id)!;
          return {
            id,
            etag: cur.etag,
            value: { ...cur.value, state: 'sent' as const },
            redo: (c: Delivery) => ({ ...c, state: 'sent' as const }),
          };
        }),
      );
      assert.deepEqual(sorted([...landed.keys()]), ids);
      const after = await rows.read(b, ids);
      assert.ok([...after.values()].every((r) => r.value.state === 'sent'));
      assert.deepEqual(sorted([...new Set(ids.map((id) => deliveryKey(b, id).partitionKey))]), [
        `b-${b.id}-0`,
        `b-${b.id}-f`,
      ]);
    });
  });
});
