/** The admin home's section on the old MDM: what each source still lists, how much of it Graph also sees, its last sync. */
import type { SourceMatchCounts } from '../domain/inventory';
import type { SourceMdm } from '../domain/source-mdm';
import type { MessageKey, Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { type ChartColor, type ChartElement, donutChart } from './charts';
import { type Button, type DashboardFormat, type Fact, type Formats, formats } from './dashboard-format';

export interface OldMdmSourceOverview extends SourceMatchCounts {
  /** `workspace-one`, `jamf`, or `file` for an export an admin sent. */
  source: string;
  vendor: SourceMdm;
  lastSync?: {
    at: string;
    ok: boolean;
    kind?: 'full' | 'incremental' | 'file';
    /** Why it failed, and what to fix (a setting, an API role or privilege). */
    failure?: string;
    missing?: string;
  };
}

const SLICES = [
  ['matched', 'good'],
  ['unmatched', 'categoricalMarigold'],
  ['ambiguous', 'attention'],
  ['pending', 'neutral'],
] as const satisfies readonly (readonly [keyof OldMdmSourceOverview, ChartColor])[];

export const OLD_MDM_CHART_ID = 'chart-old-mdm';

/** A source as admins know it: the vendor, or "<vendor> (export file)" for a file an admin sent. */
export function sourceName(t: Translate, s: { source: string; vendor: SourceMdm }): string {
  return s.source === 'file'
    ? t('dashboard.oldMdm.sourceFile', { vendor: t(`vendor.${s.vendor}`) })
    : t(`vendor.${s.vendor}`);
}

/** The last sync in words: when and what kind, or when it failed, why, and what to fix. */
export function syncText(t: Translate, f: Formats, sync: OldMdmSourceOverview['lastSync']): string {
  if (!sync) return t('dashboard.oldMdm.never');
  if (sync.ok) {
    const kind = sync.kind ? t(`dashboard.oldMdm.kind.${sync.kind}` as MessageKey) : '';
    return t('dashboard.oldMdm.syncOk', { time: f.date(sync.at), kind });
  }
  const problem = t(`dashboard.oldMdm.problem.${sync.failure ?? 'internal'}` as MessageKey);
  return sync.missing
    ? t('dashboard.oldMdm.syncFailedFix', { time: f.date(sync.at), problem, missing: sync.missing })
    : t('dashboard.oldMdm.syncFailed', { time: f.date(sync.at), problem });
}

export function oldMdmSectionView(input: DashboardFormat, sources: readonly OldMdmSourceOverview[]) {
  const { t } = input;
  const f = formats(input);
  const list = sources.map((s) => ({
    title: sourceName(t, s),
    facts: [
      { title: t('dashboard.oldMdm.listed'), value: f.int(s.listed) },
      { title: t('dashboard.oldMdm.matched'), value: f.share(s.matched, s.listed) },
      { title: t('dashboard.oldMdm.unmatched'), value: f.share(s.unmatched, s.listed) },
      { title: t('dashboard.oldMdm.ambiguous'), value: f.share(s.ambiguous, s.listed) },
      ...(s.pending > 0 ? [{ title: t('dashboard.oldMdm.pending'), value: f.int(s.pending) }] : []),
      { title: t('dashboard.oldMdm.personMissing'), value: f.int(s.personMissing) },
      { title: t('dashboard.oldMdm.lastSync'), value: syncText(t, f, s.lastSync) },
    ] satisfies Fact[],
  }));
  const total = (k: (typeof SLICES)[number][0]) => sources.reduce((n, s) => n + s[k], 0);
  const chart: ChartElement | undefined = donutChart(
    t('dashboard.oldMdm.chart'),
    SLICES.map(([k, color]) => ({ legend: t(`dashboard.oldMdm.${k}`), value: total(k), color })),
  );
  const listed = sources.reduce((n, s) => n + s.listed, 0);
  return {
    hasOldMdm: sources.length > 0,
    oldMdmHeading: t('dashboard.oldMdm.heading'),
    oldMdmSummary: t('dashboard.oldMdm.summary', {
      listed: f.int(listed),
      matched: f.share(total('matched'), listed),
    }),
    oldMdmSources: list,
    oldMdmReview: {
      title: t('dashboard.review.open'),
      verb: ADMIN_VERBS.oldMdmReview,
      data: {},
    } satisfies Button,
    oldMdmChart: chart,
  };
}
