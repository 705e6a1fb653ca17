/**
 * One delivery job — up to 100 recipients of one broadcast — worked to its end. Its rows are read
 * with one range query; then, a small chunk at a time: the cards are composed, the chunk's rows are
 * claimed (`sending`) in ONE table transaction, each message waits for its turn in the rate shared by
 * all instances and goes out, and the chunk's outcomes are recorded in ONE transaction; the next
 * chunk is composed and claimed while one is sending. Rows claimed and not yet recorded are the only
 * ones a crash can leave: they are sent again and recorded `uncertain`. Final rows are never sent
 * again. Retries due within `retryWithinMs` are sent by the job itself; the others go out in a new,
 * delayed job before this one is completed. The queue loop that hands jobs in is
 * src/workers/broadcast-sender.ts.
 */
import type { Broadcast, Delivery, DeliveryJob, JobRecipient } from '../../domain/broadcast';
import { broadcastKey } from '../../domain/broadcast';
import {
  afterFailure,
  decideDelivery,
  failedDelivery,
  laterJobs,
  markDelivered,
  markSending,
  uncertainDelivery,
} from '../../domain/broadcast-pacing';
import { AbortedError, type RateGate } from '../../ports/rate-gate';
import type { Stored } from '../../ports/store';
import type { BroadcastHooks } from './broadcast-service';
import {
  type Candidate,
  ChunkPreparation,
  failureOf,
  outcomeOf,
  type Prepared,
  pauseEveryone,
  type SenderDeps,
  type SendOutcome,
} from './chunk-preparation';
import { DeliveryRows, type RowWrite } from './delivery-rows';

export type { SenderDeps, SendOutcome } from './chunk-preparation';

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
  /** Rows claimed per transaction: about what goes out in half a second. */
  chunkSize: number;
  random: () => number;
  /** Retries due within this many ms are sent by the job itself (0: every retry is a new delayed job). */
  retryWithinMs: number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted when the sender stops: messages waiting for their turn give up and go back to the queue. */
  signal: AbortSignal;
}

/** What happened to each recipient of a job, by row key. */
export type JobOutcomes = Record<string, SendOutcome>;

/** A look again later at one recipient. */
interface Later {
  recipient: JobRecipient;
  delayMs: number;
}

/** A row claimed for this send: the claim as written and its ETag. */
interface Claimed {
  p: Extract<Prepared, { kind: 'ready' }>;
  claim: Stored<Delivery>;
}

/**
 * How soon a job whose rows are not written yet looks again. Queueing writes a transaction's rows
 * right after its job (a storage round trip or two), so a short wait finds them: at 2 s the first
 * seconds of a broadcast ran at 75 % of the rate while jobs waited for rows long written.
 */
const ROWS_FOLLOW_MS = 750;

/** Rounds of retries a job sends itself before the rest go to the queue (backoff doubles each time). */
const IN_JOB_RETRY_ROUNDS = 2;

export class Deliverer {
  private readonly options: DelivererOptions;
  private readonly rows: DeliveryRows;
  private readonly preparation: ChunkPreparation;
  private readonly cache = new Map<string, { broadcast: Broadcast | undefined; at: number }>();

  constructor(
    private readonly deps: SenderDeps,
    private readonly hooks: BroadcastHooks,
    private readonly gate: RateGate,
    options: DelivererOptions,
  ) {
    this.options = options;
    this.rows = new DeliveryRows(deps.store, deps.logger);
    this.preparation = new ChunkPreparation(deps, hooks, gate, options.random, options.signal);
  }

  private get maxAttempts(): number {
    return this.deps.config.broadcast.maxAttempts;
  }

