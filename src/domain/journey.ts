/**
 * The journey of one device from the old MDM to Intune: its stages and the records it keeps. The state
 * machine that moves it is journey-transition.ts; what Graph's observations do, journey-observation.ts;
 * views derived from many journeys, journey-progress.ts.
 *
 * Two sources move a device: the user (or an admin / IT) through card actions, and Microsoft Graph
 * through observations. Graph wins where they disagree; when it overrides what the user said, the
 * journey carries a machine-readable `explanation` that the card turns into words.
 */
import type { ComplianceState, Management, OldMdmFact, Platform } from './device';

/** The happy path, in order; the progress stepper shows these. */
export const STAGE_ORDER = [
  'notified',
  'started',
  'unenrolling',
  'unenrolled',
  'enrolling',
  'enrolled',
  'compliant',
  'verified',
] as const;

export type FlowStage = (typeof STAGE_ORDER)[number];
/** `needs-it` and `excluded` sit beside the flow; `stuck` is derived (see `isStuck`), never stored. */
export type JourneyStage = FlowStage | 'needs-it' | 'excluded';

export const JOURNEY_STAGES: readonly JourneyStage[] = [...STAGE_ORDER, 'needs-it', 'excluded'];

/** Stages nothing is waiting on: never stuck, and count as done for the participant. */
export const TERMINAL_STAGES: readonly JourneyStage[] = ['verified', 'excluded'];

/** History keeps the most recent stage changes only, so a flapping device cannot grow a stored row. */
export const HISTORY_LIMIT = 30;

/** Free-text reasons (exclusion, why IT is needed) are bounded; the edge should reject longer ones first. */
export const MAX_REASON_LENGTH = 500;

export const POST_CHECK_ITEMS = ['email', 'wifi', 'vpn', 'certificates', 'apps'] as const;
export type PostCheckItem = (typeof POST_CHECK_ITEMS)[number];
export type PostCheckAnswers = Record<PostCheckItem, 'yes' | 'no'>;
export type PostCheckResult = PostCheckAnswers & { at: string };

/** One `enrollmentTroubleshootingEvent`, already attributed to this device by the caller. */
export interface EnrollmentFailure {
  category: string;
  reason?: string;
  /** ISO instant of the failed attempt (Graph `eventDateTime`). */
  at: string;
}

/**
 * Why the stage is not what the user might expect; the card turns the code into words.
 * - `graph-still-partner-managed`: the user (or IT) said the old MDM is gone, Graph still sees it.
 * - `left-intune`: the device had reached Intune and Graph no longer shows Intune managing it.
 * - `dual-enrollment`: Intune and the old MDM both manage it; both could apply conditional access.
 * - `compliance-lost`: it was compliant and Intune now reports otherwise.
 * - `enrollment-failed`: the latest enrollment attempt failed (details in `flags.enrollmentFailure`).
 */
export type ExplanationCode =
  | 'graph-still-partner-managed'
  | 'left-intune'
  | 'dual-enrollment'
  | 'compliance-lost'
  | 'enrollment-failed';

export interface JourneyFlags {
  dualEnrollment: boolean;
  enrollmentFailure?: EnrollmentFailure;
  postCheck?: PostCheckResult;
  /** The user (or IT) said the old MDM is removed; cleared once Graph no longer sees the old MDM. */
  userClaimedUnenrolled?: boolean;
  explanation?: ExplanationCode;
}

export type HistoryCause = JourneyEvent['kind'] | 'created';

export interface JourneyHistoryEntry {
  stage: JourneyStage;
  at: string;
  cause: HistoryCause;
}

/** What the old MDM's inventory said about the device, as the card tells it ("still lists it; last seen …"). */
export type OldMdmSnapshot = Pick<OldMdmFact, 'source' | 'vendor' | 'listed' | 'lastSeen'>;

/** What Graph (and the old MDM) last said about the device; kept so that `include` can re-apply it. */
export interface GraphSnapshot {
  management: Management;
  complianceState?: ComplianceState;
  oldMdm?: OldMdmSnapshot;
  at: string;
}

export interface DeviceJourney {
  deviceKey: string;
  name: string;
  platform: Platform;
  ownership?: 'personal' | 'company';
  stage: JourneyStage;
  /** ISO instant the current stage began; never moves backwards, even when instances' clocks disagree. */
  stageSince: string;
  /** Stage changes, oldest first, at most HISTORY_LIMIT; the last entry is the current stage. */
  history: JourneyHistoryEntry[];
  flags: JourneyFlags;
  /** Set while the device is in `needs-it`. */
  needsIt?: { reason: string; at: string; from: FlowStage };
  /** Set while the device is `excluded`; `from` is where `include` returns it to. */
  exclusion?: { reason: string; by: string; at: string; from: Exclude<JourneyStage, 'excluded'> };
  lastSeen?: GraphSnapshot;
  /** Newest enrollment failure already handled, so a re-delivered event does not escalate twice. */
  failuresSeenUntil?: string;
}

