/**
 * One delivery job, worked to its end: wait for the turn in the rate shared by all instances, claim
 * the Delivery row (`sending`, ETag) and only then call the connector, and record the outcome. A job
 * whose row is already `sending` when it comes back was in the hands of a sender that died mid-call:
 * it is sent again and recorded `uncertain`. Final rows are never sent again. The queue loop that
 * hands jobs in is src/workers/broadcast-sender.ts.
 */
import type { Deps } from '../../deps';
import { type Broadcast, broadcastKey, type Delivery, deliveryKey } from '../../domain/broadcast';
import {
  afterFailure,
  backoffMs,
  classifyConnectorStatus,
  DEFAULT_THROTTLE_SECONDS,
  decideDelivery,
  failedDelivery,
  MAX_RETRY_AFTER_SECONDS,
  markDelivered,
  markSending,
} from '../../domain/broadcast-pacing';
import type { ConversationAddress, Participant } from '../../domain/participant';
import { participantKey } from '../../domain/participant';
import { ConnectorError, type OutgoingCard } from '../../ports/messenger';
import type { RateGate } from '../../ports/rate-gate';
import { ConcurrencyError, type EntityKey } from '../../ports/store';
import type { BroadcastHooks, QueuedDeliveryJob, Recipient } from './broadcast-service';

export type SenderDeps = Pick<
  Deps,
  'store' | 'messenger' | 'clock' | 'logger' | 'config' | 'appInstaller' | 'deliveryQueue'
>;

export type SendOutcome =
  | 'sent'
  | 'uncertain'
  | 'failed'
  | 'cancelled'
  | 'retry'
  | 'wait'
  | 'skipped'
  | 'orphan'
  | 'released'
  | 'error';

/** A received job, kept from the other senders until it is completed or let come back later. */
export interface HeldDelivery {
  complete(): Promise<void>;
  /** Let the job come back after `ms` (0: at once, for another sender). */
  retryIn(ms: number): Promise<void>;
}

export interface DelivererOptions {
  /** A row `sending` for less than this may still be in another sender's hands (a duplicate job). */
  inFlightGraceMs: number;
  /** How long a broadcast's state is cached between reads: a cancel takes effect within it. */
  broadcastCacheMs: number;
  random: () => number;
  /** Aborted when the sender stops: a job waiting for its turn gives up (AbortedError). */
  signal: AbortSignal;
}

export class Deliverer {
  private readonly inFlightGraceMs: number;
  private readonly broadcastCacheMs: number;
  private readonly random: () => number;
  private readonly signal: AbortSignal;
  private readonly cache = new Map<string, { broadcast: Broadcast | undefined; at: number }>();

  constructor(
    private readonly deps: SenderDeps,
    private readonly hooks: BroadcastHooks,
    private readonly gate: RateGate,
    options: DelivererOptions,
  ) {
    this.inFlightGraceMs = options.inFlightGraceMs;
    this.broadcastCacheMs = options.broadcastCacheMs;
    this.random = options.random;
    this.signal = options.signal;
  }

  private get maxAttempts(): number {
    return this.deps.config.broadcast.maxAttempts;
  }

