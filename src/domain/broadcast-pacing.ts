/**
 * The pure rules of sending a broadcast: which connector answers are worth retrying and after how
 * long, how a delivery record moves from one state to the next, and how recipients are cut into
 * delivery jobs. The shared rate's rules are in ./outgoing-budget.ts. The deliverer
 * (src/features/broadcast) only does the I/O around these.
 */
import type {
  Delivery,
  DeliveryCounts,
  DeliveryFailure,
  DeliveryJob,
  DeliveryState,
  JobRecipient,
} from './broadcast';
import { FINAL_DELIVERY_STATES, MAX_JOB_JSON_CHARS, MAX_JOB_RECIPIENTS } from './broadcast';

// ---------------------------------------------------------------------------------------------
// Connector answers: retry or not, and when

/** What to do after a connector call failed. */
export type FailureClass =
  /** 429: the tenant is throttled; pause every sender for Retry-After and try again. */
  | 'throttled'
  /** 412 or 5xx: the connector answered and did not take the message; back off and try again. */
  | 'retry'
  /** Any other 4xx: the message will never be accepted. */
  | 'rejected'
  /** No answer (network error, timeout): the message may or may not have gone out. */
  | 'unknown-outcome';

export function classifyConnectorStatus(status: number | undefined): FailureClass {
  if (status === undefined || !Number.isFinite(status) || status <= 0) return 'unknown-outcome';
  if (status === 429) return 'throttled';
  if (status === 412 || (status >= 500 && status <= 599)) return 'retry';
  return 'rejected';
}

/** Retry-After as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - now.getTime()) / 1000);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DELIVERY_BACKOFF: Readonly<BackoffOptions> = { baseMs: 1_000, capMs: 60_000 };
/** When the connector sends no Retry-After with a 429, everyone waits this long. */
export const DEFAULT_THROTTLE_SECONDS = 5;
/** A Retry-After longer than this is capped: the engine retries after the cap rather than stalling for hours. */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** Exponential backoff with "equal jitter": half the doubled delay fixed, half random; capped. */
export function backoffMs(attempt: number, random: () => number, options: BackoffOptions = DELIVERY_BACKOFF) {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * How long until a retry: a 429's Retry-After (capped, plus up to 10 % jitter so retried messages
 * do not all come back in the same instant), else exponential backoff with jitter.
 */
export function retryDelayMs(
  failure: { attempt: number; retryAfterSeconds?: number },
  random: () => number,
  options: BackoffOptions = DELIVERY_BACKOFF,
): number {
  if (failure.retryAfterSeconds !== undefined && failure.retryAfterSeconds >= 0) {
    const ms = Math.min(MAX_RETRY_AFTER_SECONDS, failure.retryAfterSeconds) * 1000;
    return Math.round(ms + random() * ms * 0.1);
  }
  return backoffMs(failure.attempt, random, options);
}

// ---------------------------------------------------------------------------------------------
// Delivery records

export const isFinalDelivery = (state: DeliveryState): boolean => FINAL_DELIVERY_STATES.includes(state);

/** A new record for a recipient just queued. */
export function queuedDelivery(
  broadcastId: string,
  r: { aadObjectId: string; userPrincipalName?: string; displayName?: string },
  now: Date,
): Delivery {
  const at = now.toISOString();
  return {
    broadcastId,
    aadObjectId: r.aadObjectId.toLowerCase(),
    ...(r.userPrincipalName ? { userPrincipalName: r.userPrincipalName } : {}),
    ...(r.displayName ? { displayName: r.displayName } : {}),
    state: 'queued',
    attempts: 0,
    queuedAt: at,
    updatedAt: at,
  };
}

/**
 * What a sender meeting a delivery job should do with the record as it finds it:
 * - `send`: queued, go ahead;
 * - `resend`: left `sending` by a sender that died mid-call; the message may have gone out, so it is
 *   sent again and recorded `uncertain`;
 * - `wait`: another sender started it moments ago and may still be on it; look again later;
 * - `skip`: final already; never sent again.
 */
export type DeliveryDecision =
  | { kind: 'send' }
  | { kind: 'resend' }
  | { kind: 'wait'; waitMs: number }
  | { kind: 'skip' };

