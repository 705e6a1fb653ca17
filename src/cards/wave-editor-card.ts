import template from '../../adaptiveCards/wave-editor.json';
import { APPLE_MIGRATION_PLATFORMS, appleMigrationOf } from '../domain/apple-migration';
import { DEFAULT_SUCCESS_CRITERIA, type Wave } from '../domain/campaign';
import type { Translate } from '../i18n';
import { ADMIN_VERBS, WAVE_FORM } from '../verbs/admin';
import { type CardJson, renderCard } from './render';

export interface WaveEditorInput {
  t: Translate;
  /** The wave being edited; absent for a new wave. */
  wave?: Wave;
  /** The campaign's zone: dates are shown and read as calendar days there. */
  zone: string;
  /** What the admin typed last time, shown again with the problems found in it. */
  entered?: Record<string, unknown>;
  problems?: string[];
  /** Suggested order for a new wave (after the last one). */
  nextOrder?: number;
  /** Today, for the suggested dates of a new wave. */
  now?: Date;
}

const DAY_MS = 86_400_000;

function dayIn(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  // en-CA formats as YYYY-MM-DD, which is what Input.Date expects.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, dateStyle: 'short' }).format(new Date(iso));
}

export function waveEditorView(input: WaveEditorInput) {
  const { t, wave, zone } = input;
  const c = wave?.criteria ?? DEFAULT_SUCCESS_CRITERIA;
  const apple = appleMigrationOf(wave?.appleMigration);
  // A new wave gets a plan to adjust: announced today, starting in a week, four weeks of grace after that.
  const suggest = (days: number) =>
    !wave && input.now ? dayIn(new Date(input.now.getTime() + days * DAY_MS).toISOString(), zone) : '';
  const stored = {
    name: wave?.name ?? '',
    order: String(wave?.order ?? input.nextOrder ?? 1),
    source: wave ? 'keep' : 'list',
    groupId: wave?.source?.kind === 'group' ? wave.source.groupId : '',
    upns: '',
    announceAt: dayIn(wave?.announceAt, zone) || suggest(0),
    startAt: dayIn(wave?.startAt, zone) || suggest(7),
    caMode: wave?.conditionalAccess.kind ?? 'grace',
    graceEndsAt:
      wave?.conditionalAccess.kind === 'grace' ? dayIn(wave.conditionalAccess.endsAt, zone) : suggest(35),
    deadline: dayIn(wave?.deadline, zone),
    minEnrollment: String(Math.round(c.minEnrollmentSuccessRate * 100)),
    maxEscalations: String(c.maxEscalationsPer100),
    minPostCheck: String(Math.round(c.minPostCheckPassRate * 100)),
    minCompliance: String(Math.round(c.minComplianceRate * 100)),
    capacity: wave?.helpdeskCapacityPerDay === undefined ? '' : String(wave.helpdeskCapacityPerDay),
    estimatedMinutes: String(wave?.estimatedMinutes ?? 20),
    remindersEnabled: String(wave?.reminders.enabled ?? true),
    deferralLimit: String(wave?.reminders.deferralLimit ?? 3),
    applePlatforms: apple?.platforms.join(',') ?? '',
    appleDeadline: dayIn(apple?.deadline, zone),
  };
  const values = Object.fromEntries(
    Object.entries(stored).map(([k, v]) => {
      const typed = input.entered?.[WAVE_FORM[k as keyof typeof WAVE_FORM]];
      // What the admin typed is shown again as is, except "${", which the template would expand.
      return [k, typed === undefined || typed === null ? v : String(typed).replaceAll('${', '$ {')];
    }),
  ) as typeof stored;
  const sourceChoices = [
    ...(wave ? [{ title: t('admin.editor.source.keep'), value: 'keep' }] : []),
    { title: t('admin.editor.source.list'), value: 'list' },
    { title: t('admin.editor.source.group'), value: 'group' },
    { title: t('admin.editor.source.optIn'), value: 'opt-in' },
  ];
  return {
    appName: t('app.name'),
    title: wave ? t('admin.editor.titleEdit', { wave: wave.name }) : t('admin.editor.titleNew'),
    intro: t('admin.editor.intro'),
    problemsHeading: t('admin.editor.problemsHeading'),
    problems: input.problems ?? [],
    ids: WAVE_FORM,
    values,
    labels: {
      name: t('admin.editor.name'),
      nameRequired: t('admin.editor.nameRequired'),
      order: t('admin.editor.order'),
      source: t('admin.editor.source'),
      groupId: t('admin.editor.groupId'),
      upns: t('admin.editor.upns'),
      upnsPlaceholder: t('admin.editor.upnsPlaceholder'),
      csvHint: t('admin.editor.csvHint'),
      announceAt: t('admin.editor.announceAt'),
      startAt: t('admin.editor.startAt'),
      caMode: t('admin.editor.caMode'),
      graceEndsAt: t('admin.editor.graceEndsAt'),
      deadline: t('admin.editor.deadline'),
      criteriaHeading: t('admin.editor.criteriaHeading'),
      minEnrollment: t('admin.editor.minEnrollment'),
      maxEscalations: t('admin.editor.maxEscalations'),
      minPostCheck: t('admin.editor.minPostCheck'),
      minCompliance: t('admin.editor.minCompliance'),
      capacity: t('admin.editor.capacity'),
      estimatedMinutes: t('admin.editor.estimatedMinutes'),
      remindersEnabled: t('admin.editor.remindersEnabled'),
      deferralLimit: t('admin.editor.deferralLimit'),
      appleHeading: t('apple.editor.heading'),
      appleIntro: t('apple.editor.intro'),
      applePlatforms: t('apple.editor.platforms'),
      appleDeadline: t('apple.editor.deadline'),
      preview: t('admin.editor.preview'),
      back: t('admin.back'),
    },
    sourceChoices,
    caChoices: [
      { title: t('admin.editor.ca.grace'), value: 'grace' },
      { title: t('admin.editor.ca.immediate'), value: 'immediate' },
      { title: t('admin.editor.ca.none'), value: 'none' },
    ],
    applePlatformChoices: APPLE_MIGRATION_PLATFORMS.map((p) => ({
      title: t(`apple.platform.${p}`),
      value: p,
    })),
    previewVerb: ADMIN_VERBS.previewWave,
    backVerb: wave ? ADMIN_VERBS.openWave : ADMIN_VERBS.home,
    waveId: wave?.id ?? '',
  };
}

export const renderWaveEditorCard = (input: WaveEditorInput): CardJson =>
  renderCard(template, waveEditorView(input));
