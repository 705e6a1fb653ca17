/** View model of one wave's dashboard: numbers, gate, funnel, platforms, stuck users, helpdesk, deliveries. */
import waveTemplate from '../../adaptiveCards/wave-dashboard.json';
import { endOfWave, type Wave } from '../domain/campaign';
import { STAGE_ORDER } from '../domain/journey';
import type { AnnounceDecision, GateResult } from '../domain/wave-gate';
import { DEVICE_STATUSES, type DeviceStatus, type WaveStats } from '../domain/wave-stats';
import type { MessageKey } from '../i18n';
import { ADMIN_INPUTS, ADMIN_VERBS } from '../verbs/admin';
import {
  type ChartColor,
  type ChartElement,
  chunk,
  stackedBarChart,
  verticalBarChart,
  withCharts,
} from './charts';
import {
  type Button,
  criterionTexts,
  type DashboardFormat,
  deviceStatusLabel,
  type Fact,
  formats,
  gateLine,
  stateLabel,
} from './dashboard-format';
import { durationText } from './escalation-card';
import {
  oldMdmWaveSectionView,
  onlyInOldMdm,
  WAVE_OLD_MDM_CHART_ID,
  type WaveOldMdmOverview,
} from './old-mdm-wave-section';
import { type CardJson, renderCard } from './render';
import {
  announceSection,
  type DeliveryReport,
  deliverySection,
  forecastSection,
  type NextWaveForecast,
} from './wave-dashboard-sections';

/** Longest override reason the card's input accepts; the server checks it again. */
export const OVERRIDE_REASON_MAX_LENGTH = 1_000;

const DEVICE_COLORS: Record<DeviceStatus, ChartColor> = {
  'not-started': 'neutral',
  'in-progress': 'categoricalLightBlue',
  enrolled: 'categoricalBlue',
  done: 'good',
  'needs-help': 'attention',
  excluded: 'categoricalPurple',
};

/** The four milestones of the funnel chart (the renderer takes at most four bars). */
const FUNNEL_MILESTONES = ['started', 'unenrolled', 'enrolled', 'verified'] as const;

export interface WaveDashboardInput extends DashboardFormat {
  wave: Wave;
  voluntary: boolean;
  stats: WaveStats;
  gate: GateResult;
  announce: AnnounceDecision;
  next?: NextWaveForecast;
  delivery?: DeliveryReport;
  /** What the old MDM still lists for the wave's members; absent when no old MDM is read. */
  oldMdm?: WaveOldMdmOverview;
  /** Time in a stage after which a started device counts as stuck, for the heading. */
  stuckAfterHours: number;
}

const OUTCOME_COLOR = { pass: 'Good', fail: 'Attention', 'no-data': 'Warning' } as const;