  /**
   * Works one delivery job to its end. `trustSnapshot`: the job comes from the queue for the first
   * time, so the row it carries is probably still current.
   */
  async deliver(held: HeldDelivery, job: QueuedDeliveryJob, trustSnapshot: boolean): Promise<SendOutcome> {
    const signal = this.signal;
    const b = await this.broadcast(job.broadcastId);
    if (!b) {
      this.deps.logger.warn({ job }, 'delivery job of an unknown broadcast; dropped');
      await held.complete();
      return 'orphan';
    }
    const key = deliveryKey(job.broadcastId, job.aadObjectId);
    // The row as the job was queued with it saves a read; if it changed since, the claim below fails
    // on its ETag and the job is worked again from a fresh read.
    const snapshot = trustSnapshot && job.row && job.etag ? { value: job.row, etag: job.etag } : undefined;
    const row = snapshot ?? (await this.deps.store.deliveries.get(key));
    if (!row) {
      // Queueing writes the message before the row; the row follows in a moment.
      if (b.state === 'queueing') {
        await held.retryIn(2_000);
        return 'wait';
      }
      this.deps.logger.warn({ job }, 'delivery job without a delivery record; dropped');
      await held.complete();
      return 'orphan';
    }
    const d = row.value;
    const decision = decideDelivery(d, this.deps.clock.now(), this.inFlightGraceMs);
    if (decision.kind === 'skip') {
      await held.complete();
      return 'skipped';
    }
    if (b.state === 'cancelled') return this.cancelDelivery(held, key, d);
    if (b.state !== 'queueing' && b.state !== 'sending') {
      this.deps.logger.warn(
        { job, state: b.state },
        'delivery job of a broadcast that is not sending; dropped',
      );
      await held.complete();
      return 'orphan';
    }
    if (decision.kind === 'wait') {
      await held.retryIn(decision.waitMs);
      return 'wait';
    }
    const resend = decision.kind === 'resend';
    if (resend && d.attempts >= this.maxAttempts) {
      // Every try so far may have gone out; another one would only add to the doubt.
      await this.deps.store.deliveries.update(key, (cur) =>
        cur && cur.state === 'sending' ? { ...cur, state: 'uncertain', updatedAt: this.nowIso() } : undefined,
      );
      await held.complete();
      return 'uncertain';
    }

    const participant = (await this.deps.store.participants.get(participantKey(d.aadObjectId)))?.value;
    // Erased while the broadcast was under way: nothing goes out, and their delivery row stays gone.
    if (participant?.erasedAt) {
      await held.complete();
      return 'orphan';
    }
    const recipient: Recipient = {
      aadObjectId: d.aadObjectId,
      ...((d.userPrincipalName ?? participant?.userPrincipalName)
        ? { userPrincipalName: d.userPrincipalName ?? participant?.userPrincipalName }
        : {}),
      ...((d.displayName ?? participant?.displayName)
        ? { displayName: d.displayName ?? participant?.displayName }
        : {}),
    };
    let message: OutgoingCard;
    try {
      message = await this.hooks.compose(b, recipient, participant);
    } catch (err) {
      this.deps.logger.warn({ err, job }, 'composing a broadcast card failed');
      return this.notSent(held, key, { class: 'retry', code: 'compose-failed' });
    }

    let to = participant?.conversation;
    if (!to) {
      const opened = await this.openChat(held, key, d, recipient, signal);
      if (typeof opened === 'string') return opened;
      to = opened;
    }

    // Claim first, then wait for the turn: what lies between the turn and the request is then only
    // this process's own work, so requests reach Teams as evenly spaced as the turns were handed out.
    const claim = markSending(d, this.deps.clock.now());
    let claimEtag: string;
    try {
      claimEtag = (await this.deps.store.deliveries.replace(key, claim, row.etag)).etag;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      if (snapshot) return this.deliver(held, job, false);
      // Another sender got to this row first (a duplicate job): look again shortly.
      await held.retryIn(1_000);
      return 'wait';
    }
    try {
      await this.gate.take(signal);
    } catch (err) {
      // Stopping: nothing was sent, so the row goes back to how it was found.
      await this.deps.store.deliveries.replace(key, d, claimEtag).catch(() => undefined);
      throw err;
    }
    // Only what this instance already knows: any I/O here would delay the request past its turn.
    if (this.cache.get(job.broadcastId)?.broadcast?.state === 'cancelled') {
      // Nothing was sent by us; a row found mid-call from a dead sender may still have gone out.
      const final: Delivery = resend
        ? { ...d, state: 'uncertain', updatedAt: this.nowIso() }
        : failedDelivery(d, 'cancelled', undefined, this.deps.clock.now());
      await this.deps.store.deliveries.replace(key, final, claimEtag).catch(() => undefined);
      await held.complete();
      return resend ? 'uncertain' : 'cancelled';
    }

    let activityId: string;
    try {
      activityId = (await this.deps.messenger.send(to, message)).activityId;
    } catch (err) {
      return this.sendFailed(held, key, claim, err);
    }
    const mine = { sendingSince: claim.sendingSince!, resend };
    let recorded = markDelivered(claim, mine, activityId, this.deps.clock.now());
    try {
      // Usually nobody touched the row since our claim: one write with the claim's ETag.
      await this.deps.store.deliveries.replace(key, recorded!, claimEtag);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      recorded = await this.deps.store.deliveries.update(key, (cur) =>
        cur ? markDelivered(cur, mine, activityId, this.deps.clock.now()) : undefined,
      );
    }
    await held.complete();
    if (this.hooks.onSent) {
      try {
        await this.hooks.onSent(b, recipient, activityId, to);
      } catch (err) {
        this.deps.logger.warn({ err, job }, 'after-send hook failed; the message itself went out');
      }
    }
    return recorded?.state === 'uncertain' ? 'uncertain' : 'sent';
  }

