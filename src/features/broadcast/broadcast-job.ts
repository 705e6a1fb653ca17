import { broadcastProgressMessage } from '../../cards/broadcast-progress-card';
import type { Deps } from '../../deps';
import { type Broadcast, broadcastKey, DELIVERY_FAILURES } from '../../domain/broadcast';
import {
  allDeliveriesFinal,
  classifyConnectorStatus,
  DEFAULT_THROTTLE_SECONDS,
  failedDelivery,
} from '../../domain/broadcast-pacing';
import type { ConversationAddress } from '../../domain/participant';
import { broadcastScope } from '../../domain/wave-counters';
import { deliveriesFromCounters } from '../../domain/wave-counters-stats';
import { languageOf, translator } from '../../i18n';
import type { Job } from '../../ports/job';
import { ConnectorError, type OutgoingCard } from '../../ports/messenger';
import type { RateGate } from '../../ports/rate-gate';
import {
  type JobState,
  MAX_TRANSACTION_ACTIONS,
  type TransactionAction,
  TransactionError,
} from '../../ports/store';
import { inBackground } from '../../shared/background';
import { readScope } from '../counters/counter-table';
import { rebuildCounters } from '../counters/recount';
import {
  type BroadcastHooks,
  type BroadcastProgress,
  isQueueing,
  queueRecipients,
  tally,
} from './broadcast-service';
import { listDeliveries } from './delivery-rows';

export type BroadcastJobDeps = Pick<
  Deps,
  'store' | 'clock' | 'logger' | 'messenger' | 'config' | 'deliveryQueue'
>;

export interface BroadcastJobOptions {
  /** How often the job runs (default 5 s; the scheduler's tick bounds it from below). */
  intervalMs?: number;
  /** Least time between two updates of one progress card (default 5 s). */
  progressIntervalMs?: number;
  /** Queueing with no progress for this long (between two counts) is resumed here (default 30 s). */
  stallMs?: number;
  /** A cancelled broadcast's card keeps following its draining queue this long (default 15 min). */
  cancelledFollowMs?: number;
  /**
   * A queueing or sending broadcast's deliveries are counted (one listing of its rows) at most this
   * often per recipient, in ms (default 0.25: every 5 s up to 20,000 recipients, every 25 s at 100,000).
   */
  countMsPerRecipient?: number;
}

export interface BroadcastJobReport {
  started: number;
  resumed: number;
  /** Queued deliveries of cancelled broadcasts, now failed (cancelled). */
  swept: number;
  finished: number;
  cardsUpdated: number;
  channelPosts: number;
  failed: number;
}

