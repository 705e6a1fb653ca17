/**
 * What the admin dashboards share: number and date formats in the admin's locale, labels of statuses
 * and states, and how a wave's gate reads.
 */
import type { Wave } from '../domain/campaign';
import type { CriterionResult, GateResult } from '../domain/wave-gate';
import type { DeviceStatus, UserStatus } from '../domain/wave-stats';
import { formatDateTime, type MessageKey, type Translate } from '../i18n';

export interface DashboardFormat {
  t: Translate;
  locale: string;
  timeZone: string;
  now: Date;
}

export interface Button {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

export interface Fact {
  title: string;
  value: string;
}

/** Formats in the admin's locale and the campaign's time zone. */
export function formats(f: DashboardFormat) {
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

export type Formats = ReturnType<typeof formats>;

export const userStatusLabel = (t: Translate, s: UserStatus) => t(`dashboard.user.${s}` as MessageKey);
export const deviceStatusLabel = (t: Translate, s: DeviceStatus) => t(`dashboard.device.${s}` as MessageKey);
export const stateLabel = (t: Translate, w: Wave) => t(`dashboard.state.${w.state}` as MessageKey);

export function gateLine(t: Translate, wave: Wave, gate: GateResult): { text: string; color: string } {
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

/** A gate criterion as a table row: its name, the measured value and the target. */
export function criterionTexts(t: Translate, f: Formats, c: CriterionResult) {
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
