/**
 * The broadcast engine's API for the admin feature: create a draft, confirm it (now or at a set
 * time), cancel it, read its progress. Confirming records one Delivery row per recipient, in table
 * transactions of 100, and queues delivery jobs of up to 100 recipients each (queueing); the senders
 * on every instance (src/workers/broadcast-sender.ts) do the rest.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../../deps';
import {
  type Broadcast,
  type BroadcastKind,
  broadcastKey,
  type Delivery,
  type DeliveryCounts,
  type DeliveryFailure,
  type DeliveryLayout,
  deliveryKey,
  deliveryKeyCharsFor,
  deliveryPartitionOf,
} from '../../domain/broadcast';
import { jobsOf, queuedDelivery, uniqueRecipients } from '../../domain/broadcast-pacing';
import type { ConversationAddress, Participant } from '../../domain/participant';
import type { OutgoingCard } from '../../ports/messenger';
import { ConcurrencyError, MAX_TRANSACTION_ACTIONS, type Store, TransactionError } from '../../ports/store';
import { inBackground } from '../../shared/background';
import { forEachBounded } from '../../shared/bounded';
import { isUnavailable } from '../../shared/unavailable';
import { type AuditActor, recordAudit } from '../audit';
import { listDeliveries } from './delivery-rows';
import { chatsOf, jobRecipientOf, type KnownChat } from './recipient-chats';

export interface Recipient {
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  /**
   * Their chat with the bot and language, when the hook read their participant row anyway; queueing
   * looks up the others itself.
   */
  conversation?: ConversationAddress;
  locale?: string;
  language?: string;
  timeZone?: string;
}

export interface BroadcastHooks {
  /** Who receives the broadcast, resolved when it is queued (at confirmation or at its scheduled time). */
  recipients(b: Broadcast): Promise<Recipient[]>;
  /** The personalised card for one recipient (the participant row when the bot knows them). */
  compose(b: Broadcast, r: Recipient, participant: Participant | undefined): Promise<OutgoingCard>;
  /** The card posted in the announcements channel, if the broadcast asks for one. */
  composeChannelPost?(b: Broadcast): Promise<OutgoingCard>;
  /** After a recipient's message went out (e.g. remember the card's activity id on the participant). */
  onSent?(b: Broadcast, r: Recipient, activityId: string, to: ConversationAddress): Promise<void>;
  /** Render the admin's progress card (default: renderBroadcastProgressCard in the campaign's language). */
  progressCard?(b: Broadcast, counts: DeliveryCounts): OutgoingCard;
  /**
   * Whether `compose` needs the recipient's whole participant row (journeys, deferrals): the sender
   * then reads it for every message (default true). When false, `compose` gets the participant as far
   * as the delivery job carries it (name, chat, language, time zone) and sending reads no participant.
   */
  composeNeedsParticipant?: boolean;
}

export type Actor = AuditActor;

export type BroadcastErrorCode = 'not-found' | 'invalid' | 'not-draft' | 'finished' | 'unavailable';

/** A request the engine refuses; nothing was changed. `code` maps to the `broadcast.error.*` messages. */
export class BroadcastError extends Error {
  constructor(
    readonly code: BroadcastErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BroadcastError';
  }
}

export type BroadcastDeps = Pick<Deps, 'store' | 'clock' | 'logger' | 'deliveryQueue'>;

export const MAX_NOTE_LENGTH = 500;
/** How far ahead a broadcast may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3_600_000;
/** A scheduled time this close to now is "now". */
const SCHEDULE_SLACK_MS = 5_000;
/** Rows written between two looks at whether the broadcast was cancelled meanwhile. */
const ROW_BATCH = 1_000;
/** Transactions (with their jobs) in flight while queueing. */
const QUEUE_CONCURRENCY = 4;
/** Single inserts in flight when a transaction found some of its rows there already. */
const INSERTS_IN_FLIGHT = 16;