  async deliver(held: HeldDelivery, job: DeliveryJob): Promise<JobOutcomes> {
    const outcomes: JobOutcomes = {};
    const later: Later[] = [];
    const b = await this.broadcast(job.broadcastId);
    if (!b) {
      this.deps.logger.warn(
        { broadcastId: job.broadcastId },
        'delivery job of an unknown broadcast; dropped',
      );
      await held.complete();
      return Object.fromEntries(job.recipients.map((r) => [r.id, 'orphan']));
    }
    const found = await this.rows.read(
      b,
      job.recipients.map((r) => r.id),
    );
    const present = job.recipients.filter((r) => found.has(r.id));
    for (const r of job.recipients) {
      if (found.has(r.id)) continue;
      // Queueing writes the job just before its rows; they follow in a moment. Otherwise the row is
      // gone (an erasure) or never was: nothing is sent.
      outcomes[r.id] = b.state === 'queueing' ? 'wait' : 'orphan';
      if (b.state === 'queueing') later.push({ recipient: r, delayMs: ROWS_FOLLOW_MS });
    }
    if (present.length === 0 && later.length === job.recipients.length) {
      await held.retryIn(ROWS_FOLLOW_MS);
      return outcomes;
    }

    if (b.state === 'cancelled') {
      await this.cancelRows(b, present, found, outcomes);
    } else if (b.state !== 'queueing' && b.state !== 'sending') {
      this.deps.logger.warn(
        { broadcastId: b.id, state: b.state },
        'delivery job of a broadcast that is not sending; dropped',
      );
      for (const r of present) outcomes[r.id] = 'orphan';
    } else {
      const candidates = await this.triage(b, present, found, outcomes, later);
      await this.sendCandidates(b, candidates, outcomes, later);
      await this.retrySoon(b, outcomes, later);
    }
    // The follow-ups first: a crash in between leaves a job twice (the claim settles it), never none.
    const queue = this.deps.deliveryQueue;
    if (queue) {
      for (const { delaySeconds, job: next } of laterJobs(b.id, later))
        await queue.enqueue(next, { visibilityDelaySeconds: delaySeconds });
    }
    await held.complete();
    return outcomes;
  }

  /**
   * Retries due within `retryWithinMs` (a 5xx's first backoff, a short Retry-After) are sent by this
   * job once their time has come, a few rounds at most: as a new delayed job they would wait for the
   * queue's whole-second delay and the next receive, which left the last seconds of a broadcast
   * nearly idle. Stopping hands them to the queue as before.
   */
  private async retrySoon(b: Broadcast, outcomes: JobOutcomes, later: Later[]): Promise<void> {
    for (let round = 0; round < IN_JOB_RETRY_ROUNDS; round++) {
      const soon = later.filter(
        (l) => outcomes[l.recipient.id] === 'retry' && l.delayMs <= this.options.retryWithinMs,
      );
      if (soon.length === 0 || this.options.signal.aborted) return;
      for (const l of soon) later.splice(later.indexOf(l), 1);
      try {
        await this.options.sleep(Math.max(...soon.map((l) => l.delayMs)), this.options.signal);
      } catch {
        later.push(...soon);
        return;
      }
      const found = await this.rows.read(
        b,
        soon.map((l) => l.recipient.id),
      );
      const present = soon.map((l) => l.recipient).filter((r) => found.has(r.id));
      // A row gone meanwhile (an erasure): nothing is sent.
      for (const l of soon) if (!found.has(l.recipient.id)) outcomes[l.recipient.id] = 'orphan';
      const candidates = await this.triage(b, present, found, outcomes, later);
      await this.sendCandidates(b, candidates, outcomes, later);
    }
  }

  /**
   * Sends candidates a chunk at a time. The next chunk is composed and claimed while one waits for
   * its turns: a job alone (the end of a broadcast) keeps its messages at the gate instead of pausing
   * for two transactions between chunks. A crash leaves at most two chunks claimed and not recorded
   * (sent again, `uncertain`).
   */
  private async sendCandidates(
    b: Broadcast,
    candidates: readonly Candidate[],
    outcomes: JobOutcomes,
    later: Later[],
  ): Promise<void> {
    const chunks: Candidate[][] = [];
    for (let i = 0; i < candidates.length; i += this.options.chunkSize)
      chunks.push(candidates.slice(i, i + this.options.chunkSize));
    let next: Promise<Claimed[]> | undefined;
    for (let i = 0; i < chunks.length; i++) {
      const claimed = await (next ?? this.claimChunk(b, chunks[i]!, outcomes, later));
      next = i + 1 < chunks.length ? this.claimChunk(b, chunks[i + 1]!, outcomes, later) : undefined;
      // Awaited in the next round; a failure meanwhile must not surface as unhandled.
      next?.catch(() => undefined);
      await this.sendClaimed(b, claimed, outcomes, later);
    }
  }