  /**
   * Someone the bot has no chat with: install the app for them through Graph, then open the chat and
   * keep its address on their participant row. Returns the address, or the outcome when it ends here.
   */
  private async openChat(
    held: HeldDelivery,
    key: EntityKey,
    d: Delivery,
    r: Recipient,
    signal: AbortSignal,
  ): Promise<ConversationAddress | SendOutcome> {
    const installer = this.deps.appInstaller;
    if (!installer) {
      return this.finalFailure(
        held,
        key,
        'rejected',
        'no chat with the user and no app installer (TEAMS_APP_ID)',
      );
    }
    let outcome: Awaited<ReturnType<typeof installer.installFor>>;
    try {
      outcome = await installer.installFor(d.aadObjectId);
    } catch (err) {
      this.deps.logger.warn({ err, aadObjectId: d.aadObjectId }, 'installing the app for a user failed');
      return this.notSent(held, key, { class: 'retry', code: 'app-install-failed' });
    }
    if (outcome === 'blocked') return this.finalFailure(held, key, 'app-install-blocked', 'Graph 403');
    if (outcome === 'user-not-found') return this.finalFailure(held, key, 'user-not-found', 'Graph 404');

    await this.gate.take(signal);
    let address: ConversationAddress;
    try {
      address = await this.deps.messenger.openPersonalChat({
        aadObjectId: d.aadObjectId,
        ...(this.deps.config.bot.tenantId ? { tenantId: this.deps.config.bot.tenantId } : {}),
      });
    } catch (err) {
      const failure = this.failureOf(err);
      if (failure.class === 'throttled') await this.pauseEveryone(failure.retryAfterSeconds);
      // Nothing was sent yet, so an unknown outcome here is simply a retry.
      return this.notSent(held, key, {
        ...failure,
        class: failure.class === 'unknown-outcome' ? 'retry' : failure.class,
      });
    }
    const now = this.nowIso();
    await this.deps.store.participants.update(
      participantKey(d.aadObjectId),
      (cur): Participant | undefined =>
        cur?.erasedAt
          ? undefined
          : cur
            ? { ...cur, conversation: address, version: cur.version + 1 }
            : {
                aadObjectId: d.aadObjectId,
                ...(r.userPrincipalName ? { userPrincipalName: r.userPrincipalName } : {}),
                ...(r.displayName ? { displayName: r.displayName } : {}),
                conversation: address,
                firstSeenAt: now,
                lastSeenAt: now,
                version: 1,
              },
    );
    return address;
  }

  private async sendFailed(
    held: HeldDelivery,
    key: EntityKey,
    claim: Delivery,
    err: unknown,
  ): Promise<SendOutcome> {
    const found = this.failureOf(err);
    const cls = found.class;
    if (cls === 'unknown-outcome') {
      // It may have gone out: leave the row `sending`, as a crash would; when the job comes back after
      // the grace period it is sent again and recorded `uncertain`.
      this.deps.logger.warn({ err, key }, 'no answer from the connector; the message may have gone out');
      await held.retryIn(this.inFlightGraceMs + 1_000);
      return 'retry';
    }
    const failure = { ...found, class: cls };
    if (failure.class === 'throttled') await this.pauseEveryone(failure.retryAfterSeconds);
    let next: ReturnType<typeof afterFailure> | undefined;
    await this.deps.store.deliveries.update(key, (cur) => {
      next = undefined;
      if (!cur || cur.state !== 'sending' || cur.sendingSince !== claim.sendingSince) return undefined;
      next = afterFailure(cur, failure, this.maxAttempts, this.deps.clock.now(), this.random);
      return next.record;
    });
    if (!next || next.kind === 'failed') {
      await held.complete();
      return next ? 'failed' : 'skipped';
    }
    await held.retryIn(next.delayMs);
    return 'retry';
  }

