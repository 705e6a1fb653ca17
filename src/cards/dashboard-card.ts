/**
 * View models of the admin dashboards: the campaign overview and one wave. They only format what the
 * domain computed (wave-stats, wave-gate, helpdesk-forecast); the charts are added by `withCharts`.
 */
import campaignTemplate from '../../adaptiveCards/campaign-dashboard.json';
import waveTemplate from '../../adaptiveCards/wave-dashboard.json';
import type { Broadcast, DeliveryCounts, DeliveryState } from '../domain/broadcast';
import { endOfWave, type Wave } from '../domain/campaign';
import type { HelpdeskForecast, MeasuredRate } from '../domain/helpdesk-forecast';
import { STAGE_ORDER } from '../domain/journey';
import type { AnnounceDecision, BlockingWave, CriterionResult, GateResult } from '../domain/wave-gate';
import {
  DEVICE_STATUSES,
  type DeviceStatus,
  USER_STATUSES,
  type UserStatus,
  type WaveStats,
} from '../domain/wave-stats';
import { ADMIN_INPUTS, ADMIN_VERBS } from '../features/admin/ids';
import { formatDateTime, type MessageKey, type Translate } from '../i18n';
import {
  type ChartColor,
  type ChartElement,
  chunk,
  donutChart,
  stackedBarChart,
  verticalBarChart,
  withCharts,
} from './charts';
import { durationText } from './escalation-card';
import { type CardJson, renderCard } from './render';

/** Waves listed on the campaign overview; more are counted, not shown (the card stays small). */
export const MAX_WAVES_LISTED = 24;
/** Longest override reason the card's input accepts; the server checks it again. */
export const OVERRIDE_REASON_MAX_LENGTH = 1_000;
/** Delivery failure reasons listed on the wave dashboard. */
const MAX_REASONS_LISTED = 8;

export interface DashboardFormat {
  t: Translate;
  locale: string;
  timeZone: string;
  now: Date;
}