  /** What to do with each row as found: send, send again (left mid-call by a dead sender), wait, skip. */
  private async triage(
    b: Broadcast,
    present: readonly JobRecipient[],
    found: Map<string, Stored<Delivery>>,
    outcomes: JobOutcomes,
    later: Later[],
  ): Promise<Candidate[]> {
    const now = this.deps.clock.now();
    const candidates: Candidate[] = [];
    const exhausted: RowWrite[] = [];
    for (const recipient of present) {
      const row = found.get(recipient.id)!;
      const decision = decideDelivery(row.value, now, this.options.inFlightGraceMs);
      if (decision.kind === 'skip') outcomes[recipient.id] = 'skipped';
      else if (decision.kind === 'wait') {
        outcomes[recipient.id] = 'wait';
        later.push({ recipient, delayMs: decision.waitMs });
      } else if (decision.kind === 'resend' && row.value.attempts >= this.maxAttempts) {
        // Every try so far may have gone out; another one would only add to the doubt.
        const mark = (cur: Delivery) => (cur.state === 'sending' ? uncertainDelivery(cur, now) : undefined);
        exhausted.push({ id: recipient.id, etag: row.etag, value: mark(row.value)!, redo: mark });
        outcomes[recipient.id] = 'uncertain';
      } else candidates.push({ recipient, row, resend: decision.kind === 'resend' });
    }
    if (exhausted.length > 0) await this.rows.commit(b, exhausted);
    return candidates;
  }

  /**
   * Composes a chunk's cards and claims its rows (`sending`) in one transaction, recording what ended
   * before the connector; returns the rows claimed. Stopping: the chunk is released untouched.
   */
  private async claimChunk(
    b: Broadcast,
    chunk: readonly Candidate[],
    outcomes: JobOutcomes,
    later: Later[],
  ): Promise<Claimed[]> {
    if (this.options.signal.aborted) {
      for (const c of chunk) this.release(c, outcomes, later);
      return [];
    }
    const prepared: Prepared[] = [];
    await Promise.all(
      chunk.map(async (c) => {
        try {
          prepared.push(await this.preparation.prepare(b, c));
        } catch (err) {
          if (!(err instanceof AbortedError)) throw err;
          this.release(c, outcomes, later);
        }
      }),
    );
    // One transaction claims the chunk and records what ended before the connector.
    const now = this.deps.clock.now();
    const claims: RowWrite[] = [];
    for (const p of prepared) {
      const id = p.c.recipient.id;
      if (p.kind === 'settled') {
        outcomes[id] = p.outcome;
        if (p.delayMs !== undefined) later.push({ recipient: p.c.recipient, delayMs: p.delayMs });
        if (p.write) claims.push(p.write);
        continue;
      }
      const attempts = p.c.row.value.attempts;
      const claimable = (cur: Delivery) => {
        const again = decideDelivery(cur, now, this.options.inFlightGraceMs).kind;
        const same = again === (p.c.resend ? 'resend' : 'send') && cur.attempts === attempts;
        return same ? markSending(cur, now) : undefined;
      };
      claims.push({ id, etag: p.c.row.etag, value: markSending(p.c.row.value, now), redo: claimable });
    }
    const landed = await this.rows.commit(b, claims);
    const claimed: Claimed[] = [];
    for (const p of prepared) {
      if (p.kind !== 'ready') continue;
      const claim = landed.get(p.c.recipient.id);
      if (claim?.value.state === 'sending') claimed.push({ p, claim });
      else {
        // Someone else changed the row meanwhile (a second job, a cancel): look at it again shortly.
        outcomes[p.c.recipient.id] = 'wait';
        later.push({ recipient: p.c.recipient, delayMs: 1_000 });
      }
    }
    return claimed;
  }

  /** Each claimed message waits for its turn and goes out; the outcomes are recorded in one transaction. */
  private async sendClaimed(
    b: Broadcast,
    claimed: readonly Claimed[],
    outcomes: JobOutcomes,
    later: Later[],
  ): Promise<void> {
    if (claimed.length === 0) return;
    const records = await Promise.all(claimed.map((c) => this.sendOne(b, c, outcomes, later)));
    const writes = records.filter((w): w is RowWrite => w !== undefined);
    const recorded = await this.rows.commit(b, writes);
    for (const c of claimed) {
      const id = c.p.c.recipient.id;
      const row = recorded.get(id)?.value;
      if (outcomes[id] === 'sent' && row?.state === 'uncertain') outcomes[id] = 'uncertain';
      if (row?.activityId && (outcomes[id] === 'sent' || outcomes[id] === 'uncertain') && this.hooks.onSent) {
        try {
          await this.hooks.onSent(b, c.p.person, row.activityId, c.p.to);
        } catch (err) {
          this.deps.logger.warn(
            { err, broadcastId: b.id },
            'after-send hook failed; the message itself went out',
          );
        }
      }
    }
  }

