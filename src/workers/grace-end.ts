import { renderMessageCard } from '../cards/message-card';
import type { Deps } from '../deps';
import { ACTIVE_WAVE_STATES, type Wave } from '../domain/campaign';
import { graceEndDay } from '../domain/runbook';
import { statsOfWave } from '../features/admin/dashboard-service';
import { AccessCycle, evaluateWaveAccess, policyStateOf } from '../features/conditional-access/wave-access';
import { notifyAdmins } from '../features/runbook/admin-notify';
import { updateRunbookRecords } from '../features/runbook/runbook-records';
import type { Audience } from '../features/user-context';
import { listWaves } from '../features/waves';
import { formatDateTime } from '../i18n';
import { RUNBOOK_VERBS } from '../verbs/runbook';
import type { Job } from './scheduler';

export interface GraceEndReport {
  waves: number;
  prompted: number;
  /** Grace ends reached where the policy already enforces: nothing to say. */
  alreadyOn: number;
  failed: number;
}

/**
 * The grace-end prompt: on the day a wave's grace period ends (the campaign's time zone) the admins
 * get "Turn on conditional access for <wave> today" with the policy's state, the members not yet
 * done and what they would lose; on every day after it, while no enabled policy covers
 * every member, a warning. One card per wave per local day: the day is claimed on the wave's runbook
 * row (an ETag write) before anything is sent, so two instances or a crash can skip one, never double
 * it. A Graph 403 tells the admins to grant Policy.Read.All instead. Runs on the scheduler's leader.
 */
export class GraceEndJob implements Job {
  readonly name = 'grace-end';
  constructor(
    private readonly deps: Deps,
    readonly intervalMs = 60_000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    if (report.prompted + report.failed > 0)
      this.deps.logger.info({ job: this.name, ...report }, 'grace-end round done');
  }

  async runOnce(signal?: AbortSignal): Promise<GraceEndReport> {
    const report: GraceEndReport = { waves: 0, prompted: 0, alreadyOn: 0, failed: 0 };
    const now = this.deps.clock.now();
    const zone = this.deps.config.defaults.timeZone;
    const cycle = new AccessCycle(this.deps);
    for (const wave of await listWaves(this.deps.store)) {
      if (signal?.aborted) break;
      if (!ACTIVE_WAVE_STATES.includes(wave.state)) continue;
      const day = graceEndDay(wave, now, zone);
      if (!day || day.when === 'before') continue;
      report.waves++;
      try {
        const outcome = await this.promptOnce(wave, day.when, String(day.day), cycle, now);
        if (outcome === 'sent') report.prompted++;
        else if (outcome === 'already-on') report.alreadyOn++;
      } catch (err) {
        report.failed++;
        this.deps.logger.warn({ err, wave: wave.id }, 'grace-end prompt failed');
      }
    }
    if (report.waves > 0) cycle.logCost('the grace-end prompts');
    return report;
  }

  private async promptOnce(
    wave: Wave,
    when: 'today' | 'after',
    day: string,
    cycle: AccessCycle,
    now: Date,
  ): Promise<'sent' | 'already-on' | 'claimed-before'> {
    const { changed } = await updateRunbookRecords(this.deps, wave.id, (cur) =>
      cur.promptedOn === day ? undefined : { ...cur, promptedOn: day },
    );
    if (!changed) return 'claimed-before';
    const access = await evaluateWaveAccess(this.deps, wave, cycle);
    if (
      access.ok &&
      access.coverage.members > 0 &&
      access.coverage.counts.enforced === access.coverage.members
    )
      return 'already-on';
    if (!access.ok && access.error !== 'permission') {
      // Graph is down or not wired: give the day back, so a later round of the same day can prompt.
      await updateRunbookRecords(this.deps, wave.id, (cur) =>
        cur.promptedOn === day ? { ...cur, promptedOn: undefined } : undefined,
      );
      throw new Error(`conditional access ${access.error}`);
    }
    const stats = await statsOfWave(this.deps, wave, now);
    const notDone = stats.members - stats.migratedUsers;
    const endsAt =
      wave.conditionalAccess.kind === 'grace' ? wave.conditionalAccess.endsAt : now.toISOString();
    const report = await notifyAdmins(this.deps, (a: Audience) => {
      if (!access.ok) {
        const text = a.t('runbook.permission.text', { wave: wave.name });
        return {
          card: this.card(a, a.t('runbook.permission.title'), [text], wave.id, 'attention'),
          summary: text,
        };
      }
      const strongest = access.coverage.policies.find((p) => p.state === policyStateOf(access.coverage));
      const title =
        when === 'today'
          ? a.t('runbook.grace.title', { wave: wave.name })
          : a.t('runbook.warn.title', { wave: wave.name });
      const date = formatDateTime(new Date(endsAt), a.locale, a.timeZone);
      const lines = [
        when === 'today'
          ? a.t('runbook.grace.text', { wave: wave.name, date })
          : a.t('runbook.warn.text', { wave: wave.name, date }),
        strongest
          ? a.t('runbook.grace.policy', {
              name: strongest.displayName,
              state: a.t(`runbook.policyState.${strongest.state}`),
            })
          : a.t('runbook.grace.noPolicy'),
        notDone > 0
          ? a.t('runbook.grace.notCompliant', { count: notDone, total: stats.members })
          : a.t('runbook.grace.allCompliant'),
      ];
      return { card: this.card(a, title, lines, wave.id, 'warning'), summary: title };
    });
    this.deps.logger.info({ wave: wave.id, when, ...report }, 'grace-end prompt sent to the admins');
    return 'sent';
  }

  private card(a: Audience, title: string, lines: string[], waveId: string, style: 'attention' | 'warning') {
    const card = renderMessageCard({ title, text: lines.join('\n\n'), style });
    card.actions = [
      { type: 'Action.Execute', title: a.t('runbook.open'), verb: RUNBOOK_VERBS.open, data: { waveId } },
    ];
    return card;
  }
}