/** The device as Graph sees it now, plus enrollment failures reported since the last look. */
export interface GraphView {
  management: Management;
  complianceState?: ComplianceState;
  /** The old MDM's own word, when a configured source lists (or listed) the device. */
  oldMdm?: OldMdmSnapshot;
  enrollmentFailures?: EnrollmentFailure[];
}

export type UserEvent =
  | { kind: 'start' }
  | { kind: 'begin-unenroll' }
  | { kind: 'user-says-unenrolled' }
  | { kind: 'begin-enroll' }
  | { kind: 'post-check'; answers: PostCheckAnswers }
  | { kind: 'cannot-self-unenroll'; reason: string }
  /** IT finished; `view` is a fresh Graph look-up when the caller has one. */
  | { kind: 'it-resolved'; view?: GraphView }
  | { kind: 'exclude'; reason: string; by: string }
  | { kind: 'include' };

export type GraphEvent = { kind: 'observed'; view: GraphView };
export type JourneyEvent = UserEvent | GraphEvent;

export type EscalationReason = 'needs-it' | 'dual-enrollment' | 'enrollment-failed' | 'post-check-failed';

export type EscalateEffect =
  | { kind: 'escalate'; reason: 'needs-it'; detail: { reason: string } }
  | {
      kind: 'escalate';
      reason: 'dual-enrollment';
      /** Entra's partner MDM app id, and/or the old-MDM source whose inventory still lists the device. */
      detail: { partnerMdmAppId?: string; oldMdmSource?: string };
    }
  | { kind: 'escalate'; reason: 'enrollment-failed'; detail: EnrollmentFailure }
  | { kind: 'escalate'; reason: 'post-check-failed'; detail: { failed: PostCheckItem[] } };

export type RejectReason =
  /** The event does not apply to the current stage (often a stale card). */
  | 'invalid-for-stage'
  /** A post-check before Intune reports the device compliant. */
  | 'not-compliant'
  /** The device is excluded; only `include` applies. */
  | 'excluded'
  /** IT owns the device; only `it-resolved` or `exclude` apply. */
  | 'needs-it'
  | 'reason-required'
  | 'reason-too-long'
  | 'actor-required'
  | 'invalid-answers'
  /** An observation without a management kind this code understands. */
  | 'invalid-observation';

export type JourneyEffect =
  | EscalateEffect
  | { kind: 'congratulate' }
  | { kind: 'card-changed' }
  | { kind: 'rejected'; reason: RejectReason; stage: JourneyStage };

export interface TransitionResult {
  journey: DeviceJourney;
  effects: JourneyEffect[];
}

// ---------------------------------------------------------------------------------------------
// Stage helpers

/** Position of each flow stage on the happy path. */
export const FLOW_RANK: Readonly<Record<FlowStage, number>> = Object.fromEntries(
  STAGE_ORDER.map((s, i) => [s, i]),
) as Record<FlowStage, number>;

export function isFlowStage(stage: JourneyStage): stage is FlowStage {
  return (STAGE_ORDER as readonly string[]).includes(stage);
}

export function isTerminal(stage: JourneyStage): boolean {
  return TERMINAL_STAGES.includes(stage);
}

/** Position on the stepper, 0-based; -1 for `needs-it` and `excluded`, which are off the flow. */
export function stageIndex(stage: JourneyStage): number {
  return isFlowStage(stage) ? FLOW_RANK[stage] : -1;
}

/** The flow stage the stepper highlights: for a device off the flow, the stage it left from. */
export function stepperStage(journey: DeviceJourney): FlowStage {
  if (isFlowStage(journey.stage)) return journey.stage;
  const from = journey.stage === 'excluded' ? journey.exclusion?.from : undefined;
  if (from && isFlowStage(from)) return from;
  return journey.needsIt?.from ?? 'notified';
}

// ---------------------------------------------------------------------------------------------
// Building blocks of the transitions

/** Changes the stage (and only then stageSince and history); same stage returns the journey as is. */
export function moveTo(
  j: DeviceJourney,
  stage: JourneyStage,
  at: string,
  cause: HistoryCause,
): DeviceJourney {
  if (j.stage === stage) return j;
  const history = [...j.history, { stage, at, cause }].slice(-HISTORY_LIMIT);
  return { ...j, stage, stageSince: at, history };
}

export type FlagPatch = { [K in keyof JourneyFlags]?: JourneyFlags[K] | undefined };

/** Sets flags; an undefined value removes the key so stored rows and comparisons stay clean. */
export function setFlags(flags: JourneyFlags, patch: FlagPatch): JourneyFlags {
  const next: Record<string, unknown> = { ...flags };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as JourneyFlags;
}

export function withFlags(j: DeviceJourney, patch: FlagPatch): DeviceJourney {
  return { ...j, flags: setFlags(j.flags, patch) };
}
