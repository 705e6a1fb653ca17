/**
 * The broadcast engine's API for the admin feature: create a draft, confirm it (now or at a set
 * time), cancel it, read its progress. Confirming writes one Delivery row and one queue message per
 * recipient (queueing); the senders on every instance (src/workers/broadcast-sender.ts) do the rest.
 */
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps';
import { auditKey } from '../../domain/audit';
import {
  type Broadcast,
  type BroadcastKind,
  broadcastKey,
  countDeliveries,
  type DeliveryCounts,
  type DeliveryFailure,
  type DeliveryJob,
  deliveryKey,
  deliveryPartition,
} from '../../domain/broadcast';
import { queuedDelivery, uniqueRecipients } from '../../domain/broadcast-pacing';
import type { ConversationAddress, Participant } from '../../domain/participant';
import type { OutgoingCard } from '../../ports/messenger';
import { ConcurrencyError, type Store } from '../../ports/store';

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

export interface Actor {
  aadObjectId: string;
  name?: string;
}

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
/** Recipients per progress write while queueing (queuedCount moves in these steps). */
const QUEUE_BATCH = 200;
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
 * shows the queueing, and the job resumes it should this instance stop half-way.
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
  await audit(deps, options.actor, later ? 'broadcast.schedule' : 'broadcast.confirm', after, {
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
  await audit(deps, actor, 'broadcast.cancel', after, {
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
  const states: { state: import('../../domain/broadcast').DeliveryState }[] = [];
  const failures: Partial<Record<DeliveryFailure, number>> = {};
  for await (const { value } of store.deliveries.listPartition(deliveryPartition(broadcastId))) {
    states.push({ state: value.state });
    if (value.state === 'failed' && value.reason) failures[value.reason] = (failures[value.reason] ?? 0) + 1;
  }
  return { broadcast: stored.value, counts: countDeliveries(states), failures };
}

// ---------------------------------------------------------------------------------------------
// Queueing

const running = new Map<string, Promise<Broadcast | undefined>>();

function startQueueing(deps: BroadcastDeps, hooks: BroadcastHooks, broadcastId: string): void {
  queueRecipients(deps, hooks, broadcastId).catch((err: unknown) =>
    deps.logger.error({ err, broadcastId }, 'queueing a broadcast stopped; the broadcast job resumes it'),
  );
}

/** Whether this instance is queueing the broadcast right now. */
export function isQueueing(broadcastId: string): boolean {
  return running.has(broadcastId);
}

/**
 * Writes a queue message and then a Delivery row (`queued`) for every recipient not recorded yet,
 * and moves the broadcast from `queueing` to `sending`. Resumable: a recipient with a row already
 * had its message queued before the row was written, so after a crash only the recipients without a
 * row are queued again, and nobody is lost; at most the few whose message went out just before the
 * crash get a second message, which the senders recognise. A call while this instance is already
 * queueing the broadcast joins that run.
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
  const queue = deps.deliveryQueue;
  if (!queue) throw new BroadcastError('unavailable', 'no delivery queue is configured');
  const key = broadcastKey(broadcastId);
  const b = (await deps.store.broadcasts.get(key))?.value;
  if (!b || b.state !== 'queueing') return b;

  const recipients = uniqueRecipients(await hooks.recipients(b));
  const recorded = new Set<string>();
  for await (const row of deps.store.deliveries.listPartition(deliveryPartition(broadcastId))) {
    recorded.add(row.key.rowKey);
  }
  const resumed = b.queuedCount !== undefined || recorded.size > 0;
  deps.logger.info(
    { broadcastId, recipients: recipients.length, alreadyRecorded: recorded.size, resumed },
    resumed ? 'resuming the queueing of a broadcast' : 'queueing a broadcast',
  );

  for (let from = 0; from < recipients.length; from += QUEUE_BATCH) {
    const batch = recipients
      .slice(from, from + QUEUE_BATCH)
      .filter((r) => !recorded.has(deliveryKey(broadcastId, r.aadObjectId).rowKey));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(QUEUE_CONCURRENCY, batch.length) }, async () => {
        while (next < batch.length) {
          const r = batch[next++]!;
          const job: DeliveryJob = { broadcastId, aadObjectId: r.aadObjectId };
          // Message first, row second: a row always means its message exists.
          await queue.enqueue(job);
          try {
            await deps.store.deliveries.insert(
              deliveryKey(broadcastId, r.aadObjectId),
              queuedDelivery(broadcastId, r, deps.clock.now()),
            );
          } catch (err) {
            if (!(err instanceof ConcurrencyError)) throw err;
          }
          recorded.add(deliveryKey(broadcastId, r.aadObjectId).rowKey);
        }
      }),
    );
    const done = Math.min(recipients.length, from + QUEUE_BATCH);
    const current = await deps.store.broadcasts.update(key, (cur) =>
      cur?.state === 'queueing' && (cur.queuedCount ?? 0) < done ? { ...cur, queuedCount: done } : undefined,
    );
    // Cancelled (or finished elsewhere) meanwhile: queue nobody else.
    if (current?.state !== 'queueing') return current;
  }

  let started = false;
  const final = await deps.store.broadcasts.update(key, (cur) => {
    started = false;
    if (cur?.state !== 'queueing') return undefined;
    started = true;
    return { ...cur, state: 'sending', queuedCount: recipients.length, recipientCount: recorded.size };
  });
  if (started) deps.logger.info({ broadcastId, recipients: recorded.size }, 'broadcast queued; sending');
  return final;
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

async function audit(
  deps: Pick<Deps, 'store' | 'clock'>,
  actor: Actor,
  action: string,
  b: Broadcast,
  change: { before: unknown; after: unknown },
): Promise<void> {
  const at = deps.clock.now();
  await deps.store.audit.insert(auditKey(at, randomBytes(4).toString('hex')), {
    at: at.toISOString(),
    actorAadObjectId: actor.aadObjectId.toLowerCase(),
    ...(actor.name ? { actorName: actor.name } : {}),
    action,
    target: `broadcast:${b.id}`,
    before: change.before,
    after: change.after,
  });
}