  /** Waits for the turn and sends one claimed message; returns the record of what happened. */
  private async sendOne(
    b: Broadcast,
    c: Claimed,
    outcomes: JobOutcomes,
    later: Later[],
  ): Promise<RowWrite | undefined> {
    const { p, claim } = c;
    const id = p.c.recipient.id;
    const before = p.c.row.value;
    const write = (value: Delivery, redo: RowWrite['redo']): RowWrite => ({
      id,
      etag: claim.etag,
      value,
      redo,
    });
    try {
      await this.gate.take(this.options.signal, 'bulk');
    } catch (err) {
      if (!(err instanceof AbortedError)) throw err;
      // Stopping: nothing was sent, so the row goes back to how it was found.
      this.release(p.c, outcomes, later);
      return write(before, () => undefined);
    }
    // Only what this instance already knows: any I/O here would delay the request past its turn.
    if (this.cache.get(b.id)?.broadcast?.state === 'cancelled') {
      const now = this.deps.clock.now();
      // Nothing was sent by us; a row found mid-call from a dead sender may still have gone out.
      outcomes[id] = p.c.resend ? 'uncertain' : 'cancelled';
      const final = p.c.resend
        ? uncertainDelivery(before, now)
        : failedDelivery(before, 'cancelled', undefined, now);
      return write(final, () => undefined);
    }
    const mine = { sendingSince: claim.value.sendingSince!, resend: p.c.resend };
    let activityId: string;
    try {
      activityId = (await this.deps.messenger.send(p.to, p.message)).activityId;
    } catch (err) {
      const found = failureOf(err);
      if (found.class === 'unknown-outcome') {
        // It may have gone out: the row stays `sending`, as after a crash; looked at again after the
        // grace period, it is sent again and recorded `uncertain`.
        this.deps.logger.warn(
          { err, broadcastId: b.id },
          'no answer from the connector; the message may have gone out',
        );
        outcomes[id] = 'retry';
        later.push({ recipient: p.c.recipient, delayMs: this.options.inFlightGraceMs + 1_000 });
        return undefined;
      }
      const failure = { ...found, class: found.class };
      if (failure.class === 'throttled') await pauseEveryone(this.deps, this.gate, failure.retryAfterSeconds);
      const decide = (cur: Delivery) =>
        cur.state === 'sending' && cur.sendingSince === mine.sendingSince
          ? afterFailure(cur, failure, this.maxAttempts, this.deps.clock.now(), this.options.random)
          : undefined;
      const next = decide(claim.value)!;
      outcomes[id] = outcomeOf(next);
      if (next.kind === 'retry') later.push({ recipient: p.c.recipient, delayMs: next.delayMs });
      return write(next.record, (cur) => decide(cur)?.record);
    }
    const deliveredOn = (cur: Delivery) => markDelivered(cur, mine, activityId, this.deps.clock.now());
    const record = deliveredOn(claim.value)!;
    outcomes[id] = record.state === 'uncertain' ? 'uncertain' : 'sent';
    return write(record, deliveredOn);
  }

  /** Stopping before the message went anywhere: another sender takes it at once. */
  private release(c: Candidate, outcomes: JobOutcomes, later: Later[]): void {
    outcomes[c.recipient.id] = 'released';
    later.push({ recipient: c.recipient, delayMs: 0 });
  }

  /** A cancelled broadcast: queued rows fail (cancelled); a row left mid-call may have gone out. */
  private async cancelRows(
    b: Broadcast,
    present: readonly JobRecipient[],
    found: Map<string, Stored<Delivery>>,
    outcomes: JobOutcomes,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const cancelled = (cur: Delivery): Delivery | undefined =>
      cur.state === 'queued'
        ? failedDelivery(cur, 'cancelled', undefined, now)
        : cur.state === 'sending'
          ? uncertainDelivery(cur, now)
          : undefined;
    const writes: RowWrite[] = [];
    for (const r of present) {
      const row = found.get(r.id)!;
      const value = cancelled(row.value);
      outcomes[r.id] = !value ? 'skipped' : value.state === 'uncertain' ? 'uncertain' : 'cancelled';
      if (value) writes.push({ id: r.id, etag: row.etag, value, redo: cancelled });
    }
    await this.rows.commit(b, writes);
  }

  private async broadcast(id: string): Promise<Broadcast | undefined> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < this.options.broadcastCacheMs) return hit.broadcast;
    const broadcast = (await this.deps.store.broadcasts.get(broadcastKey(id)))?.value;
    this.cache.set(id, { broadcast, at: now });
    if (this.cache.size > 100) this.cache.delete(this.cache.keys().next().value!);
    return broadcast;
  }
}
