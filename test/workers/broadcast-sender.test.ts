import assert from 'node:assert/strict';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { startConnectorSim } from '../../src/dev/connector-sim';
import {
  type Broadcast,
  broadcastKey,
  type Delivery,
  type DeliveryJob,
  deliveryKey,
} from '../../src/domain/broadcast';
import type { ConversationAddress, Participant } from '../../src/domain/participant';
import { participantKey } from '../../src/domain/participant';
import {
  type BroadcastHooks,
  cancel,
  confirm,
  createDraft,
  queueRecipients,
  type Recipient,
} from '../../src/features/broadcast/broadcast-service';
import { listDeliveries } from '../../src/features/broadcast/delivery-rows';
import { BotMessenger } from '../../src/integrations/bot/bot-messenger';
import type { AppInstaller, InstallOutcome } from '../../src/ports/app-installer';
import { ConnectorError, type OutgoingCard, type PersonalChatOf } from '../../src/ports/messenger';
import type { QueueMessage } from '../../src/ports/queue';
import type { RateGate } from '../../src/ports/rate-gate';
import type { Store } from '../../src/ports/store';
import type { JobOutcomes } from '../../src/workers/broadcast-sender';
import { BroadcastSender, type SenderDeps } from '../../src/workers/broadcast-sender';
import { atEveryCrashPoint, Crashed, CrashPoint } from '../crash/crash-point';
import { testConfig } from '../helpers/config';
import { eventually } from '../helpers/eventually';
import { FakeRateGate, InMemoryWorkQueue } from '../helpers/fake-rate-gate';
import { FakeClock, InMemoryStore, RecordingMessenger, silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const ADMIN = { aadObjectId: 'admin-1', name: 'Ada' };

/** A messenger whose next calls fail as scripted (the Bot Connector seen through BotMessenger). */
class ScriptedMessenger extends RecordingMessenger {
  failures: unknown[] = [];
  openFailures: unknown[] = [];
  /** While set, send() waits for it first (a slow connector). */
  slow?: Promise<void>;
  calls = 0;
  override async send(to: ConversationAddress, message: OutgoingCard) {
    this.calls++;
    if (this.slow) await this.slow;
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.send(to, message);
  }
  override async openPersonalChat(user: PersonalChatOf) {
    const failure = this.openFailures.shift();
    if (failure) throw failure;
    return super.openPersonalChat(user);
  }
}

class FakeInstaller implements AppInstaller {
  outcomes = new Map<string, InstallOutcome>();
  calls: string[] = [];
  /** Chats Graph names for an installation; anyone else's is opened through the connector. */
  chats = new Map<string, string>();
  async installFor(aadObjectId: string): Promise<InstallOutcome> {
    this.calls.push(aadObjectId);
    return this.outcomes.get(aadObjectId) ?? 'installed';
  }
  async chatIdFor(aadObjectId: string): Promise<string | undefined> {
    return this.chats.get(aadObjectId);
  }
}

function address(id: string): ConversationAddress {
  return {
    serviceUrl: 'https://smba.example/teams/',
    channelId: 'msteams',
    conversationId: `a:chat-${id}`,
    conversationType: 'personal',
    botId: 'bot',
    userId: `29:${id}`,
  };
}

function participant(id: string, withChat = true): Participant {
  return {
    aadObjectId: id,
    displayName: `Name ${id}`,
    ...(withChat ? { conversation: address(id) } : {}),
    firstSeenAt: '2026-11-01T00:00:00.000Z',
    lastSeenAt: '2026-11-01T00:00:00.000Z',
    version: 3,
  };
}

function hooks(): BroadcastHooks & { composed: (Participant | undefined)[]; sentTo: string[] } {
  const h = {
    composed: [] as (Participant | undefined)[],
    sentTo: [] as string[],
    async recipients() {
      return [] as Recipient[];
    },
    async compose(_b: Broadcast, r: Recipient, p: Participant | undefined): Promise<OutgoingCard> {
      h.composed.push(p);
      return {
        card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: `Hi ${r.displayName}` }] },
        summary: 'Hi',
      };
    },
    async onSent(_b: Broadcast, r: Recipient) {
      h.sentTo.push(r.aadObjectId);
    },
  };
  return h;
}

