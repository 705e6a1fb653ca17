/**
 * The wave editor's inputs, checked at the edge: every problem is named with the field it belongs to,
 * and nothing is stored until the whole form is valid and the admin has seen the import preview.
 */
import {
  type AppleMigration,
  appleDeadlineProblem,
  isAppleMigrationPlatform,
} from '../../domain/apple-migration';
import type { BusinessHours } from '../../domain/business-hours';
import {
  type ConditionalAccessMode,
  DEFAULT_SUCCESS_CRITERIA,
  type SuccessCriteria,
  type Wave,
} from '../../domain/campaign';
import { startOfLocalDay } from '../../domain/schedule';
import { WAVE_FORM } from '../../verbs/admin';

export type MemberSource = 'group' | 'list' | 'opt-in' | 'keep';
export const MEMBER_SOURCES: readonly MemberSource[] = ['group', 'list', 'opt-in', 'keep'];

export const MAX_WAVE_NAME = 80;
/** A pasted list beyond this belongs in a CSV file (Teams caps the size of a card action). */
export const MAX_PASTED_CHARS = 200_000;

export type WaveFormProblem = { field: keyof typeof WAVE_FORM; code: WaveFormProblemCode; value?: string };
export type WaveFormProblemCode =
  | 'required'
  | 'too-long'
  | 'not-a-number'
  | 'out-of-range'
  | 'not-a-date'
  | 'not-a-group-id'
  | 'end-before-start'
  | 'grace-needs-end'
  | 'unknown-choice'
  | 'invalid-characters'
  | 'apple-needs-deadline'
  | 'apple-needs-start'
  | 'apple-deadline-too-soon'
  | 'apple-deadline-too-late';

/** Wave settings as the admin entered them, ready to store (members are handled by the import). */
export interface WaveSettings {
  name: string;
  order: number;
  announceAt?: string;
  startAt?: string;
  deadline?: string;
  conditionalAccess: ConditionalAccessMode;
  estimatedMinutes: number;
  helpdeskCapacityPerDay?: number;
  criteria: SuccessCriteria;
  reminders: { enabled: boolean; deferralLimit: number };
  /** Absent: the wave's devices follow the manual unenroll steps. */
  appleMigration?: AppleMigration;
}

export interface WaveFormResult {
  settings?: WaveSettings;
  source: MemberSource;
  groupId?: string;
  pastedList?: string;
  problems: WaveFormProblem[];
}

const GROUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads the editor's inputs (untrusted: anything may be missing or of the wrong type). */
export function parseWaveForm(
  data: Record<string, unknown>,
  ctx: { zone: string; hours: BusinessHours; existing?: Wave },
): WaveFormResult {
  const problems: WaveFormProblem[] = [];
  const text = (k: keyof typeof WAVE_FORM): string | undefined => {
    const v = data[WAVE_FORM[k]];
    if (v === undefined || v === null) return undefined;
    const s = String(v).trim();
    return s === '' ? undefined : s;
  };
  const num = (
    k: keyof typeof WAVE_FORM,
    fallback: number | undefined,
    min: number,
    max: number,
  ): number | undefined => {
    const raw = text(k);
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(',', '.'));
    if (!Number.isFinite(n)) {
      problems.push({ field: k, code: 'not-a-number', value: raw });
      return undefined;
    }
    if (n < min || n > max) {
      problems.push({ field: k, code: 'out-of-range', value: raw });
      return undefined;
    }
    return n;
  };
  const date = (k: keyof typeof WAVE_FORM, at: 'start' | 'end'): string | undefined => {
    const raw = text(k);
    if (raw === undefined) return undefined;
    const m = DATE.exec(raw);
    const day = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
    if (!m || Number.isNaN(day) || new Date(day).getUTCDate() !== Number(m[3])) {
      problems.push({ field: k, code: 'not-a-date', value: raw });
      return undefined;
    }
    // A date means the start of business that day in the campaign's zone, or its end for deadlines.
    const dayNumber = Math.round(day / 86_400_000);
    const minute = at === 'start' ? ctx.hours.startMinute : ctx.hours.endMinute;
    return new Date(startOfLocalDay(dayNumber, ctx.zone).getTime() + minute * 60_000).toISOString();
  };

  const name = text('name') ?? ctx.existing?.name;
  if (!name) problems.push({ field: 'name', code: 'required' });
  else if (name.length > MAX_WAVE_NAME) problems.push({ field: 'name', code: 'too-long' });
  // Card templates would read "${" in a name as an expression.
  else if (name.includes('${')) problems.push({ field: 'name', code: 'invalid-characters' });

  const order = num('order', ctx.existing?.order ?? 1, 0, 999);
  const sourceRaw = text('source') ?? (ctx.existing ? 'keep' : 'list');
  const source = (MEMBER_SOURCES as readonly string[]).includes(sourceRaw)
    ? (sourceRaw as MemberSource)
    : undefined;
  if (!source) problems.push({ field: 'source', code: 'unknown-choice', value: sourceRaw });

  const groupId = text('groupId');
  if (source === 'group') {
    if (!groupId) problems.push({ field: 'groupId', code: 'required' });
    else if (!GROUP_ID.test(groupId) && !/^[0-9a-z-]{1,64}$/i.test(groupId)) {
      problems.push({ field: 'groupId', code: 'not-a-group-id', value: groupId });
    }
  }
  const pastedList = text('upns');
  if (source === 'list') {
    if (!pastedList) problems.push({ field: 'upns', code: 'required' });
    else if (pastedList.length > MAX_PASTED_CHARS) problems.push({ field: 'upns', code: 'too-long' });
  }

  const announceAt = date('announceAt', 'start') ?? ctx.existing?.announceAt;
  const startAt = date('startAt', 'start') ?? ctx.existing?.startAt;
  const deadline = date('deadline', 'end') ?? ctx.existing?.deadline;
  const graceEnd = date('graceEndsAt', 'end');
  const caRaw = text('caMode') ?? ctx.existing?.conditionalAccess.kind ?? 'grace';
  let conditionalAccess: ConditionalAccessMode | undefined;
  if (caRaw === 'immediate' || caRaw === 'none') conditionalAccess = { kind: caRaw };
  else if (caRaw === 'grace') {
    const endsAt =
      graceEnd ??
      (ctx.existing?.conditionalAccess.kind === 'grace' ? ctx.existing.conditionalAccess.endsAt : undefined);
    if (!endsAt) problems.push({ field: 'graceEndsAt', code: 'grace-needs-end' });
    else conditionalAccess = { kind: 'grace', endsAt };
  } else problems.push({ field: 'caMode', code: 'unknown-choice', value: caRaw });

  if (announceAt && startAt && startAt < announceAt) {
    problems.push({ field: 'startAt', code: 'end-before-start' });
  }
  const begin = startAt ?? announceAt;
  if (begin && deadline && deadline <= begin) problems.push({ field: 'deadline', code: 'end-before-start' });
  if (begin && conditionalAccess?.kind === 'grace' && conditionalAccess.endsAt <= begin) {
    problems.push({ field: 'graceEndsAt', code: 'end-before-start' });
  }

  const prior = ctx.existing?.criteria ?? DEFAULT_SUCCESS_CRITERIA;
  const pct = (k: keyof typeof WAVE_FORM, current: number) => {
    const v = num(k, Math.round(current * 100), 0, 100);
    return v === undefined ? undefined : v / 100;
  };
  const criteria = {
    minEnrollmentSuccessRate: pct('minEnrollment', prior.minEnrollmentSuccessRate),
    maxEscalationsPer100: num('maxEscalations', prior.maxEscalationsPer100, 0, 100),
    minPostCheckPassRate: pct('minPostCheck', prior.minPostCheckPassRate),
    minComplianceRate: pct('minCompliance', prior.minComplianceRate),
  };
  const estimatedMinutes = num('estimatedMinutes', ctx.existing?.estimatedMinutes ?? 20, 1, 480);
  const capacity = num('capacity', ctx.existing?.helpdeskCapacityPerDay, 0, 100_000);
  const remindersRaw = text('remindersEnabled');
  const remindersEnabled =
    remindersRaw === undefined ? (ctx.existing?.reminders.enabled ?? true) : remindersRaw === 'true';
  const deferralLimit = num('deferralLimit', ctx.existing?.reminders.deferralLimit ?? 3, 0, 20);
  // Teams sends an empty multi-select as ""; a card from before the setting existed sends nothing.
  const appleInputs = WAVE_FORM.applePlatforms in data || WAVE_FORM.appleDeadline in data;
  const appleMigration = appleInputs
    ? readAppleMigration(text, date, begin, problems)
    : ctx.existing?.appleMigration;

  if (
    problems.length > 0 ||
    !name ||
    order === undefined ||
    !conditionalAccess ||
    estimatedMinutes === undefined ||
    deferralLimit === undefined ||
    Object.values(criteria).some((v) => v === undefined)
  ) {
    return { source: source ?? 'list', groupId, pastedList, problems };
  }
  return {
    source: source ?? 'list',
    groupId,
    pastedList,
    problems,
    settings: {
      name,
      order: Math.round(order),
      announceAt,
      startAt,
      deadline,
      conditionalAccess,
      estimatedMinutes: Math.round(estimatedMinutes),
      helpdeskCapacityPerDay: capacity,
      criteria: criteria as SuccessCriteria,
      reminders: { enabled: remindersEnabled, deferralLimit: Math.round(deferralLimit) },
      ...(appleMigration ? { appleMigration } : {}),
    },
  };
}

