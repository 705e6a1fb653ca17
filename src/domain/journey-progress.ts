/** Views derived from journeys: whether a device is stuck, and where a participant stands overall. */
import {
  type DeviceJourney,
  FLOW_RANK,
  type FlowStage,
  isTerminal,
  JOURNEY_STAGES,
  type JourneyStage,
} from './journey';

/** Measures elapsed time between two instants; business time comes from `businessElapsed` in schedule.ts. */
export type ElapsedFn = (from: Date, to: Date) => number;

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
    overall = active.map((j) => j.stage as FlowStage).reduce((a, b) => (FLOW_RANK[b] < FLOW_RANK[a] ? b : a));
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