  /**
   * A try that ended before the connector took anything (composing, installing, opening the chat):
   * counts as an attempt and is bounded like one. A row left `sending` by a dead sender stays
   * `sending`, because its earlier try may still have gone out.
   */
  private async notSent(
    held: HeldDelivery,
    key: EntityKey,
    failure: {
      class: 'throttled' | 'retry' | 'rejected';
      status?: number;
      code?: string;
      retryAfterSeconds?: number;
    },
  ): Promise<SendOutcome> {
    let next: ReturnType<typeof afterFailure> | undefined;
    await this.deps.store.deliveries.update(key, (cur) => {
      next = undefined;
      if (!cur) return undefined;
      const counted = { ...cur, attempts: cur.attempts + 1 };
      if (cur.state === 'queued') {
        next = afterFailure(counted, failure, this.maxAttempts, this.deps.clock.now(), this.random);
      } else if (cur.state === 'sending') {
        const record: Delivery =
          counted.attempts >= this.maxAttempts
            ? { ...counted, state: 'uncertain', updatedAt: this.nowIso() }
            : counted;
        next =
          record.state === 'uncertain'
            ? { kind: 'failed', record }
            : { kind: 'retry', delayMs: backoffMs(counted.attempts, this.random), record };
      }
      return next?.record;
    });
    if (!next || next.kind === 'failed') {
      await held.complete();
      return next ? (next.record.state === 'uncertain' ? 'uncertain' : 'failed') : 'skipped';
    }
    await held.retryIn(next.delayMs);
    return 'retry';
  }

  private async finalFailure(
    held: HeldDelivery,
    key: EntityKey,
    reason: Parameters<typeof failedDelivery>[1],
    detail: string,
  ): Promise<SendOutcome> {
    await this.deps.store.deliveries.update(key, (cur) =>
      cur && (cur.state === 'queued' || cur.state === 'sending')
        ? failedDelivery(cur, reason, detail, this.deps.clock.now())
        : undefined,
    );
    await held.complete();
    return 'failed';
  }

  private async cancelDelivery(held: HeldDelivery, key: EntityKey, d: Delivery): Promise<SendOutcome> {
    await this.deps.store.deliveries.update(key, (cur) => {
      if (!cur) return undefined;
      if (cur.state === 'queued') return failedDelivery(cur, 'cancelled', undefined, this.deps.clock.now());
      // Left mid-call by a sender that died: it may have gone out, and it will not be sent again.
      if (cur.state === 'sending') return { ...cur, state: 'uncertain', updatedAt: this.nowIso() };
      return undefined;
    });
    await held.complete();
    return d.state === 'sending' ? 'uncertain' : 'cancelled';
  }

  private failureOf(err: unknown): {
    class: ReturnType<typeof classifyConnectorStatus>;
    status?: number;
    code?: string;
    retryAfterSeconds?: number;
  } {
    if (!(err instanceof ConnectorError)) return { class: 'unknown-outcome' };
    // A refused or unresolvable connection never reached the connector.
    const neverSent = err.status === 0 && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/.test(err.code ?? '');
    return {
      class: neverSent ? 'retry' : classifyConnectorStatus(err.status),
      status: err.status || undefined,
      code: err.code,
      retryAfterSeconds: err.retryAfterSeconds,
    };
  }

  private async pauseEveryone(retryAfterSeconds: number | undefined): Promise<void> {
    const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS);
    const until = new Date(this.deps.clock.now().getTime() + seconds * 1000);
    this.deps.logger.warn({ until }, 'Teams is throttling: every sender pauses');
    try {
      await this.gate.pauseUntil(until);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not share the pause; this instance pauses anyway');
    }
  }

  private async broadcast(id: string): Promise<Broadcast | undefined> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < this.broadcastCacheMs) return hit.broadcast;
    const broadcast = (await this.deps.store.broadcasts.get(broadcastKey(id)))?.value;
    this.cache.set(id, { broadcast, at: now });
    if (this.cache.size > 100) this.cache.delete(this.cache.keys().next().value!);
    return broadcast;
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }
}
