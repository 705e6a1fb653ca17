/**
 * The release job (leased: one instance at a time). Each round it
 *  - sends the queued releases of bulk runs, one old MDM request at a time, paced per source
 *    (`RELEASE_PACE_MS`), within a time budget — the rest wait for the next round, so a crash resumes;
 *  - takes over claims left `requested` by an instance that died (the connector looks the device up
 *    first, so a command that did go out is not sent twice);
 *  - asks the old MDM whether sent releases took effect; the first confirmation moves the journey and
 *    tells the user and the ticket; past `confirmMinutes` without one, the ticket is told once;
 *  - keeps bulk progress cards current in place.
 */
import type { Deps } from '../deps';
import type { ConversationAddress } from '../domain/participant';
import { participantKey } from '../domain/participant';
import {
  BULK_PARTITION,
  type BulkRow,
  bulkCard,
  DEFAULT_PACE_MS,
  RELEASE_PACE_MS,
} from '../features/old-mdm/release-bulk';
import { tellTicket } from '../features/old-mdm/release-notify';
import {
  allReleases,
  claimRelease,
  mayReclaim,
  type ReleaseRecord,
  updateRelease,
} from '../features/old-mdm/release-record';
import { confirmIfGone, sendClaimed } from '../features/old-mdm/release-service';
import { DEFAULT_CONFIRM_MINUTES } from '../features/old-mdm/release-texts';
import type { Job } from './scheduler';

export interface ReleaseJobOptions {
  intervalMs?: number;
  /** After this long without the old MDM's confirmation, the ticket says so. */
  confirmMinutes?: number;
  /** How long one round may send for. */
  budgetMs?: number;
  /** Waits between paced sends; tests pass one that moves a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** The least time between two progress card updates of one bulk run. */
  cardEveryMs?: number;
}

export interface ReleaseRound {
  sent: number;
  confirmed: number;
  noted: number;
  failed: number;
}

export class OldMdmReleaseJob implements Job {
  readonly name = 'old-mdm-release';
  readonly intervalMs: number;
  private readonly confirmMs: number;
  private readonly budgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly cardEveryMs: number;
  private readonly lastCard = new Map<string, number>();

  constructor(
    private readonly deps: Deps,
    options: ReleaseJobOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.confirmMs = (options.confirmMinutes ?? DEFAULT_CONFIRM_MINUTES) * 60_000;
    this.budgetMs = options.budgetMs ?? 50_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms).unref()));
    this.cardEveryMs = options.cardEveryMs ?? 5_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    const round = await this.runOnce(signal);
    if (round.sent + round.confirmed + round.noted + round.failed > 0)
      this.deps.logger.info({ job: this.name, ...round }, 'release round done');
  }

  async runOnce(signal?: AbortSignal): Promise<ReleaseRound> {
    const round: ReleaseRound = { sent: 0, confirmed: 0, noted: 0, failed: 0 };
    const records: ReleaseRecord[] = [];
    for await (const r of allReleases(this.deps.store)) records.push(r);
    const started = this.deps.clock.now().getTime();
    const nextAt = new Map<string, number>();
    const touched = new Set<string>();
    for (const r of records) {
      if (signal?.aborted) break;
      try {
        if (r.state === 'sent') {
          if (await confirmIfGone(this.deps, r)) round.confirmed++;
          else if (await this.noteUnconfirmed(r)) round.noted++;
          continue;
        }
        const now = this.deps.clock.now();
        const takeOver = r.state === 'requested' && mayReclaim(r, now);
        if (r.state !== 'queued' && !takeOver) continue;
        if (now.getTime() - started >= this.budgetMs) continue;
        await this.pace(r.source, nextAt);
        const at = this.deps.clock.now();
        const claim = await claimRelease(
          this.deps.store,
          { ...r, state: 'requested', requestedAt: at.toISOString() },
          at,
          { fromQueued: r.state === 'queued' },
        );
        if (!claim.ok) continue;
        const answer = await sendClaimed(this.deps, claim.record);
        nextAt.set(
          r.source,
          this.deps.clock.now().getTime() + (RELEASE_PACE_MS[r.source] ?? DEFAULT_PACE_MS),
        );
        if (answer.kind === 'failed') round.failed++;
        else round.sent++;
        if (answer.kind === 'confirmed') round.confirmed++;
        if (r.bulkId) {
          touched.add(r.bulkId);
          await this.showProgress(r.bulkId, false);
        }
      } catch (err) {
        round.failed++;
        this.deps.logger.warn({ err, source: r.source }, 'release round: one device failed');
      }
    }
    for (const bulkId of touched) await this.showProgress(bulkId, true);
    return round;
  }

  private async pace(source: string, nextAt: Map<string, number>): Promise<void> {
    const wait = (nextAt.get(source) ?? 0) - this.deps.clock.now().getTime();
    if (wait > 0) await this.sleep(wait);
  }

  /** Once per release: the ticket hears that the old MDM has not confirmed within the stated time. */
  private async noteUnconfirmed(r: ReleaseRecord): Promise<boolean> {
    const now = this.deps.clock.now();
    if (r.unconfirmedNotedAt || !r.sentAt || now.getTime() - Date.parse(r.sentAt) < this.confirmMs)
      return false;
    let claimed = false;
    await updateRelease(this.deps.store, r.source, r.vendorId, (cur) => {
      if (cur.state !== 'sent' || cur.unconfirmedNotedAt) return undefined;
      claimed = true;
      return { ...cur, unconfirmedNotedAt: now.toISOString() };
    });
    if (!claimed) return false;
    const p = (await this.deps.store.participants.get(participantKey(r.person)))?.value;
    if (!p) return false;
    await tellTicket(this.deps, p, r, 'release.thread.unconfirmed', Math.round(this.confirmMs / 60_000));
    this.deps.logger.warn({ source: r.source, user: r.person }, 'the old MDM has not confirmed a release');
    return true;
  }

  private async showProgress(bulkId: string, force: boolean): Promise<void> {
    const key = { partitionKey: BULK_PARTITION, rowKey: bulkId };
    const row = (await this.deps.store.jobState.get(key))?.value as BulkRow | undefined;
    if (!row?.address || !row.cardActivityId) return;
    const now = this.deps.clock.now().getTime();
    if (!force && now - (this.lastCard.get(bulkId) ?? 0) < this.cardEveryMs) return;
    this.lastCard.set(bulkId, now);
    try {
      const card = await bulkCard(this.deps, bulkId, row);
      const address = JSON.parse(row.address) as ConversationAddress;
      await this.deps.messenger.update(address, row.cardActivityId, { card, summary: row.waveName });
    } catch (err) {
      this.deps.logger.warn({ err, bulkId }, 'bulk release progress card not updated');
    }
  }
}
