/**
 * What a Graph observation does to a journey: Graph wins where it and the user disagree, and the
 * journey keeps a machine-readable `explanation` of the disagreement for the card.
 */
import { type DeviceObservation, isDualEnrolled, type Management } from './device';
import {
  type DeviceJourney,
  type EnrollmentFailure,
  type ExplanationCode,
  FLOW_RANK,
  type FlowStage,
  type GraphView,
  type HistoryCause,
  isFlowStage,
  type JourneyEffect,
  moveTo,
  type OldMdmSnapshot,
  setFlags,
} from './journey';

export function graphViewOf(device: DeviceObservation, enrollmentFailures?: EnrollmentFailure[]): GraphView {
  return {
    management: device.management,
    complianceState: device.intune?.complianceState,
    ...(device.oldMdm
      ? {
          oldMdm: {
            source: device.oldMdm.source,
            vendor: device.oldMdm.vendor,
            listed: device.oldMdm.listed,
            ...(device.oldMdm.lastSeen ? { lastSeen: device.oldMdm.lastSeen } : {}),
          },
        }
      : {}),
    ...(enrollmentFailures?.length ? { enrollmentFailures } : {}),
  };
}

/** Where a device first seen in this state belongs: already-migrated devices do not start at the top. */
export function initialStageFor(observation: DeviceObservation): FlowStage {
  return graphStage('notified', graphViewOf(observation), false, false).stage;
}

/**
 * Applies what Graph shows. Excluded devices only remember it; `needs-it` devices get their flags
 * (and escalations) updated but stay with IT until `it-resolved`, so the open escalation stays true.
 */
export function observe(
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
      ...(view.oldMdm ? { oldMdm: plainOldMdm(view.oldMdm) } : {}),
      at,
    },
    ...(failures.watermark ? { failuresSeenUntil: failures.watermark } : {}),
  };
  if (j.stage === 'excluded') return { journey: seen, effects: [] };

  const effects: JourneyEffect[] = [];
  const dual = isDualEnrolled(m);
  if (dual && m.kind === 'intune' && !j.flags.dualEnrollment) {
    const detail = {
      ...(m.alsoPartnerMdmAppId ? { partnerMdmAppId: m.alsoPartnerMdmAppId } : {}),
      ...(m.alsoOldMdm ? { oldMdmSource: m.alsoOldMdm } : {}),
    };
    effects.push({ kind: 'escalate', reason: 'dual-enrollment', detail });
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
export function graphStage(
  current: FlowStage,
  view: GraphView,
  claimed: boolean,
  failed: boolean,
): { stage: FlowStage; disagreement?: ExplanationCode } {
  const rank = FLOW_RANK[current];
  const m = view.management;
  switch (m.kind) {
    case 'partner':
      if (rank >= FLOW_RANK.enrolled) return { stage: 'unenrolling', disagreement: 'left-intune' };
      if (rank > FLOW_RANK.unenrolling || claimed || failed) {
        return {
          stage: rank > FLOW_RANK.unenrolling ? 'unenrolling' : current,
          disagreement: 'graph-still-partner-managed',
        };
      }
      return { stage: current };
    case 'none':
      if (failed) return { stage: 'enrolling', disagreement: 'enrollment-failed' };
      if (rank >= FLOW_RANK.enrolled) return { stage: 'unenrolled', disagreement: 'left-intune' };
      return { stage: rank < FLOW_RANK.unenrolled ? 'unenrolled' : current };
    case 'intune':
      if (isDualEnrolled(m)) return { stage: 'enrolled', disagreement: 'dual-enrollment' };
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
      return isDualEnrolled(m);
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

export function validView(view: unknown): view is GraphView {
  if (typeof view !== 'object' || view === null) return false;
  const m = (view as { management?: { kind?: unknown } }).management;
  return typeof m === 'object' && m !== null && ['intune', 'partner', 'none'].includes(String(m.kind));
}

/** Only the fields the product reads are stored, whatever else the caller's object carried. */
function plainManagement(m: Management): Management {
  switch (m.kind) {
    case 'intune':
      return {
        kind: 'intune',
        ...(m.alsoPartnerMdmAppId ? { alsoPartnerMdmAppId: String(m.alsoPartnerMdmAppId) } : {}),
        ...(m.alsoOldMdm ? { alsoOldMdm: String(m.alsoOldMdm) } : {}),
      };
    case 'partner':
      return {
        kind: 'partner',
        ...(m.mdmAppId ? { mdmAppId: String(m.mdmAppId) } : {}),
        ...(m.oldMdm ? { oldMdm: String(m.oldMdm) } : {}),
      };
    case 'none':
      return { kind: 'none' };
  }
}

function plainOldMdm(o: OldMdmSnapshot): OldMdmSnapshot {
  return {
    source: String(o.source),
    vendor: o.vendor,
    listed: o.listed === true,
    ...(o.lastSeen ? { lastSeen: String(o.lastSeen) } : {}),
  };
}