export function decideDelivery(d: Delivery, now: Date, inFlightGraceMs: number): DeliveryDecision {
  if (isFinalDelivery(d.state)) return { kind: 'skip' };
  if (d.state === 'queued') return { kind: 'send' };
  const since = d.sendingSince ? Date.parse(d.sendingSince) : Number.NaN;
  const age = Number.isNaN(since) ? Number.POSITIVE_INFINITY : now.getTime() - since;
  if (age < inFlightGraceMs) return { kind: 'wait', waitMs: inFlightGraceMs - age };
  return { kind: 'resend' };
}

/** The claim written (with the ETag read) just before the connector call. */
export function markSending(d: Delivery, now: Date): Delivery {
  const at = now.toISOString();
  return { ...d, state: 'sending', attempts: d.attempts + 1, sendingSince: at, updatedAt: at };
}

/**
 * After the connector took the message. `sent` only when this sender's claim is still the record's
 * state and the message was not a re-send; whenever two sends of one message may have happened (a
 * re-send after a crash, or another sender finished the same record meanwhile) it is `uncertain`.
 */
export function markDelivered(
  current: Delivery,
  claim: { sendingSince: string; resend: boolean },
  activityId: string,
  now: Date,
): Delivery | undefined {
  const ours = current.state === 'sending' && current.sendingSince === claim.sendingSince;
  const state: DeliveryState = ours && !claim.resend ? 'sent' : 'uncertain';
  if (current.state === 'uncertain' && current.activityId) return undefined;
  const { reason: _reason, sendingSince: _since, ...rest } = current;
  return { ...rest, state, activityId: current.activityId ?? activityId, updatedAt: now.toISOString() };
}

/** A connector answer (or a step before it) that did not take the message, as the rules need it. */
export interface Refusal {
  class: Exclude<FailureClass, 'unknown-outcome'>;
  status?: number;
  code?: string;
  retryAfterSeconds?: number;
}

export type AfterFailure =
  | { kind: 'retry'; delayMs: number; record: Delivery }
  | { kind: 'failed'; record: Delivery };

/**
 * After a connector call that did not take the message (429, 412, 5xx, other 4xx). Retryable ones go
 * back to `queued` (so the next pick-up is an ordinary send, not a crash recovery) until the attempt
 * limit, then fail as `retries-exhausted`; permanent ones fail as `rejected`.
 */
export function afterFailure(
  current: Delivery,
  failure: Refusal,
  maxAttempts: number,
  now: Date,
  random: () => number,
): AfterFailure {
  const at = now.toISOString();
  const detail = [failure.status, failure.code].filter((x) => x !== undefined && x !== '').join(' ');
  if (failure.class === 'rejected') {
    return { kind: 'failed', record: failedDelivery(current, 'rejected', detail, now) };
  }
  if (current.attempts >= maxAttempts) {
    return {
      kind: 'failed',
      record: failedDelivery(
        current,
        'retries-exhausted',
        `${detail} after ${current.attempts} attempts`,
        now,
      ),
    };
  }
  const delayMs = retryDelayMs(
    {
      attempt: current.attempts,
      retryAfterSeconds:
        failure.class === 'throttled' ? (failure.retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS) : undefined,
    },
    random,
  );
  const { sendingSince: _since, ...rest } = current;
  return { kind: 'retry', delayMs, record: { ...rest, state: 'queued', detail, updatedAt: at } };
}

/**
 * After a try that ended before the connector took anything (composing, installing, opening the
 * chat): it counts as an attempt and is bounded like one. A row left `sending` by a dead sender stays
 * `sending`, because its earlier try may still have gone out; past the attempt limit it is
 * `uncertain`. Undefined when the row is final already.
 */
export function afterNotSent(
  current: Delivery,
  failure: Refusal,
  maxAttempts: number,
  now: Date,
  random: () => number,
): AfterFailure | undefined {
  const counted = { ...current, attempts: current.attempts + 1 };
  if (current.state === 'queued') return afterFailure(counted, failure, maxAttempts, now, random);
  if (current.state !== 'sending') return undefined;
  if (counted.attempts >= maxAttempts) return { kind: 'failed', record: uncertainDelivery(counted, now) };
  return { kind: 'retry', delayMs: backoffMs(counted.attempts, random), record: counted };
}

