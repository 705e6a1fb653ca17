import { MAX_LIST_ROWS, type PanelSection, renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import { retirementReport } from '../../domain/retirement';
import { ADMIN_VERBS } from '../../verbs/admin';
import { wavesById } from '../waves';
import type { AdminTurn } from './admin-turn';
import { everyParticipant } from './recipients';

/** Whether the old MDM can be switched off: everyone migrated or excluded with a reason. */
export async function retireReport(turn: AdminTurn): Promise<CardJson> {
  const { audience: a } = turn;
  const waves = await wavesById(turn.deps.store);
  const report = retirementReport(await everyParticipant(turn.deps));
  const nf = new Intl.NumberFormat(a.locale);
  const sections: PanelSection[] = [];
  if (report.excluded.length > 0) {
    sections.push({
      heading: a.t('admin.retire.excluded', { count: nf.format(report.excluded.length) }),
      lines: report.excluded
        .slice(0, MAX_LIST_ROWS)
        .map((x) => `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}: ${x.reasons.join('; ')}`),
      more:
        report.excluded.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.excluded.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  if (report.remaining.length > 0) {
    sections.push({
      heading: a.t('admin.retire.remaining', { count: nf.format(report.remaining.length) }),
      lines: report.remaining
        .slice(0, MAX_LIST_ROWS)
        .map(
          (x) =>
            `${x.displayName ?? x.userPrincipalName ?? x.aadObjectId}${x.waveId ? ` (${waves.get(x.waveId)?.name ?? x.waveId})` : ''}`,
        ),
      more:
        report.remaining.length > MAX_LIST_ROWS
          ? a.t('admin.more', { count: report.remaining.length - MAX_LIST_ROWS })
          : undefined,
    });
  }
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('admin.retire.title'),
    style: report.ready ? 'good' : 'warning',
    notice: report.ready ? a.t('admin.retire.ready') : a.t('admin.retire.notReady'),
    noticeStyle: report.ready ? 'good' : 'warning',
    facts: [
      { title: a.t('admin.retire.migrated'), value: nf.format(report.migrated.length) },
      { title: a.t('admin.retire.excludedCount'), value: nf.format(report.excluded.length) },
      { title: a.t('admin.retire.remainingCount'), value: nf.format(report.remaining.length) },
    ],
    sections,
    actions: [
      {
        title: a.t('admin.export.participants'),
        verb: ADMIN_VERBS.exportCsv,
        data: { kind: 'participants' },
      },
      { title: a.t('admin.stragglers.title'), verb: ADMIN_VERBS.stragglers, data: {} },
      { title: a.t('admin.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  });
}
