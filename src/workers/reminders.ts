import { lastDaysLine } from '../cards/runbook-access';
import type { Deps } from '../deps';
import { ACTIVE_WAVE_STATES, endOfWave, type Wave, type WaveMember } from '../domain/campaign';
import { participantProgress } from '../domain/journey-progress';
import { type Participant, participantKey } from '../domain/participant';
import { nextReminderAt } from '../domain/schedule';
import { audienceForParticipant } from '../features/journey/on-progress';
import { reminderCard } from '../features/journey/reminder';
import { listWaves, waveMembersOf } from '../features/waves';
import type { Job } from './scheduler';

export interface ReminderReport {
  considered: number;
  sent: number;
  failed: number;
}

/**
 * Reminds wave members who have not finished, on the cadence of src/domain/schedule.ts: inside
 * business hours in their own time zone, at most once a day, tightening toward the end of the wave,
 * never after they are done. Runs on the scheduler's leader only.
 */
export class ReminderJob implements Job {
  readonly name = 'reminders';
  constructor(
    private readonly deps: Deps,
    readonly intervalMs = 15 * 60 * 1000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    this.deps.logger.info({ job: this.name, ...report }, 'reminder round done');
  }

  async runOnce(signal?: AbortSignal): Promise<ReminderReport> {
    const report: ReminderReport = { considered: 0, sent: 0, failed: 0 };
    for (const wave of await listWaves(this.deps.store)) {
      if (!ACTIVE_WAVE_STATES.includes(wave.state) || !wave.reminders.enabled) continue;
      for await (const member of waveMembersOf(this.deps.store, wave.id)) {
        if (signal?.aborted) return report;
        report.considered++;
        try {
          if (await this.remindIfDue(wave, member)) report.sent++;
        } catch (err) {
          report.failed++;
          this.deps.logger.warn({ err, aadObjectId: member.aadObjectId }, 'reminder failed');
        }
      }
    }
    return report;
  }

  private isDue(p: Participant, wave: Wave, now: Date): boolean {
    if (!p.conversation || p.waveId !== wave.id) return false;
    const journeyDone = (p.journeys?.length ?? 0) > 0 && participantProgress(p.journeys ?? []).done;
    const next = nextReminderAt({
      now,
      zone: p.timeZone ?? this.deps.config.defaults.timeZone,
      hours: this.deps.config.defaults.businessHours,
      journeyDone,
      lastReminderAt: p.lastReminderAt,
      deferredUntil: p.deferrals?.until,
      deadline: endOfWave(wave),
      cadence: wave.reminders.cadence,
    });
    return next !== undefined && next.getTime() <= now.getTime();
  }

  /** Claims the reminder first (ETag write of lastReminderAt), then sends: a crash can skip one, never double it. */
  private async remindIfDue(wave: Wave, member: WaveMember): Promise<boolean> {
    const now = this.deps.clock.now();
    let claimed: Participant | undefined;
    await this.deps.store.participants.update(participantKey(member.aadObjectId), (cur) => {
      claimed = undefined;
      if (!cur || cur.erasedAt || !this.isDue(cur, wave, now)) return undefined;
      claimed = { ...cur, lastReminderAt: now.toISOString() };
      return claimed;
    });
    if (!claimed?.conversation) return false;
    const reminder = reminderCard(this.deps, claimed, wave);
    // In the last days before the grace end, say what switches on then (from the evaluated policies).
    const lastDays = lastDaysLine(audienceForParticipant(this.deps, claimed), wave, now);
    if (lastDays)
      reminder.card.body = [
        ...((reminder.card.body as unknown[]) ?? []),
        { type: 'TextBlock', text: lastDays, wrap: true, weight: 'Bolder' },
      ];
    await this.deps.messenger.send(claimed.conversation, reminder);
    return true;
  }
}
