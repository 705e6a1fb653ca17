/** View model of the admin home: the campaign overview with every wave's numbers and gate. */
import campaignTemplate from '../../adaptiveCards/campaign-dashboard.json';
import type { Wave } from '../domain/campaign';
import type { GateResult } from '../domain/wave-gate';
import { USER_STATUSES, type UserStatus, type WaveStats } from '../domain/wave-stats';
import { ADMIN_VERBS } from '../verbs/admin';
import { type ChartColor, type ChartElement, chunk, donutChart, stackedBarChart, withCharts } from './charts';
import {
  type Button,
  type DashboardFormat,
  formats,
  gateLine,
  stateLabel,
  userStatusLabel,
} from './dashboard-format';
import { OLD_MDM_CHART_ID, type OldMdmSourceOverview, oldMdmSectionView } from './old-mdm-section';
import { type CardJson, renderCard } from './render';

/** Waves listed on the campaign overview; more are counted, not shown (the card stays small). */
export const MAX_WAVES_LISTED = 24;

const USER_COLORS: Record<UserStatus, ChartColor> = {
  'no-devices': 'categoricalMarigold',
  'not-started': 'neutral',
  'in-progress': 'categoricalLightBlue',
  enrolled: 'categoricalBlue',
  done: 'good',
  'needs-help': 'attention',
};

export interface CampaignWaveSummary {
  wave: Wave;
  stats: WaveStats;
  gate: GateResult;
  /** The voluntary opt-in wave. */
  voluntary: boolean;
}

export interface CampaignDashboardInput extends DashboardFormat {
  campaignName?: string;
  /** Every wave, in order. */
  waves: CampaignWaveSummary[];
  /** What each old-MDM source still lists; absent or empty when none is read. */
  oldMdm?: OldMdmSourceOverview[];
}

export function campaignDashboardView(input: CampaignDashboardInput) {
  const { t } = input;
  const f = formats(input);
  const byStatus = Object.fromEntries(USER_STATUSES.map((s) => [s, 0])) as Record<UserStatus, number>;
  let members = 0;
  let migrated = 0;
  let openTickets = 0;
  for (const { stats } of input.waves) {
    members += stats.members;
    migrated += stats.migratedUsers;
    openTickets += stats.helpdesk.open + stats.helpdesk.assigned + stats.helpdesk.waitingOnUser;
    for (const s of USER_STATUSES) byStatus[s] += stats.usersByStatus[s];
  }

  const statusFacts = USER_STATUSES.map((s) => ({
    title: userStatusLabel(t, s),
    value: f.share(byStatus[s], members),
  }));
  const listed = input.waves.slice(0, MAX_WAVES_LISTED);
  const waveName = (w: CampaignWaveSummary) =>
    w.voluntary ? t('dashboard.wave.voluntaryName', { wave: w.wave.name }) : w.wave.name;
  const waves = listed.map((w) => {
    const gate = gateLine(t, w.wave, w.gate);
    return {
      title: waveName(w),
      detail: t('dashboard.wave.line', {
        state: stateLabel(t, w.wave),
        members: f.int(w.stats.members),
        migrated: f.share(w.stats.migratedUsers, w.stats.members),
      }),
      gate: gate.text,
      gateColor: gate.color,
      open: {
        title: t('dashboard.action.openWave'),
        verb: ADMIN_VERBS.openWave,
        data: { waveId: w.wave.id },
      },
    };
  });

  const charted = listed.filter((w) => w.stats.members > 0);
  const chunks = chunk(charted);
  const charts: Record<string, ChartElement | undefined> = {
    'chart-status': donutChart(
      t('dashboard.chart.usersByStatus'),
      USER_STATUSES.map((s) => ({
        legend: userStatusLabel(t, s),
        value: byStatus[s],
        color: USER_COLORS[s],
      })),
    ),
  };
  const waveCharts = chunks.map((group, i) => {
    const id = `chart-waves-${i + 1}`;
    const title =
      chunks.length > 1
        ? t('dashboard.chart.wavesByStatusPart', { part: i + 1, parts: chunks.length })
        : t('dashboard.chart.wavesByStatus');
    charts[id] = stackedBarChart(
      title,
      group.map((w) => ({
        title: waveName(w),
        data: USER_STATUSES.map((s) => ({
          legend: userStatusLabel(t, s),
          value: w.stats.usersByStatus[s],
          color: USER_COLORS[s],
        })),
      })),
    );
    return { id, summary: t('dashboard.chart.seeList') };
  });

  const { oldMdmChart, ...oldMdm } = oldMdmSectionView(input, input.oldMdm ?? []);
  charts[OLD_MDM_CHART_ID] = oldMdmChart;

  return {
    appName: t('app.name'),
    title: input.campaignName
      ? t('dashboard.campaign.titleNamed', { name: input.campaignName })
      : t('dashboard.campaign.title'),
    updated: t('dashboard.updated', { at: f.date(input.now) }),
    facts: [
      { title: t('dashboard.fact.waves'), value: f.int(input.waves.length) },
      { title: t('dashboard.fact.members'), value: f.int(members) },
      { title: t('dashboard.fact.migrated'), value: f.share(migrated, members) },
      { title: t('dashboard.fact.openTickets'), value: f.int(openTickets) },
    ],
    ...oldMdm,
    hasMembers: members > 0,
    statusHeading: t('dashboard.campaign.statusHeading'),
    statusSummary: statusFacts.map((x) => `${x.title}: ${x.value}`).join(' · '),
    statusFacts,
    wavesHeading: t('dashboard.campaign.wavesHeading'),
    waveCharts,
    waves,
    wavesMore:
      input.waves.length > listed.length
        ? t('dashboard.more', { count: f.int(input.waves.length - listed.length) })
        : '',
    noWaves: input.waves.length === 0 ? t('dashboard.campaign.noWaves') : '',
    actions: [
      { title: t('dashboard.action.newWave'), verb: ADMIN_VERBS.editWave, data: {} },
      { title: t('dashboard.action.stragglers'), verb: ADMIN_VERBS.stragglers, data: {} },
      { title: t('dashboard.action.retire'), verb: ADMIN_VERBS.retireReport, data: {} },
      { title: t('dashboard.action.refresh'), verb: ADMIN_VERBS.refresh, data: {} },
    ] satisfies Button[],
    charts,
  };
}

export type CampaignDashboardView = ReturnType<typeof campaignDashboardView>;

export const renderCampaignDashboard = (view: CampaignDashboardView): CardJson =>
  withCharts(renderCard(campaignTemplate, view), view.charts);
