import template from '../../adaptiveCards/runbook.json';
import type { ModeFinding, NotEvaluated, WaveCoverage } from '../domain/conditional-access';
import type { ImmediateOverride, RunbookStep, StepState } from '../domain/runbook';
import { RUNBOOK_STEPS } from '../domain/runbook';
import { formatDateTime, type MessageKey, type Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { RUNBOOK_INPUTS, RUNBOOK_VERBS } from '../verbs/runbook';
import { type CardJson, renderCard } from './render';

/** Names listed in a finding before "and N more". */
export const MAX_NAMES = 10;

type Fmt = { t: Translate; locale: string; timeZone: string };

export interface RunbookWaveInput extends Fmt {
  waveId: string;
  waveName: string;
  modeText: string;
  members: number;
  steps: RunbookStep[];
  coverage?: WaveCoverage | { error: 'permission' | 'unavailable' | 'not-configured' };
  findings: ModeFinding[];
  /** Display names of the members named in findings (ids without a name are shown as ids). */
  names: ReadonlyMap<string, string>;
  partner?: { partnerDevices: number; overlap: string[] };
  immediateOverride?: ImmediateOverride;
  notice?: { text: string; style: 'good' | 'warning' | 'attention' | 'default' };
}

export interface RunbookCampaignInput extends Fmt {
  campaignName: string;
  /** Each step across the waves. */
  steps: { id: RunbookStep['id']; state: StepState }[];
  waves: { id: string; name: string; current?: RunbookStep }[];
}

const COLOR: Record<StepState, string> = {
  done: 'Good',
  'in-progress': 'Accent',
  waiting: 'Default',
  blocked: 'Attention',
  'not-needed': 'Default',
};

const when = (f: Fmt, iso: string) => formatDateTime(new Date(iso), f.locale, f.timeZone);
const stepNumber = (id: RunbookStep['id']) => RUNBOOK_STEPS.indexOf(id) + 1;
const stepTitle = (t: Translate, id: RunbookStep['id']) =>
  `${stepNumber(id)}. ${t(`runbook.step.${id}` as MessageKey)}`;

export function namesText(t: Translate, ids: readonly string[], names: ReadonlyMap<string, string>): string {
  const shown = ids.slice(0, MAX_NAMES).map((id) => names.get(id) ?? id);
  const more = ids.length - shown.length;
  return more > 0 ? `${shown.join(', ')} ${t('runbook.more', { count: more })}` : shown.join(', ');
}

function stateText(f: Fmt, s: RunbookStep): string {
  if (s.state === 'waiting' && s.date) return f.t('runbook.state.waitingUntil', { date: when(f, s.date) });
  return f.t(`runbook.state.${s.state}` as MessageKey);
}

function knownText(f: Fmt, s: RunbookStep): string {
  const k = s.known;
  if (k.kind === 'recorded')
    return f.t('runbook.known.recorded', { name: k.byName ?? k.by, date: when(f, k.at), note: k.note ?? '' });
  if (k.kind === 'observed') return f.t(`runbook.known.${k.source}` as MessageKey);
  return f.t('runbook.known.notKnown');
}

function stepLines(f: Fmt, s: RunbookStep, override?: ImmediateOverride): string[] {
  const t = f.t;
  const lines = s.state === 'not-needed' ? [] : [knownText(f, s)];
  if (s.progress) {
    const key: MessageKey =
      s.id === 'remaining-users'
        ? 'runbook.progress.waves'
        : s.id === 'intune-ca-now' || s.id === 'intune-ca-grace-end'
          ? 'runbook.progress.members'
          : 'runbook.progress.devices';
    lines.push(t(key, { done: s.progress.done, total: s.progress.total }));
  }
  if (s.caError) lines.push(t(`runbook.caError.${s.caError}`));
  if (s.blockedBy?.length)
    lines.push(t('runbook.blockedBy', { steps: s.blockedBy.map((id) => stepTitle(t, id)).join('; ') }));
  if (s.id === 'tell-users' && override)
    lines.push(
      t('runbook.overridden', {
        name: override.byName ?? override.by,
        date: when(f, override.at),
        reason: override.reason,
      }),
    );
  if (s.id === 'retire-old-mdm' && s.state === 'in-progress') lines.push(t('runbook.retireReady'));
  return lines;
}

function buttonsOf(t: Translate, s: RunbookStep, waveId: string) {
  if (!s.action || s.state === 'done' || s.state === 'not-needed' || s.action === 'record-old-mdm') return [];
  const verb = {
    announce: ADMIN_VERBS.announce,
    'policy-state': RUNBOOK_VERBS.policyState,
    'nudge-stragglers': ADMIN_VERBS.stragglers,
    'retire-report': ADMIN_VERBS.retireReport,
  }[s.action];
  return [{ title: t(`runbook.action.${s.action}` as MessageKey), verb, data: { waveId } }];
}

function policySection(f: Fmt, input: RunbookWaveInput) {
  const t = f.t;
  const c = input.coverage;
  const lines: string[] = [];
  if (!c) return undefined;
  if ('error' in c) lines.push(t(`runbook.caError.${c.error}`));
  else {
    if (c.policies.length === 0) lines.push(t('runbook.noPolicies'));
    for (const p of c.policies)
      lines.push(
        t('runbook.policyLine', {
          name: p.displayName,
          state: t(`runbook.policyState.${p.state}`),
          count: p.members,
          total: c.members,
        }),
      );
    for (const finding of input.findings)
      lines.push(
        t(`runbook.finding.${finding.kind}`, {
          count: finding.memberIds.length,
          names: namesText(t, finding.memberIds, input.names),
        }),
      );
    if (c.notEvaluated.length > 0)
      lines.push(
        t('runbook.notEvaluated', {
          conditions: c.notEvaluated.map((n: NotEvaluated) => t(`runbook.condition.${n}`)).join(', '),
        }),
      );
  }
  return { heading: t('runbook.section.policies'), lines };
}

function partnerSection(t: Translate, input: RunbookWaveInput) {
  const p = input.partner;
  if (!p) return undefined;
  const lines = [
    p.partnerDevices > 0
      ? t('runbook.partner.devices', { count: p.partnerDevices })
      : t('runbook.partner.none'),
  ];
  if (p.overlap.length > 0)
    lines.push(
      t('runbook.partner.overlap', { count: p.overlap.length, names: namesText(t, p.overlap, input.names) }),
    );
  return { heading: t('runbook.partner.heading'), lines };
}

export function runbookWaveView(input: RunbookWaveInput) {
  const { t } = input;
  const step = (id: RunbookStep['id']) => input.steps.find((s) => s.id === id);
  const oldMdm = step('old-mdm-ca');
  const tell = step('tell-users');
  const data = { waveId: input.waveId };
  return {
    appName: t('app.name'),
    title: t('runbook.title.wave', { wave: input.waveName }),
    subtitle: t('runbook.subtitle', { mode: input.modeText, members: input.members }),
    notice: input.notice?.text ?? '',
    noticeStyle: input.notice?.style ?? 'default',
    steps: input.steps.map((s) => ({
      title: stepTitle(t, s.id),
      state: stateText(input, s),
      stateColor: COLOR[s.state],
      lines: stepLines(input, s, input.immediateOverride),
      buttons: buttonsOf(t, s, input.waveId),
    })),
    sections: [policySection(input, input), partnerSection(t, input)].filter((s) => s !== undefined),
    record: {
      show: oldMdm?.state !== 'done',
      title: t('runbook.record.title'),
      explain: t('runbook.record.explain'),
      inputId: RUNBOOK_INPUTS.note,
      label: t('runbook.record.label'),
      submit: t('runbook.record.submit'),
      verb: RUNBOOK_VERBS.recordOldMdm,
      data,
    },
    override: {
      show: tell?.blockedBy?.includes('intune-ca-now') ?? false,
      title: t('runbook.override.title'),
      explain: t('runbook.override.explain'),
      inputId: RUNBOOK_INPUTS.reason,
      label: t('runbook.override.label'),
      submit: t('runbook.override.submit'),
      verb: RUNBOOK_VERBS.overrideImmediate,
      data,
    },
    actions: [
      { title: t('runbook.open'), verb: RUNBOOK_VERBS.open, data: {} },
      { title: t('runbook.back'), verb: ADMIN_VERBS.openWave, data },
    ],
  };
}

export function runbookCampaignView(input: RunbookCampaignInput) {
  const { t } = input;
  return {
    appName: t('app.name'),
    title: t('runbook.title.campaign', { campaign: input.campaignName }),
    subtitle: t('runbook.campaignSubtitle'),
    notice: '',
    noticeStyle: 'default',
    steps: input.steps.map((s) => ({
      title: stepTitle(t, s.id),
      state: t(`runbook.state.${s.state}` as MessageKey),
      stateColor: COLOR[s.state],
      lines: [],
      buttons: [],
    })),
    sections: [
      {
        heading: t('runbook.campaign.heading'),
        lines:
          input.waves.length === 0
            ? [t('runbook.campaign.noWaves')]
            : input.waves.map((w) =>
                w.current
                  ? t('runbook.campaign.waveAt', {
                      wave: w.name,
                      number: stepNumber(w.current.id),
                      step: t(`runbook.step.${w.current.id}` as MessageKey),
                      state: stateText(input, w.current).toLowerCase(),
                    })
                  : t('runbook.campaign.waveDone', { wave: w.name }),
              ),
      },
    ],
    record: {
      show: false,
      title: '',
      explain: '',
      inputId: RUNBOOK_INPUTS.note,
      label: '',
      submit: '',
      verb: '',
      data: {},
    },
    override: {
      show: false,
      title: '',
      explain: '',
      inputId: RUNBOOK_INPUTS.reason,
      label: '',
      submit: '',
      verb: '',
      data: {},
    },
    // Teams shows at most five card actions: the first four waves get a button, the rest are a tap away on their dashboards.
    actions: [
      ...input.waves.slice(0, 4).map((w) => ({
        title: `${t('runbook.open')}: ${w.name}`,
        verb: RUNBOOK_VERBS.open,
        data: { waveId: w.id },
      })),
      { title: t('runbook.back'), verb: ADMIN_VERBS.home, data: {} },
    ],
  };
}

export const renderRunbookWaveCard = (input: RunbookWaveInput): CardJson =>
  renderCard(template, runbookWaveView(input));
export const renderRunbookCampaignCard = (input: RunbookCampaignInput): CardJson =>
  renderCard(template, runbookCampaignView(input));
