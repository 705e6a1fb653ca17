import assert from 'node:assert/strict';
import { type Broadcast, broadcastKey, type DeliveryJob, deliveryKey } from '../../../src/domain/broadcast';
import { failedDelivery, markSending } from '../../../src/domain/broadcast-pacing';
import {
  BroadcastJob,
  type BroadcastJobDeps,
  channelPostKey,
} from '../../../src/features/broadcast/broadcast-job';
import {
  type BroadcastHooks,
  cancel,
  confirm,
  createDraft,
  queueRecipients,
  type Recipient,
} from '../../../src/features/broadcast/broadcast-service';
import { listDeliveries } from '../../../src/features/broadcast/delivery-rows';
import { withCounters } from '../../../src/features/counters/counting-store';
import { ConnectorError, type OutgoingCard } from '../../../src/ports/messenger';
import { textOf } from '../../helpers/activities';
import { testConfig } from '../../helpers/config';
import { FakeRateGate, InMemoryWorkQueue } from '../../helpers/fake-rate-gate';
import { FakeClock, InMemoryStore, RecordingMessenger, silentLogger } from '../../helpers/fakes';

const ADMIN = { aadObjectId: 'admin-1', name: 'Ada' };
const CHANNEL = '19:announcements@thread.tacv2';
const ADMIN_CHAT = {
  serviceUrl: 'https://smba.example/teams/',
  channelId: 'msteams',
  conversationId: 'a:admin-chat',
  conversationType: 'personal',
  botId: 'bot',
  userId: '29:admin',
};

class FlakyMessenger extends RecordingMessenger {
  failures: unknown[] = [];
  override async send(...args: Parameters<RecordingMessenger['send']>) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.send(...args);
  }
}

function people(n: number): Recipient[] {
  return Array.from({ length: n }, (_, i) => ({ aadObjectId: `user-${String(i).padStart(4, '0')}` }));
}

function setup(recipients = people(3)) {
  const store = new InMemoryStore();
  const clock = new FakeClock();
  const queue = new InMemoryWorkQueue<DeliveryJob>(clock);
  const messenger = new FlakyMessenger();
  const gate = new FakeRateGate();
  const hooks: BroadcastHooks = {
    recipients: async () => recipients,
    compose: async (): Promise<OutgoingCard> => ({ card: { type: 'AdaptiveCard' }, summary: 'x' }),
    composeChannelPost: async (b) => ({
      card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: b.waveId }] },
      summary: 'News',
    }),
  };
  const deps: BroadcastJobDeps = {
    store,
    clock,
    logger: silentLogger,
    messenger,
    deliveryQueue: queue,
    config: testConfig({
      BOT_APP_ID: 'bot',
      DEFAULT_LOCALE: 'sv-SE',
      DEFAULT_TIME_ZONE: 'Europe/Stockholm',
      BROADCAST_RATE_PER_SECOND: '45',
      BROADCAST_MAX_ATTEMPTS: '3',
      BOT_SERVICE_URL: 'https://smba.example/teams/',
    }),
  };
  const job = new BroadcastJob(deps, hooks, gate, { progressIntervalMs: 5_000, stallMs: 30_000 });
  return { store, clock, queue, messenger, gate, hooks, deps, job };
}

type Setup = ReturnType<typeof setup>;

async function started(s: Setup, options: { channel?: boolean } = {}): Promise<Broadcast> {
  const b = await createDraft(
    s.deps,
    {
      kind: 'announcement',
      waveId: 'wave-1',
      createdBy: ADMIN,
      ...(options.channel ? { alsoPostToChannelId: CHANNEL } : {}),
    },
    3,
  );
  await s.store.broadcasts.update(broadcastKey(b.id), (cur) => ({
    ...cur!,
    progressCard: { conversation: ADMIN_CHAT, activityId: 'progress-card-1' },
  }));
  await confirm(s.deps, s.hooks, b.id, { actor: ADMIN });
  return (await queueRecipients(s.deps, s.hooks, b.id))!;
}