/** A delivery that may have gone out twice, or once without our knowing: never sent again. */
export function uncertainDelivery(d: Delivery, now: Date): Delivery {
  const { sendingSince: _since, ...rest } = d;
  return { ...rest, state: 'uncertain', updatedAt: now.toISOString() };
}

export function failedDelivery(
  d: Delivery,
  reason: DeliveryFailure,
  detail: string | undefined,
  now: Date,
): Delivery {
  const { sendingSince: _since, ...rest } = d;
  return {
    ...rest,
    state: 'failed',
    reason,
    ...(detail ? { detail } : {}),
    updatedAt: now.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Delivery jobs

/**
 * Recipients (in row-key order) cut into delivery jobs: at most MAX_JOB_RECIPIENTS each, fewer when
 * their chat addresses are long, so that a job stays well inside a queue message.
 */
export function jobsOf(broadcastId: string, recipients: readonly JobRecipient[]): DeliveryJob[] {
  const jobs: DeliveryJob[] = [];
  const overhead = JSON.stringify({ broadcastId, recipients: [] }).length;
  let current: JobRecipient[] = [];
  let size = overhead;
  for (const r of recipients) {
    const length = JSON.stringify(r).length + 1;
    if (current.length > 0 && (current.length >= MAX_JOB_RECIPIENTS || size + length > MAX_JOB_JSON_CHARS)) {
      jobs.push({ broadcastId, recipients: current });
      current = [];
      size = overhead;
    }
    current.push(r);
    size += length;
  }
  if (current.length > 0) jobs.push({ broadcastId, recipients: current });
  return jobs;
}

/**
 * Recipients to look at again later, as new jobs with the delay each needs: grouped by the delay in
 * whole seconds (rounded up, so nobody comes back early), each group cut like `jobsOf`.
 */
export function laterJobs(
  broadcastId: string,
  later: readonly { recipient: JobRecipient; delayMs: number }[],
): { delaySeconds: number; job: DeliveryJob }[] {
  const bySeconds = new Map<number, JobRecipient[]>();
  for (const { recipient, delayMs } of later) {
    const seconds = Math.max(0, Math.ceil(delayMs / 1000));
    const list = bySeconds.get(seconds) ?? [];
    list.push(recipient);
    bySeconds.set(seconds, list);
  }
  return [...bySeconds]
    .sort(([a], [b]) => a - b)
    .flatMap(([delaySeconds, rs]) =>
      jobsOf(
        broadcastId,
        [...rs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      ).map((job) => ({ delaySeconds, job })),
    );
}

// ---------------------------------------------------------------------------------------------
// Recipients and progress

/** One entry per person (object ids compared case-insensitively), in a stable order. */
export function uniqueRecipients<T extends { aadObjectId: string }>(recipients: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of recipients) {
    const id = r.aadObjectId.trim().toLowerCase();
    if (id && !seen.has(id)) seen.set(id, { ...r, aadObjectId: id });
  }
  return [...seen.values()].sort((a, b) => (a.aadObjectId < b.aadObjectId ? -1 : 1));
}

/** Share of the recipients whose delivery reached a final state, 0…1. */
export function finishedShare(counts: DeliveryCounts, recipientCount: number): number {
  const total = Math.max(
    recipientCount,
    counts.queued + counts.sending + counts.sent + counts.failed + counts.uncertain,
  );
  if (total === 0) return 1;
  return (counts.sent + counts.failed + counts.uncertain) / total;
}

/** A text progress bar ("▰▰▰▱▱▱▱▱▱▱") for cards, which have no progress element. */
export function progressBar(share: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return '▰'.repeat(filled) + '▱'.repeat(width - filled);
}

/** Every delivery final and every recipient recorded: the broadcast is done. */
export function allDeliveriesFinal(counts: DeliveryCounts, recipientCount: number): boolean {
  const final = counts.sent + counts.failed + counts.uncertain;
  return counts.queued === 0 && counts.sending === 0 && final >= recipientCount;
}
