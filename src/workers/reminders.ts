import { JOURNEY_VERBS } from '../cards/journey-card';
import { renderMessageCard } from '../cards/message-card';
import type { Deps } from '../deps';
import { ACTIVE_WAVE_STATES, endOfWave, type Wave, type WaveMember } from '../domain/campaign';
import { participantProgress } from '../domain/journey';
import { type Participant, participantKey } from '../domain/participant';
import { nextReminderAt } from '../domain/schedule';
import { audienceForParticipant } from '../features/journey/on-progress';
import { formatDateTime } from '../i18n';
import type { OutgoingCard } from '../ports/messenger';
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
    for await (const { value: wave } of this.deps.store.waves.listPartition('wave')) {
      if (!ACTIVE_WAVE_STATES.includes(wave.state) || !wave.reminders.enabled) continue;
      for await (const { value: member } of this.deps.store.waveMembers.listPartition(`wave-${wave.id}`)) {
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
      if (!cur || !this.isDue(cur, wave, now)) return undefined;
      claimed = { ...cur, lastReminderAt: now.toISOString() };
      return claimed;
    });
    if (!claimed?.conversation) return false;
    await this.deps.messenger.send(claimed.conversation, reminderCard(this.deps, claimed, wave));
    return true;
  }
}

/** The reminder a wave member gets: how many devices are left, how long it takes, when the wave ends. */
export function reminderCard(deps: Deps, p: Participant, wave: Wave): OutgoingCard {
  const a = audienceForParticipant(deps, p);
  const left = (p.journeys ?? []).filter((j) => j.stage !== 'verified' && j.stage !== 'excluded').length;
  const end = endOfWave(wave);
  const text = [
    left > 0
      ? a.t('reminder.devicesLeft', { count: left, minutes: wave.estimatedMinutes })
      : a.t('reminder.notStarted', { minutes: wave.estimatedMinutes }),
    end ? a.t('reminder.endsAt', { date: formatDateTime(new Date(end), a.locale, a.timeZone) }) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const card = renderMessageCard({
    title: a.t('reminder.title', { wave: wave.name }),
    text,
    style: 'accent',
  });
  card.actions = [
    { type: 'Action.Execute', title: a.t('help.openJourney'), verb: JOURNEY_VERBS.start, data: {} },
  ];
  return { card, summary: a.t('reminder.title', { wave: wave.name }) };
}
