/**
 * The journey of one device as a pure state machine.
 *
 * `transition` never throws and never returns a half-changed journey: an event that does not fit the
 * current stage comes back as a `rejected` effect with the journey untouched (same object).
 */
import { sameJson } from './canonical';
import type { DeviceObservation } from './device';
import {
  type DeviceJourney,
  type EnrollmentFailure,
  FLOW_RANK,
  type FlowStage,
  type GraphView,
  type HistoryCause,
  isFlowStage,
  type JourneyEffect,
  type JourneyEvent,
  MAX_REASON_LENGTH,
  moveTo,
  POST_CHECK_ITEMS,
  type PostCheckAnswers,
  type PostCheckResult,
  type RejectReason,
  type TransitionResult,
  withFlags,
} from './journey';
import { graphViewOf, initialStageFor, observe, validView } from './journey-observation';

// ---------------------------------------------------------------------------------------------
// Creating journeys

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
  if (isFlowStage(j.stage) && FLOW_RANK[j.stage] < FLOW_RANK.compliant) return reject('not-compliant');
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
