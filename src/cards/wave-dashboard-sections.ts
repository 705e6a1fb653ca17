/**
 * The parts of one wave's dashboard that stand on their own: whether the next wave may be announced
 * (and why not), the helpdesk forecast for the next wave, and the latest broadcast's deliveries.
 */
import type { Broadcast, DeliveryCounts, DeliveryState } from '../domain/broadcast';
import type { Wave } from '../domain/campaign';
import type { HelpdeskForecast, MeasuredRate } from '../domain/helpdesk-forecast';
import type { AnnounceDecision, BlockingWave } from '../domain/wave-gate';
import type { MessageKey, Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { type ChartColor, donutChart } from './charts';
import { criterionTexts, type DashboardFormat, type Fact, type Formats, formats } from './dashboard-format';

/** Delivery failure reasons listed on the wave dashboard. */
const MAX_REASONS_LISTED = 8;

const DELIVERY_COLORS: Record<DeliveryState, ChartColor> = {
  queued: 'neutral',
  sending: 'categoricalLightBlue',
  sent: 'good',
  failed: 'attention',
  uncertain: 'warning',
};

const DELIVERY_STATES: readonly DeliveryState[] = ['sent', 'queued', 'sending', 'failed', 'uncertain'];

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

function blockingLines(t: Translate, f: Formats, blocking: readonly BlockingWave[]): string[] {
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

/** The announce block of `wave`'s dashboard: allowed and why, or blocked with the overrides offered. */
export function announceSection(t: Translate, f: Formats, a: AnnounceDecision, wave: Wave) {
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
      intro: t('dashboard.override.intro', { wave: b.wave.name, next: wave.name }),
      label: t('dashboard.override.label'),
      placeholder: t('dashboard.override.placeholder'),
      error: t('dashboard.override.required'),
      confirm: t('dashboard.override.confirm'),
      verb: ADMIN_VERBS.overrideGate,
      // The gate overridden, and the wave the admin returns to.
      data: { waveId: b.wave.id, returnTo: wave.id },
    })),
  };
}

/** The helpdesk forecast for the wave after this one, when there is one. */
export function forecastSection(t: Translate, f: Formats, next: NextWaveForecast | undefined) {
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

/** The latest broadcast's deliveries, when there is one. */
export function deliverySection(t: Translate, f: Formats, d: DeliveryReport | undefined) {
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
