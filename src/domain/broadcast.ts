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
/** One partition per broadcast, so its report lists with one query. */
export const deliveryKey = (broadcastId: string, aadObjectId: string) => ({
  partitionKey: `b-${broadcastId}`,
  rowKey: aadObjectId.toLowerCase(),
});
export const deliveryPartition = (broadcastId: string) => `b-${broadcastId}`;

export type DeliveryCounts = Record<DeliveryState, number>;

export function countDeliveries(deliveries: Iterable<Pick<Delivery, 'state'>>): DeliveryCounts {
  const counts: DeliveryCounts = { queued: 0, sending: 0, sent: 0, failed: 0, uncertain: 0 };
  for (const d of deliveries) counts[d.state]++;
  return counts;
}
