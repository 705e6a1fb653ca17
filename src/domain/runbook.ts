/**
 * The migration guidance's eight steps as a runbook, per wave and for the campaign: each step's state,
 * how the product knows it (observed in Graph or the old MDM's inventory, or recorded by an admin),
 * and the next action. Pure: the facts are gathered by src/features/runbook.
 *
 * The product cannot see inside the old MDM's own conditional-access policies, so that step is what
 * an admin recorded; everything else is observed.
 */
import { ACTIVE_WAVE_STATES, type Wave } from './campaign';
import type { WaveCoverage } from './conditional-access';
import { localDayNumber } from './schedule';

export const RUNBOOK_STEPS = [
  'tell-users',
  'old-mdm-ca',
  'intune-ca-now',
  'users-unenroll',
  'users-enroll',
  'intune-ca-grace-end',
  'remaining-users',
  'retire-old-mdm',
] as const;
export type StepId = (typeof RUNBOOK_STEPS)[number];

export type StepState = 'done' | 'in-progress' | 'waiting' | 'blocked' | 'not-needed';

export type HowKnown =
  | { kind: 'observed'; source: 'graph' | 'old-mdm' | 'campaign' }
  | { kind: 'recorded'; by: string; byName?: string; at: string; note?: string }
  | { kind: 'not-known' };

/** The button a step offers. */
export type NextAction =
  | 'announce'
  | 'record-old-mdm'
  | 'policy-state'
  | 'nudge-stragglers'
  | 'retire-report';

export interface RunbookStep {
  id: StepId;
  state: StepState;
  known: HowKnown;
  action?: NextAction;
  /** Progress where it is counted (devices, members, waves). */
  progress?: { done: number; total: number };
  /** The date the step waits for (grace end). */
  date?: string;
  /** Steps that must be done first (announcing waits for them). */
  blockedBy?: StepId[];
  /** Graph could not be read: `permission` names Policy.Read.All on the card. */
  caError?: 'permission' | 'unavailable';
}

/** An admin's record that the old MDM's conditional access no longer covers the wave's members. */
export interface OldMdmChangeRecord {
  by: string;
  byName?: string;
  at: string;
  note: string;
}

/** An admin's audited decision to announce an `immediate` wave although members are not yet covered. */
export interface ImmediateOverride {
  by: string;
  byName?: string;
  at: string;
  reason: string;
}

export interface WaveRunbookFacts {
  wave: Wave;
  now: Date;
  oldMdmChange?: OldMdmChangeRecord;
  immediateOverride?: ImmediateOverride;
  /** The wave's members against the relevant policies; an error when Graph could not be read. */
  coverage?: WaveCoverage | { error: 'permission' | 'unavailable' };
  /** In-scope devices of the members and how far they got (the dashboard's funnel). */
  devices: { total: number; unenrolled: number; enrolled: number };
  /** Devices the old MDM's own inventory still lists for the members; undefined when it is not read. */
  oldMdmListed?: number;
  /** Waves after this one (the voluntary wave aside) and how many of them were announced. */
  laterWaves: { total: number; announced: number };
  /** Whether the old MDM may be switched off (the retire report's verdict). */
  retireReady: boolean;
}

const ANNOUNCED: readonly Wave['state'][] = [...ACTIVE_WAVE_STATES, 'closed'];

export const isAnnounced = (wave: Wave): boolean => ANNOUNCED.includes(wave.state);

function caStep(
  coverage: WaveRunbookFacts['coverage'],
): Pick<RunbookStep, 'state' | 'known' | 'progress' | 'caError'> {
  if (!coverage) return { state: 'waiting', known: { kind: 'not-known' } };
  if ('error' in coverage) return { state: 'blocked', known: { kind: 'not-known' }, caError: coverage.error };
  const progress = { done: coverage.counts.enforced, total: coverage.members };
  const known = { kind: 'observed', source: 'graph' } as const;
  if (coverage.members > 0 && coverage.counts.enforced === coverage.members)
    return { state: 'done', known, progress };
  return { state: coverage.counts.enforced > 0 ? 'in-progress' : 'waiting', known, progress };
}