function setup(
  options: {
    maxAttempts?: number;
    chunkSize?: number;
    store?: Store;
    retryWithinMs?: number;
    sleep?: (ms: number) => Promise<void>;
  } = {},
) {
  const store = options.store ?? new InMemoryStore();
  const clock = new FakeClock();
  const queue = new InMemoryWorkQueue<DeliveryJob>(clock);
  const messenger = new ScriptedMessenger();
  const installer = new FakeInstaller();
  const gate = new FakeRateGate();
  const h = hooks();
  const deps: SenderDeps = {
    store,
    clock,
    logger: silentLogger,
    messenger,
    appInstaller: installer,
    deliveryQueue: queue,
    config: testConfig({
      BOT_APP_ID: 'bot',
      BROADCAST_RATE_PER_SECOND: '45',
      BROADCAST_MAX_ATTEMPTS: String(options.maxAttempts ?? 6),
      BOT_SERVICE_URL: 'https://smba.example/teams/',
    }),
  };
  const sender = new BroadcastSender(deps, h, gate, {
    broadcastCacheMs: 0,
    random: () => 0.5,
    // Every retry through the queue unless a test looks at the job's own retries.
    retryWithinMs: options.retryWithinMs ?? 0,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
  });
  return { store, clock, queue, messenger, installer, gate, hooks: h, deps, sender };
}

type Setup = ReturnType<typeof setup>;

/**
 * A broadcast in `sending` with one queued delivery per id and ONE job carrying them all, with the
 * chat address for the ids in `chats` (default: all).
 */
async function broadcastTo(
  s: Setup,
  ids: string[],
  state: Broadcast['state'] = 'sending',
  chats: string[] = ids,
): Promise<Broadcast> {
  const b = await createDraft(s.deps, { kind: 'announcement', waveId: 'w1', createdBy: ADMIN }, ids.length);
  const now = s.clock.now().toISOString();
  if (ids.length > 0)
    await s.queue.enqueue({
      broadcastId: b.id,
      recipients: ids.map((id) => ({ id, ...(chats.includes(id) ? { chat: address(id) } : {}) })),
    });
  for (const id of ids) {
    await s.store.deliveries.insert(deliveryKey(b, id), {
      broadcastId: b.id,
      aadObjectId: id,
      displayName: `Name ${id}`,
      state: 'queued',
      attempts: 0,
      queuedAt: now,
      updatedAt: now,
    });
  }
  return (await s.store.broadcasts.update(broadcastKey(b.id), (cur) => ({ ...cur!, state })))!;
}

async function delivery(store: Store, b: Broadcast, id: string): Promise<Delivery> {
  return (await store.deliveries.get(deliveryKey(b, id)))!.value;
}

async function next(s: Setup): Promise<QueueMessage<DeliveryJob>> {
  const [m] = await s.queue.receive(1, 30);
  assert.ok(m, 'a job is visible');
  return m;
}

/** Counts the storage calls a sender makes, by kind. */
function counting(store: Store) {
  const calls = { get: 0, list: 0, transact: 0, replace: 0, update: 0 };
  const d = store.deliveries;
  const p = store.participants;
  const wrapped: Store = {
    ...store,
    deliveries: {
      ...d,
      get: (k) => {
        calls.get++;
        return d.get(k);
      },
      listPartition: (pk, r) => {
        calls.list++;
        return d.listPartition(pk, r);
      },
      transact: (pk, a) => {
        calls.transact++;
        return d.transact(pk, a);
      },
      replace: (k, v, e) => {
        calls.replace++;
        return d.replace(k, v, e);
      },
      update: (k, m) => {
        calls.update++;
        return d.update(k, m);
      },
      insert: (k, v) => d.insert(k, v),
      delete: (k, e) => d.delete(k, e),
    },
    participants: {
      ...p,
      get: (k) => {
        calls.get++;
        return p.get(k);
      },
      update: (k, m) => {
        calls.update++;
        return p.update(k, m);
      },
    },
  };
  return { store: wrapped, calls };
}

