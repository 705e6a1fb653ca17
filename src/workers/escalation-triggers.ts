import type { Deps } from '../deps';
import { ACTIVE_WAVE_STATES, type Wave, type WaveMember } from '../domain/campaign';
import { canonicalJson } from '../domain/canonical';
import { escalationKey, raise } from '../domain/escalation';
import type { Escalation } from '../domain/escalation-model';
import { type TimeTrigger, timeTriggers } from '../domain/escalation-triggers';
import { type Participant, participantKey, withPendingEscalations } from '../domain/participant';
import { participantOf } from '../features/helpdesk/escalation-service';
import { dispatchEscalations } from '../features/helpdesk/helpdesk-service';
import { listWaves, waveMembersOf } from '../features/waves';
import type { Job } from './scheduler';

const HOUR = 3_600_000;

export interface EscalationTriggerReport {
  considered: number;
  /** Triggers queued and dispatched this round (new to the ticket). */
  raised: number;
  failed: number;
}

/**
 * Raises the time-based escalations (no progress, noncompliant after enrolling, deadline passed;
 * see src/domain/escalation-triggers.ts) for members of active waves. A trigger the user's ticket
 * already holds is skipped before anything is written; a new one is queued on the participant like
 * the journey's own escalations and dispatched (`dispatchEscalations`: ticket, then channel card).
 * Idempotent across rounds and instances: the triggers are stable while their condition holds, and
 * the escalation core records a trigger once. Runs on the scheduler's leader only.
 */
export class EscalationTriggerJob implements Job {
  readonly name = 'escalation-triggers';
  constructor(
    private readonly deps: Deps,
    readonly intervalMs = 15 * 60 * 1000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    this.deps.logger.info({ job: this.name, ...report }, 'escalation trigger round done');
  }

  async runOnce(signal?: AbortSignal): Promise<EscalationTriggerReport> {
    const report: EscalationTriggerReport = { considered: 0, raised: 0, failed: 0 };
    for (const wave of await listWaves(this.deps.store)) {
      if (!ACTIVE_WAVE_STATES.includes(wave.state)) continue;
      for await (const member of waveMembersOf(this.deps.store, wave.id)) {
        if (signal?.aborted) return report;
        report.considered++;
        try {
          report.raised += await this.raiseDue(wave, member);
        } catch (err) {
          report.failed++;
          this.deps.logger.warn(
            { err, aadObjectId: member.aadObjectId },
            'time-based escalation check failed',
          );
        }
      }
    }
    return report;
  }

  private async raiseDue(wave: Wave, member: WaveMember): Promise<number> {
    const p = (await this.deps.store.participants.get(participantKey(member.aadObjectId)))?.value;
    if (!p) return 0;
    const timing = this.deps.config.escalation;
    const now = this.deps.clock.now();
    const due = timeTriggers(p, wave, now, {
      stuckAfterMs: timing.stuckAfterHours * HOUR,
      noncompliantAfterMs: timing.noncompliantAfterHours * HOUR,
      zone: p.timeZone ?? this.deps.config.defaults.timeZone,
      hours: this.deps.config.defaults.businessHours,
    });
    if (due.length === 0) return 0;
    const ticket = (await this.deps.store.escalations.get(escalationKey(p.aadObjectId)))?.value;
    const fresh = newToTicket(p, ticket, due, now);
    if (fresh.length === 0) return 0;

    // Queued like the journey's escalations, so the drain's crash safety and the card posting apply.
    await this.deps.store.participants.update(participantKey(p.aadObjectId), (cur) => {
      if (!cur) return undefined;
      const pending = cur.pendingEscalations ?? [];
      const have = new Set(pending.map((e) => canonicalJson(e)));
      const add = fresh.filter((t) => !have.has(canonicalJson(t)));
      if (add.length === 0) return undefined;
      return { ...withPendingEscalations(cur, add), version: cur.version + 1 };
    });
    await dispatchEscalations(this.deps, p.aadObjectId);
    this.deps.logger.info(
      { user: p.aadObjectId, reasons: fresh.map((t) => t.reason) },
      'time-based escalation raised',
    );
    return fresh.length;
  }
}

/** The triggers that would change the ticket (not duplicates), applied in order as the drain will. */
function newToTicket(
  p: Participant,
  ticket: Escalation | undefined,
  due: TimeTrigger[],
  now: Date,
): TimeTrigger[] {
  const participant = participantOf(p);
  let current = ticket;
  const fresh: TimeTrigger[] = [];
  for (const trigger of due) {
    const result = raise(current, { participant, trigger }, now);
    if (!result.ok || result.outcome === 'duplicate') continue;
    fresh.push(trigger);
    current = result.escalation;
  }
  return fresh;
}