/** The wave's eight steps, in the guidance's order. */
export function waveRunbook(f: WaveRunbookFacts): RunbookStep[] {
  const { wave } = f;
  const announced = isAnnounced(wave);
  const mode = wave.conditionalAccess;

  const oldMdm: RunbookStep = f.oldMdmChange
    ? {
        id: 'old-mdm-ca',
        state: 'done',
        known: { kind: 'recorded', ...f.oldMdmChange },
      }
    : { id: 'old-mdm-ca', state: 'waiting', known: { kind: 'not-known' }, action: 'record-old-mdm' };

  const now: RunbookStep =
    mode.kind === 'immediate'
      ? { id: 'intune-ca-now', ...caStep(f.coverage), action: 'policy-state' }
      : { id: 'intune-ca-now', state: 'not-needed', known: { kind: 'observed', source: 'campaign' } };

  const blockedBy: StepId[] = [];
  if (oldMdm.state !== 'done') blockedBy.push('old-mdm-ca');
  if (mode.kind === 'immediate' && now.state !== 'done' && !f.immediateOverride)
    blockedBy.push('intune-ca-now');
  const tell: RunbookStep = announced
    ? { id: 'tell-users', state: 'done', known: { kind: 'observed', source: 'campaign' } }
    : blockedBy.length > 0
      ? { id: 'tell-users', state: 'blocked', known: { kind: 'observed', source: 'campaign' }, blockedBy }
      : {
          id: 'tell-users',
          state: 'waiting',
          known: { kind: 'observed', source: 'campaign' },
          action: 'announce',
        };

  const { total, unenrolled, enrolled } = f.devices;
  const fromOldMdm = f.oldMdmListed !== undefined;
  const unenrollDone = total > 0 && unenrolled >= total && (f.oldMdmListed ?? 0) === 0;
  const unenroll: RunbookStep = {
    id: 'users-unenroll',
    state: !announced ? 'waiting' : unenrollDone ? 'done' : 'in-progress',
    known: { kind: 'observed', source: fromOldMdm ? 'old-mdm' : 'graph' },
    progress: { done: unenrolled, total },
    ...(announced && !unenrollDone ? { action: 'nudge-stragglers' as const } : {}),
  };
  const enrollDone = total > 0 && enrolled >= total;
  const enroll: RunbookStep = {
    id: 'users-enroll',
    state: !announced ? 'waiting' : enrollDone ? 'done' : 'in-progress',
    known: { kind: 'observed', source: 'graph' },
    progress: { done: enrolled, total },
    ...(announced && !enrollDone ? { action: 'nudge-stragglers' as const } : {}),
  };

  let graceEnd: RunbookStep;
  if (mode.kind !== 'grace') {
    graceEnd = {
      id: 'intune-ca-grace-end',
      state: 'not-needed',
      known: { kind: 'observed', source: 'campaign' },
    };
  } else {
    const ca = caStep(f.coverage);
    const due = Date.parse(mode.endsAt) <= f.now.getTime();
    graceEnd = {
      id: 'intune-ca-grace-end',
      ...ca,
      date: mode.endsAt,
      action: 'policy-state',
      // Past the grace end and still not enforced: the one thing the admin must do now.
      ...(ca.state !== 'done' && due && !ca.caError ? { state: 'blocked' as const } : {}),
      ...(ca.state === 'in-progress' && !due ? { state: 'waiting' as const } : {}),
    };
  }

  const later = f.laterWaves;
  const remaining: RunbookStep =
    later.total === 0
      ? { id: 'remaining-users', state: 'not-needed', known: { kind: 'observed', source: 'campaign' } }
      : {
          id: 'remaining-users',
          state: later.announced >= later.total ? 'done' : later.announced > 0 ? 'in-progress' : 'waiting',
          known: { kind: 'observed', source: 'campaign' },
          progress: { done: later.announced, total: later.total },
        };

  const retire: RunbookStep = {
    id: 'retire-old-mdm',
    state: f.retireReady ? 'in-progress' : 'waiting',
    known: { kind: 'observed', source: fromOldMdm ? 'old-mdm' : 'graph' },
    action: 'retire-report',
  };
  return [tell, oldMdm, now, unenroll, enroll, graceEnd, remaining, retire];
}

/** The first step not done (or not needed): where the wave stands. */
export function currentStep(steps: readonly RunbookStep[]): RunbookStep | undefined {
  return steps.find((s) => s.state !== 'done' && s.state !== 'not-needed');
}

/** The steps that must be done before the wave may be announced (empty: it may be). */
export function blockersOfAnnouncement(steps: readonly RunbookStep[]): StepId[] {
  return steps.find((s) => s.id === 'tell-users')?.blockedBy ?? [];
}

/** One step across the campaign's waves: blocked if any is, done when all are, else how far they got. */
export function campaignStepState(states: readonly StepState[]): StepState {
  const relevant = states.filter((s) => s !== 'not-needed');
  if (relevant.length === 0) return 'not-needed';
  if (relevant.includes('blocked')) return 'blocked';
  if (relevant.every((s) => s === 'done')) return 'done';
  if (relevant.some((s) => s === 'done' || s === 'in-progress')) return 'in-progress';
  return 'waiting';
}

/**
 * Where today stands against the wave's grace end, in the campaign's time zone: `today` is the day
 * the admins are told to turn conditional access on, `after` every day after it; `day` is the local
 * day number (one prompt per wave per local day).
 */
export function graceEndDay(
  wave: Pick<Wave, 'conditionalAccess'>,
  now: Date,
  zone: string,
): { when: 'before' | 'today' | 'after'; day: number; daysAfter: number } | undefined {
  const ca = wave.conditionalAccess;
  if (ca.kind !== 'grace') return undefined;
  const end = new Date(ca.endsAt);
  if (!Number.isFinite(end.getTime())) return undefined;
  const day = localDayNumber(now, zone);
  const endDay = localDayNumber(end, zone);
  const when = day < endDay ? 'before' : day === endDay ? 'today' : 'after';
  return { when, day, daysAfter: Math.max(0, day - endDay) };
}
