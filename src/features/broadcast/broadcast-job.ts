import { broadcastProgressMessage } from '../../cards/broadcast-progress-card';
import type { Deps } from '../../deps';
import { type Broadcast, broadcastKey, type Delivery, deliveryKey } from '../../domain/broadcast';
import {
  allDeliveriesFinal,
  classifyConnectorStatus,
  DEFAULT_THROTTLE_SECONDS,
  failedDelivery,
} from '../../domain/broadcast-pacing';
import type { ConversationAddress } from '../../domain/participant';
import { languageOf, translator } from '../../i18n';
import type { Job } from '../../ports/job';
import { ConnectorError, type OutgoingCard } from '../../ports/messenger';
import type { RateGate } from '../../ports/rate-gate';
import type { JobState } from '../../ports/store';
import { inBackground } from '../../shared/background';
import {
  type BroadcastHooks,
  type BroadcastProgress,
  deliveriesOf,
  deliveryRowsOf,
  feedQueue,
  isQueueing,
  queueRecipients,
  queueWindow,
  summarise,
} from './broadcast-service';

export type BroadcastJobDeps = Pick<
  Deps,
  'store' | 'clock' | 'logger' | 'messenger' | 'config' | 'deliveryQueue'
>;

export interface BroadcastJobOptions {
  /** How often the job runs (default 5 s; the scheduler's tick bounds it from below). */
  intervalMs?: number;
  /** Least time between two updates of one progress card (default 5 s). */
  progressIntervalMs?: number;
  /** Queueing with no progress for this long is resumed here (default 30 s). */
  stallMs?: number;
  /** A cancelled broadcast's card keeps following its draining queue this long (default 15 min). */
  cancelledFollowMs?: number;
  /** Delivery jobs kept queued ahead of the senders, in seconds of sending (default 60). */
  queueAheadSeconds?: number;
}

export interface BroadcastJobReport {
  started: number;
  resumed: number;
  /** Delivery jobs put in the queue. */
  queued: number;
  /** Deliveries of cancelled broadcasts that never got a job, now failed (cancelled). */
  swept: number;
  finished: number;
  cardsUpdated: number;
  channelPosts: number;
  failed: number;
}

/** Marker of the channel post, one per broadcast, in the JobState table. */
export const channelPostKey = (broadcastId: string) => ({
  partitionKey: 'broadcast-channel-post',
  rowKey: broadcastId,
});

/** A channel post left `sending` this long by a job that stopped is posted again. */
const CHANNEL_POST_STALE_MS = 60_000;

/**
 * The broadcast chores that need one instance, not all (runs on the scheduler's leader): start
 * scheduled broadcasts on time, resume queueing that stopped, mark a broadcast `done` once every
 * delivery is final, post the channel announcement once, and keep the admin's progress card current.
 */
export class BroadcastJob implements Job {
  readonly name = 'broadcasts';
  readonly intervalMs: number;
  private readonly progressIntervalMs: number;
  private readonly stallMs: number;
  private readonly cancelledFollowMs: number;
  private readonly queueAheadSeconds?: number;
  /** Last card update per broadcast: when, and what it showed. */
  private readonly cards = new Map<string, { at: number; shown: string }>();
  /** Rows recorded per queueing broadcast as last seen, to tell a stalled run from a running one. */
  private readonly queueing = new Map<string, { recorded: number; since: number }>();