/** A broadcast's progress as seen on one tick, and whether its rows were counted for it. */
interface Seen {
  p: BroadcastProgress;
  listed: boolean;
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
  private readonly countMsPerRecipient: number;
  /** When each sending broadcast's deliveries were last counted. */
  private readonly counted = new Map<string, number>();
  /** Delivery counts last read from each broadcast's counters, to tell counters that move. */
  private readonly seenCounters = new Map<string, string>();
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
    this.countMsPerRecipient = options.countMsPerRecipient ?? 0.25;
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
        const seen = await this.progressOf(b, now.getTime());
        if (!seen) return;
        if (this.stalled(b, seen, now.getTime())) {
          report.resumed++;
          this.queue(b.id);
        }
        await this.postToChannel(b, report, signal);
        await this.updateCard(b, seen.p, report, false, signal);
        return;
      }
      case 'sending': {
        const seen = await this.progressOf(b, now.getTime());
        if (!seen) return;
        const p = seen.p;
        if (seen.listed && allDeliveriesFinal(p.counts, b.recipientCount)) {
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
            this.counted.delete(b.id);
            this.seenCounters.delete(b.id);
            return;
          }
        }
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
        if (!this.countDue(b, now.getTime())) return;
        report.swept += await this.sweep(b);
        const p = { broadcast: b, ...(await tally(this.deps.store, b)) };
        await this.updateCard(b, p, report, false, signal);
        return;
      }
    }
  }

  /**
   * A cancelled broadcast's queued deliveries fail (cancelled) at once, a transaction per 100, so the
   * report shows the cancel without waiting for the senders to meet every job. A transaction that meets
   * a row a sender just claimed is left for the next round.
   */
  private async sweep(b: Broadcast): Promise<number> {
    const now = this.deps.clock.now();
    let swept = 0;
    let partition = '';
    let batch: TransactionAction<import('../../domain/broadcast').Delivery>[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      try {
        await this.deps.store.deliveries.transact(partition, batch);
        swept += batch.length;
      } catch (err) {
        if (!(err instanceof TransactionError)) throw err;
      }
      batch = [];
    };
    for await (const row of listDeliveries(this.deps.store, b)) {
      if (row.value.state !== 'queued') continue;
      // A transaction holds one partition's rows.
      if (row.key.partitionKey !== partition) await flush();
      partition = row.key.partitionKey;
      batch.push({
        kind: 'replace',
        rowKey: row.key.rowKey,
        value: failedDelivery(row.value, 'cancelled', undefined, now),
        etag: row.etag,
      });
      if (batch.length >= MAX_TRANSACTION_ACTIONS) await flush();
    }
    await flush();
    return swept;
  }

  private queue(broadcastId: string): void {
    inBackground(queueRecipients(this.deps, this.hooks, broadcastId), (err) =>
      this.deps.logger.error({ err, broadcastId }, 'queueing a broadcast stopped; it is resumed later'),
    );
  }

  /**
   * Whether to count a queueing or sending broadcast's deliveries on this tick: counting lists every
   * row, so a large broadcast is counted less often.
   */
  private countDue(b: Broadcast, now: number): boolean {
    const every = Math.max(this.intervalMs, b.recipientCount * this.countMsPerRecipient);
    const last = this.counted.get(b.id);
    if (every > this.intervalMs && last !== undefined && now - last < every - this.intervalMs / 2)
      return false;
    this.counted.set(b.id, now);
    return true;
  }

  /**
   * A queueing or sending broadcast's progress on this tick, from its counters (a few rows) while they
   * move and say some deliveries are not final. Counters that stand still or say everything is final
   * are checked by counting the rows themselves (all of them, so at most as often as
   * `countDue` allows): only such a count ends a broadcast or finds a queueing stalled, so counters
   * that drifted delay the card, never the outcome. Undefined: nothing to look at on this tick.
   */
  private async progressOf(b: Broadcast, now: number): Promise<Seen | undefined> {
    const read = async () => {
      const scope = await readScope(this.deps.store.counters, broadcastScope(b.id));
      const { counts, reasons } = deliveriesFromCounters(scope.counts, DELIVERY_FAILURES);
      const failures = Object.fromEntries(reasons.map((r) => [r.reason, r.count]));
      return { head: scope.head, p: { broadcast: b, counts, failures } };
    };
    let seen = await read();
    if (!seen.head) {
      // No base to add the instances' deltas to yet: recount the rows into one (a count of the rows,
      // so only when one is due); from then on the counters follow every write.
      if (!this.countDue(b, now)) return undefined;
      await rebuildCounters(this.deps, { broadcasts: [b.id] });
      seen = await read();
      this.seenCounters.set(b.id, JSON.stringify(seen.p.counts));
      return { p: seen.p, listed: true };
    }
    const shown = JSON.stringify(seen.p.counts);
    const moving = this.seenCounters.get(b.id) !== shown;
    this.seenCounters.set(b.id, shown);
    if (moving && !allDeliveriesFinal(seen.p.counts, b.recipientCount)) return { p: seen.p, listed: false };
    if (!this.countDue(b, now)) return undefined;
    return { p: { broadcast: b, ...(await tally(this.deps.store, b)) }, listed: true };
  }

  /**
   * Queueing nobody on this instance is doing and that has recorded nobody new for `stallMs`: two
   * counts of its rows that far apart agree, and its counters did not move in between.
   */
  private stalled(b: Broadcast, seen: Seen, now: number): boolean {
    if (isQueueing(b.id)) return false;
    const recorded = seen.listed ? Object.values(seen.p.counts).reduce((sum, n) => sum + n, 0) : -1;
    const last = this.queueing.get(b.id);
    if (!last || !seen.listed || last.recorded !== recorded) {
      this.queueing.set(b.id, { recorded, since: now });
      return false;
    }
    if (now - last.since < this.stallMs) return false;
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
