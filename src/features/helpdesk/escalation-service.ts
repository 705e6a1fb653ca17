/**
 * Storage side of escalations: every change is an ETag read-modify-write of the user's one row in
 * the `escalations` table (see `escalationKey`). Several app instances may raise triggers for the
 * same user at the same moment; the first write creates the row, every other writer's insert or
 * replace fails on the ETag, re-reads and re-applies its trigger to what is now there. So there is
 * exactly one ticket per user, and no trigger is lost or recorded twice.
 *
 * The results say what happened so that the card feature can post a new channel card (`created`),
 * update the existing one (`appended`, `reopened`) or do nothing (`duplicate`).
 */
import { canonicalJson } from '../../domain/canonical';
import { escalationKey, raise } from '../../domain/escalation';
import {
  type Escalation,
  type EscalationParticipant,
  isTriggerReason,
  type RaiseOptions,
  type RaiseOutcome,
  type RaiseRejectReason,
  type TriggerInput,
} from '../../domain/escalation-model';
import { type Participant, participantKey } from '../../domain/participant';
import type { Clock } from '../../ports/clock';
import type { Store } from '../../ports/store';

export interface RaiseRequest {
  participant: EscalationParticipant;
  trigger: TriggerInput;
}

export type RaiseEscalationResult =
  | {
      ok: true;
      outcome: RaiseOutcome;
      escalation: Escalation;
      /** Read-modify-write rounds: 1 when nobody else wrote the row meanwhile (ETag retries + 1). */
      attempts: number;
    }
  | { ok: false; reason: RaiseRejectReason; attempts: number };

/** Records one trigger on the user's ticket (creating, appending, reopening or starting the next one). */
export async function raiseEscalation(
  store: Pick<Store, 'escalations'>,
  clock: Clock,
  request: RaiseRequest,
  options: RaiseOptions = {},
): Promise<RaiseEscalationResult> {
  const id = request?.participant?.aadObjectId;
  if (typeof id !== 'string' || id.trim() === '')
    return { ok: false, reason: 'participant-required', attempts: 0 };
  let attempts = 0;
  let last: ReturnType<typeof raise> | undefined;
  await store.escalations.update(escalationKey(id), (current) => {
    // Runs again after every lost ETag race, on the fresh row: only the last run's result counts.
    attempts++;
    last = raise(current, request, clock.now(), options);
    // A duplicate changes nothing an agent sees; its only change would be a receipt, which guards
    // drains that may run again, not single raises. Skipping the write spares the racing instances.
    return last.ok && last.outcome !== 'duplicate' ? last.escalation : undefined;
  });
  if (!last) throw new Error('escalations.update did not call its mutate function');
  return last.ok
    ? { ok: true, outcome: last.outcome, escalation: last.escalation, attempts }
    : { ok: false, reason: last.reason, attempts };
}

export type PendingEscalation = NonNullable<Participant['pendingEscalations']>[number];

export interface DrainResult {
  /**
   * What happened to the ticket: the strongest outcome among the drained entries (created, then
   * reopened, then appended, then duplicate), or `nothing` when there was nothing to drain.
   */
  outcome: RaiseOutcome | 'nothing';
  escalation?: Escalation;
  /** Pending entries the ticket now holds (whether recorded now or already before). */
  moved: number;
  /** Entries that are no valid trigger (an unknown reason); removed from the participant for the caller to log. */
  invalid: PendingEscalation[];
  /** Read-modify-write rounds on the ticket row. */
  attempts: number;
}

const STRENGTH: Readonly<Record<RaiseOutcome, number>> = {
  duplicate: 0,
  appended: 1,
  reopened: 2,
  created: 3,
};

/**
 * Moves a participant's `pendingEscalations` (queued by the journey and by "I'm stuck") into their
 * ticket. Crash-safe and idempotent, by ordering:
 *
 * 1. read the pending entries;
 * 2. record them on the ticket (ETag read-modify-write);
 * 3. only then remove them from the participant, by content and again by ETag read-modify-write, so
 *    entries queued meanwhile stay for the next drain (a blind write of the list read in step 1
 *    would lose them).
 *
 * A crash between 2 and 3 leaves the entries pending; the next drain finds the ticket already holds
 * them (its receipts: same trigger, same time), even if an agent resolved the ticket in between, and
 * only removes them. Two instances draining at once do the same work twice, harmlessly.
 */
export async function drainPendingEscalations(
  store: Pick<Store, 'escalations' | 'participants'>,
  clock: Clock,
  aadObjectId: string,
  options: RaiseOptions = {},
): Promise<DrainResult> {
  const key = participantKey(aadObjectId);
  const stored = await store.participants.get(key);
  const pending = stored?.value.pendingEscalations ?? [];
  if (!stored || pending.length === 0) return { outcome: 'nothing', moved: 0, invalid: [], attempts: 0 };
  const participant = participantOf(stored.value);
  const valid = pending.filter((entry) => isTriggerReason(entry?.reason));
  const invalid = pending.filter((entry) => !isTriggerReason(entry?.reason));

  let attempts = 0;
  let outcome: RaiseOutcome | 'nothing' = 'nothing';
  let escalation: Escalation | undefined;
  if (valid.length > 0) {
    escalation = await store.escalations.update(escalationKey(participant.aadObjectId), (current) => {
      attempts++;
      outcome = 'nothing';
      let next = current;
      const now = clock.now();
      for (const entry of valid) {
        const result = raise(next, { participant, trigger: entry }, now, options);
        // Cannot fail: the row is this user's and the reason was checked; a surprise must not drop entries.
        if (!result.ok)
          throw new Error(`escalation for ${participant.aadObjectId} refused: ${result.reason}`);
        next = result.escalation;
        if (outcome === 'nothing' || STRENGTH[result.outcome] > STRENGTH[outcome]) outcome = result.outcome;
      }
      return next !== current ? next : undefined;
    });
  }

  // Only now that the ticket holds them: remove exactly the entries read above.
  const drained = new Set(pending.map((entry) => canonicalJson(entry)));
  await store.participants.update(key, (current) => {
    const list = current?.pendingEscalations;
    if (!current || !list?.length) return undefined;
    const left = list.filter((entry) => !drained.has(canonicalJson(entry)));
    if (left.length === list.length) return undefined;
    const { pendingEscalations: _drained, ...rest } = current;
    return {
      ...rest,
      ...(left.length > 0 ? { pendingEscalations: left } : {}),
      version: current.version + 1,
    };
  });

  return { outcome, ...(escalation ? { escalation } : {}), moved: valid.length, invalid, attempts };
}

/** The participant as the helpdesk card shows them. */
export function participantOf(p: Participant): EscalationParticipant {
  return {
    aadObjectId: p.aadObjectId,
    ...(p.userPrincipalName ? { userPrincipalName: p.userPrincipalName } : {}),
    ...(p.displayName ? { displayName: p.displayName } : {}),
    ...(p.waveId ? { waveId: p.waveId } : {}),
    ...(p.locale ? { locale: p.locale } : {}),
  };
}
