/**
 * The broadcast engine's API for the admin feature: create a draft, confirm it (now or at a set
 * time), cancel it, read its progress. Confirming writes one Delivery row per recipient (queueing),
 * then delivery jobs go to the durable queue a window at a time (about a minute of sending ahead of
 * the senders); the senders on every instance (src/workers/broadcast-sender.ts) do the rest.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps';
import {
  type Broadcast,
  type BroadcastKind,
  broadcastKey,
  countDeliveries,
  type Delivery,
  type DeliveryCounts,
  type DeliveryFailure,
  type DeliveryJob,
  deliveryKey,
  deliveryPartition,
} from '../../domain/broadcast';
import { isFinalDelivery, queuedDelivery, uniqueRecipients } from '../../domain/broadcast-pacing';
import type { ConversationAddress, Participant } from '../../domain/participant';
import type { OutgoingCard } from '../../ports/messenger';
import { ConcurrencyError, type Store, type Stored } from '../../ports/store';
import { inBackground } from '../../shared/background';
import { forEachBounded } from '../../shared/bounded';
import { type AuditActor, recordAudit } from '../audit';

export interface Recipient {
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
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
const ROW_BATCH = 500;
/** Storage writes in flight while queueing. */
const QUEUE_CONCURRENCY = 16;

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
  return summarise(stored.value, await deliveriesOf(store, broadcastId));
}