/**
 * A window whose storage stopped answering is tried again this many times in all, after this wait
 * (past the storage guard's 5 s cool-down), before the queueing stops and the broadcast job resumes it.
 */
export interface QueueingRetry {
  attempts: number;
  waitMs: number;
}
const WINDOW_RETRY: QueueingRetry = { attempts: 4, waitMs: 5_500 };

// ---------------------------------------------------------------------------------------------

export async function createDraft(
  deps: Pick<Deps, 'store' | 'clock'>,
  input: {
    kind: BroadcastKind;
    waveId: string;
    createdBy: Actor;
    note?: string;
    alsoPostToChannelId?: string;
  },
  recipientCount: number,
): Promise<Broadcast> {
  const problems: string[] = [];
  if (input.kind !== 'announcement' && input.kind !== 'stragglers')
    problems.push(`unknown kind "${input.kind}"`);
  if (!input.waveId?.trim()) problems.push('no wave');
  if (!input.createdBy?.aadObjectId?.trim()) problems.push('no author');
  if (!Number.isInteger(recipientCount) || recipientCount < 0) {
    problems.push(`recipient count ${recipientCount} is not a whole number of people`);
  }
  const note = input.note?.trim();
  if (note && note.length > MAX_NOTE_LENGTH)
    problems.push(`the note is longer than ${MAX_NOTE_LENGTH} characters`);
  const channel = input.alsoPostToChannelId?.trim();
  if (channel && !channel.startsWith('19:'))
    problems.push(`"${channel}" is not a channel conversation id (19:…)`);
  if (problems.length > 0) throw new BroadcastError('invalid', problems.join('; '));

  const now = deps.clock.now();
  const id = `${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  const broadcast: Broadcast = {
    id,
    kind: input.kind,
    waveId: input.waveId.trim(),
    state: 'draft',
    createdAt: now.toISOString(),
    createdBy: {
      aadObjectId: input.createdBy.aadObjectId.toLowerCase(),
      ...(input.createdBy.name ? { name: input.createdBy.name } : {}),
    },
    recipientCount,
    deliveryKeyChars: deliveryKeyCharsFor(recipientCount),
    ...(channel ? { alsoPostToChannelId: channel } : {}),
    ...(note ? { note } : {}),
  };
  await deps.store.broadcasts.insert(broadcastKey(id), broadcast);
  return broadcast;
}

/**
 * The admin's explicit go. With a future `scheduledAt` the draft becomes `scheduled` (the leased
 * broadcast job starts it on time); otherwise it becomes `queueing` and queueing starts in the
 * background on this instance: the call returns at once (card actions have 5 s), the progress card
 * shows the queueing, and the job resumes it should this instance stop half-way. A later call of
 * `queueRecipients` on this instance joins that run (tests and scripts await it that way).
 */
export async function confirm(
  deps: BroadcastDeps,
  hooks: BroadcastHooks,
  broadcastId: string,
  options: { scheduledAt?: Date; actor: Actor },
): Promise<Broadcast> {
  if (!deps.deliveryQueue) {
    throw new BroadcastError('unavailable', 'no delivery queue is configured, so nothing could be sent');
  }
  const now = deps.clock.now();
  const at = options.scheduledAt;
  if (at !== undefined) {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new BroadcastError('invalid', 'the scheduled time is not a date');
    }
    if (at.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
      throw new BroadcastError('invalid', 'the scheduled time is more than a year ahead');
    }
  }
  const later = at !== undefined && at.getTime() > now.getTime() + SCHEDULE_SLACK_MS;
  const before = await transition(deps.store, broadcastId, ['draft'], (b) => ({
    ...b,
    state: later ? 'scheduled' : 'queueing',
    confirmedAt: now.toISOString(),
    ...(later ? { scheduledAt: at!.toISOString() } : {}),
  }));
  const after = (await deps.store.broadcasts.get(broadcastKey(broadcastId)))!.value;
  await recordAudit(deps.store, {
    at: deps.clock.now(),
    actor: options.actor,
    action: later ? 'broadcast.schedule' : 'broadcast.confirm',
    target: `broadcast:${after.id}`,
    before: { state: before.state },
    after: { state: after.state, scheduledAt: after.scheduledAt, recipientCount: after.recipientCount },
  });
  if (!later) startQueueing(deps, hooks, broadcastId);
  return after;
}

/**
 * Stops a broadcast: nothing more is queued or sent. Deliveries still queued become
 * `failed (cancelled)` as the senders meet them; a message already in a sender's hands goes out.
 */
export async function cancel(deps: BroadcastDeps, broadcastId: string, actor: Actor): Promise<Broadcast> {
  const now = deps.clock.now();
  const before = await transition(
    deps.store,
    broadcastId,
    ['draft', 'scheduled', 'queueing', 'sending'],
    (b) => ({ ...b, state: 'cancelled', cancelledAt: now.toISOString() }),
  );
  const after = (await deps.store.broadcasts.get(broadcastKey(broadcastId)))!.value;
  await recordAudit(deps.store, {
    at: deps.clock.now(),
    actor,
    action: 'broadcast.cancel',
    target: `broadcast:${after.id}`,
    before: { state: before.state, queuedCount: before.queuedCount },
    after: { state: after.state },
  });
  return after;
}

export interface BroadcastProgress {
  broadcast: Broadcast;
  counts: DeliveryCounts;
  /** Failed deliveries by reason. */
  failures: Partial<Record<DeliveryFailure, number>>;
}

/** The broadcast and how its deliveries stand (one partition listing). */
export async function progress(store: Store, broadcastId: string): Promise<BroadcastProgress> {
  const stored = await store.broadcasts.get(broadcastKey(broadcastId));
  if (!stored) throw new BroadcastError('not-found', `broadcast ${broadcastId} does not exist`);
  return { broadcast: stored.value, ...(await tally(store, stored.value)) };
}

/** Counts by state and failures by reason of a broadcast's deliveries. */
export function summarise(broadcast: Broadcast, rows: readonly Delivery[]): BroadcastProgress {
  const t = newTally();
  for (const d of rows) addToTally(t, d);
  return { broadcast, counts: t.counts, failures: t.failures };
}

type Tally = Omit<BroadcastProgress, 'broadcast'>;

const newTally = (): Tally => ({
  counts: { queued: 0, sending: 0, sent: 0, failed: 0, uncertain: 0 },
  failures: {},
});

function addToTally(t: Tally, d: Delivery): void {
  t.counts[d.state]++;
  if (d.state === 'failed' && d.reason) t.failures[d.reason] = (t.failures[d.reason] ?? 0) + 1;
}

/** Counts a broadcast's deliveries while listing them, without keeping the rows (a broadcast may reach 100,000). */
export async function tally(store: Store, b: DeliveryLayout): Promise<Tally> {
  const t = newTally();
  for await (const { value } of listDeliveries(store, b)) addToTally(t, value);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Queueing: a Delivery row per recipient, then their jobs, a window at a time

const running = new Map<string, Promise<Broadcast | undefined>>();

function startQueueing(deps: BroadcastDeps, hooks: BroadcastHooks, broadcastId: string): void {
  inBackground(queueRecipients(deps, hooks, broadcastId), (err) =>
    deps.logger.error({ err, broadcastId }, 'queueing a broadcast stopped; the broadcast job resumes it'),
  );
}

/** Whether this instance is queueing the broadcast right now. */
export function isQueueing(broadcastId: string): boolean {
  return running.has(broadcastId);
}

/**
 * Writes a `queued` Delivery row for every recipient, a table transaction per 100, each preceded by
 * the delivery jobs for those rows, then moves the broadcast from `queueing` to `sending`.
 * Resumable: running it again after a crash writes only the rows that are missing, with new jobs, and
 * nobody gets two rows. A job whose rows are not written yet waits for them (the broadcast is still
 * `queueing`); a second job for a row is harmless, as the senders' claim settles who sends. A call
 * while this instance is already queueing the broadcast joins that run.
 */
export function queueRecipients(
  deps: BroadcastDeps,
  hooks: BroadcastHooks,
  broadcastId: string,
  retry: QueueingRetry = WINDOW_RETRY,
): Promise<Broadcast | undefined> {
  let run = running.get(broadcastId);
  if (!run) {
    run = runQueueing(deps, hooks, broadcastId, retry).finally(() => running.delete(broadcastId));
    running.set(broadcastId, run);
  }
  return run;
}

async function runQueueing(
  deps: BroadcastDeps,
  hooks: BroadcastHooks,
  broadcastId: string,
  retry: QueueingRetry,
): Promise<Broadcast | undefined> {
  const queue = deps.deliveryQueue;
  if (!queue) throw new BroadcastError('unavailable', 'no delivery queue is configured');
  const key = broadcastKey(broadcastId);
  const b = (await deps.store.broadcasts.get(key))?.value;
  if (!b || b.state !== 'queueing') return b;

  const recipients = uniqueRecipients(await hooks.recipients(b));
  // Rows through the cursor are written; past it lie at most the rows of the window a stopped run was
  // writing, read with one range query rather than every row (100 pages at 100,000).
  const through = b.queuedThrough;
  const rest = through === undefined ? recipients : recipients.filter((r) => r.aadObjectId > through);
  const recorded = new Set<string>();
  const range = through === undefined ? undefined : { from: through };
  for await (const row of listDeliveries(deps.store, b, range)) {
    if (row.key.rowKey !== through) recorded.add(row.key.rowKey);
  }
  const isRecorded = (r: Recipient) => recorded.has(deliveryKey(b, r.aadObjectId).rowKey);
  let queued = (through === undefined ? 0 : (b.queuedCount ?? 0)) + rest.filter(isRecorded).length;
  deps.logger.info(
    {
      broadcastId,
      recipients: recipients.length,
      alreadyRecorded: recipients.length - rest.length + recorded.size,
    },
    through !== undefined || recorded.size > 0
      ? 'resuming the queueing of a broadcast'
      : 'queueing a broadcast',
  );
  const missing = rest.filter((r) => !isRecorded(r));
  const known = await chatsOf(deps.store, missing);
  // Erased people get no row: nothing would be sent to them anyway.
  const toWrite = missing.filter((r) => known.get(r.aadObjectId) !== 'erased');
  for (let from = 0; from < toWrite.length; from += ROW_BATCH) {
    const rows = toWrite.slice(from, from + ROW_BATCH);
    await writeWindow(deps, b, rows, known, retry);
    queued += rows.length;
    // The window is written: move the cursor past it. Cancelled (or taken over) meanwhile: write nobody else.
    const cursor = rows.at(-1)!.aadObjectId;
    let current: Broadcast | undefined;
    await deps.store.broadcasts.update(key, (cur) => {
      current = cur;
      return cur?.state === 'queueing' ? { ...cur, queuedThrough: cursor, queuedCount: queued } : undefined;
    });
    if (current?.state !== 'queueing') return current;
  }

  let started = false;
  const sending = await deps.store.broadcasts.update(key, (cur) => {
    started = cur?.state === 'queueing';
    if (!started) return undefined;
    const { queuedThrough: _, ...written } = cur!;
    return { ...written, state: 'sending', queuedCount: queued, recipientCount: queued };
  });
  if (started) deps.logger.info({ broadcastId, recipients: queued }, 'broadcast recorded; sending');
  return sending;
}

/**
 * One window of rows, each transaction's jobs first. Storage that stops answering for a moment (a
 * busy emulator, a failover) does not end the queueing: after a wait the window's rows already there
 * are read with one range query and only the others are written, with their jobs again (a second job
 * for a row is harmless). After `retry.attempts` the error goes up and the broadcast job resumes.
 */
async function writeWindow(
  deps: BroadcastDeps,
  b: Broadcast,
  rows: readonly Recipient[],
  known: Map<string, KnownChat>,
  retry: QueueingRetry,
): Promise<void> {
  const queue = deps.deliveryQueue!;
  const rowKey = (r: Recipient) => deliveryKey(b, r.aadObjectId).rowKey;
  let unwritten = rows;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1) {
        const there = new Set<string>();
        const range = { from: rowKey(unwritten[0]!), to: `${rowKey(unwritten.at(-1)!)}~` };
        for await (const row of listDeliveries(deps.store, b, range)) there.add(row.key.rowKey);
        unwritten = unwritten.filter((r) => !there.has(rowKey(r)));
        if (unwritten.length === 0) return;
      }
      // A transaction holds one partition's rows.
      const transactions: Recipient[][] = [];
      let current: Recipient[] = [];
      for (const r of unwritten) {
        const last = current.at(-1);
        const full = current.length >= MAX_TRANSACTION_ACTIONS;
        if (last && (full || deliveryPartitionOf(b, rowKey(last)) !== deliveryPartitionOf(b, rowKey(r)))) {
          transactions.push(current);
          current = [];
        }
        current.push(r);
      }
      if (current.length > 0) transactions.push(current);
      await forEachBounded(transactions, QUEUE_CONCURRENCY, async (batch) => {
        const jobRecipients = batch.map((r) => jobRecipientOf(r, known.get(r.aadObjectId)));
        for (const job of jobsOf(b.id, jobRecipients)) await queue.enqueue(job);
        await insertRows(deps, b, batch);
      });
      return;
    } catch (err) {
      if (!isUnavailable(err, 'storage') || attempt >= retry.attempts) throw err;
      deps.logger.warn(
        { broadcastId: b.id, attempt, rows: unwritten.length },
        'storage did not answer while queueing; the window is tried again',
      );
      await sleep(retry.waitMs);
    }
  }
}

/** One transaction of `queued` rows of one partition; rows another run wrote first are left as they are. */
async function insertRows(deps: BroadcastDeps, b: Broadcast, batch: readonly Recipient[]) {
  const now = deps.clock.now();
  const partitionKey = deliveryKey(b, batch[0]!.aadObjectId).partitionKey;
  const actions = batch.map((r) => ({
    kind: 'insert' as const,
    rowKey: deliveryKey(b, r.aadObjectId).rowKey,
    value: queuedDelivery(b.id, r, now),
  }));
  try {
    await deps.store.deliveries.transact(partitionKey, actions);
  } catch (err) {
    if (!(err instanceof TransactionError)) throw err;
    // Some rows are there already (an earlier run): the rest one by one.
    await forEachBounded(actions, INSERTS_IN_FLIGHT, async (a) => {
      try {
        await deps.store.deliveries.insert({ partitionKey, rowKey: a.rowKey }, a.value);
      } catch (e) {
        if (!(e instanceof ConcurrencyError)) throw e;
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * One ETag-guarded state change. Returns the broadcast as it was before; refuses (BroadcastError,
 * nothing written) when it does not exist or is in none of the `from` states.
 */
async function transition(
  store: Store,
  broadcastId: string,
  from: readonly Broadcast['state'][],
  change: (b: Broadcast) => Broadcast,
): Promise<Broadcast> {
  let before: Broadcast | undefined;
  await store.broadcasts.update(broadcastKey(broadcastId), (cur) => {
    before = cur;
    if (!cur || !from.includes(cur.state)) return undefined;
    return change(cur);
  });
  if (!before) throw new BroadcastError('not-found', `broadcast ${broadcastId} does not exist`);
  if (!from.includes(before.state)) {
    throw before.state === 'done' || before.state === 'cancelled'
      ? new BroadcastError('finished', `broadcast ${broadcastId} is already ${before.state}`)
      : new BroadcastError('not-draft', `broadcast ${broadcastId} is ${before.state}, not a draft`);
  }
  return before;
}