interface Button {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

interface Fact {
  title: string;
  value: string;
}

const USER_COLORS: Record<UserStatus, ChartColor> = {
  'no-devices': 'categoricalMarigold',
  'not-started': 'neutral',
  'in-progress': 'categoricalLightBlue',
  enrolled: 'categoricalBlue',
  done: 'good',
  'needs-help': 'attention',
};

const DEVICE_COLORS: Record<DeviceStatus, ChartColor> = {
  'not-started': 'neutral',
  'in-progress': 'categoricalLightBlue',
  enrolled: 'categoricalBlue',
  done: 'good',
  'needs-help': 'attention',
  excluded: 'categoricalPurple',
};

const DELIVERY_COLORS: Record<DeliveryState, ChartColor> = {
  queued: 'neutral',
  sending: 'categoricalLightBlue',
  sent: 'good',
  failed: 'attention',
  uncertain: 'warning',
};

const DELIVERY_STATES: readonly DeliveryState[] = ['sent', 'queued', 'sending', 'failed', 'uncertain'];

/** The four milestones of the funnel chart (the renderer takes at most four bars). */
const FUNNEL_MILESTONES = ['started', 'unenrolled', 'enrolled', 'verified'] as const;

function formats(f: DashboardFormat) {
  const percent = new Intl.NumberFormat(f.locale, { style: 'percent', maximumFractionDigits: 1 });
  const decimal = new Intl.NumberFormat(f.locale, { maximumFractionDigits: 1 });
  const precise = new Intl.NumberFormat(f.locale, { maximumFractionDigits: 3 });
  return {
    pct: (v: number) => percent.format(v),
    num: (v: number) => decimal.format(v),
    precise: (v: number) => precise.format(v),
    int: (v: number) => decimal.format(Math.round(v)),
    /** A stored date that does not parse shows as "—" rather than breaking the whole card. */
    date: (iso: string | Date | undefined) => {
      const d = iso === undefined ? undefined : new Date(iso);
      return d && Number.isFinite(d.getTime())
        ? formatDateTime(d, f.locale, f.timeZone)
        : f.t('dashboard.none');
    },
    /** "n (p)" with the share of a total, or just n when the total is 0. */
    share: (n: number, total: number) =>
      total > 0 ? `${decimal.format(n)} (${percent.format(n / total)})` : decimal.format(n),
  };
}

const userStatusLabel = (t: Translate, s: UserStatus) => t(`dashboard.user.${s}` as MessageKey);
const deviceStatusLabel = (t: Translate, s: DeviceStatus) => t(`dashboard.device.${s}` as MessageKey);
const stateLabel = (t: Translate, w: Wave) => t(`dashboard.state.${w.state}` as MessageKey);

function gateLine(t: Translate, wave: Wave, gate: GateResult): { text: string; color: string } {
  if (gate.pass) return { text: t('dashboard.gate.passed'), color: 'Good' };
  if (wave.gateOverride) return { text: t('dashboard.gate.overridden'), color: 'Warning' };
  if (gate.criteria.every((c) => c.outcome === 'no-data'))
    return { text: t('dashboard.gate.noData'), color: 'Default' };
  const failing = gate.criteria.filter((c) => c.outcome !== 'pass').length;
  return {
    text: t('dashboard.gate.notPassed', { failing, total: gate.criteria.length }),
    color: 'Attention',
  };
}

// ---------------------------------------------------------------------------------------------
// Campaign overview

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

// ---------------------------------------------------------------------------------------------
// One wave

export interface NextWaveForecast {
  /** The wave after this one, which the forecast is for. */
  wave: Wave;
  forecast: HelpdeskForecast;
  rate?: MeasuredRate;
  /** Names of the waves the rate was measured on. */
  rateWaveNames: string[];
  /** Where the working days were counted from and to. */
  start: Date;
  end?: Date;
  /** The earliest end that keeps the expected tickets within capacity. */
  earliestEnd?: Date;
}

export interface DeliveryReport {
  broadcast: Broadcast;
  counts: DeliveryCounts;
  /** Failed deliveries by reason, most frequent first. */
  reasons: { reason: string; count: number }[];
}

export interface WaveDashboardInput extends DashboardFormat {
  wave: Wave;
  voluntary: boolean;
  stats: WaveStats;
  gate: GateResult;
  announce: AnnounceDecision;
  next?: NextWaveForecast;
  delivery?: DeliveryReport;
  /** Time in a stage after which a started device counts as stuck, for the heading. */
  stuckAfterHours: number;
}

function criterionTexts(t: Translate, f: ReturnType<typeof formats>, c: CriterionResult) {
  const perHundred = c.id === 'escalationsPer100';
  const value =
    c.value === undefined
      ? t('dashboard.gate.noDataValue')
      : perHundred
        ? t('dashboard.gate.per100Value', {
            value: f.num(c.value),
            tickets: f.int(c.numerator),
            users: f.int(c.denominator),
          })
        : t('dashboard.gate.rateValue', {
            value: f.pct(c.value),
            numerator: f.int(c.numerator),
            denominator: f.int(c.denominator),
          });
  const amount = perHundred ? f.num(c.threshold) : f.pct(c.threshold);
  const target = t(c.bound === 'min' ? 'dashboard.gate.atLeast' : 'dashboard.gate.atMost', { value: amount });
  return { name: t(`dashboard.criterion.${c.id}` as MessageKey), value, target };
}

const OUTCOME_COLOR = { pass: 'Good', fail: 'Attention', 'no-data': 'Warning' } as const;

function blockingLines(
  t: Translate,
  f: ReturnType<typeof formats>,
  blocking: readonly BlockingWave[],
): string[] {
  const lines: string[] = [];
  for (const b of blocking) {
    if (b.failing.length === 0) lines.push(t('dashboard.announce.gateUnknown', { wave: b.wave.name }));
    for (const c of b.failing) {
      const x = criterionTexts(t, f, c);
      lines.push(
        t('dashboard.announce.failingLine', {
          wave: b.wave.name,
          criterion: x.name,
          value: x.value,
          target: x.target,
        }),
      );
    }
  }
  return lines;
}

/** Why a wave may not be announced, as one paragraph for a notice; undefined when it may. */
export function announceBlockText(format: DashboardFormat, decision: AnnounceDecision): string | undefined {
  if (decision.allowed) return undefined;
  const { t } = format;
  if (decision.because === 'unknown-wave') return t('dashboard.announce.unknownWave');
  const note = t('dashboard.announce.blocked', {
    waves: decision.blocking.map((b) => b.wave.name).join(', '),
  });
  return [note, ...blockingLines(t, formats(format), decision.blocking)].join('\n\n');
}

function announceSection(input: WaveDashboardInput, f: ReturnType<typeof formats>) {
  const { t, announce: a } = input;
  if (a.allowed) {
    const names = a.predecessors.map((p) => p.name).join(', ');
    const overrides = a.predecessors.filter((p) => p.gateOverride);
    const lines =
      a.because === 'overridden'
        ? overrides.map((p) =>
            t('dashboard.announce.overrideLine', {
              wave: p.name,
              by: p.gateOverride?.byName ?? p.gateOverride?.by ?? '',
              at: f.date(p.gateOverride?.at),
              reason: p.gateOverride?.reason ?? '',
            }),
          )
        : [];
    return {
      announceNote: t(`dashboard.announce.${a.because}` as MessageKey, { waves: names }),
      announceStyle: a.because === 'overridden' ? 'warning' : 'good',
      announceLines: lines,
      canAnnounce: true,
      overrides: [],
    };
  }
  if (a.because === 'unknown-wave') {
    return {
      announceNote: '',
      announceStyle: 'default',
      announceLines: [],
      canAnnounce: false,
      overrides: [],
    };
  }
  return {
    announceNote: t('dashboard.announce.blocked', { waves: a.blocking.map((b) => b.wave.name).join(', ') }),
    announceStyle: 'attention',
    announceLines: blockingLines(t, f, a.blocking),
    canAnnounce: false,
    // The override is recorded on the wave whose gate failed: it lets the wave after it go ahead.
    overrides: a.blocking.map((b) => ({
      title:
        a.blocking.length > 1
          ? t('dashboard.override.titleNamed', { wave: b.wave.name })
          : t('dashboard.override.title'),
      intro: t('dashboard.override.intro', { wave: b.wave.name, next: input.wave.name }),
      label: t('dashboard.override.label'),
      placeholder: t('dashboard.override.placeholder'),
      error: t('dashboard.override.required'),
      confirm: t('dashboard.override.confirm'),
      verb: ADMIN_VERBS.overrideGate,
      // The gate overridden, and the wave the admin returns to.
      data: { waveId: b.wave.id, returnTo: input.wave.id },
    })),
  };
}

function forecastSection(input: WaveDashboardInput, f: ReturnType<typeof formats>) {
  const { t, next } = input;
  if (!next)
    return {
      hasForecast: false,
      forecastHeading: '',
      forecastFacts: [] as Fact[],
      forecastWarnings: [] as string[],
      forecastNote: '',
    };
  const fc = next.forecast;
  const facts: Fact[] = [{ title: t('dashboard.forecast.size'), value: f.int(fc.waveSize) }];
  const rate = next.rate;
  if (rate) {
    facts.push({
      title: t('dashboard.forecast.rate'),
      value: t(
        rate.basis === 'completed-waves'
          ? 'dashboard.forecast.rateCompleted'
          : 'dashboard.forecast.rateRunning',
        {
          rate: f.precise(rate.ticketsPerUser),
          tickets: f.int(rate.tickets),
          users: f.int(rate.users),
          waves: next.rateWaveNames.join(', '),
        },
      ),
    });
  }
  if (fc.expectedTickets !== undefined)
    facts.push({ title: t('dashboard.forecast.expected'), value: f.num(fc.expectedTickets) });
  facts.push({
    title: t('dashboard.forecast.window'),
    value: next.end
      ? t('dashboard.forecast.windowValue', {
          from: f.date(next.start),
          to: f.date(next.end),
          days: f.num(fc.workingDays ?? 0),
        })
      : t('dashboard.forecast.noEnd'),
  });
  if (fc.expectedPerDay !== undefined)
    facts.push({ title: t('dashboard.forecast.perDay'), value: f.num(fc.expectedPerDay) });
  facts.push({
    title: t('dashboard.forecast.capacity'),
    value: fc.capacityPerDay !== undefined ? f.num(fc.capacityPerDay) : t('dashboard.forecast.noCapacity'),
  });
  if (fc.utilisation !== undefined)
    facts.push({ title: t('dashboard.forecast.utilisation'), value: f.pct(fc.utilisation) });
  if (fc.workingDaysNeeded !== undefined) {
    facts.push({
      title: t('dashboard.forecast.needed'),
      value: next.earliestEnd
        ? t('dashboard.forecast.neededValue', {
            days: f.int(fc.workingDaysNeeded),
            date: f.date(next.earliestEnd),
          })
        : f.int(fc.workingDaysNeeded),
    });
  }
  const warnings = fc.warnings.map((w) =>
    t(`dashboard.forecast.warning.${w}` as MessageKey, {
      perDay: f.num(fc.expectedPerDay ?? 0),
      capacity: f.num(fc.capacityPerDay ?? 0),
      date: f.date(next.earliestEnd),
    }),
  );
  return {
    hasForecast: true,
    forecastHeading: t('dashboard.forecast.heading', { wave: next.wave.name }),
    forecastFacts: facts,
    forecastWarnings: warnings,
    forecastNote: t('dashboard.forecast.note'),
  };
}

function deliverySection(input: WaveDashboardInput, f: ReturnType<typeof formats>) {
  const { t, delivery: d } = input;
  if (!d)
    return {
      hasDelivery: false,
      deliveryLine: '',
      deliverySummary: '',
      deliveryFacts: [] as Fact[],
      reasonLines: [] as string[],
      chart: undefined,
    };
  const total = DELIVERY_STATES.reduce((n, s) => n + d.counts[s], 0);
  const deliveryFacts = DELIVERY_STATES.map((s) => ({
    title: t(`dashboard.delivery.state.${s}` as MessageKey),
    value: f.share(d.counts[s], total),
  }));
  const listed = d.reasons.slice(0, MAX_REASONS_LISTED);
  const reasonLines = listed.map((r) =>
    t('dashboard.delivery.reasonLine', {
      reason: t(`dashboard.delivery.reason.${r.reason}` as MessageKey),
      count: f.int(r.count),
    }),
  );
  if (d.reasons.length > listed.length)
    reasonLines.push(t('dashboard.more', { count: f.int(d.reasons.length - listed.length) }));
  return {
    hasDelivery: true,
    deliveryLine: t('dashboard.delivery.line', {
      kind: t(`dashboard.delivery.kind.${d.broadcast.kind}` as MessageKey),
      at: f.date(d.broadcast.confirmedAt ?? d.broadcast.createdAt),
      state: t(`dashboard.delivery.broadcastState.${d.broadcast.state}` as MessageKey),
      recipients: f.int(d.broadcast.recipientCount),
    }),
    deliverySummary: deliveryFacts.map((x) => `${x.title}: ${x.value}`).join(' · '),
    deliveryFacts,
    reasonLines,
    chart: donutChart(
      t('dashboard.chart.deliveries'),
      DELIVERY_STATES.map((s) => ({
        legend: t(`dashboard.delivery.state.${s}` as MessageKey),
        value: d.counts[s],
        color: DELIVERY_COLORS[s],
      })),
    ),
  };
}

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

  const delivery = deliverySection(input, f);
  charts['chart-delivery'] = delivery.chart;
  const { chart: _chart, ...deliveryView } = delivery;

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
    ...announceSection(input, f),
    reasonInputId: ADMIN_INPUTS.reason,
    reasonMaxLength: OVERRIDE_REASON_MAX_LENGTH,
    funnelHeading: t('dashboard.funnel.heading'),
    funnelSummary: milestones.map((m) => `${m.x}: ${f.int(m.y)}`).join(' · '),
    funnelFacts,
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
    ...forecastSection(input, f),
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
