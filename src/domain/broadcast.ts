/**
 * Broadcasts: one admin message (a wave announcement, a reminder to stragglers) fanned out to many
 * people. Every recipient gets a Delivery row and a place in a durable queue message that carries a
 * batch of recipients; the row is the truth about what happened to that person's message.
 */
import type { ConversationAddress } from './participant';

export type BroadcastKind = 'announcement' | 'stragglers';

export type BroadcastState =
  /** Built and previewed, waiting for the admin's confirmation. */
  | 'draft'
  /** Confirmed, to be queued at `scheduledAt`. */
  | 'scheduled'
  /** Recipients being written to the queue. */
  | 'queueing'
  /** Everyone queued; senders are working through it. */
  | 'sending'
  /** Every delivery reached a final state (sent, failed or uncertain). */
  | 'done'
  | 'cancelled';

export interface Broadcast {
  id: string;
  kind: BroadcastKind;
  /** The wave announced (announcement) or whose stragglers are reminded. */
  waveId: string;
  state: BroadcastState;
  createdAt: string;
  createdBy: { aadObjectId: string; name?: string };
  /** When to start sending (absent: at once on confirmation). */
  scheduledAt?: string;
  confirmedAt?: string;
  cancelledAt?: string;
  finishedAt?: string;
  /** Number of recipients fixed at confirmation. */
  recipientCount: number;
  /** Recipients written to the queue so far (through `queuedThrough` while queueing). */
  queuedCount?: number;
  /**
   * While queueing: the last recipient (Entra object id, the delivery row key) whose row and job are
   * written with every one before it in row-key order. A resumed queueing starts after it instead
   * of listing the whole delivery partition. Cleared when sending starts.
   */
  queuedThrough?: string;
  /**
   * How many leading characters of a delivery's row key name its partition (see `deliveryKey`);
   * absent on broadcasts created before partitions were split: all their rows share one partition.
   */
  deliveryKeyChars?: number;
  /** Also post the announcement in this channel (conversation id). */
  alsoPostToChannelId?: string;
  /** The admin's progress card, updated in place while sending. */
  progressCard?: { conversation: import('./participant').ConversationAddress; activityId: string };
  /** An optional line from the admin shown on every card. */
  note?: string;
}

export type DeliveryState = 'queued' | 'sending' | 'sent' | 'failed' | 'uncertain';

/** Why a delivery failed for good. */
export type DeliveryFailure =
  /** Graph refused to install the app for the user (403: blocked, or a policy forbids it). */
  | 'app-install-blocked'
  /** The user does not exist in the directory any more. */
  | 'user-not-found'
  /** The connector kept refusing (429/412/5xx) past the attempt limit. */
  | 'retries-exhausted'
  /** The connector answered with a permanent error (4xx other than 412/429). */
  | 'rejected'
  /** The broadcast was cancelled before this message went out. */
  | 'cancelled';

/** Every failure reason, in the order reports list them. */
export const DELIVERY_FAILURES: readonly DeliveryFailure[] = [
  'app-install-blocked',
  'user-not-found',
  'retries-exhausted',
  'rejected',
  'cancelled',
];

export interface Delivery {
  broadcastId: string;
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  state: DeliveryState;
  attempts: number;
  reason?: DeliveryFailure;
  /** Detail for the admin, e.g. the connector's error code. */
  detail?: string;
  activityId?: string;
  queuedAt: string;
  /** When the current send attempt started (state `sending`). */
  sendingSince?: string;
  updatedAt: string;
}

/**
 * One recipient in a delivery job: the row key of their Delivery row and what sending needs that the
 * row does not hold, copied from their participant row at queueing, so that sending reads no
 * participant. Nothing here outlives the job: an erasure deletes the row, and without the row nothing
 * is sent.
 */
export interface JobRecipient {
  /** Row key of the Delivery row (the object id, lower case). */
  id: string;
  /** Their 1:1 chat with the bot; absent when the bot has none yet (the app is installed first). */
  chat?: ConversationAddress;
  locale?: string;
  language?: string;
  timeZone?: string;
}

/**
 * The queue message: up to MAX_JOB_RECIPIENTS recipients of one broadcast, in row-key order, so
 * that their rows are read with one range query and claimed and recorded a chunk per transaction.
 */
export interface DeliveryJob {
  broadcastId: string;
  recipients: JobRecipient[];
}

/** Most recipients one delivery job carries (also the most writes of one table transaction). */
export const MAX_JOB_RECIPIENTS = 100;
/** Most characters of a job as JSON: base64 makes it a third longer, and a queue message holds 64 KiB. */
export const MAX_JOB_JSON_CHARS = 40_000;

export const FINAL_DELIVERY_STATES: readonly DeliveryState[] = ['sent', 'failed', 'uncertain'];

export const broadcastKey = (id: string) => ({ partitionKey: 'broadcast', rowKey: id });
/** What names a broadcast's delivery partitions. */
export type DeliveryLayout = Pick<Broadcast, 'id' | 'deliveryKeyChars'>;

/**
 * A broadcast's deliveries are spread over partitions named by the first characters of the row key
 * (an Entra object id, so hexadecimal): about 200 to 3,200 rows each. Azure Tables would take one
 * partition per broadcast, but the embedded default looks a row up by scanning its partition, so
 * one partition of 100,000 rows makes every write slow there (Azurite 3.35, measured: a transaction
 * of 23 replaces 498 ms and one of 100 inserts 534 ms, against 25 ms and 11 ms in partitions of 100
 * rows of the same table). The split keeps row-key order: a partition is a range of row keys, so a
 * job's recipients (neighbours in that order) share one and the partitions list in row-key order.
 */
export function deliveryKeyCharsFor(recipientCount: number): number {
  let chars = 0;
  while (chars < MAX_DELIVERY_KEY_CHARS && recipientCount / 16 ** (chars + 1) >= MIN_PARTITION_ROWS) chars++;
  return chars;
}
const MIN_PARTITION_ROWS = 200;
const MAX_DELIVERY_KEY_CHARS = 4;

/** The partition of one delivery row. */
export function deliveryPartitionOf(b: DeliveryLayout, rowKey: string): string {
  return b.deliveryKeyChars === undefined ? `b-${b.id}` : `b-${b.id}-${rowKey.slice(0, b.deliveryKeyChars)}`;
}

export function deliveryKey(b: DeliveryLayout, aadObjectId: string) {
  const rowKey = aadObjectId.toLowerCase();
  return { partitionKey: deliveryPartitionOf(b, rowKey), rowKey };
}

/**
 * The partition keys that hold a broadcast's rows, `from` inclusive to `to` exclusive ('.' follows
 * '-': every key that starts with `b-<id>-` and nothing else), or the one partition of an older one.
 */
export function deliveryPartitions(b: DeliveryLayout): { only: string } | { from: string; to: string } {
  return b.deliveryKeyChars === undefined ? { only: `b-${b.id}` } : { from: `b-${b.id}-`, to: `b-${b.id}.` };
}

export type DeliveryCounts = Record<DeliveryState, number>;

export function countDeliveries(deliveries: Iterable<Pick<Delivery, 'state'>>): DeliveryCounts {
  const counts: DeliveryCounts = { queued: 0, sending: 0, sent: 0, failed: 0, uncertain: 0 };
  for (const d of deliveries) counts[d.state]++;
  return counts;
}