describe('workers: broadcast sender', () => {
  it('sends to a known chat: claims the row, sends once, records sent with the activity id', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'sent' });
    const d = await delivery(s.store, b, 'u1');
    assert.deepEqual([d.state, d.attempts, d.activityId], ['sent', 1, 'activity-1']);
    assert.equal(s.messenger.sent[0]!.to.conversationId, 'a:chat-u1');
    assert.equal(s.gate.taken, 1);
    assert.equal(s.queue.size, 0, 'the job is completed');
    assert.deepEqual(s.hooks.sentTo, ['u1']);
    assert.equal(s.hooks.composed[0]?.displayName, 'Name u1', 'compose sees the participant row');
  });

  it('a job of 45 costs one read, and one claim and one record transaction per chunk: no participant read when the card needs none', async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    const c = counting(new InMemoryStore());
    const s = setup({ chunkSize: 20, store: c.store });
    s.hooks.composeNeedsParticipant = false;
    const b = await broadcastTo(s, ids);
    const outcomes = await s.sender.handle(await next(s));
    assert.deepEqual(new Set(Object.values(outcomes)), new Set(['sent']));
    assert.equal(Object.keys(outcomes).length, 45);
    assert.deepEqual(c.calls, { get: 0, list: 1, transact: 6, replace: 0, update: 0 });
    assert.equal(s.messenger.sent.length, 45);
    assert.equal(
      s.hooks.composed[0]?.conversation?.conversationId,
      'a:chat-u00',
      'compose gets what the job carries',
    );
    for (const id of ids) assert.equal((await delivery(s.store, b, id)).state, 'sent');
  });

  it('installs the app and opens a chat for someone the bot has never talked to, and keeps the address', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('known'), participant('known', false));
    const b = await broadcastTo(s, ['known', 'stranger'], 'sending', []);
    assert.deepEqual(await s.sender.handle(await next(s)), { known: 'sent', stranger: 'sent' });
    assert.deepEqual(s.installer.calls.sort(), ['known', 'stranger']);
    assert.deepEqual(s.messenger.opened.sort(), ['known', 'stranger']);
    assert.equal(s.gate.taken, 4, 'opening a chat is a connector call too');
    const known = (await s.store.participants.get(participantKey('known')))!.value;
    assert.equal(known.conversation?.conversationId, 'a:chat-known');
    assert.equal(known.version, 4);
    const stranger = (await s.store.participants.get(participantKey('stranger')))!.value;
    assert.deepEqual(
      [stranger.aadObjectId, stranger.conversation?.conversationId, stranger.version, stranger.firstSeenAt],
      ['stranger', 'a:chat-stranger', 1, s.clock.now().toISOString()],
    );
    assert.equal((await delivery(s.store, b, 'stranger')).state, 'sent');
  });

  it('messages the chat Graph names for the installation without a connector call to open it', async () => {
    const s = setup();
    s.installer.chats.set('stranger', '19:stranger_bot@unq.gbl.spaces');
    const b = await broadcastTo(s, ['stranger', 'other'], 'sending', []);
    assert.deepEqual(await s.sender.handle(await next(s)), { stranger: 'sent', other: 'sent' });
    assert.deepEqual(s.messenger.named, ['stranger']);
    assert.deepEqual(
      s.messenger.opened,
      ['other'],
      'Graph named no chat for this one: the connector opens it',
    );
    assert.equal(s.gate.taken, 3, 'two messages and one chat opened through the connector');
    const stranger = (await s.store.participants.get(participantKey('stranger')))!.value;
    assert.equal(stranger.conversation?.conversationId, '19:stranger_bot@unq.gbl.spaces');
    assert.equal(
      s.messenger.sent.find((m) => m.to.userId === 'stranger')?.to.conversationId,
      '19:stranger_bot@unq.gbl.spaces',
    );
    assert.equal((await delivery(s.store, b, 'stranger')).state, 'sent');
  });

  it('records a blocked install (Graph 403) as failed (app-install-blocked) and does not retry it', async () => {
    const s = setup();
    s.installer.outcomes.set('blocker', 'blocked');
    s.installer.outcomes.set('gone', 'user-not-found');
    const b = await broadcastTo(s, ['blocker', 'gone'], 'sending', []);
    assert.deepEqual(await s.sender.handle(await next(s)), { blocker: 'failed', gone: 'failed' });
    const blocked = await delivery(s.store, b, 'blocker');
    assert.deepEqual([blocked.state, blocked.reason], ['failed', 'app-install-blocked']);
    assert.equal((await delivery(s.store, b, 'gone')).reason, 'user-not-found');
    assert.equal(s.messenger.calls, 0);
    assert.deepEqual(s.messenger.opened, []);
    s.queue.expireAll();
    assert.equal(s.queue.size, 0, 'nothing left to retry');
  });

  it('on 429 pauses every sender for Retry-After and tries again after it, in a new job for that recipient only', async () => {
    const s = setup();
    for (const id of ['u1', 'u2']) await s.store.participants.insert(participantKey(id), participant(id));
    const b = await broadcastTo(s, ['u1', 'u2']);
    s.messenger.failures.push(new ConnectorError('throttled', 429, 'ThrottledTooManyRequests', 3));
    const t0 = s.clock.now().getTime();
    const outcomes = await s.sender.handle(await next(s));
    assert.deepEqual(Object.values(outcomes).sort(), ['retry', 'sent']);
    const throttled = Object.keys(outcomes).find((id) => outcomes[id] === 'retry')!;
    assert.deepEqual(
      s.gate.pauses.map((p) => p.getTime() - t0),
      [3_000],
    );
    const d = await delivery(s.store, b, throttled);
    assert.deepEqual([d.state, d.attempts, d.detail], ['queued', 1, '429 ThrottledTooManyRequests']);
    assert.equal(s.queue.size, 1, 'the original job is done; one new job for the retry');
    assert.equal((await s.queue.receive(1, 30)).length, 0, 'invisible until Retry-After has passed');
    s.clock.advance(4_000);
    const m = await next(s);
    assert.deepEqual(
      m.body.recipients.map((r) => [r.id, r.chat?.conversationId]),
      [[throttled, `a:chat-${throttled}`]],
      'the new job carries what sending needs',
    );
    assert.deepEqual(await s.sender.handle(m), { [throttled]: 'sent' });
    assert.equal((await delivery(s.store, b, throttled)).attempts, 2);
  });

  it('retries 412/5xx with growing jittered backoff, and gives up after maxAttempts (retries-exhausted)', async () => {
    const s = setup({ maxAttempts: 3 });
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    s.messenger.failures.push(
      new ConnectorError('precondition', 412),
      new ConnectorError('bad gateway', 502),
      new ConnectorError('unavailable', 503),
      new ConnectorError('unavailable', 503),
    );
    const waits: number[] = [];
    for (;;) {
      const [m] = await s.queue.receive(1, 30);
      if (!m) {
        const soonest = Math.min(...s.queue.messages.map((x) => x.visibleAt));
        if (!Number.isFinite(soonest)) break;
        waits.push(soonest - s.clock.now().getTime());
        s.clock.current = new Date(soonest);
        continue;
      }
      await s.sender.handle(m);
    }
    assert.equal(s.messenger.calls, 3);
    assert.deepEqual(waits, [1_000, 2_000], 'backoff doubles (jitter fixed at the middle here)');
    const d = await delivery(s.store, b, 'u1');
    assert.deepEqual([d.state, d.reason, d.attempts], ['failed', 'retries-exhausted', 3]);
    assert.equal(s.gate.pauses.length, 0, 'only a 429 pauses everyone');
  });

  it('sends a retry due within 2 s itself once its backoff has passed; a later one goes to the queue', async () => {
    const slept: number[] = [];
    const s = setup({ maxAttempts: 6, retryWithinMs: 2_000, sleep: async (ms) => void slept.push(ms) });
    for (const id of ['u1', 'u2']) await s.store.participants.insert(participantKey(id), participant(id));
    const b = await broadcastTo(s, ['u1', 'u2']);
    s.messenger.failures.push(
      new ConnectorError('unavailable', 503),
      undefined,
      new ConnectorError('unavailable', 503),
      new ConnectorError('unavailable', 503),
    );
    const outcomes = await s.sender.handle(await next(s));
    assert.deepEqual(slept, [750, 1_500], 'the backoff of each round (jitter fixed at the middle)');
    assert.deepEqual(outcomes, { u1: 'retry', u2: 'sent' });
    assert.equal(s.messenger.calls, 4, 'two sends, then u1 twice more within the job');
    assert.equal((await delivery(s.store, b, 'u1')).attempts, 3);
    const [again] = s.queue.messages;
    assert.deepEqual(
      again?.body.recipients.map((r) => r.id),
      ['u1'],
      'past the rounds, the retry goes to the queue as before',
    );
    assert.equal(again!.visibleAt - s.clock.now().getTime(), 3_000);
    assert.equal((await delivery(s.store, b, 'u2')).state, 'sent');
  });

  it('fails a permanent refusal (4xx) at once as rejected', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    s.messenger.failures.push(new ConnectorError('blocked', 403, 'ConversationBlockedByUser'));
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'failed' });
    const d = await delivery(s.store, b, 'u1');
    assert.deepEqual([d.state, d.reason, d.detail], ['failed', 'rejected', '403 ConversationBlockedByUser']);
  });

  it('crash resume: a row left sending whose job reappears is sent again and marked uncertain', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    // The instance that had it claimed the row and died before recording the outcome.
    const crashedAt = s.clock.now();
    await s.store.deliveries.update(deliveryKey(b, 'u1'), (d) => ({
      ...d!,
      state: 'sending',
      attempts: 1,
      sendingSince: crashedAt.toISOString(),
    }));
    s.clock.advance(10_000);
    assert.deepEqual(
      await s.sender.handle(await next(s)),
      { u1: 'wait' },
      'a recent claim may still be in flight elsewhere',
    );
    assert.equal(s.messenger.calls, 0);
    s.clock.advance(25_000);
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'uncertain' });
    const d = await delivery(s.store, b, 'u1');
    assert.deepEqual([d.state, d.attempts, d.activityId], ['uncertain', 2, 'activity-1']);
    assert.equal(s.messenger.calls, 1);
  });

  it('an unanswered send is left sending and comes back as a re-send (uncertain)', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    s.messenger.failures.push(new ConnectorError('socket hang up', 0, 'ECONNRESET'));
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'retry' });
    assert.equal((await delivery(s.store, b, 'u1')).state, 'sending');
    s.clock.advance(31_000);
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'uncertain' });
    assert.equal(s.messenger.calls, 2);
  });

  it('never sends a final delivery again, and a duplicate job sends once', async () => {
    const s = setup();
    await s.store.participants.insert(participantKey('u1'), participant('u1'));
    const b = await broadcastTo(s, ['u1']);
    await s.queue.enqueue({ broadcastId: b.id, recipients: [{ id: 'u1', chat: address('u1') }] });
    let release: () => void = () => {};
    s.messenger.slow = new Promise((r) => {
      release = r;
    });
    const [m1, m2] = await s.queue.receive(2, 30);
    const first = s.sender.handle(m1!);
    const second = s.sender.handle(m2!);
    await eventually(() => s.messenger.calls === 1);
    release();
    const outcomes = (await Promise.all([first, second])).map((o) => o.u1).sort();
    assert.deepEqual(outcomes, ['sent', 'wait']);
    assert.equal(s.messenger.sent.length, 1);
    s.queue.expireAll();
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'skipped' });
    assert.equal(s.messenger.sent.length, 1);
    assert.equal(s.queue.size, 0);
  });

  it('after a cancel, queued deliveries become failed (cancelled) and nothing more is sent', async () => {
    const s = setup();
    for (const id of ['u1', 'u2']) await s.store.participants.insert(participantKey(id), participant(id));
    const b = await broadcastTo(s, ['u1', 'u2']);
    await s.store.deliveries.update(deliveryKey(b, 'u2'), (d) => ({
      ...d!,
      state: 'sending',
      sendingSince: new Date(s.clock.now().getTime() - 60_000).toISOString(),
    }));
    await cancel(s.deps, b.id, ADMIN);
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'cancelled', u2: 'uncertain' });
    const u1 = await delivery(s.store, b, 'u1');
    assert.deepEqual([u1.state, u1.reason], ['failed', 'cancelled']);
    assert.equal(
      (await delivery(s.store, b, 'u2')).state,
      'uncertain',
      'it may have gone out before the crash',
    );
    assert.equal(s.messenger.calls, 0);
    assert.equal(s.gate.taken, 0);
  });

  it('waits for rows queueing has not written yet, and drops jobs of unknown broadcasts', async () => {
    const s = setup();
    const b = await broadcastTo(s, [], 'queueing');
    await s.queue.enqueue({ broadcastId: b.id, recipients: [{ id: 'early' }] });
    assert.deepEqual(await s.sender.handle(await next(s)), { early: 'wait' });
    assert.equal(s.queue.size, 1);
    await s.queue.enqueue({ broadcastId: 'nope', recipients: [{ id: 'x' }] });
    s.queue.expireAll();
    const outcomes = [await s.sender.handle(await next(s)), await s.sender.handle(await next(s))];
    assert.deepEqual(outcomes.flatMap((o) => Object.values(o)).sort(), ['orphan', 'wait']);
  });

  it('sends nothing to someone whose row is gone (erased), and the rest of the chunk goes out', async () => {
    const s = setup();
    const b = await broadcastTo(s, ['u1', 'u2', 'u3']);
    await s.store.deliveries.delete(deliveryKey(b, 'u2'));
    assert.deepEqual(await s.sender.handle(await next(s)), { u1: 'sent', u2: 'orphan', u3: 'sent' });
    assert.deepEqual(s.messenger.sent.map((m) => m.to.conversationId).sort(), ['a:chat-u1', 'a:chat-u3']);
  });

  it('stop() hands back messages waiting at the gate and lets sends in flight finish', async () => {
    const s = setup();
    for (const id of ['u1', 'u2', 'u3'])
      await s.store.participants.insert(participantKey(id), participant(id));
    const b = await broadcastTo(s, ['u1', 'u2', 'u3']);
    let open: () => void = () => {};
    s.gate.hold = new Promise((r) => {
      open = r;
    });
    const sender = new BroadcastSender(s.deps, s.hooks, s.gate, { broadcastCacheMs: 0, idlePollMs: [5, 10] });
    sender.start();
    await eventually(async () => (await delivery(s.store, b, 'u3')).state === 'sending');
    await sender.stop();
    assert.equal(s.messenger.calls, 0);
    const visible = s.queue.messages.filter((m) => m.visibleAt <= s.clock.now().getTime());
    assert.deepEqual(
      visible.flatMap((m) => m.body.recipients.map((r) => r.id)).sort(),
      ['u1', 'u2', 'u3'],
      'handed back',
    );
    for (const id of ['u1', 'u2', 'u3']) assert.equal((await delivery(s.store, b, id)).state, 'queued');
    open();

    // A send in flight when stop() is called finishes and is recorded.
    let release: () => void = () => {};
    s.messenger.slow = new Promise((r) => {
      release = r;
    });
    const again = new BroadcastSender(s.deps, s.hooks, s.gate, { broadcastCacheMs: 0, idlePollMs: [5, 10] });
    again.start();
    await eventually(() => s.messenger.calls >= 3);
    const stopping = again.stop();
    release();
    await stopping;
    for (const id of ['u1', 'u2', 'u3']) assert.equal((await delivery(s.store, b, id)).state, 'sent');
  });

  describe('killed (kill -9) at any point of a job', () => {
    const IDS = ['k1', 'k2', 'k3', 'k4'];

    async function world() {
      const s = setup({ chunkSize: 2 });
      s.hooks.composeNeedsParticipant = false;
      const b = await broadcastTo(s, IDS);
      return { s, b };
    }

    /** The instance as it dies: storage, Teams and the queue all stop at the crash point. */
    function dying(s: Setup, crash: CrashPoint) {
      const q = s.queue;
      const queue = {
        enqueue: (body: DeliveryJob, o?: { visibilityDelaySeconds?: number }) =>
          crash.effect(() => q.enqueue(body, o)),
        receive: (n: number, v: number) => crash.read(() => q.receive(n, v)),
        complete: (m: QueueMessage<DeliveryJob>) => crash.effect(() => q.complete(m)),
        postpone: (m: QueueMessage<DeliveryJob>, sec: number) => crash.effect(() => q.postpone(m, sec)),
      };
      const deps = {
        ...s.deps,
        store: crash.store(s.store),
        messenger: crash.messenger(s.messenger),
        deliveryQueue: queue,
      };
      return new BroadcastSender(deps, s.hooks, s.gate, {
        broadcastCacheMs: 0,
        random: () => 0.5,
        chunkSize: 2,
      });
    }

    /** A live instance works the queue dry, the visibility timeout of the dead one's job run out first. */
    async function recover(s: Setup): Promise<JobOutcomes[]> {
      const live = new BroadcastSender(s.deps, s.hooks, s.gate, {
        broadcastCacheMs: 0,
        random: () => 0.5,
        chunkSize: 2,
      });
      const all: JobOutcomes[] = [];
      for (let round = 0; round < 10 && s.queue.size > 0; round++) {
        s.clock.advance(31_000);
        for (const m of await s.queue.receive(32, 30)) all.push(await live.handle(m));
      }
      return all;
    }

    it('between the claim of a chunk and its record: only that chunk is sent again, marked uncertain', async () => {
      const { s, b } = await world();
      // Points: claim 1 (0, 1), two sends (2–5), record 1 (6, 7), claim 2 (8, 9): dies once claim 2 landed.
      const crash = new CrashPoint(9);
      await dying(s, crash)
        .handle(await next(s))
        .catch((err) => assert.ok(err instanceof Crashed));
      assert.ok(crash.dead);
      assert.equal(s.messenger.sent.length, 2, 'the first chunk went out and was recorded');
      assert.deepEqual(
        [await delivery(s.store, b, 'k3'), await delivery(s.store, b, 'k4')].map((d) => d.state),
        ['sending', 'sending'],
      );
      await recover(s);
      const perChat = new Map<string, number>();
      for (const m of s.messenger.sent)
        perChat.set(m.to.conversationId, (perChat.get(m.to.conversationId) ?? 0) + 1);
      assert.deepEqual(Object.fromEntries(perChat), {
        'a:chat-k1': 1,
        'a:chat-k2': 1,
        'a:chat-k3': 1,
        'a:chat-k4': 1,
      });
      const states = await Promise.all(IDS.map(async (id) => (await delivery(s.store, b, id)).state));
      assert.deepEqual(
        states,
        ['sent', 'sent', 'uncertain', 'uncertain'],
        'never sent before, but claimed: in doubt',
      );
    });

    it('wherever it dies, nobody is lost and every second copy is a delivery marked uncertain', async () => {
      const tried = await atEveryCrashPoint(
        world,
        async ({ s }, crash) => dying(s, crash).handle(await next(s)),
        async ({ s, b }) => {
          await recover(s);
          const perChat = new Map<string, number>();
          for (const m of s.messenger.sent)
            perChat.set(m.to.conversationId, (perChat.get(m.to.conversationId) ?? 0) + 1);
          const rows = await Promise.all(IDS.map((id) => delivery(s.store, b, id)));
          for (const [i, id] of IDS.entries()) {
            const copies = perChat.get(`a:chat-${id}`) ?? 0;
            assert.ok(copies >= 1, `${id} lost`);
            assert.ok(['sent', 'uncertain'].includes(rows[i]!.state), `${id} is ${rows[i]!.state}`);
            if (copies > 1) assert.equal(rows[i]!.state, 'uncertain', `${id} got ${copies} copies`);
          }
          assert.equal(s.queue.size, 0);
        },
      );
      assert.ok(tried > 10, `${tried} crash points`);
    });
  });

  describe('against Azurite', () => {
    /** A store whose next delivery transaction first lets `before` write (another writer got there first). */
    function beforeTransaction(store: Store, which: number, before: () => Promise<unknown>): Store {
      let n = 0;
      const d = store.deliveries;
      return {
        ...store,
        deliveries: Object.assign(Object.create(d) as typeof d, {
          transact: async (pk: string, actions: Parameters<typeof d.transact>[1]) => {
            if (++n === which) await before();
            return d.transact(pk, actions);
          },
        }),
      };
    }

    for (const [which, what] of [
      [1, 'claim'],
      [2, 'record'],
    ] as const) {
      it(`a ${what} transaction that fails half-way (one row changed meanwhile) is made again whole and loses nothing`, async () => {
        const storage = await freshStorage();
        const ids = Array.from({ length: 6 }, (_, i) => `az-${i}`);
        const s0 = setup({ store: storage.store });
        const b = await broadcastTo(s0, ids);
        // Another writer touches the fourth row just before the transaction goes.
        const touched = beforeTransaction(storage.store, which, () =>
          storage.store.deliveries.update(deliveryKey(b, 'az-3'), (d) => ({ ...d!, detail: 'touched' })),
        );
        const sender = new BroadcastSender({ ...s0.deps, store: touched }, s0.hooks, s0.gate, {
          broadcastCacheMs: 0,
          chunkSize: 6,
        });
        const outcomes = await sender.handle(await next(s0));
        assert.deepEqual(new Set(Object.values(outcomes)), new Set(['sent']), JSON.stringify(outcomes));
        assert.equal(s0.messenger.sent.length, 6, 'each exactly once');
        for (const id of ids) assert.equal((await delivery(storage.store, b, id)).state, 'sent');
        assert.equal((await delivery(storage.store, b, 'az-3')).detail, 'touched', 'the other write is kept');
        assert.equal(s0.queue.size, 0);
      });
    }

    it('with the connector simulator: two senders, a shared gate, every recipient exactly once, rows in 16 partitions', async function () {
      this.timeout(60_000);
      const storage = await freshStorage();
      const sim = await startConnectorSim({ keepActivities: false });
      try {
        const queue = storage.queue<DeliveryJob>('deliveries');
        const messenger = new BotMessenger(
          new TeamsAdapter({}),
          '',
          { serviceUrl: sim.url },
          { sdkRetries: false },
        );
        const base = {
          store: storage.store,
          clock: { now: () => new Date() },
          logger: silentLogger,
          messenger,
          deliveryQueue: queue,
          appInstaller: new FakeInstaller(),
          config: testConfig({
            BROADCAST_RATE_PER_SECOND: '25',
            BROADCAST_MAX_ATTEMPTS: '6',
            BOT_SERVICE_URL: sim.url,
          }),
        } satisfies SenderDeps;
        // Object-id-like keys over all 16 first characters, so jobs and chunks meet every partition.
        const ids = Array.from(
          { length: 120 },
          (_, i) => `${(i % 16).toString(16)}${String(i).padStart(3, '0')}-person`,
        );
        for (const id of ids.slice(0, 110)) {
          await storage.store.participants.insert(participantKey(id), {
            ...participant(id),
            conversation: { ...address(id), serviceUrl: sim.url },
          });
        }
        const h = hooks();
        h.composeNeedsParticipant = false;
        h.recipients = async () => ids.map((aadObjectId) => ({ aadObjectId }));
        const b = await createDraft(
          base,
          { kind: 'announcement', waveId: 'w1', createdBy: ADMIN },
          ids.length,
        );
        // 120 recipients would share one partition: spread them as a broadcast of 50,000 would be.
        await storage.store.broadcasts.update(broadcastKey(b.id), (cur) => ({
          ...cur!,
          deliveryKeyChars: 1,
        }));
        await confirm(base, h, b.id, { actor: ADMIN });
        await queueRecipients(base, h, b.id);
        const partitions = new Set<string>();
        for await (const r of listDeliveries(storage.store, { ...b, deliveryKeyChars: 1 }))
          partitions.add(r.key.partitionKey);
        assert.equal(partitions.size, 16);
        // When each instance's gate let a call go: the pacing the product controls, measured where it is
        // decided. Arrival times at the simulator (same process) also carry this host's scheduling delays.
        const granted: number[] = [];
        const recorded = (gate: RateGate): RateGate => ({
          take: async (signal, priority) => {
            await gate.take(signal, priority);
            granted.push(Date.now());
          },
          pauseUntil: (until) => gate.pauseUntil(until),
          pausedUntil: () => gate.pausedUntil(),
        });
        const senders = [1, 2].map(
          () =>
            new BroadcastSender(base, h, recorded(storage.rateGate({ ratePerSecond: 25 })), {
              idlePollMs: [50, 200],
              chunkSize: 10,
            }),
        );
        for (const x of senders) x.start();
        await eventually(
          async () => {
            const states: string[] = [];
            for await (const r of listDeliveries(storage.store, { ...b, deliveryKeyChars: 1 }))
              states.push(r.value.state);
            assert.ok(
              states.length === 120 && states.every((x) => x === 'sent'),
              `stuck: ${states.join(',')}`,
            );
          },
          { timeoutMs: 40_000, intervalMs: 200 },
        );
        await Promise.all(senders.map((x) => x.stop()));
        const perChat = new Map<string, number>();
        for (const m of sim.messages) perChat.set(m.conversationId, (perChat.get(m.conversationId) ?? 0) + 1);
        assert.equal(perChat.size, 120);
        assert.ok([...perChat.values()].every((n) => n === 1));
        const stats = sim.stats();
        assert.equal(stats.throttled, 0);
        assert.equal(stats.conversationsCreated, 10);
        // Instants are 40 ms apart; a caller may go up to one interval late (an instant missed by more is
        // dropped), so any one-second window holds at most 25 + 2.
        assert.ok(
          peakPerSecond(granted) <= 27,
          `gates let ${peakPerSecond(granted)} calls go in a second at 25/s`,
        );
        // Teams' own limit (50/s per app per tenant) as the service counts it: never reached.
        assert.ok(
          stats.peakTenantWindow < 50,
          `peak ${stats.peakTenantWindow} requests in a second at the service`,
        );
      } finally {
        await sim.close();
      }
    });
  });
});

/** Most instants in any one-second window. */
function peakPerSecond(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= 1000) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}