export function waveDashboardView(input: WaveDashboardInput) {
  const { t, wave, stats, gate } = input;
  const f = formats(input);
  const funnel = stats.funnel;
  const waveId = wave.id;

  const funnelFacts: Fact[] = [
    { title: t('dashboard.funnel.devices'), value: f.int(funnel.devices) },
    ...STAGE_ORDER.slice(1).map((s) => ({
      title: t(`dashboard.funnel.stage.${s}` as MessageKey),
      value: f.share(funnel.reached[s], funnel.devices),
    })),
    { title: t('dashboard.funnel.notStarted'), value: f.share(funnel.notStarted, funnel.devices) },
    { title: t('dashboard.funnel.needsIt'), value: f.share(funnel.needsIt, funnel.devices) },
    { title: t('dashboard.funnel.stuck'), value: f.share(funnel.stuck, funnel.devices) },
    { title: t('dashboard.funnel.excluded'), value: f.int(funnel.excluded) },
    { title: t('dashboard.funnel.withoutDevices'), value: f.int(stats.membersWithoutDevices) },
  ];
  const milestones = FUNNEL_MILESTONES.map((s) => ({
    x: t(`dashboard.funnel.milestone.${s}` as MessageKey),
    y: funnel.reached[s],
  }));

  const platformLines = stats.platforms.map((p) =>
    t('dashboard.platforms.line', {
      platform: t(`platform.${p.platform}` as MessageKey),
      devices: f.int(p.devices),
      statuses: DEVICE_STATUSES.filter((s) => p.byStatus[s] > 0)
        .map((s) => `${deviceStatusLabel(t, s)} ${f.int(p.byStatus[s])}`)
        .join(' · '),
    }),
  );
  const platformChunks = chunk(stats.platforms);
  const charts: Record<string, ChartElement | undefined> = {
    'chart-funnel':
      funnel.devices > 0
        ? verticalBarChart(t('dashboard.chart.funnel'), milestones, { y: t('dashboard.chart.devicesAxis') })
        : undefined,
  };
  const platformCharts = platformChunks.map((group, i) => {
    const id = `chart-platforms-${i + 1}`;
    charts[id] = stackedBarChart(
      platformChunks.length > 1
        ? t('dashboard.chart.platformsPart', { part: i + 1, parts: platformChunks.length })
        : t('dashboard.chart.platforms'),
      group.map((p) => ({
        title: t(`platform.${p.platform}` as MessageKey),
        data: DEVICE_STATUSES.map((s) => ({
          legend: deviceStatusLabel(t, s),
          value: p.byStatus[s],
          color: DEVICE_COLORS[s],
        })),
      })),
    );
    return { id, summary: t('dashboard.chart.seeList') };
  });

  const gateRows = gate.criteria.map((c) => {
    const x = criterionTexts(t, f, c);
    return {
      ...x,
      outcome: t(`dashboard.outcome.${c.outcome}` as MessageKey),
      color: OUTCOME_COLOR[c.outcome],
    };
  });
  const overall = gateLine(t, wave, gate);
  const own = wave.gateOverride;

  const stuckRows = stats.stuck.top.map((u) => {
    const buttons: Button[] = [];
    if (u.openTicket) {
      buttons.push({
        title: t('dashboard.stuck.openTicket'),
        verb: ADMIN_VERBS.openTicket,
        data: { aadObjectId: u.aadObjectId },
      });
    }
    buttons.push({
      title: t('dashboard.stuck.nudge'),
      verb: ADMIN_VERBS.nudge,
      data: { aadObjectId: u.aadObjectId },
    });
    return {
      text:
        u.userPrincipalName && u.userPrincipalName !== u.name ? `${u.name} (${u.userPrincipalName})` : u.name,
      detail: t('dashboard.stuck.detail', {
        device: u.deviceName,
        platform: t(`platform.${u.platform}` as MessageKey),
        stage: t(`helpdesk.stage.${u.stage}` as MessageKey),
        duration: durationText(t, u.hoursStuck * 3_600_000),
        ticket: u.openTicket ? t('dashboard.stuck.ticketOpen') : t('dashboard.stuck.noTicket'),
      }),
      buttons,
    };
  });

  const h = stats.helpdesk;
  const minutes = (m: number | undefined) =>
    m === undefined ? t('dashboard.none') : durationText(t, m * 60_000);
  const helpdeskFacts: Fact[] = [
    { title: t('dashboard.helpdesk.tickets'), value: f.int(h.tickets) },
    { title: t('dashboard.helpdesk.unassigned'), value: f.int(h.open) },
    { title: t('dashboard.helpdesk.inProgress'), value: f.int(h.assigned + h.waitingOnUser) },
    { title: t('dashboard.helpdesk.resolved'), value: f.int(h.resolved) },
    {
      title: t('dashboard.helpdesk.per100'),
      value:
        stats.rates.escalationsPer100.value === undefined
          ? t('dashboard.gate.noDataValue')
          : f.num(stats.rates.escalationsPer100.value),
    },
    {
      title: t('dashboard.helpdesk.per100Migrated'),
      value:
        h.escalationsPer100Migrated === undefined
          ? t('dashboard.gate.noDataValue')
          : f.num(h.escalationsPer100Migrated),
    },
    { title: t('dashboard.helpdesk.toAssign'), value: minutes(h.medianMinutesToAssign) },
    { title: t('dashboard.helpdesk.toResolve'), value: minutes(h.medianMinutesToResolve) },
  ];

  const delivery = deliverySection(t, f, input.delivery);
  charts['chart-delivery'] = delivery.chart;
  const { chart: _chart, ...deliveryView } = delivery;

  const { waveOldMdmChart, ...oldMdmView } = oldMdmWaveSectionView(input, input.oldMdm);
  charts[WAVE_OLD_MDM_CHART_ID] = waveOldMdmChart;
  // Journeys are the devices Intune or Entra show; a device only the old MDM knows has none yet.
  const toMove: Fact[] = input.oldMdm
    ? [{ title: t('dashboard.fact.toMove'), value: f.int(stats.devices + onlyInOldMdm(input.oldMdm)) }]
    : [];

  const ca = wave.conditionalAccess;
  const more: Button[] = [
    { title: t('dashboard.action.edit'), verb: ADMIN_VERBS.editWave, data: { waveId } },
    { title: t('dashboard.action.stragglers'), verb: ADMIN_VERBS.stragglers, data: { waveId } },
    {
      title: t('dashboard.action.exportParticipants'),
      verb: ADMIN_VERBS.exportCsv,
      data: { kind: 'participants', waveId },
    },
  ];
  if (input.delivery) {
    more.push({
      title: t('dashboard.action.exportDeliveries'),
      verb: ADMIN_VERBS.exportCsv,
      data: { kind: 'deliveries', waveId, broadcastId: input.delivery.broadcast.id },
    });
  }

  return {
    appName: t('app.name'),
    title: input.voluntary ? t('dashboard.wave.voluntaryName', { wave: wave.name }) : wave.name,
    subtitle: t('dashboard.wave.subtitle', { state: stateLabel(t, wave), at: f.date(input.now) }),
    facts: [
      { title: t('dashboard.fact.members'), value: f.int(stats.members) },
      { title: t('dashboard.fact.migrated'), value: f.share(stats.migratedUsers, stats.members) },
      { title: t('dashboard.fact.devices'), value: f.int(stats.devices) },
      ...toMove,
      { title: t('dashboard.fact.start'), value: f.date(wave.startAt) },
      { title: t('dashboard.fact.end'), value: f.date(endOfWave(wave)) },
      {
        title: t('dashboard.fact.ca'),
        value:
          ca.kind === 'grace'
            ? t('dashboard.ca.grace', { date: f.date(ca.endsAt) })
            : t(`dashboard.ca.${ca.kind}` as MessageKey),
      },
    ] satisfies Fact[],
    gateHeading: t('dashboard.gate.heading'),
    gateOverall: overall.text,
    gateColor: overall.color,
    gateColumns: {
      name: t('dashboard.gate.column.criterion'),
      value: t('dashboard.gate.column.value'),
      target: t('dashboard.gate.column.target'),
      outcome: t('dashboard.gate.column.outcome'),
    },
    gateRows,
    gateOverride: own
      ? t('dashboard.gate.overrideLine', { by: own.byName ?? own.by, at: f.date(own.at), reason: own.reason })
      : '',
    ...announceSection(t, f, input.announce, wave),
    reasonInputId: ADMIN_INPUTS.reason,
    reasonMaxLength: OVERRIDE_REASON_MAX_LENGTH,
    funnelHeading: t('dashboard.funnel.heading'),
    funnelSummary: milestones.map((m) => `${m.x}: ${f.int(m.y)}`).join(' · '),
    funnelFacts,
    ...oldMdmView,
    hasDevices: stats.platforms.length > 0,
    platformsHeading: t('dashboard.platforms.heading'),
    platformCharts,
    platformLines,
    stuckHeading: t('dashboard.stuck.heading', { hours: input.stuckAfterHours }),
    stuckSummary:
      stats.stuck.users === 0
        ? t('dashboard.stuck.none')
        : t('dashboard.stuck.summary', {
            users: f.int(stats.stuck.users),
            devices: f.int(stats.stuck.devices),
            shown: stuckRows.length,
          }),
    stuckRows,
    helpdeskHeading: t('dashboard.helpdesk.heading'),
    helpdeskFacts,
    ...forecastSection(t, f, input.next),
    deliveryHeading: t('dashboard.delivery.heading'),
    noDelivery: input.delivery ? '' : t('dashboard.delivery.none'),
    ...deliveryView,
    more,
    announce: {
      title: t('dashboard.action.announce'),
      verb: ADMIN_VERBS.announce,
      data: { waveId },
    } satisfies Button,
    refresh: {
      title: t('dashboard.action.refresh'),
      verb: ADMIN_VERBS.refresh,
      data: { waveId },
    } satisfies Button,
    back: { title: t('dashboard.action.back'), verb: ADMIN_VERBS.home, data: {} } satisfies Button,
    charts,
  };
}

export type WaveDashboardView = ReturnType<typeof waveDashboardView>;

export const renderWaveDashboard = (view: WaveDashboardView): CardJson =>
  withCharts(renderCard(waveTemplate, view), view.charts);
