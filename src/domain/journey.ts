/**
 * The journey of one device from the old MDM to Intune, as a pure state machine.
 *
 * Two sources move a device: the user (or an admin / IT) through card actions, and Microsoft Graph
 * through observations. Graph wins where they disagree; when it overrides what the user said, the
 * journey carries a machine-readable `explanation` that the card turns into words.
 *
 * `transition` never throws and never returns a half-changed journey: an event that does not fit the
 * current stage comes back as a `rejected` effect with the journey untouched (same object).
 */
import { sameJson } from './canonical';
import type { ComplianceState, DeviceObservation, Management, Platform } from './device';

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

/** What Graph last said about the device; kept so that `include` can re-apply it. */
export interface GraphSnapshot {
  management: Management;
  complianceState?: ComplianceState;
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
  | { kind: 'escalate'; reason: 'dual-enrollment'; detail: { partnerMdmAppId: string } }
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

/** Measures elapsed time between two instants; business time comes from `businessElapsed` in schedule.ts. */
export type ElapsedFn = (from: Date, to: Date) => number;

// ---------------------------------------------------------------------------------------------
// Stage helpers

const RANK: Readonly<Record<FlowStage, number>> = Object.fromEntries(
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
  return isFlowStage(stage) ? RANK[stage] : -1;
}

/** The flow stage the stepper highlights: for a device off the flow, the stage it left from. */
export function stepperStage(journey: DeviceJourney): FlowStage {
  if (isFlowStage(journey.stage)) return journey.stage;
  const from = journey.stage === 'excluded' ? journey.exclusion?.from : undefined;
  if (from && isFlowStage(from)) return from;
  return journey.needsIt?.from ?? 'notified';
}

// ---------------------------------------------------------------------------------------------
// Creating journeys

export function graphViewOf(device: DeviceObservation, enrollmentFailures?: EnrollmentFailure[]): GraphView {
  return {
    management: device.management,
    complianceState: device.intune?.complianceState,
    ...(enrollmentFailures?.length ? { enrollmentFailures } : {}),
  };
}

/** Where a device first seen in this state belongs: already-migrated devices do not start at the top. */
export function initialStageFor(observation: DeviceObservation): FlowStage {
  return graphStage('notified', graphViewOf(observation), false, false).stage;
}

/**
 * A new journey at the stage Graph justifies. Flags and escalations come from observations only, so
 * use `openJourney` (or feed an `observed` event) to raise e.g. a dual enrollment found on day one.
 */
export function newJourney(device: DeviceObservation, now: Date): DeviceJourney {
  const at = validIso(now) ?? new Date(0).toISOString();
  const stage = initialStageFor(device);
  return {
    deviceKey: device.key,
    name: device.name,
    platform: device.platform,
    ...(device.ownership ? { ownership: device.ownership } : {}),
    stage,
    stageSince: at,
    history: [{ stage, at, cause: 'created' }],
    flags: { dualEnrollment: false },
  };
}

/** `newJourney` followed by the first observation, so that day-one problems escalate like later ones. */
export function openJourney(
  device: DeviceObservation,
  now: Date,
  enrollmentFailures?: EnrollmentFailure[],
): TransitionResult {
  return transition(
    newJourney(device, now),
    { kind: 'observed', view: graphViewOf(device, enrollmentFailures) },
    now,
  );
}

// ---------------------------------------------------------------------------------------------
// The transition function

type Outcome =
  | { ok: true; journey: DeviceJourney; effects: JourneyEffect[] }
  | { ok: false; reason: RejectReason };

export function transition(journey: DeviceJourney, event: JourneyEvent, now: Date): TransitionResult {
  const at = effectiveNow(journey, now);
  const outcome = decide(journey, event, at);
  if (!outcome.ok) {
    return { journey, effects: [{ kind: 'rejected', reason: outcome.reason, stage: journey.stage }] };
  }
  const effects = [...outcome.effects];
  if (!sameVisible(journey, outcome.journey)) effects.push({ kind: 'card-changed' });
  return { journey: outcome.journey, effects };
}

function decide(j: DeviceJourney, event: JourneyEvent, at: string): Outcome {
  if (event.kind === 'observed') {
    if (!validView(event.view)) return reject('invalid-observation');
    return accept(observe(j, event.view, at, 'observed'));
  }
  if (j.stage === 'excluded' && event.kind !== 'include' && event.kind !== 'exclude')
    return reject('excluded');
  if (j.stage === 'needs-it' && event.kind !== 'it-resolved' && event.kind !== 'exclude')
    return reject('needs-it');

  switch (event.kind) {
    case 'start':
      return userMove(j, ['notified'], 'started', at, event.kind);
    case 'begin-unenroll':
      return userMove(j, ['notified', 'started'], 'unenrolling', at, event.kind);
    case 'user-says-unenrolled': {
      const moved = userMove(j, ['notified', 'started', 'unenrolling'], 'unenrolled', at, event.kind);
      return moved.ok
        ? accept(withFlags(moved.journey, { userClaimedUnenrolled: true }), moved.effects)
        : moved;
    }
    case 'begin-enroll':
      return userMove(j, ['unenrolled'], 'enrolling', at, event.kind);
    case 'post-check':
      return postCheck(j, event.answers, at);
    case 'cannot-self-unenroll':
      return cannotSelfUnenroll(j, event.reason, at);
    case 'it-resolved':
      return itResolved(j, event.view, at);
    case 'exclude':
      return exclude(j, event.reason, event.by, at);
    case 'include':
      return include(j, at);
    default:
      // Unknown kinds can arrive from stored or forged payloads despite the types.
      return reject('invalid-for-stage');
  }
}

function userMove(
  j: DeviceJourney,
  from: readonly FlowStage[],
  to: FlowStage,
  at: string,
  cause: HistoryCause,
): Outcome {
  if (!isFlowStage(j.stage) || !from.includes(j.stage)) return reject('invalid-for-stage');
  // The user acted on what the card said; an older explanation no longer describes the new state.
  return accept(withFlags(moveTo(j, to, at, cause), { explanation: undefined }));
}

function postCheck(j: DeviceJourney, answers: PostCheckAnswers, at: string): Outcome {
  if (isFlowStage(j.stage) && RANK[j.stage] < RANK.compliant) return reject('not-compliant');
  if (j.stage !== 'compliant') return reject('invalid-for-stage');
  if (!validAnswers(answers)) return reject('invalid-answers');
  const result: PostCheckResult = { ...pickAnswers(answers), at };
  const failed = POST_CHECK_ITEMS.filter((item) => answers[item] !== 'yes');
  const recorded = withFlags(j, { postCheck: result, explanation: undefined });
  if (failed.length > 0) {
    return accept(recorded, [{ kind: 'escalate', reason: 'post-check-failed', detail: { failed } }]);
  }
  return accept(moveTo(recorded, 'verified', at, 'post-check'), [{ kind: 'congratulate' }]);
}

function cannotSelfUnenroll(j: DeviceJourney, reason: string, at: string): Outcome {
  const from: readonly FlowStage[] = ['notified', 'started', 'unenrolling'];
  if (!isFlowStage(j.stage) || !from.includes(j.stage)) return reject('invalid-for-stage');
  const text = checkReason(reason);
  if (typeof text !== 'string') return text;
  const moved = {
    ...moveTo(j, 'needs-it', at, 'cannot-self-unenroll'),
    needsIt: { reason: text, at, from: j.stage },
  };
  return accept(moved, [{ kind: 'escalate', reason: 'needs-it', detail: { reason: text } }]);
}

/**
 * IT finished with the device. Without a fresh look-up we assume IT removed the old MDM (that is what
 * `needs-it` is for) and let the next observation correct us; with one, Graph places the device.
 */
function itResolved(j: DeviceJourney, view: GraphView | undefined, at: string): Outcome {
  if (j.stage !== 'needs-it') return reject('invalid-for-stage');
  const { needsIt: _done, ...rest } = j;
  const resumed = withFlags(moveTo(rest, 'unenrolled', at, 'it-resolved'), {
    userClaimedUnenrolled: true,
    explanation: undefined,
  });
  if (view === undefined) return accept(resumed);
  if (!validView(view)) return reject('invalid-observation');
  return accept(observe(resumed, view, at, 'it-resolved'));
}

function exclude(j: DeviceJourney, reason: string, by: string, at: string): Outcome {
  if (j.stage === 'excluded') return reject('excluded');
  const text = checkReason(reason);
  if (typeof text !== 'string') return text;
  if (typeof by !== 'string' || by.trim() === '') return reject('actor-required');
  return accept({
    ...moveTo(j, 'excluded', at, 'exclude'),
    exclusion: { reason: text, by: by.trim(), at, from: j.stage },
  });
}

/** Back to where the device was, then whatever Graph last said is applied again: Graph wins. */
function include(j: DeviceJourney, at: string): Outcome {
  if (j.stage !== 'excluded') return reject('invalid-for-stage');
  const { exclusion, ...rest } = j;
  const restored = moveTo(rest, exclusion?.from ?? 'notified', at, 'include');
  if (!j.lastSeen) return accept(restored);
  const { management, complianceState } = j.lastSeen;
  const reapplied = observe(restored, { management, complianceState }, at, 'include');
  // Re-applying is not a new look at the device: keep when Graph was actually last asked.
  return accept({ ...reapplied.journey, lastSeen: j.lastSeen }, reapplied.effects);
}

// ---------------------------------------------------------------------------------------------
// Graph observations

/**
 * Applies what Graph shows. Excluded devices only remember it; `needs-it` devices get their flags
 * (and escalations) updated but stay with IT until `it-resolved`, so the open escalation stays true.
 */
function observe(
  j: DeviceJourney,
  view: GraphView,
  at: string,
  cause: HistoryCause,
): { journey: DeviceJourney; effects: JourneyEffect[] } {
  const m = plainManagement(view.management);
  const failures = newFailures(view.enrollmentFailures, j.failuresSeenUntil);
  const seen: DeviceJourney = {
    ...j,
    lastSeen: {
      management: m,
      ...(view.complianceState ? { complianceState: view.complianceState } : {}),
      at,
    },
    ...(failures.watermark ? { failuresSeenUntil: failures.watermark } : {}),
  };
  if (j.stage === 'excluded') return { journey: seen, effects: [] };

  const effects: JourneyEffect[] = [];
  const partnerAlso = m.kind === 'intune' ? m.alsoPartnerMdmAppId : undefined;
  const dual = Boolean(partnerAlso);
  if (partnerAlso && !j.flags.dualEnrollment) {
    effects.push({ kind: 'escalate', reason: 'dual-enrollment', detail: { partnerMdmAppId: partnerAlso } });
  }
  // A failure reported while Intune already manages the device was followed by a successful retry.
  const failed = m.kind !== 'intune' ? failures.latest : undefined;
  if (failed) effects.push({ kind: 'escalate', reason: 'enrollment-failed', detail: failed });

  const claimed = j.flags.userClaimedUnenrolled === true;
  let flags = setFlags(j.flags, {
    dualEnrollment: dual,
    ...(m.kind !== 'partner' ? { userClaimedUnenrolled: undefined } : {}),
    ...(m.kind === 'intune' ? { enrollmentFailure: undefined } : failed ? { enrollmentFailure: failed } : {}),
  });
  if (!isFlowStage(j.stage)) return { journey: { ...seen, flags }, effects };

  const placed = graphStage(j.stage, view, claimed, failed !== undefined);
  const keep = placed.stage === j.stage && explanationHolds(j.flags.explanation, view);
  flags = setFlags(flags, { explanation: placed.disagreement ?? (keep ? j.flags.explanation : undefined) });
  return { journey: moveTo({ ...seen, flags }, placed.stage, at, cause), effects };
}

/**
 * Where Graph puts a device currently at `current`. The rules:
 * - old MDM only: at most `unenrolling` (a device that had reached Intune has left it);
 * - nothing: `unenrolled`, or `enrolling` after a failed attempt; `enrolling` itself is consistent;
 * - Intune and the old MDM: `enrolled`, flagged, whatever the compliance;
 * - Intune: `compliant` when compliant, else `enrolled`; `verified` is kept (compliance drift after the
 *   post-check is for conditional access to handle, not a reason to undo the migration).
 * Graph never produces `verified`: only a passing post-check does.
 */
function graphStage(
  current: FlowStage,
  view: GraphView,
  claimed: boolean,
  failed: boolean,
): { stage: FlowStage; disagreement?: ExplanationCode } {
  const rank = RANK[current];
  const m = view.management;
  switch (m.kind) {
    case 'partner':
      if (rank >= RANK.enrolled) return { stage: 'unenrolling', disagreement: 'left-intune' };
      if (rank > RANK.unenrolling || claimed || failed) {
        return {
          stage: rank > RANK.unenrolling ? 'unenrolling' : current,
          disagreement: 'graph-still-partner-managed',
        };
      }
      return { stage: current };
    case 'none':
      if (failed) return { stage: 'enrolling', disagreement: 'enrollment-failed' };
      if (rank >= RANK.enrolled) return { stage: 'unenrolled', disagreement: 'left-intune' };
      return { stage: rank < RANK.unenrolled ? 'unenrolled' : current };
    case 'intune':
      if (m.alsoPartnerMdmAppId) return { stage: 'enrolled', disagreement: 'dual-enrollment' };
      if (current === 'verified') return { stage: 'verified' };
      if (view.complianceState === 'compliant') return { stage: 'compliant' };
      return {
        stage: 'enrolled',
        ...(current === 'compliant' ? { disagreement: 'compliance-lost' as const } : {}),
      };
  }
}

/** An explanation stays on the card while Graph still shows what it explains. */
function explanationHolds(code: ExplanationCode | undefined, view: GraphView): boolean {
  const m = view.management;
  switch (code) {
    case 'graph-still-partner-managed':
      return m.kind === 'partner';
    case 'left-intune':
    case 'enrollment-failed':
      return m.kind !== 'intune';
    case 'dual-enrollment':
      return m.kind === 'intune' && Boolean(m.alsoPartnerMdmAppId);
    case 'compliance-lost':
      return m.kind === 'intune' && view.complianceState !== 'compliant';
    default:
      return false;
  }
}

/** The newest failure not handled before, and the new watermark; malformed timestamps are ignored. */
function newFailures(
  failures: EnrollmentFailure[] | undefined,
  seenUntil: string | undefined,
): { latest?: EnrollmentFailure; watermark?: string } {
  const floor = seenUntil ? Date.parse(seenUntil) : Number.NEGATIVE_INFINITY;
  let latest: EnrollmentFailure | undefined;
  let latestMs = floor;
  for (const f of failures ?? []) {
    const ms = Date.parse(String(f?.at));
    if (!Number.isFinite(ms) || ms <= latestMs) continue;
    latest = f;
    latestMs = ms;
  }
  if (!latest) return {};
  const at = new Date(latestMs).toISOString();
  const normalised: EnrollmentFailure = {
    category: String(latest.category),
    ...(latest.reason !== undefined ? { reason: String(latest.reason) } : {}),
    at,
  };
  return { latest: normalised, watermark: at };
}

// ---------------------------------------------------------------------------------------------
// Derived views

/**
 * True when a non-terminal device has made no progress for longer than `thresholdMs`. Pass
 * `businessElapsed(zone, hours)` from schedule.ts to count only business time.
 */
export function isStuck(
  journey: Pick<DeviceJourney, 'stage' | 'stageSince'>,
  now: Date,
  thresholdMs: number,
  elapsed: ElapsedFn = wallClockElapsed,
): boolean {
  if (isTerminal(journey.stage)) return false;
  const since = new Date(journey.stageSince);
  if (Number.isNaN(since.getTime()) || Number.isNaN(now.getTime())) return false;
  return elapsed(since, now) > thresholdMs;
}

export const wallClockElapsed: ElapsedFn = (from, to) => to.getTime() - from.getTime();

export interface ParticipantProgress {
  total: number;
  verified: number;
  excluded: number;
  needsIt: number;
  byStage: Record<JourneyStage, number>;
  /**
   * The participant's headline stage: `needs-it` if any active device waits for IT, else the least
   * advanced active device; `excluded` when every device is excluded; undefined with no devices.
   */
  overall?: JourneyStage;
  /** Every device verified or excluded. A participant with no known devices is not done: Graph may not show them yet. */
  done: boolean;
}

export function participantProgress(journeys: readonly DeviceJourney[]): ParticipantProgress {
  const byStage = Object.fromEntries(JOURNEY_STAGES.map((s) => [s, 0])) as Record<JourneyStage, number>;
  for (const j of journeys) byStage[j.stage] += 1;
  const active = journeys.filter((j) => j.stage !== 'excluded');
  let overall: JourneyStage | undefined;
  if (active.some((j) => j.stage === 'needs-it')) overall = 'needs-it';
  else if (active.length > 0) {
    overall = active.map((j) => j.stage as FlowStage).reduce((a, b) => (RANK[b] < RANK[a] ? b : a));
  } else if (journeys.length > 0) overall = 'excluded';
  return {
    total: journeys.length,
    verified: byStage.verified,
    excluded: byStage.excluded,
    needsIt: byStage['needs-it'],
    byStage,
    overall,
    done: journeys.length > 0 && journeys.every((j) => isTerminal(j.stage)),
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function accept(
  result: DeviceJourney | { journey: DeviceJourney; effects: JourneyEffect[] },
  effects: JourneyEffect[] = [],
): Outcome {
  return 'journey' in result
    ? { ok: true, journey: result.journey, effects: [...result.effects, ...effects] }
    : { ok: true, journey: result, effects };
}

function reject(reason: RejectReason): Outcome {
  return { ok: false, reason };
}

/** Changes the stage (and only then stageSince and history); same stage returns the journey as is. */
function moveTo(j: DeviceJourney, stage: JourneyStage, at: string, cause: HistoryCause): DeviceJourney {
  if (j.stage === stage) return j;
  const history = [...j.history, { stage, at, cause }].slice(-HISTORY_LIMIT);
  return { ...j, stage, stageSince: at, history };
}

type FlagPatch = { [K in keyof JourneyFlags]?: JourneyFlags[K] | undefined };

/** Sets flags; an undefined value removes the key so stored rows and comparisons stay clean. */
function setFlags(flags: JourneyFlags, patch: FlagPatch): JourneyFlags {
  const next: Record<string, unknown> = { ...flags };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as unknown as JourneyFlags;
}

function withFlags(j: DeviceJourney, patch: FlagPatch): DeviceJourney {
  return { ...j, flags: setFlags(j.flags, patch) };
}

/** Time only moves forward for a journey: a skewed or invalid clock cannot make stageSince go back. */
function effectiveNow(j: DeviceJourney, now: Date): string {
  const since = Date.parse(j.stageSince);
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) return j.stageSince;
  return Number.isFinite(since) && since > t ? j.stageSince : new Date(t).toISOString();
}

function validIso(d: Date): string | undefined {
  return d instanceof Date && Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
}

function checkReason(reason: unknown): string | Outcome {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!text) return reject('reason-required');
  if (text.length > MAX_REASON_LENGTH) return reject('reason-too-long');
  return text;
}

function validView(view: unknown): view is GraphView {
  if (typeof view !== 'object' || view === null) return false;
  const m = (view as { management?: { kind?: unknown } }).management;
  return typeof m === 'object' && m !== null && ['intune', 'partner', 'none'].includes(String(m.kind));
}

/** Only the fields the product reads are stored, whatever else the caller's object carried. */
function plainManagement(m: Management): Management {
  switch (m.kind) {
    case 'intune':
      return m.alsoPartnerMdmAppId
        ? { kind: 'intune', alsoPartnerMdmAppId: String(m.alsoPartnerMdmAppId) }
        : { kind: 'intune' };
    case 'partner':
      return { kind: 'partner', mdmAppId: String(m.mdmAppId) };
    case 'none':
      return { kind: 'none' };
  }
}

function validAnswers(answers: unknown): answers is PostCheckAnswers {
  if (typeof answers !== 'object' || answers === null) return false;
  const record = answers as Record<string, unknown>;
  return POST_CHECK_ITEMS.every((item) => record[item] === 'yes' || record[item] === 'no');
}

/** Only the known items are stored: extra keys in a forged payload do not reach the store. */
function pickAnswers(answers: PostCheckAnswers): PostCheckAnswers {
  return {
    email: answers.email,
    wifi: answers.wifi,
    vpn: answers.vpn,
    certificates: answers.certificates,
    apps: answers.apps,
  };
}

/** What the card shows: everything but history and bookkeeping (the time of the last Graph look). */
function visible(j: DeviceJourney): unknown {
  const { history: _h, failuresSeenUntil: _f, lastSeen, ...rest } = j;
  return { ...rest, lastSeen: lastSeen ? { ...lastSeen, at: undefined } : undefined };
}

function sameVisible(a: DeviceJourney, b: DeviceJourney): boolean {
  return a === b || sameJson(visible(a), visible(b));
}