async function finishAll(s: Setup, b: Broadcast) {
  for await (const row of listDeliveries(s.store, b)) {
    await s.store.deliveries.update(row.key, (d) =>
      d!.aadObjectId.endsWith('0')
        ? failedDelivery(d!, 'app-install-blocked', 'Graph 403', s.clock.now())
        : { ...d!, state: 'sent', activityId: 'a' },
    );
  }
}

describe('features: broadcast job (leased)', () => {
  it('starts a scheduled broadcast when its time comes, not before', async () => {
    const s = setup();
    const b = await createDraft(s.deps, { kind: 'stragglers', waveId: 'wave-1', createdBy: ADMIN }, 3);
    const at = new Date(s.clock.now().getTime() + 3_600_000);
    await confirm(s.deps, s.hooks, b.id, { scheduledAt: at, actor: ADMIN });
    assert.equal((await s.job.runOnce()).started, 0);
    assert.equal(s.queue.size, 0);
    s.clock.advance(3_600_000);
    assert.equal((await s.job.runOnce()).started, 1);
    const sending = await queueRecipients(s.deps, s.hooks, b.id);
    assert.equal(sending?.state, 'sending');
    assert.equal(s.queue.size, 1, 'one job for the three');
    assert.equal((await s.job.runOnce()).started, 0, 'started once');
  });

  it('resumes queueing that stalled (an instance died half-way) after the stall time', async () => {
    const s = setup(people(500));
    const b = await createDraft(s.deps, { kind: 'announcement', waveId: 'wave-1', createdBy: ADMIN }, 500);
    await s.store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state: 'queueing' }));
    for (const r of people(200)) {
      await s.store.deliveries.insert(deliveryKey(b, r.aadObjectId), {
        broadcastId: b.id,
        aadObjectId: r.aadObjectId,
        state: 'queued',
        attempts: 0,
        queuedAt: '',
        updatedAt: '',
      });
    }
    assert.equal((await s.job.runOnce()).resumed, 0, 'first sight: it may still be running elsewhere');
    s.clock.advance(20_000);
    assert.equal((await s.job.runOnce()).resumed, 0);
    s.clock.advance(11_000);
    assert.equal((await s.job.runOnce()).resumed, 1);
    const done = await queueRecipients(s.deps, s.hooks, b.id);
    assert.equal(done?.state, 'sending');
    assert.equal(s.store.deliveries.rows.size, 500);
    const jobs = s.queue.messages.flatMap((m) => m.body.recipients.map((r) => r.id));
    assert.deepEqual(
      jobs.sort(),
      people(500)
        .slice(200)
        .map((r) => r.aadObjectId),
      'the missing 300, in 3 jobs',
    );
    assert.equal(s.queue.size, 3);
  });

  it('after a cancel, fails every delivery still queued (cancelled) at once; one claimed by a sender is left to it', async () => {
    const s = setup(people(300));
    const b = await createDraft(s.deps, { kind: 'announcement', waveId: 'wave-1', createdBy: ADMIN }, 300);
    await confirm(s.deps, s.hooks, b.id, { actor: ADMIN });
    await queueRecipients(s.deps, s.hooks, b.id);
    // A sender has claimed the first chunk and sends it.
    for (const r of people(20))
      await s.store.deliveries.update(deliveryKey(b, r.aadObjectId), (d) => markSending(d!, s.clock.now()));
    await cancel(s.deps, b.id, ADMIN);
    assert.equal((await s.job.runOnce()).swept, 280);
    const states = new Map<string, number>();
    for (const d of s.store.deliveries.values()) {
      const k = `${d.state}${d.reason ? `:${d.reason}` : ''}`;
      states.set(k, (states.get(k) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(states), { sending: 20, 'failed:cancelled': 280 });
    assert.equal((await s.job.runOnce()).swept, 0);
  });

  it('counts a large sending broadcast less often: all its rows are read each time', async () => {
    const s = setup(people(40_000 / 1_000));
    const b = await createDraft(s.deps, { kind: 'announcement', waveId: 'wave-1', createdBy: ADMIN }, 40);
    await confirm(s.deps, s.hooks, b.id, { actor: ADMIN });
    await queueRecipients(s.deps, s.hooks, b.id);
    await s.store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, recipientCount: 40_000 }));
    let listings = 0;
    const list = s.store.deliveries.listPartitions.bind(s.store.deliveries);
    s.store.deliveries.listPartitions = (partitions, range) => {
      listings++;
      return list(partitions, range);
    };
    for (let i = 0; i < 6; i++) {
      await s.job.runOnce();
      s.clock.advance(5_000);
    }
    assert.equal(listings, 3, '40,000 recipients: counted every 10 s, not every 5 s');
  });

  async function countedSetup() {
    const s = setup(people(40));
    const store = withCounters(s.store, { logger: silentLogger, flushMs: 0 });
    const deps = { ...s.deps, store };
    const job = new BroadcastJob(deps, s.hooks, s.gate, { progressIntervalMs: 0 });
    const b = await createDraft(deps, { kind: 'announcement', waveId: 'wave-1', createdBy: ADMIN }, 40);
    await store.broadcasts.update(broadcastKey(b.id), (cur) => ({
      ...cur!,
      progressCard: { conversation: ADMIN_CHAT, activityId: 'progress-card-1' },
    }));
    await confirm(deps, s.hooks, b.id, { actor: ADMIN });
    await queueRecipients(deps, s.hooks, b.id);
    await store.counterWriter.flush();
    // The first look recounts the rows into the counters' base.
    await job.runOnce();
    const seen = { listings: 0 };
    const list = s.store.deliveries.listPartitions.bind(s.store.deliveries);
    s.store.deliveries.listPartitions = (partitions, range) => {
      seen.listings++;
      return list(partitions, range);
    };
    const ids = people(40).map((p) => p.aadObjectId);
    const send = async (some: string[]) => {
      for (const id of some)
        await store.deliveries.update(deliveryKey(b, id), (d) => ({ ...d!, state: 'sent' }));
      await store.counterWriter.flush();
    };
    const card = () => textOf(s.messenger.updated.at(-1)!.message.card);
    return { ...s, inner: s.store, store, job, b, seen, ids, send, card };
  }

  it('reads a sending broadcast’s progress from its counters while they move, and counts its rows once they say all is final', async () => {
    const c = await countedSetup();
    await c.send(c.ids.slice(0, 10));
    await c.job.runOnce();
    assert.equal(c.seen.listings, 0, 'counters that move: no listing');
    assert.match(c.card(), /10 av 40/, 'the card shows the counters');
    await c.send(c.ids.slice(10));
    const report = await c.job.runOnce();
    assert.equal(c.seen.listings, 1, 'all final by the counters: the rows are counted');
    assert.equal(report.finished, 1);
  });

  it('counters that missed a write stand still: the rows are counted, and only a count of the rows ends the broadcast', async () => {
    const c = await countedSetup();
    await c.send(c.ids.slice(0, 10));
    await c.job.runOnce();
    // A write the counters never saw (an instance died before its flush).
    await c.inner.deliveries.update(deliveryKey(c.b, c.ids[10]!), (d) => ({ ...d!, state: 'sent' }));
    await c.job.runOnce();
    assert.equal(c.seen.listings, 1);
    assert.match(c.card(), /11 av 40/, 'the card shows what the rows say');
    await c.send(c.ids.slice(11));
    let report = await c.job.runOnce();
    assert.equal(report.finished, 0, 'the counters, one short, moved: no listing yet');
    assert.equal(c.seen.listings, 1);
    report = await c.job.runOnce();
    assert.equal(c.seen.listings, 2, 'they stand still: the rows are counted');
    assert.equal(report.finished, 1);
  });

  it('keeps the admin’s progress card current in place, at most every 5 s and only when it changed', async () => {
    const s = setup();
    const b = await started(s);
    let report = await s.job.runOnce();
    assert.equal(report.cardsUpdated, 1);
    const first = s.messenger.updated[0]!;
    assert.deepEqual([first.to.conversationId, first.activityId], ['a:admin-chat', 'progress-card-1']);
    assert.match(textOf(first.message.card), /Skickar: 0 av 3 klara/, 'in the campaign’s language');
    assert.equal(s.gate.taken, 1, 'card updates count against the shared rate');

    await s.store.deliveries.update(deliveryKey(b, 'user-0001'), (d) => ({ ...d!, state: 'sent' }));
    report = await s.job.runOnce();
    assert.equal(report.cardsUpdated, 0, 'changed, but too soon');
    s.clock.advance(5_000);
    report = await s.job.runOnce();
    assert.equal(report.cardsUpdated, 1);
    assert.match(textOf(s.messenger.updated[1]!.message.card), /Skickar: 1 av 3 klara/);
    s.clock.advance(5_000);
    assert.equal((await s.job.runOnce()).cardsUpdated, 0, 'nothing changed');
  });

  it('marks the broadcast done when every delivery is final, with a last card update', async () => {
    const s = setup();
    const b = await started(s);
    await s.job.runOnce();
    await finishAll(s, b);
    const report = await s.job.runOnce();
    assert.equal(report.finished, 1);
    const done = (await s.store.broadcasts.get(broadcastKey(b.id)))!.value;
    assert.equal(done.state, 'done');
    assert.equal(done.finishedAt, s.clock.now().toISOString());
    const last = s.messenger.updated.at(-1)!;
    const text = textOf(last.message.card);
    assert.match(text, /Klart .*: 2 levererade/);
    assert.match(text, /Appen blockerad av användaren eller en Teams-princip: 1/);
    assert.doesNotMatch(
      JSON.stringify(last.message.card),
      /Action\.Execute/,
      'no buttons on a finished broadcast',
    );
    assert.equal((await s.job.runOnce()).finished, 0);
  });

  it('is not done while a delivery is still queued or sending', async () => {
    const s = setup();
    const b = await started(s);
    await finishAll(s, b);
    await s.store.deliveries.update(deliveryKey(b, 'user-0002'), (d) => ({ ...d!, state: 'sending' }));
    assert.equal((await s.job.runOnce()).finished, 0);
    assert.equal((await s.store.broadcasts.get(broadcastKey(b.id)))!.value.state, 'sending');
  });

  it('posts in the announcements channel once, even across leaders and runs', async () => {
    const s = setup();
    const b = await started(s, { channel: true });
    await s.job.runOnce();
    await s.job.runOnce();
    const other = new BroadcastJob(s.deps, s.hooks, s.gate);
    await other.runOnce();
    const posts = s.messenger.sent.filter((x) => x.to.conversationId === CHANNEL);
    assert.equal(posts.length, 1);
    assert.deepEqual(
      [posts[0]!.to.conversationType, posts[0]!.to.serviceUrl],
      ['channel', ADMIN_CHAT.serviceUrl],
    );
    const marker = (await s.store.jobState.get(channelPostKey(b.id)))!.value;
    assert.deepEqual([marker.state, marker.activityId], ['sent', 'activity-1']);
  });

  it('retries a channel post the connector refused for now, gives up on a permanent refusal', async () => {
    const s = setup();
    const b = await started(s, { channel: true });
    s.messenger.failures.push(new ConnectorError('busy', 503), new ConnectorError('nope', 403, 'Forbidden'));
    await s.job.runOnce();
    assert.equal((await s.store.jobState.get(channelPostKey(b.id)))!.value.state, 'retry');
    await s.job.runOnce();
    assert.equal((await s.store.jobState.get(channelPostKey(b.id)))!.value.state, 'failed');
    await s.job.runOnce();
    assert.equal(s.messenger.sent.length, 0);
  });

  it('follows a cancelled broadcast on its card; a 429 on a card update pauses everyone', async () => {
    const s = setup();
    const b = await started(s);
    await s.store.broadcasts.update(broadcastKey(b.id), (cur) => ({
      ...cur!,
      state: 'cancelled',
      cancelledAt: s.clock.now().toISOString(),
    }));
    const throttling = new (class extends RecordingMessenger {
      override async update(): Promise<void> {
        throw new ConnectorError('slow down', 429, 'Throttled', 7);
      }
    })();
    const job = new BroadcastJob({ ...s.deps, messenger: throttling }, s.hooks, s.gate);
    assert.equal((await job.runOnce()).cardsUpdated, 0);
    assert.equal(s.gate.pauses[0]!.getTime() - s.clock.now().getTime(), 7_000);
    await s.job.runOnce();
    assert.match(textOf(s.messenger.updated[0]!.message.card), /Avbrutet/);
  });
});
