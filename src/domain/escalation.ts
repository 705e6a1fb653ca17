/**
 * A helpdesk ticket for one user, as a pure state machine:
 *
 *   open              → assigned (assign), waiting-on-user (waitOnUser: the acting agent takes it)
 *   assigned          → assigned (assign to someone else), waiting-on-user (waitOnUser)
 *   waiting-on-user   → assigned (the user adds detail, or a new trigger arrives)
 *   any of the above  → resolved (resolve with a note, or userWithdraws: "it works now")
 *   resolved          → open (reopen by an agent, or raise within the reopen window)
 *
 * One ticket per user at a time: the stored row (keyed by the user, see `escalationKey`) holds the
 * current ticket, and `raise` never opens a second one while it is unresolved. A trigger for an
 * unresolved ticket is added to its timeline (once: the same reason + device + detail within one
 * open period is recorded once). A trigger for a resolved ticket reopens that same ticket when it
 * comes within `reopenWithinMs` (default 72 h) of the resolution, because it is most likely the same
 * problem and the agent already has the context; later triggers start ticket n+1 (fresh timeline and
 * SLA clock), and ticket n is kept as a short summary in `earlier` so per-wave metrics can count it.
 *
 * Every function is total: input that does not fit (stale or forged card data, a wrong state) comes
 * back as `{ ok: false, reason }` with the escalation untouched (the same object), never a throw.
 * The row is bounded (timeline, triggers, bookkeeping and the total JSON size) so that a noisy user
 * can never make it too large for a table row.
 */
import {
  normaliseAgent,
  normaliseParticipant,
  normaliseTrigger,
  receiptOf,
  validWindow,
} from './escalation-input';
import {
  type ActionRejectReason,
  type ActionResult,
  type Actor,
  type Agent,
  type EarlierTicket,
  type Escalation,
  type EscalationParticipant,
  type EscalationTrigger,
  MAX_EARLIER,
  MAX_ESCALATION_JSON,
  MAX_FIELD_LENGTH,
  MAX_RECEIPTS,
  MAX_SEEN,
  MAX_TEXT_LENGTH,
  MAX_TIMELINE,
  MAX_TRIGGERS,
  type RaiseOptions,
  type RaiseResult,
  type TimelineEntry,
  type TriggerInput,
} from './escalation-model';
import { participantKey } from './participant';

// ---------------------------------------------------------------------------------------------
// Keys and small queries

/** Same spread as participants (64 hashed partitions), row key the lowercased object id: one row per user. */
export function escalationKey(aadObjectId: string): { partitionKey: string; rowKey: string } {
  return participantKey(aadObjectId);
}

export function isOpen(e: Pick<Escalation, 'state'>): boolean {
  return e.state !== 'resolved';
}

// ---------------------------------------------------------------------------------------------
// Raising

/**
 * Records a trigger for the user: creates the ticket, appends to the unresolved one, reopens a recently
 * resolved one or starts the next one. `outcome: 'duplicate'` means nothing an agent would see changed;
 * the escalation may still carry a new receipt, which matters to callers that may deliver the same
 * trigger again later (a drain retried after a crash) and not to one-off raises.
 *
 * A trigger for a resolved ticket that the ticket already held and that happened before the
 * resolution is a duplicate too: the agent resolved that problem. Happening after it, it reopens.
 */
