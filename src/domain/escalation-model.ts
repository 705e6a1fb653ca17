/** The helpdesk ticket's data: its types and the bounds that keep a ticket row small. */
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

export function isTriggerReason(reason: unknown): reason is TriggerReason {
  return typeof reason === 'string' && Object.hasOwn(REASONS, reason);
}

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
  /**
   * Set just before the channel card is sent, cleared when its id is stored or the connector refused
   * it: a ticket with this and no card may or may not have its card in the channel (the instance
   * died on the way), so it is not posted again — at most one card per ticket.
   */
  cardPostingAt?: string;
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
export const MAX_FIELD_LENGTH = 256;
/**
 * Whole row as JSON. TableRepository accepts 32,000 characters; the margin keeps an entity that
 * someone extends later (or the repository's own encoding) from hitting the hard limit.
 */
export const MAX_ESCALATION_JSON = 24_000;
