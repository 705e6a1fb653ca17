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
import { canonicalJson, fingerprint } from './canonical';
import { participantKey } from './participant';

// ---------------------------------------------------------------------------------------------
// Types

/** Why a user reaches the helpdesk. The journey's own reasons (journey.ts `EscalationReason`) are among them. */
export type TriggerReason =
  | 'user-stuck'
  | 'no-progress'
  | 'enrollment-failed'
  | 'noncompliant'
  | 'dual-enrollment'
  | 'post-check-failed'
  | 'needs-it'
  | 'deadline-passed';

// A record rather than a list so that the compiler notices a reason added to the type but not here.
const REASONS: Readonly<Record<TriggerReason, true>> = {
  'user-stuck': true,
  'no-progress': true,
  'enrollment-failed': true,
  noncompliant: true,
  'dual-enrollment': true,
  'post-check-failed': true,
  'needs-it': true,
  'deadline-passed': true,
};
export const TRIGGER_REASONS = Object.keys(REASONS) as readonly TriggerReason[];

export const ESCALATION_STATES = ['open', 'assigned', 'waiting-on-user', 'resolved'] as const;
export type EscalationState = (typeof ESCALATION_STATES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Who the ticket is about, as the helpdesk card shows it; refreshed on every trigger. */
export interface EscalationParticipant {
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  waveId?: string;
  locale?: string;
}

/** A helpdesk member (Entra object id; the name is for display only). */
export interface Agent {
  aadObjectId: string;
  name?: string;
}

/** Who made a timeline entry: the journey/jobs, the ticket's own user, or a helpdesk agent. */
export type Actor = { kind: 'system' } | { kind: 'user' } | ({ kind: 'agent' } & Agent);

/** A trigger as callers pass it (e.g. a participant's pending escalation); validated by `raise`. */
export interface TriggerInput {
  reason: TriggerReason | string;
  /** The device concerned; empty when the trigger is about the user, not one device. */
  deviceKey?: string;
  /** Context for the card (failure category and reason, what the user said …); JSON-serialisable. */
  detail?: unknown;
  /** When it happened (ISO); defaults to the time of raising. */
  at?: string;
}

/** A trigger as the ticket keeps it. */
export interface EscalationTrigger {
  /** Fingerprint of reason + device + detail: what duplicate suppression compares. */
  id: string;
  reason: TriggerReason;
  deviceKey: string;
  detail?: JsonValue;
  at: string;
}

export type RaiseOutcome = 'created' | 'appended' | 'reopened' | 'duplicate';
export type AgentAction = 'assign' | 'wait-on-user' | 'resolve' | 'reopen';

export type TimelineEntry =
  | {
      kind: 'trigger';
      at: string;
      actor: Actor;
      /** The `EscalationTrigger.id`; `triggers` holds its detail while it is among the newest. */
      triggerId: string;
      reason: TriggerReason;
      deviceKey: string;
      outcome: Exclude<RaiseOutcome, 'duplicate'>;
    }
  | { kind: 'user-message'; at: string; actor: { kind: 'user' }; text: string }
  | { kind: 'user-withdrew'; at: string; actor: { kind: 'user' } }
  | {
      kind: 'agent-action';
      at: string;
      actor: Actor;
      action: AgentAction;
      /** For `assign`, and for `wait-on-user` when it made the acting agent the assignee. */
      assignee?: Agent;
      note?: string;
    };

export interface Resolution {
  at: string;
  by: Actor;
  note?: string;
  /** The user said it works now. */
  withdrawn: boolean;
}

/** What is kept of a ticket after the user's next ticket replaced it: enough for per-wave metrics. */
export interface EarlierTicket {
  ticketId: string;
  waveId?: string;
  createdAt: string;
  firstAssignedAt?: string;
  resolvedAt: string;
  reasons: TriggerReason[];
  withdrawn: boolean;
  reopenCount: number;
}

export interface Escalation {
  /** `<aadObjectId>-<n>`: stable for the ticket's life, n counts the user's tickets from 1. */
  ticketId: string;
  ticketNumber: number;
  participant: EscalationParticipant;
  state: EscalationState;
  /** Set while assigned or waiting on the user; kept on resolution (who handled it), cleared on reopen. */
  assignee?: Agent;
  /** The helpdesk channel card, set by the card feature once it has posted it. */
  cardActivityId?: string;
  /**
   * The channel that card lives in (routing may pick another than the default); updates and thread
   * lines go there. Absent on tickets posted before routing: the default channel.
   */
  cardChannelId?: string;
  /** Distinct triggers of this ticket, oldest first, at most MAX_TRIGGERS. */
  triggers: EscalationTrigger[];
  /** Oldest first, at most MAX_TIMELINE entries; `timelineOmitted` counts what was dropped. */
  timeline: TimelineEntry[];
  timelineOmitted: number;
  /** SLA clock: time to assign = firstAssignedAt − createdAt, time to resolve = resolvedAt − createdAt. */
  createdAt: string;
  firstAssignedAt?: string;
  resolvedAt?: string;
  resolution?: Resolution;
  reopenCount: number;
  /** Never moves backwards, even when instances' clocks disagree; every entry's time is at or after it. */
  updatedAt: string;
  /** Bumped on every change a card shows; cards carry it to detect stale actions. */
  version: number;
  /** Trigger fingerprints of the current (or last) open period: duplicate suppression. */
  seen: string[];
  /**
   * Fingerprint + time of every trigger received lately, across tickets: the exact same trigger
   * delivered again (a retried drain after a crash) is a no-op even after the ticket was resolved.
   */
  receipts: string[];
  /** The user's previous tickets, oldest first, at most MAX_EARLIER. */
  earlier: EarlierTicket[];
  /**
   * The "nobody took it" reminder in the card's thread, once per open period: `period` is the
   * `reopenCount` it was sent in, so a reopened ticket may get one again.
   */
  slaReminder?: { at: string; period: number };
}

export type RaiseRejectReason = 'participant-required' | 'participant-mismatch' | 'invalid-trigger';
export type ActionRejectReason =
  /** The action does not apply in the ticket's state (often a stale card). */
  | 'invalid-for-state'
  | 'already-assigned'
  | 'actor-required'
  | 'note-required'
  | 'note-too-long'
  | 'text-required'
  | 'text-too-long'
  | 'activity-id-required';

export type RaiseResult =
  | { ok: true; outcome: RaiseOutcome; escalation: Escalation }
  | { ok: false; reason: RaiseRejectReason; escalation: Escalation | undefined };

export type ActionResult =
  | { ok: true; escalation: Escalation }
  | { ok: false; reason: ActionRejectReason; escalation: Escalation };

export interface RaiseOptions {
  /** A trigger this soon after the resolution reopens the ticket; later ones start the next ticket. */
  reopenWithinMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Bounds

export const DEFAULT_REOPEN_WITHIN_MS = 72 * 3_600_000;
export const MAX_TIMELINE = 50;
export const MAX_TRIGGERS = 20;
/** Generous: a ticket with more distinct triggers than this in one open period is an outlier. */
export const MAX_SEEN = 200;
/** Five times the participant's pending list (20), so a retried drain always finds its receipts. */
export const MAX_RECEIPTS = 100;
export const MAX_EARLIER = 10;
/** User messages and resolution notes; the edge should reject longer ones first. */
export const MAX_TEXT_LENGTH = 500;
/** A trigger's detail as JSON; longer details are kept truncated, as text. */
export const MAX_DETAIL_CHARS = 600;
const MAX_FIELD_LENGTH = 256;
/**
 * Whole row as JSON. TableRepository accepts 32,000 characters; the margin keeps an entity that
 * someone extends later (or the repository's own encoding) from hitting the hard limit.
 */
export const MAX_ESCALATION_JSON = 24_000;

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
// Fingerprints

/** What duplicate suppression compares: reason, device and detail, not the time. */
export function triggerFingerprint(t: Pick<EscalationTrigger, 'reason' | 'deviceKey' | 'detail'>): string {
  return fingerprint(`${t.reason}\n${t.deviceKey}\n${canonicalJson(t.detail ?? null)}`);
}

function receiptOf(t: EscalationTrigger): string {
  return fingerprint(`${t.id}\n${t.at}`);
}

// ---------------------------------------------------------------------------------------------
// Validation of what callers pass

export function isTriggerReason(reason: unknown): reason is TriggerReason {
  return typeof reason === 'string' && Object.hasOwn(REASONS, reason);
}

/** A trigger as stored, or undefined when it cannot be one; `fallbackAt` stands in for a missing time. */
export function normaliseTrigger(input: unknown, fallbackAt: string): EscalationTrigger | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const raw = input as Record<string, unknown>;
  if (!isTriggerReason(raw.reason)) return undefined;
  const deviceKey = typeof raw.deviceKey === 'string' ? raw.deviceKey.trim().slice(0, MAX_FIELD_LENGTH) : '';
  const detail = jsonDetail(raw.detail);
  const given = typeof raw.at === 'string' ? Date.parse(raw.at) : Number.NaN;
  const at = Number.isFinite(given) ? new Date(given).toISOString() : fallbackAt;
  const core = { reason: raw.reason, deviceKey, ...(detail !== undefined ? { detail } : {}) };
  return { id: triggerFingerprint(core), ...core, at };
}

/** Details come from many places (Graph, card data, stored rows): keep them as bounded plain JSON. */
function jsonDetail(detail: unknown): JsonValue | undefined {
  if (detail === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(detail);
  } catch {
    return { unreadable: true }; // cycles, BigInt: note that there was something rather than drop it
  }
  if (text === undefined) return undefined;
  if (text.length > MAX_DETAIL_CHARS) return { truncated: text.slice(0, MAX_DETAIL_CHARS) };
  return JSON.parse(text) as JsonValue;
}

function normaliseParticipant(input: unknown): EscalationParticipant | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const raw = input as Record<string, unknown>;
  const id = typeof raw.aadObjectId === 'string' ? raw.aadObjectId.trim().toLowerCase() : '';
  if (!id || id.length > MAX_FIELD_LENGTH) return undefined;
  const text = (v: unknown) =>
    typeof v === 'string' && v.trim() ? v.trim().slice(0, MAX_FIELD_LENGTH) : undefined;
  const p: EscalationParticipant = { aadObjectId: id };
  const upn = text(raw.userPrincipalName);
  const name = text(raw.displayName);
  const wave = text(raw.waveId);
  const locale = text(raw.locale);
  if (upn) p.userPrincipalName = upn;
  if (name) p.displayName = name;
  if (wave) p.waveId = wave;
  if (locale) p.locale = locale;
  return p;
}

function normaliseAgent(input: unknown): Agent | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const raw = input as Record<string, unknown>;
  const id = typeof raw.aadObjectId === 'string' ? raw.aadObjectId.trim().toLowerCase() : '';
  if (!id || id.length > MAX_FIELD_LENGTH) return undefined;
  const name =
    typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim().slice(0, MAX_FIELD_LENGTH) : '';
  return name ? { aadObjectId: id, name } : { aadObjectId: id };
}

function validWindow(ms: unknown): number {
  return typeof ms === 'number' && ms >= 0 && !Number.isNaN(ms) ? ms : DEFAULT_REOPEN_WITHIN_MS;
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