/** Counts by state and failures by reason of a broadcast's deliveries. */
export function summarise(broadcast: Broadcast, rows: readonly Delivery[]): BroadcastProgress {
  const failures: Partial<Record<DeliveryFailure, number>> = {};
  for (const d of rows) {
    if (d.state === 'failed' && d.reason) failures[d.reason] = (failures[d.reason] ?? 0) + 1;
  }
  return { broadcast, counts: countDeliveries(rows), failures };
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
 * Writes a `queued` Delivery row for every recipient and moves the broadcast from `queueing` to
 * `sending`; the leased broadcast job then feeds the delivery jobs to the queue (`feedQueue`).
 * Resumable: inserts are idempotent, so running it again after a crash writes only the rows that
 * are missing, and nobody gets two. A call while this instance is already queueing the broadcast
 * joins that run.
 */
export function queueRecipients(
  deps: BroadcastDeps,
  hooks: BroadcastHooks,
  broadcastId: string,
): Promise<Broadcast | undefined> {
  let run = running.get(broadcastId);
  if (!run) {
    run = runQueueing(deps, hooks, broadcastId).finally(() => running.delete(broadcastId));
    running.set(broadcastId, run);
  }
  return run;
}

async function runQueueing(
  deps: BroadcastDeps,
  hooks: BroadcastHooks,
  broadcastId: string,
): Promise<Broadcast | undefined> {
  const key = broadcastKey(broadcastId);
  const b = (await deps.store.broadcasts.get(key))?.value;
  if (!b || b.state !== 'queueing') return b;

  const recipients = uniqueRecipients(await hooks.recipients(b));
  const recorded = new Set<string>();
  for await (const row of deps.store.deliveries.listPartition(deliveryPartition(broadcastId))) {
    recorded.add(row.key.rowKey);
  }
  deps.logger.info(
    { broadcastId, recipients: recipients.length, alreadyRecorded: recorded.size },
    recorded.size > 0 ? 'resuming the queueing of a broadcast' : 'queueing a broadcast',
  );
  const missing = recipients.filter((r) => !recorded.has(deliveryKey(broadcastId, r.aadObjectId).rowKey));
  for (let from = 0; from < missing.length; from += ROW_BATCH) {
    const batch = missing.slice(from, from + ROW_BATCH);
    await forEachBounded(batch, QUEUE_CONCURRENCY, async (r) => {
      try {
        await deps.store.deliveries.insert(
          deliveryKey(broadcastId, r.aadObjectId),
          queuedDelivery(broadcastId, r, deps.clock.now()),
        );
      } catch (err) {
        // Another run wrote it first: that is the one row this recipient gets.
        if (!(err instanceof ConcurrencyError)) throw err;
      }
      recorded.add(deliveryKey(broadcastId, r.aadObjectId).rowKey);
    });
    // Cancelled (or taken over) meanwhile: write nobody else.
    const current = (await deps.store.broadcasts.get(key))?.value;
    if (current?.state !== 'queueing') return current;
  }

  let started = false;
  const sending = await deps.store.broadcasts.update(key, (cur) => {
    started = cur?.state === 'queueing';
    return started ? { ...cur!, state: 'sending', queuedCount: 0, recipientCount: recorded.size } : undefined;
  });
  if (started) deps.logger.info({ broadcastId, recipients: recorded.size }, 'broadcast recorded; sending');
  return sending;
}

/** Jobs kept in the queue ahead of the senders: this many seconds of sending at the configured rate. */
export const DEFAULT_QUEUE_AHEAD_SECONDS = 60;

export function queueWindow(
  deps: Pick<Deps, 'config'>,
  options: { queueAheadSeconds?: number } = {},
): number {
  const rate = deps.config.broadcast.ratePerSecond;
  return Math.max(50, Math.ceil(rate * (options.queueAheadSeconds ?? DEFAULT_QUEUE_AHEAD_SECONDS)));
}

/**
 * A delivery job as queued: besides whom it is for, the Delivery row as it was when the job was
 * written, so that the sender can claim it with one conditional write and reads the row first only
 * when it changed since (a retry, a second job).
 */
export interface QueuedDeliveryJob extends DeliveryJob {
  row?: Delivery;
  etag?: string;
}

/** Every Delivery row of a broadcast with its ETag, in row-key order (the order jobs are queued in). */
export async function deliveryRowsOf(store: Store, broadcastId: string): Promise<Stored<Delivery>[]> {
  const rows: (Stored<Delivery> & { rowKey: string })[] = [];
  for await (const r of store.deliveries.listPartition(deliveryPartition(broadcastId))) {
    rows.push({ rowKey: r.key.rowKey, value: r.value, etag: r.etag });
  }
  return rows
    .sort((a, b) => (a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0))
    .map(({ value, etag }) => ({ value, etag }));
}

/** Every Delivery row of a broadcast, in row-key order. */
export async function deliveriesOf(store: Store, broadcastId: string): Promise<Delivery[]> {
  return (await deliveryRowsOf(store, broadcastId)).map((r) => r.value);
}

/**
 * Queues the next delivery jobs of a sending broadcast so that about `window` are waiting or being
 * worked on. `queuedCount` is the watermark: rows before it (in row-key order) have their job. It is
 * written after the jobs, so a crash in between queues a few jobs twice, never none; the senders
 * recognise a second job for a delivery they already handled. Only the leased broadcast job calls
 * it, so two instances do not feed the same rows at once. Returns how many jobs were queued.
 */
export async function feedQueue(
  deps: BroadcastDeps,
  b: Broadcast,
  rows: readonly Stored<Delivery>[],
  window: number,
): Promise<number> {
  const queue = deps.deliveryQueue;
  if (!queue) throw new BroadcastError('unavailable', 'no delivery queue is configured');
  if (b.state !== 'sending') return 0;
  const fed = Math.min(b.queuedCount ?? 0, rows.length);
  if (fed >= rows.length) return 0;
  let outstanding = 0;
  for (let i = 0; i < fed; i++) if (!isFinalDelivery(rows[i]!.value.state)) outstanding++;
  // Top up in steps of at least a tenth of the window, not a job at a time.
  const room = window - outstanding;
  if (room < Math.min(window / 10, rows.length - fed)) return 0;
  const next = rows.slice(fed, fed + room);
  await forEachBounded(
    next.filter((r) => !isFinalDelivery(r.value.state)),
    QUEUE_CONCURRENCY,
    (r) => {
      const job: QueuedDeliveryJob = {
        broadcastId: b.id,
        aadObjectId: r.value.aadObjectId,
        row: r.value,
        etag: r.etag,
      };
      return queue.enqueue(job);
    },
  );
  const watermark = fed + next.length;
  await deps.store.broadcasts.update(broadcastKey(b.id), (cur) =>
    cur && (cur.queuedCount ?? 0) < watermark ? { ...cur, queuedCount: watermark } : undefined,
  );
  return next.length;
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