const APPLE_PROBLEM: Record<string, WaveFormProblemCode> = {
  'needs-start': 'apple-needs-start',
  'too-soon': 'apple-deadline-too-soon',
  'too-late': 'apple-deadline-too-late',
};

/**
 * Apple's managed-device migration: the platforms (a multi-select, sent as "ios,macos") and the
 * deadline set in Apple Business Manager. No platform chosen means the wave does not use it. The
 * deadline is checked against the wave's start because Apple accepts 1 to 90 days.
 */
function readAppleMigration(
  text: (k: keyof typeof WAVE_FORM) => string | undefined,
  date: (k: keyof typeof WAVE_FORM, at: 'start' | 'end') => string | undefined,
  begin: string | undefined,
  problems: WaveFormProblem[],
): AppleMigration | undefined {
  const raw = text('applePlatforms');
  const rawDeadline = text('appleDeadline');
  const chosen = (raw ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const unknown = chosen.find((p) => !isAppleMigrationPlatform(p));
  if (unknown !== undefined) {
    problems.push({ field: 'applePlatforms', code: 'unknown-choice', value: unknown });
    return undefined;
  }
  const platforms = [...new Set(chosen.filter(isAppleMigrationPlatform))];
  if (platforms.length === 0) return undefined;
  const deadline = date('appleDeadline', 'end');
  if (!deadline) {
    if (rawDeadline === undefined) problems.push({ field: 'appleDeadline', code: 'apple-needs-deadline' });
    return undefined;
  }
  const problem = appleDeadlineProblem(begin, deadline);
  if (problem && problem !== 'not-a-date') {
    problems.push({ field: 'appleDeadline', code: APPLE_PROBLEM[problem]!, value: rawDeadline });
    return undefined;
  }
  return { platforms, deadline };
}

/** The stored wave after applying the settings: new waves start as drafts; state and history are kept. */
export function applyWaveSettings(
  existing: Wave | undefined,
  id: string,
  s: WaveSettings,
  now: Date,
  source?: Wave['source'],
): Wave {
  const base: Wave = existing ?? {
    id,
    name: s.name,
    order: s.order,
    state: 'draft',
    conditionalAccess: s.conditionalAccess,
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: s.estimatedMinutes,
    createdAt: now.toISOString(),
  };
  // The Apple setting is what the form says now: clearing it in the editor removes it.
  const { appleMigration: _previous, ...kept } = base;
  return {
    ...kept,
    name: s.name,
    order: s.order,
    announceAt: s.announceAt,
    startAt: s.startAt,
    deadline: s.deadline,
    conditionalAccess: s.conditionalAccess,
    estimatedMinutes: s.estimatedMinutes,
    helpdeskCapacityPerDay: s.helpdeskCapacityPerDay,
    criteria: s.criteria,
    reminders: { ...base.reminders, enabled: s.reminders.enabled, deferralLimit: s.reminders.deferralLimit },
    ...(s.appleMigration ? { appleMigration: s.appleMigration } : {}),
    ...(source ? { source } : {}),
    updatedAt: now.toISOString(),
  };
}

/** A wave id from its name: readable, URL-safe, unique among `taken`. */
export function waveIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'wave';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
