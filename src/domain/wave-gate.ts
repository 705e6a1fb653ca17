/**
 * The wave gate: a wave's results against its success criteria, and whether the wave after it may
 * be announced. Pure; the numbers come from `waveStats`.
 *
 * A criterion passes when its measured value is at or above its minimum (rates) or at or below its
 * maximum (escalations per 100 users). A criterion without data (nothing to divide by: no device has
 * tried to enroll, nobody answered the post-enrollment check …) neither passes nor fails, and the
 * gate passes only when every criterion passes: a wave that has shown nothing has not passed.
 */
import { DEFAULT_SUCCESS_CRITERIA, type SuccessCriteria, type Wave } from './campaign';
import type { Rate, WaveStats } from './wave-stats';

export const CRITERIA = ['enrollmentSuccess', 'escalationsPer100', 'postCheckPass', 'compliance'] as const;
export type CriterionId = (typeof CRITERIA)[number];
export type CriterionOutcome = 'pass' | 'fail' | 'no-data';

export interface CriterionResult {
  id: CriterionId;
  /** The measured value: a fraction 0…1, or tickets per 100 users; undefined without data. */
  value?: number;
  threshold: number;
  /** `min`: the value must be at least the threshold; `max`: at most. */
  bound: 'min' | 'max';
  numerator: number;
  denominator: number;
  outcome: CriterionOutcome;
}

export interface GateResult {
  pass: boolean;
  criteria: CriterionResult[];
}

const SPEC: Record<
  CriterionId,
  { threshold: keyof SuccessCriteria; bound: 'min' | 'max'; rate: keyof WaveStats['rates'] }
> = {
  enrollmentSuccess: { threshold: 'minEnrollmentSuccessRate', bound: 'min', rate: 'enrollmentSuccess' },
  escalationsPer100: { threshold: 'maxEscalationsPer100', bound: 'max', rate: 'escalationsPer100' },
  postCheckPass: { threshold: 'minPostCheckPassRate', bound: 'min', rate: 'postCheckPass' },
  compliance: { threshold: 'minComplianceRate', bound: 'min', rate: 'compliance' },
};

/** The wave's criteria, each missing or unusable threshold replaced by the default one. */
export function effectiveCriteria(criteria: Partial<SuccessCriteria> | undefined): SuccessCriteria {
  const out: SuccessCriteria = { ...DEFAULT_SUCCESS_CRITERIA };
  for (const key of Object.keys(out) as (keyof SuccessCriteria)[]) {
    const v = criteria?.[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return out;
}

function judge(id: CriterionId, threshold: number, r: Rate): CriterionResult {
  const { bound } = SPEC[id];
  const base = { id, threshold, bound, numerator: r.numerator, denominator: r.denominator };
  if (r.value === undefined || !Number.isFinite(r.value)) return { ...base, outcome: 'no-data' };
  const pass = bound === 'min' ? r.value >= threshold : r.value <= threshold;
  return { ...base, value: r.value, outcome: pass ? 'pass' : 'fail' };
}

/** Every criterion of the wave judged against its stats; `pass` only when all of them pass. */
export function evaluateGate(
  criteria: Partial<SuccessCriteria> | undefined,
  stats: Pick<WaveStats, 'rates'>,
): GateResult {
  const c = effectiveCriteria(criteria);
  const results = CRITERIA.map((id) => judge(id, c[SPEC[id].threshold], stats.rates[SPEC[id].rate]));
  return { pass: results.every((r) => r.outcome === 'pass'), criteria: results };
}

export interface BlockingWave {
  wave: Wave;
  /** Its criteria that did not pass (failed or without data); empty when its gate is unknown. */
  failing: CriterionResult[];
}

/** Whether a wave may be announced, and why. */
export type AnnounceDecision =
  | { allowed: true; because: 'first' | 'voluntary' | 'passed' | 'overridden'; predecessors: Wave[] }
  | { allowed: false; because: 'unknown-wave' }
  | { allowed: false; because: 'gate-failed'; predecessors: Wave[]; blocking: BlockingWave[] };

/**
 * Whether wave `waveId` may be announced. Its predecessors are the waves with the nearest lower
 * `order` (normally one), the voluntary opt-in wave aside: volunteers join at their own pace, so that
 * wave never blocks another and is never blocked itself. The wave may be announced when it has no
 * predecessor (the first wave), or when every predecessor passed its gate or carries a gate override
 * (an admin's written reason). Otherwise it is blocked by the predecessors that did neither, each with
 * its criteria that did not pass. `gateOf` is asked only about predecessors without an override;
 * `undefined` means the gate could not be evaluated, which blocks.
 */
export function nextWaveBlock(
  waves: readonly Wave[],
  waveId: string,
  gateOf: (wave: Wave) => GateResult | undefined,
  voluntaryWaveId?: string,
): AnnounceDecision {
  const wave = waves.find((w) => w.id === waveId);
  if (!wave) return { allowed: false, because: 'unknown-wave' };
  if (voluntaryWaveId !== undefined && wave.id === voluntaryWaveId) {
    return { allowed: true, because: 'voluntary', predecessors: [] };
  }
  const earlier = waves.filter(
    (w) => w.id !== wave.id && w.id !== voluntaryWaveId && Number.isFinite(w.order) && w.order < wave.order,
  );
  if (earlier.length === 0) return { allowed: true, because: 'first', predecessors: [] };
  const nearest = Math.max(...earlier.map((w) => w.order));
  const predecessors = earlier.filter((w) => w.order === nearest);

  const blocking: BlockingWave[] = [];
  let overridden = false;
  for (const p of predecessors) {
    if (p.gateOverride) {
      overridden = true;
      continue;
    }
    const gate = gateOf(p);
    if (gate?.pass) continue;
    blocking.push({ wave: p, failing: gate ? gate.criteria.filter((c) => c.outcome !== 'pass') : [] });
  }
  if (blocking.length > 0) return { allowed: false, because: 'gate-failed', predecessors, blocking };
  return { allowed: true, because: overridden ? 'overridden' : 'passed', predecessors };
}