  constructor(
    private readonly deps: BroadcastJobDeps,
    private readonly hooks: BroadcastHooks,
    /** The shared rate; card updates and channel posts count against Teams' limit too. */
    private readonly gate?: RateGate,
    options: BroadcastJobOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 5_000;
    this.stallMs = options.stallMs ?? 30_000;
    this.cancelledFollowMs = options.cancelledFollowMs ?? 15 * 60_000;
    this.queueAheadSeconds = options.queueAheadSeconds;
  }

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    if (Object.values(report).some((n) => n > 0))
      this.deps.logger.info({ job: this.name, ...report }, 'broadcast round done');
  }

  async runOnce(signal?: AbortSignal): Promise<BroadcastJobReport> {
    const report: BroadcastJobReport = {
      started: 0,
      resumed: 0,
      queued: 0,
      swept: 0,
      finished: 0,
      cardsUpdated: 0,
      channelPosts: 0,
      failed: 0,
    };
    const active: Broadcast[] = [];
    for await (const { value } of this.deps.store.broadcasts.listPartition(broadcastKey('').partitionKey)) {
      active.push(value);
    }
    for (const b of active) {
      if (signal?.aborted) break;
      try {
        await this.tend(b, report, signal);
      } catch (err) {
        report.failed++;
        this.deps.logger.warn({ err, broadcastId: b.id }, 'broadcast job could not tend a broadcast');
      }
    }
    return report;
  }

  private async tend(b: Broadcast, report: BroadcastJobReport, signal?: AbortSignal): Promise<void> {
    const now = this.deps.clock.now();
    switch (b.state) {
      case 'draft':
      case 'done':
        return;
      case 'scheduled': {
        if (!b.scheduledAt || Date.parse(b.scheduledAt) > now.getTime()) return;
        let started = false;
        await this.deps.store.broadcasts.update(broadcastKey(b.id), (cur) => {
          started = cur?.state === 'scheduled';
          return started ? { ...cur!, state: 'queueing' } : undefined;
        });
        if (!started) return;
        report.started++;
        this.deps.logger.info({ broadcastId: b.id }, 'scheduled broadcast starts');
        this.queue(b.id);
        return;
      }
      case 'queueing': {
        const rows = await deliveriesOf(this.deps.store, b.id);
        if (this.stalled(b, rows.length, now.getTime())) {
          report.resumed++;
          this.queue(b.id);
        }
        await this.postToChannel(b, report, signal);
        await this.updateCard(b, summarise(b, rows), report, false, signal);
        return;
      }
      case 'sending': {
        const stored = await deliveryRowsOf(this.deps.store, b.id);
        const p = summarise(
          b,
          stored.map((r) => r.value),
        );
        if (allDeliveriesFinal(p.counts, b.recipientCount)) {
          let finished: Broadcast | undefined;
          await this.deps.store.broadcasts.update(broadcastKey(b.id), (cur) => {
            finished =
              cur?.state === 'sending' ? { ...cur, state: 'done', finishedAt: now.toISOString() } : undefined;
            return finished;
          });
          if (finished) {
            report.finished++;
            this.deps.logger.info({ broadcastId: b.id, ...p.counts }, 'broadcast done');
            await this.postToChannel(finished, report, signal);
            await this.updateCard(finished, { ...p, broadcast: finished }, report, true, signal);
            this.queueing.delete(b.id);
            return;
          }
        }
        report.queued += await feedQueue(
          this.deps,
          b,
          stored,
          queueWindow(this.deps, { queueAheadSeconds: this.queueAheadSeconds }),
        );
        await this.postToChannel(b, report, signal);
        await this.updateCard(b, p, report, false, signal);
        return;
      }
      case 'cancelled': {
        const since = b.cancelledAt ? Date.parse(b.cancelledAt) : 0;
        if (now.getTime() - since > this.cancelledFollowMs) {
          this.cards.delete(b.id);
          return;
        }
        const rows = await deliveriesOf(this.deps.store, b.id);
        report.swept += await this.sweep(b, rows);
        const p = summarise(b, report.swept > 0 ? await deliveriesOf(this.deps.store, b.id) : rows);
        await this.updateCard(b, p, report, false, signal);
        return;
      }
    }
  }

  /** Deliveries of a cancelled broadcast that never got a job: nobody else will finish them. */
  private async sweep(b: Broadcast, rows: readonly Delivery[]): Promise<number> {
    const unfed = rows.slice(b.queuedCount ?? 0).filter((d) => d.state === 'queued');
    let swept = 0;
    for (const d of unfed) {
      await this.deps.store.deliveries.update(deliveryKey(b.id, d.aadObjectId), (cur) => {
        if (cur?.state !== 'queued') return undefined;
        swept++;
        return failedDelivery(cur, 'cancelled', undefined, this.deps.clock.now());
      });
    }
    return swept;
  }

  private queue(broadcastId: string): void {
    inBackground(queueRecipients(this.deps, this.hooks, broadcastId), (err) =>
      this.deps.logger.error({ err, broadcastId }, 'queueing a broadcast stopped; it is resumed later'),
    );
  }

  /** Queueing nobody on this instance is doing and that has recorded nobody new for `stallMs`. */
  private stalled(b: Broadcast, recorded: number, now: number): boolean {
    if (isQueueing(b.id)) return false;
    const seen = this.queueing.get(b.id);
    if (!seen || seen.recorded !== recorded) {
      this.queueing.set(b.id, { recorded, since: now });
      return false;
    }
    if (now - seen.since < this.stallMs) return false;
    this.queueing.set(b.id, { recorded, since: now });
    this.deps.logger.warn({ broadcastId: b.id, recorded }, 'queueing stalled; resuming it');
    return true;
  }

  /** Updates the admin's card in place when what it shows changed, at most every `progressIntervalMs`. */
  private async updateCard(
    b: Broadcast,
    p: BroadcastProgress,
    report: BroadcastJobReport,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    const target = b.progressCard;
    if (!target) return;
    const shown = JSON.stringify([b.state, b.queuedCount, p.counts, p.failures]);
    const last = this.cards.get(b.id);
    const now = this.deps.clock.now().getTime();
    if (last?.shown === shown) return;
    if (!force && last && now - last.at < this.progressIntervalMs) return;
    const message = this.hooks.progressCard?.(b, p.counts) ?? this.defaultCard(b, p);
    await this.gate?.take(signal);
    try {
      await this.deps.messenger.update(target.conversation, target.activityId, message);
      this.cards.set(b.id, { at: now, shown });
      report.cardsUpdated++;
    } catch (err) {
      await this.onConnectorError(err);
      this.deps.logger.warn({ err, broadcastId: b.id }, 'could not update the broadcast progress card');
    }
  }

  private defaultCard(b: Broadcast, p: BroadcastProgress): OutgoingCard {
    const { locale, timeZone } = this.deps.config.defaults;
    return broadcastProgressMessage({
      t: translator(languageOf(locale)),
      locale,
      timeZone,
      broadcast: b,
      counts: p.counts,
      failures: p.failures,
      now: this.deps.clock.now(),
    });
  }

  /**
   * The announcement in the channel, once per broadcast: claimed in JobState before the post and
   * marked after it. A post left `sending` by a job that died is posted again after a minute.
   */
  private async postToChannel(b: Broadcast, report: BroadcastJobReport, signal?: AbortSignal): Promise<void> {
    const channelId = b.alsoPostToChannelId;
    if (!channelId || !this.hooks.composeChannelPost) return;
    const key = channelPostKey(b.id);
    const now = this.deps.clock.now();
    const maxAttempts = this.deps.config.broadcast.maxAttempts;
    let claimed: JobState | undefined;
    await this.deps.store.jobState.update(key, (cur) => {
      claimed = undefined;
      if (cur?.state === 'sent' || cur?.state === 'failed') return undefined;
      if (cur?.state === 'sending' && now.getTime() - Date.parse(String(cur.at)) < CHANNEL_POST_STALE_MS) {
        return undefined;
      }
      claimed = { state: 'sending', at: now.toISOString(), attempts: Number(cur?.attempts ?? 0) + 1 };
      return claimed;
    });
    if (!claimed) return;
    const to: ConversationAddress = {
      serviceUrl: b.progressCard?.conversation.serviceUrl ?? this.deps.config.broadcast.serviceUrl,
      channelId: 'msteams',
      conversationId: channelId,
      conversationType: 'channel',
      ...(this.deps.config.bot.tenantId ? { tenantId: this.deps.config.bot.tenantId } : {}),
      botId: this.deps.config.bot.appId,
      userId: '',
    };
    let result: JobState;
    try {
      const message = await this.hooks.composeChannelPost(b);
      await this.gate?.take(signal);
      const { activityId } = await this.deps.messenger.send(to, message);
      result = {
        state: 'sent',
        at: this.deps.clock.now().toISOString(),
        attempts: claimed.attempts,
        activityId,
      };
      report.channelPosts++;
    } catch (err) {
      await this.onConnectorError(err);
      const status = err instanceof ConnectorError ? err.status : undefined;
      const final = classifyConnectorStatus(status) === 'rejected' || Number(claimed.attempts) >= maxAttempts;
      this.deps.logger.warn(
        { err, broadcastId: b.id, channelId, final },
        'posting the broadcast in the channel failed',
      );
      result = {
        state: final ? 'failed' : 'retry',
        at: this.deps.clock.now().toISOString(),
        attempts: claimed.attempts,
        detail: err instanceof Error ? err.message.slice(0, 300) : String(err),
      };
    }
    await this.deps.store.jobState.update(key, () => result);
  }

  private async onConnectorError(err: unknown): Promise<void> {
    if (!(err instanceof ConnectorError) || err.status !== 429 || !this.gate) return;
    const seconds = err.retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS;
    await this.gate
      .pauseUntil(new Date(this.deps.clock.now().getTime() + seconds * 1000))
      .catch(() => undefined);
  }
}
