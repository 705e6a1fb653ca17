/**
 * Time-based escalation triggers, as a pure function of a participant, their wave and the time:
 *
 * - `no-progress`: a device the user has started (any flow stage from `started` to `compliant`,
 *   except `enrolled`, see below) has stayed in its stage longer than `stuckAfterMs` of **business
 *   time** in the user's zone (`isStuck` with `businessElapsed`). Devices not started yet are the
 *   reminders' business, `needs-it` devices are already escalated as such.
 * - `noncompliant`: a device has stayed `enrolled` (Intune manages it, not compliant) longer than
 *   `noncompliantAfterMs` of wall-clock time. This more specific rule is the only one for `enrolled`,
 *   so agents do not get "no progress" for a device that waits on Intune's compliance evaluation.
 * - `deadline-passed`: the wave's end (`endOfWave`: grace period end, else deadline) has passed and
 *   at least one of the user's devices is not done (verified or excluded). About the user, not one
 *   device; users with no known device are not raised.
 *
 * Every trigger is stable while its condition holds: the detail names the stage and the moment it
 * began (or the wave and its end), and `at` is that moment. Raising it again is therefore the same
 * trigger (same fingerprint, same receipt), which the escalation core records once, and does not
 * reopen a ticket an agent resolved after it. A device that moves on and gets stuck again has a new
 * `stageSince`, hence a new trigger.
 */
import type { BusinessHours } from './business-hours';
import { endOfWave, type Wave } from './campaign';
import type { TriggerInput } from './escalation-model';
import { type DeviceJourney, isTerminal, stageIndex } from './journey';
import { isStuck } from './journey-progress';
import type { Participant } from './participant';
import { businessElapsed } from './schedule';

export interface TimeTriggerOptions {
  /** Business milliseconds without progress before `no-progress`. */
  stuckAfterMs: number;
  /** Wall-clock milliseconds in `enrolled` before `noncompliant`. */
  noncompliantAfterMs: number;
  /** The user's IANA zone (their own, else the campaign default). */
  zone: string;
  hours: BusinessHours;
}

/** A trigger with the fields the pending queue and `raise` need, all present. */
export type TimeTrigger = Required<Pick<TriggerInput, 'reason' | 'deviceKey' | 'detail' | 'at'>> & {
  reason: 'no-progress' | 'noncompliant' | 'deadline-passed';
};

const STARTED = stageIndex('started');
const COMPLIANT = stageIndex('compliant');

/** The time-based triggers whose condition holds now for the participant (a member of `wave`). */
export function timeTriggers(
  participant: Pick<Participant, 'journeys' | 'waveId'>,
  wave: Wave,
  now: Date,
  options: TimeTriggerOptions,
): TimeTrigger[] {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs) || participant.waveId !== wave.id) return [];
  const journeys = participant.journeys ?? [];
  const out: TimeTrigger[] = [];
  const elapsed = businessElapsed(options.zone, options.hours);
  for (const j of journeys) {
    const since = Date.parse(j.stageSince);
    if (!Number.isFinite(since)) continue;
    if (j.stage === 'enrolled') {
      if (nowMs - since > options.noncompliantAfterMs) out.push(deviceTrigger('noncompliant', j));
    } else if (isWatched(j) && isStuck(j, now, options.stuckAfterMs, elapsed)) {
      out.push(deviceTrigger('no-progress', j));
    }
  }
  const end = endOfWave(wave);
  const endMs = end ? Date.parse(end) : Number.NaN;
  if (end && Number.isFinite(endMs) && nowMs >= endMs && journeys.some((j) => !isTerminal(j.stage))) {
    const endsAt = new Date(endMs).toISOString();
    out.push({
      reason: 'deadline-passed',
      deviceKey: '',
      detail: { waveId: wave.id, endsAt },
      at: endsAt,
    });
  }
  return out;
}

/** Started and not yet verified, on the flow (not needs-it or excluded). */
function isWatched(j: DeviceJourney): boolean {
  const i = stageIndex(j.stage);
  return i >= STARTED && i <= COMPLIANT;
}

function deviceTrigger(reason: 'no-progress' | 'noncompliant', j: DeviceJourney): TimeTrigger {
  const since = new Date(Date.parse(j.stageSince)).toISOString();
  return { reason, deviceKey: j.deviceKey, detail: { stage: j.stage, since }, at: since };
}
