import { renderMessageCard } from '../cards/message-card';
import type { Deps } from '../deps';
import { escalationKey, recordSlaReminder, slaAssignOverdue } from '../domain/escalation';
import type { Escalation } from '../domain/escalation-model';
import { PARTICIPANT_PARTITIONS, participantKey } from '../domain/participant';
import { businessElapsed } from '../domain/schedule';
import {
  channelAddress,
  channelAudience,
  helpdeskConfigured,
  postMissingCard,
  ticketChannelId,
} from '../features/helpdesk/helpdesk-service';
import type { Job } from './scheduler';

const MINUTE = 60_000;

export interface SlaReport {
  considered: number;
  reminded: number;
  /** Cards posted for tickets whose first post never arrived. */
  reposted: number;
  failed: number;
}

/**
 * The assignment SLA: a ticket still open and unassigned after `HELPDESK_SLA_ASSIGN_MINUTES` business
 * minutes (campaign default zone and business hours: the helpdesk's clock) gets one reminder line in
 * its channel card's thread, once per open period (again after a reopen). The reminder is claimed on
 * the ticket first (ETag write of `slaReminder`), then sent: a crash can skip one, never double it.
 * Tickets whose card never reached the channel get it posted here. Runs on the scheduler's leader only.
 */
export class HelpdeskSlaJob implements Job {
  readonly name = 'helpdesk-sla';
  constructor(
    private readonly deps: Deps,
    readonly intervalMs = 5 * 60 * 1000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    this.deps.logger.info({ job: this.name, ...report }, 'helpdesk SLA round done');
  }

  async runOnce(signal?: AbortSignal): Promise<SlaReport> {
    const report: SlaReport = { considered: 0, reminded: 0, reposted: 0, failed: 0 };
    const timing = this.deps.config.escalation;
    const limitMs = timing.slaAssignMinutes * MINUTE;
    const { timeZone, businessHours } = this.deps.config.defaults;
    const elapsed = businessElapsed(timeZone, businessHours);
    if (!helpdeskConfigured(this.deps)) return report;
    for (const partition of PARTICIPANT_PARTITIONS) {
      for await (const { value: ticket } of this.deps.store.escalations.listPartition(partition)) {
        if (signal?.aborted) return report;
        if (!ticket.cardActivityId) {
          // Its card never made it to the channel (a failed post, or an instance that died): post it now.
          try {
            if (await postMissingCard(this.deps, ticket)) report.reposted++;
          } catch (err) {
            report.failed++;
            this.deps.logger.warn(
              { err, ticket: ticket.ticketId },
              'posting a missing escalation card failed',
            );
          }
          continue;
        }
        if (!slaAssignOverdue(ticket, this.deps.clock.now(), limitMs, elapsed)) continue;
        report.considered++;
        try {
          if (await this.remind(ticket, limitMs, elapsed)) report.reminded++;
        } catch (err) {
          report.failed++;
          this.deps.logger.warn({ err, ticket: ticket.ticketId }, 'helpdesk SLA reminder failed');
        }
      }
    }
    return report;
  }

  private async remind(
    seen: Escalation,
    limitMs: number,
    elapsed: (from: Date, to: Date) => number,
  ): Promise<boolean> {
    const id = seen.participant.aadObjectId;
    const via = (await this.deps.store.participants.get(participantKey(id)))?.value.conversation;
    if (!via || !seen.cardActivityId) return false;
    const now = this.deps.clock.now();
    let claimed: Escalation | undefined;
    await this.deps.store.escalations.update(escalationKey(id), (cur) => {
      claimed = undefined;
      if (!cur || cur.ticketId !== seen.ticketId || !cur.cardActivityId) return undefined;
      if (!slaAssignOverdue(cur, now, limitMs, elapsed)) return undefined;
      const result = recordSlaReminder(cur, now);
      if (!result.ok) return undefined;
      claimed = result.escalation;
      return claimed;
    });
    const thread = claimed?.cardActivityId
      ? channelAddress(this.deps, via, claimed.cardActivityId, ticketChannelId(this.deps, claimed))
      : undefined;
    if (!claimed || !thread) return false;
    const ch = channelAudience(this.deps);
    const text = ch.t('helpdesk.thread.sla', { minutes: Math.round(limitMs / MINUTE) });
    await this.deps.messenger.send(thread, {
      card: renderMessageCard({ title: ch.t('helpdesk.appName'), text, style: 'warning' }),
      summary: text,
    });
    this.deps.logger.info({ ticket: claimed.ticketId }, 'helpdesk SLA reminder sent');
    return true;
  }
}
