/** One wave's "still in the old MDM" section: its members' devices each source still lists, with a chart. */
import type { SourceMdm } from '../domain/source-mdm';
import { type ChartColor, type ChartElement, donutChart } from './charts';
import { type DashboardFormat, type Fact, formats } from './dashboard-format';
import { type OldMdmSourceOverview, sourceName, syncText } from './old-mdm-section';

export interface WaveOldMdmSource {
  source: string;
  vendor: SourceMdm;
  /** Devices of the wave's members the source still lists. */
  listed: number;
  /** Also an Intune or Entra device. */
  matched: number;
  ambiguous: number;
  /** Only the old MDM knows it. */
  unmatched: number;
  lastSync?: OldMdmSourceOverview['lastSync'];
}

export interface WaveOldMdmOverview {
  sources: WaveOldMdmSource[];
  /** Members with at least one listed device. */
  people: number;
  /** When the matching pass counted them; absent: no pass yet. */
  countedAt?: string;
}

const SLICES = [
  ['matched', 'good'],
  ['unmatched', 'categoricalMarigold'],
  ['ambiguous', 'attention'],
] as const satisfies readonly (readonly [keyof WaveOldMdmSource, ChartColor])[];

export const WAVE_OLD_MDM_CHART_ID = 'chart-wave-old-mdm';

/** Devices only the old MDM knows: no journey shows them, yet each is a device to move. */
export const onlyInOldMdm = (o: WaveOldMdmOverview | undefined): number =>
  (o?.sources ?? []).reduce((n, s) => n + s.unmatched, 0);

export function oldMdmWaveSectionView(input: DashboardFormat, overview: WaveOldMdmOverview | undefined) {
  const { t } = input;
  const f = formats(input);
  const sources = overview?.sources ?? [];
  const total = (k: (typeof SLICES)[number][0] | 'listed') => sources.reduce((n, s) => n + s[k], 0);
  const listed = total('listed');
  const vendors = [...new Set(sources.map((s) => t(`vendor.${s.vendor}`)))];
  const list = sources.map((s) => ({
    title: sourceName(t, s),
    facts: [
      { title: t('dashboard.waveOldMdm.listed'), value: f.int(s.listed) },
      { title: t('dashboard.oldMdm.matched'), value: f.share(s.matched, s.listed) },
      { title: t('dashboard.oldMdm.unmatched'), value: f.share(s.unmatched, s.listed) },
      { title: t('dashboard.oldMdm.ambiguous'), value: f.share(s.ambiguous, s.listed) },
      { title: t('dashboard.oldMdm.lastSync'), value: syncText(t, f, s.lastSync) },
    ] satisfies Fact[],
  }));
  const chart: ChartElement | undefined = donutChart(
    t('dashboard.waveOldMdm.chart'),
    SLICES.map(([k, color]) => ({ legend: t(`dashboard.oldMdm.${k}`), value: total(k), color })),
  );
  return {
    hasWaveOldMdm: sources.length > 0,
    waveOldMdmHeading:
      vendors.length === 1
        ? t('dashboard.waveOldMdm.heading', { vendor: vendors[0]! })
        : t('dashboard.oldMdm.heading'),
    waveOldMdmSummary: t('dashboard.waveOldMdm.summary', {
      listed: f.int(listed),
      people: f.int(overview?.people ?? 0),
      matched: f.share(total('matched'), listed),
    }),
    waveOldMdmSources: list,
    waveOldMdmNote: overview?.countedAt
      ? t('dashboard.waveOldMdm.countedAt', {
          time: f.date(overview.countedAt),
          only: f.int(onlyInOldMdm(overview)),
        })
      : t('dashboard.waveOldMdm.notCounted'),
    waveOldMdmChart: chart,
  };
}
