/**
 * Retention: when each kind of stored data is due to go, and how the audit trail keeps its shape
 * with people replaced by a stable pseudonym. Pure rules; the purge job (src/workers/retention.ts)
 * pages through storage and applies them.
 */
import { createHmac } from 'node:crypto';
import type { AuditEvent } from './audit';
import type { Broadcast } from './broadcast';
import type { Wave } from './campaign';
import type { Escalation } from './escalation-model';
import type { InventoryDevice, StoredPerson } from './inventory';
import type { Participant } from './participant';

export interface RetentionSettings {
  /** Days after the person's wave closes (or, in no wave, after last contact). */
  participantDays: number;
  /** Days after a ticket was resolved. */
  ticketDays: number;
  /** Days after a broadcast finished or was cancelled. */
  deliveryDays: number;
  /** Hours an import draft is kept. */
  draftHours: number;
  /** Days after which an audit event's people are replaced by pseudonyms. */
  auditPseudonymiseDays: number;
  /** Days after which an audit event is deleted. */
  auditDays: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionSettings> = {
  participantDays: 90,
  ticketDays: 90,
  deliveryDays: 30,
  draftHours: 24,
  auditPseudonymiseDays: 90,
  auditDays: 730,
};

/** How often the purge runs. */
export const PURGE_INTERVAL_MS = 24 * 3_600_000;

const DAY = 86_400_000;
const after = (iso: string | undefined, ms: number): number | undefined => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t + ms : undefined;
};

/**
 * When the person's data is due: `participantDays` after their wave closed (the wave's last update
 * marks the close); in no wave, after last contact. Open waves keep people; tombstones of erased
 * people are kept (they are what keeps the person out).
 */
export function participantDueAt(
  p: Participant,
  waves: ReadonlyMap<string, Pick<Wave, 'state' | 'updatedAt' | 'createdAt'>>,
  s: RetentionSettings,
): number | undefined {
  if (p.erasedAt) return undefined;
  const keep = s.participantDays * DAY;
  if (p.waveId) {
    const wave = waves.get(p.waveId);
    if (wave && wave.state !== 'closed') return undefined;
    // A wave that no longer exists closed at the latest when the person was last heard of.
    return after(wave ? (wave.updatedAt ?? wave.createdAt) : p.lastSeenAt, keep);
  }
  return after(p.lastSeenAt, keep);
}

export const isDue = (dueAt: number | undefined, now: Date): boolean =>
  dueAt !== undefined && dueAt <= now.getTime();

/** A resolved ticket, `ticketDays` after its resolution; open tickets stay. */
export function ticketDueAt(e: Pick<Escalation, 'state' | 'resolvedAt'>, s: RetentionSettings) {
  return e.state === 'resolved' ? after(e.resolvedAt, s.ticketDays * DAY) : undefined;
}

/** A broadcast's delivery rows, `deliveryDays` after it finished or was cancelled. */
export function deliveriesDueAt(
  b: Pick<Broadcast, 'state' | 'finishedAt' | 'cancelledAt'>,
  s: RetentionSettings,
) {
  if (b.state !== 'done' && b.state !== 'cancelled') return undefined;
  return after(b.finishedAt ?? b.cancelledAt, s.deliveryDays * DAY);
}

export function draftDueAt(createdAt: string | undefined, s: RetentionSettings) {
  // A header without a readable time is a damaged draft: due at once.
  return after(createdAt, s.draftHours * 3_600_000) ?? 0;
}

/** An old-MDM row the old MDM stopped listing, kept as long as people are. */
export function inventoryDueAt(d: Pick<InventoryDevice, 'goneAt'>, s: RetentionSettings) {
  return after(d.goneAt, s.participantDays * DAY);
}

/** An old-MDM release record, `participantDays` after it was confirmed or failed; one under way stays. */
export function releaseDueAt(
  r: { state: string; confirmedAt?: string; failedAt?: string },
  s: RetentionSettings,
) {
  if (r.state === 'confirmed') return after(r.confirmedAt, s.participantDays * DAY);
  if (r.state === 'failed') return after(r.failedAt, s.participantDays * DAY);
  return undefined;
}

export type AuditDecision = 'keep' | 'pseudonymise' | 'delete';

export function auditDecision(e: AuditEvent, s: RetentionSettings, now: Date): AuditDecision {
  if (isDue(after(e.at, s.auditDays * DAY), now)) return 'delete';
  if (!isPseudonymised(e) && isDue(after(e.at, s.auditPseudonymiseDays * DAY), now)) return 'pseudonymise';
  return 'keep';
}

const PSEUDONYM = /^pn-[0-9a-f]{20}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,13}/gi;
const EMAIL = /[^\s@"'<>(),;]+@[^\s@"'<>(),;]+\.[^\s@"'<>(),;]+/g;
/** Keys whose values name a person outright; dropped from a pseudonymised event. */
const NAME_KEYS = new Set([
  'actorName',
  'name',
  'displayName',
  'userPrincipalName',
  'upn',
  'email',
  'byName',
]);

/** A stable pseudonym of an Entra object id: the same person always gets the same one, and it cannot be reversed without the key. */
export function pseudonymOf(aadObjectId: string, key: string): string {
  return `pn-${createHmac('sha256', key).update(aadObjectId.toLowerCase()).digest('hex').slice(0, 20)}`;
}

export function isPseudonymised(e: AuditEvent): boolean {
  return PSEUDONYM.test(e.actorAadObjectId) || e.actorAadObjectId === '';
}

/** Replaces ids inside text by pseudonyms and e-mail addresses by a mark. */
export function pseudonymiseText(text: string, key: string): string {
  return text.replace(UUID, (id) => pseudonymOf(id, key)).replace(EMAIL, '[e-mail]');
}

function pseudonymiseValue(value: unknown, key: string, depth = 0): unknown {
  if (typeof value === 'string') return pseudonymiseText(value, key);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => pseudonymiseValue(v, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!NAME_KEYS.has(k)) out[k] = pseudonymiseValue(v, key, depth + 1);
  }
  return out;
}

/** The event with every person replaced by their pseudonym and names removed: what happened stays readable. */
export function pseudonymiseAudit(e: AuditEvent, key: string): AuditEvent {
  const { actorName: _name, ...rest } = e;
  return {
    ...(pseudonymiseValue(rest, key) as AuditEvent),
    actorAadObjectId: e.actorAadObjectId ? pseudonymOf(e.actorAadObjectId, key) : '',
  };
}

/** The inventory row's person once they were erased. */
export const ERASED_PERSON: StoredPerson = { erased: true };

export const isErasedMark = (p: StoredPerson | undefined): boolean => !!p && 'erased' in p;

/**
 * An old-MDM row without who it belongs to: the user fields the old MDM reports, the person and the
 * index copy go; the device and its match stay (the row mirrors the old MDM, which is the source to
 * clean too). `erased` marks it so the matching pass keeps it that way.
 */
export function inventoryWithoutPerson(row: InventoryDevice, erased: boolean): InventoryDevice {
  const { userPrincipalName: _u, userEmail: _e, userName: _n, person: _p, indexedUnder: _i, ...rest } = row;
  return erased ? { ...rest, person: ERASED_PERSON } : rest;
}

/**
 * What the matching pass stores as a row's person: an erased mark stays unless the pass found a
 * live person for the row (only possible once an admin re-added them; the pass then checks again).
 */
export function keptPerson(stored: StoredPerson | undefined, found: StoredPerson | undefined) {
  if (isErasedMark(stored) && !(found && 'aadObjectId' in found)) return ERASED_PERSON;
  return found;
}