export function raise(
  current: Escalation | undefined,
  input: { participant: EscalationParticipant; trigger: TriggerInput },
  now: Date,
  options: RaiseOptions = {},
): RaiseResult {
  const participant = normaliseParticipant(input?.participant);
  if (!participant) return { ok: false, reason: 'participant-required', escalation: current };
  if (current && current.participant.aadObjectId !== participant.aadObjectId) {
    return { ok: false, reason: 'participant-mismatch', escalation: current };
  }
  const at = current ? effectiveNow(current, now) : (validIso(now) ?? new Date(0).toISOString());
  const trigger = normaliseTrigger(input?.trigger, at);
  if (!trigger) return { ok: false, reason: 'invalid-trigger', escalation: current };
  const receipt = receiptOf(trigger);

  if (!current) {
    return { ok: true, outcome: 'created', escalation: newTicket(participant, 1, trigger, receipt, at, {}) };
  }
  if (current.receipts.includes(receipt)) return { ok: true, outcome: 'duplicate', escalation: current };
  const base: Escalation = { ...current, participant, receipts: [...current.receipts, receipt] };

  if (isOpen(current)) {
    if (current.seen.includes(trigger.id))
      return { ok: true, outcome: 'duplicate', escalation: bounded(base) };
    // New information is the user's (or the system's) answer: back to the agent who was waiting.
    const state = current.state === 'waiting-on-user' ? 'assigned' : current.state;
    return {
      ok: true,
      outcome: 'appended',
      escalation: withTrigger({ ...base, state }, trigger, at, 'appended'),
    };
  }

  // Resolved. The same problem, reported before the resolution, was part of what the agent resolved.
  const resolvedMs = Date.parse(current.resolvedAt ?? '');
  if (current.seen.includes(trigger.id) && Date.parse(trigger.at) < resolvedMs) {
    return { ok: true, outcome: 'duplicate', escalation: bounded(base) };
  }
  const window = validWindow(options.reopenWithinMs);
  if (!Number.isFinite(resolvedMs) || Date.parse(at) - resolvedMs <= window) {
    return {
      ok: true,
      outcome: 'reopened',
      escalation: withTrigger(reopened(base), trigger, at, 'reopened'),
    };
  }
  const earlier = [...current.earlier, summaryOf(current)];
  return {
    ok: true,
    outcome: 'created',
    escalation: newTicket(participant, current.ticketNumber + 1, trigger, receipt, at, {
      version: current.version,
      receipts: current.receipts,
      earlier,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Agent actions

/** Assign (or reassign) the ticket; a ticket waiting on the user stays waiting, now for the new assignee. */
export function assign(e: Escalation, to: Agent, by: Agent, now: Date): ActionResult {
  const assignee = normaliseAgent(to);
  const actor = normaliseAgent(by);
  if (!assignee || !actor) return reject(e, 'actor-required');
  if (!isOpen(e)) return reject(e, 'invalid-for-state');
  if (e.assignee?.aadObjectId === assignee.aadObjectId) return reject(e, 'already-assigned');
  const at = effectiveNow(e, now);
  return accept({
    ...changed(e, at),
    state: e.state === 'open' ? 'assigned' : e.state,
    assignee,
    firstAssignedAt: e.firstAssignedAt ?? at,
    timeline: [
      ...e.timeline,
      { kind: 'agent-action', at, actor: agentActor(actor), action: 'assign', assignee },
    ],
  });
}

/** Waiting on the user means someone is on it: the acting agent, when nobody was assigned yet. */
export function waitOnUser(e: Escalation, by: Agent, now: Date): ActionResult {
  const actor = normaliseAgent(by);
  if (!actor) return reject(e, 'actor-required');
  if (e.state !== 'open' && e.state !== 'assigned') return reject(e, 'invalid-for-state');
  const at = effectiveNow(e, now);
  const took = e.assignee === undefined;
  const assignee = e.assignee ?? actor;
  return accept({
    ...changed(e, at),
    state: 'waiting-on-user',
    assignee,
    firstAssignedAt: e.firstAssignedAt ?? at,
    timeline: [
      ...e.timeline,
      {
        kind: 'agent-action',
        at,
        actor: agentActor(actor),
        action: 'wait-on-user',
        ...(took ? { assignee } : {}),
      },
    ],
  });
}

/** Resolving needs a note: it is what the user and the next agent read. */
export function resolve(e: Escalation, by: Agent, note: string, now: Date): ActionResult {
  const actor = normaliseAgent(by);
  if (!actor) return reject(e, 'actor-required');
  if (!isOpen(e)) return reject(e, 'invalid-for-state');
  const text = typeof note === 'string' ? note.trim() : '';
  if (!text) return reject(e, 'note-required');
  if (text.length > MAX_TEXT_LENGTH) return reject(e, 'note-too-long');
  const at = effectiveNow(e, now);
  const who = agentActor(actor);
  return accept({
    ...changed(e, at),
    state: 'resolved',
    resolvedAt: at,
    resolution: { at, by: who, note: text, withdrawn: false },
    timeline: [...e.timeline, { kind: 'agent-action', at, actor: who, action: 'resolve', note: text }],
  });
}

/** Back to open and unassigned: whoever picks it up assigns it again, which the card makes one click. */
export function reopen(e: Escalation, by: Agent, now: Date): ActionResult {
  const actor = normaliseAgent(by);
  if (!actor) return reject(e, 'actor-required');
  if (isOpen(e)) return reject(e, 'invalid-for-state');
  const at = effectiveNow(e, now);
  const back = reopened(changed(e, at));
  return accept({
    ...back,
    timeline: [...back.timeline, { kind: 'agent-action', at, actor: agentActor(actor), action: 'reopen' }],
  });
}

// ---------------------------------------------------------------------------------------------
// The user's side

/** The user adds details; a ticket waiting on them goes back to its assignee. */
export function userAddsDetail(e: Escalation, text: string, now: Date): ActionResult {
  if (!isOpen(e)) return reject(e, 'invalid-for-state');
  const said = typeof text === 'string' ? text.trim() : '';
  if (!said) return reject(e, 'text-required');
  if (said.length > MAX_TEXT_LENGTH) return reject(e, 'text-too-long');
  const at = effectiveNow(e, now);
  return accept({
    ...changed(e, at),
    state: e.state === 'waiting-on-user' ? 'assigned' : e.state,
    timeline: [...e.timeline, { kind: 'user-message', at, actor: { kind: 'user' }, text: said }],
  });
}

/** "It works now": resolved by the user; a later trigger reopens it like any resolution. */
export function userWithdraws(e: Escalation, now: Date): ActionResult {
  if (!isOpen(e)) return reject(e, 'invalid-for-state');
  const at = effectiveNow(e, now);
  return accept({
    ...changed(e, at),
    state: 'resolved',
    resolvedAt: at,
    resolution: { at, by: { kind: 'user' }, withdrawn: true },
    timeline: [...e.timeline, { kind: 'user-withdrew', at, actor: { kind: 'user' } }],
  });
}

/**
 * Remembers the channel card that shows this ticket and, when given, the channel it was posted in
 * (not a visible change: no version bump). Without a channel id a previously stored one is dropped
 * for a new card (the new card lives in the default channel), kept for the same card.
 */
export function attachCard(e: Escalation, activityId: string, channelId?: string): ActionResult {
  const id = typeof activityId === 'string' ? activityId.trim() : '';
  if (!id || id.length > MAX_FIELD_LENGTH) return reject(e, 'activity-id-required');
  const channel = typeof channelId === 'string' ? channelId.trim() : '';
  if (channel.length > MAX_FIELD_LENGTH) return reject(e, 'activity-id-required');
  const sameCard = id === e.cardActivityId;
  const nextChannel = channel || (sameCard ? e.cardChannelId : undefined);
  if (sameCard && nextChannel === e.cardChannelId) return { ok: true, escalation: e };
  const { cardChannelId: _previous, ...rest } = e;
  return accept({ ...rest, cardActivityId: id, ...(nextChannel ? { cardChannelId: nextChannel } : {}) });
}

// ---------------------------------------------------------------------------------------------
// SLA

/** When the current open period began: the last reopen (by an agent or a trigger), else creation. */
export function openPeriodStart(e: Pick<Escalation, 'createdAt' | 'timeline'>): string {
  for (let i = e.timeline.length - 1; i >= 0; i--) {
    const entry = e.timeline[i]!;
    if (
      (entry.kind === 'trigger' && entry.outcome === 'reopened') ||
      (entry.kind === 'agent-action' && entry.action === 'reopen')
    )
      return entry.at;
  }
  return e.createdAt;
}

/**
 * True when the ticket is open, nobody is assigned, no SLA reminder was sent in this open period and
 * more than `limitMs` (as `elapsed` counts it: business time) passed since the period began.
 */
export function slaAssignOverdue(
  e: Escalation,
  now: Date,
  limitMs: number,
  elapsed: (from: Date, to: Date) => number,
): boolean {
  if (e.state !== 'open' || e.assignee) return false;
  if (e.slaReminder?.period === e.reopenCount) return false;
  const start = new Date(openPeriodStart(e));
  if (Number.isNaN(start.getTime()) || Number.isNaN(now.getTime())) return false;
  return elapsed(start, now) >= limitMs;
}

/** Records that the SLA reminder was sent (not a visible change: no version bump). */
export function recordSlaReminder(e: Escalation, now: Date): ActionResult {
  if (e.state !== 'open') return reject(e, 'invalid-for-state');
  return accept({ ...e, slaReminder: { at: effectiveNow(e, now), period: e.reopenCount } });
}

// ---------------------------------------------------------------------------------------------
// Building blocks

function newTicket(
  participant: EscalationParticipant,
  n: number,
  trigger: EscalationTrigger,
  receipt: string,
  at: string,
  carried: { version?: number; receipts?: string[]; earlier?: EarlierTicket[] },
): Escalation {
  return bounded({
    ticketId: `${participant.aadObjectId}-${n}`,
    ticketNumber: n,
    participant,
    state: 'open',
    triggers: [trigger],
    timeline: [triggerEntry(trigger, at, 'created')],
    timelineOmitted: 0,
    createdAt: at,
    reopenCount: 0,
    updatedAt: at,
    version: (carried.version ?? 0) + 1,
    seen: [trigger.id],
    receipts: [...(carried.receipts ?? []), receipt],
    earlier: carried.earlier ?? [],
  });
}

function withTrigger(
  e: Escalation,
  trigger: EscalationTrigger,
  at: string,
  outcome: 'appended' | 'reopened',
): Escalation {
  const base = changed(e, at);
  return bounded({
    ...base,
    triggers: [...base.triggers.filter((t) => t.id !== trigger.id), trigger],
    seen: [...base.seen, trigger.id],
    timeline: [...base.timeline, triggerEntry(trigger, at, outcome)],
  });
}

function triggerEntry(
  t: EscalationTrigger,
  at: string,
  outcome: 'created' | 'appended' | 'reopened',
): TimelineEntry {
  return {
    kind: 'trigger',
    at,
    actor: t.reason === 'user-stuck' ? { kind: 'user' } : { kind: 'system' },
    triggerId: t.id,
    reason: t.reason,
    deviceKey: t.deviceKey,
    outcome,
  };
}

/** A new open period of the same ticket: unassigned, unresolved, duplicate suppression starts over. */
function reopened(e: Escalation): Escalation {
  const { assignee: _a, resolvedAt: _r, resolution: _res, ...rest } = e;
  return { ...rest, state: 'open', reopenCount: e.reopenCount + 1, seen: [] };
}

function summaryOf(e: Escalation): EarlierTicket {
  const reasons = [...new Set(e.triggers.map((t) => t.reason))];
  return {
    ticketId: e.ticketId,
    ...(e.participant.waveId ? { waveId: e.participant.waveId } : {}),
    createdAt: e.createdAt,
    ...(e.firstAssignedAt ? { firstAssignedAt: e.firstAssignedAt } : {}),
    resolvedAt: e.resolvedAt ?? e.updatedAt,
    reasons,
    withdrawn: e.resolution?.withdrawn ?? false,
    reopenCount: e.reopenCount,
  };
}

function changed(e: Escalation, at: string): Escalation {
  return { ...e, updatedAt: at, version: e.version + 1 };
}

function agentActor(a: Agent): Actor {
  return { kind: 'agent', ...a };
}

function accept(e: Escalation): ActionResult {
  return { ok: true, escalation: bounded(e) };
}

function reject(e: Escalation, reason: ActionRejectReason): ActionResult {
  return { ok: false, reason, escalation: e };
}

/**
 * Applies the bounds: counts first, then the row's JSON size, dropping the oldest timeline entries
 * (counted in `timelineOmitted`) and then the oldest triggers' details, never the newest of either.
 */
function bounded(e: Escalation): Escalation {
  let timeline = e.timeline;
  let omitted = e.timelineOmitted;
  if (timeline.length > MAX_TIMELINE) {
    omitted += timeline.length - MAX_TIMELINE;
    timeline = timeline.slice(-MAX_TIMELINE);
  }
  let out: Escalation = {
    ...e,
    timeline,
    timelineOmitted: omitted,
    triggers: e.triggers.slice(-MAX_TRIGGERS),
    seen: e.seen.slice(-MAX_SEEN),
    receipts: e.receipts.slice(-MAX_RECEIPTS),
    earlier: e.earlier.slice(-MAX_EARLIER),
  };
  while (JSON.stringify(out).length > MAX_ESCALATION_JSON) {
    if (out.timeline.length > 1) {
      out = { ...out, timeline: out.timeline.slice(1), timelineOmitted: out.timelineOmitted + 1 };
    } else if (out.triggers.length > 1) {
      out = { ...out, triggers: out.triggers.slice(1) };
    } else {
      break; // cannot happen with the field bounds above; never loop forever on a surprise
    }
  }
  return out;
}

/** Time only moves forward for a ticket: a skewed or invalid clock cannot make SLA durations negative. */
function effectiveNow(e: Escalation, now: Date): string {
  const last = Date.parse(e.updatedAt);
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) return e.updatedAt;
  return Number.isFinite(last) && last > t ? e.updatedAt : new Date(t).toISOString();
}

function validIso(d: Date): string | undefined {
  return d instanceof Date && Number.isFinite(d.getTime()) ? d.toISOString() : undefined;
}
