import { randomUUID } from 'node:crypto';
import { type AuditEvent, auditKey } from '../domain/audit';
import { ConcurrencyError, type Store } from '../ports/store';

/** Who acted: the sender's Entra object id (from the authenticated activity) and display name. */
export interface AuditActor {
  aadObjectId: string;
  name?: string;
}

export interface AuditEntry {
  at: Date;
  actor: AuditActor;
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  /**
   * Makes the record idempotent: a second record with the same key at the same instant is
   * dropped (a retried save audits once). Without it every call is its own record.
   */
  onceKey?: string;
}

/**
 * The one way an audit record is written. Records are never edited; row keys sort newest first
 * within a day. With `onError` a failed write is reported to it and the caller goes on (look-ups
 * whose answer must not wait on the audit); without it the failure is thrown (changes that must
 * not happen unaudited).
 */
export async function recordAudit(
  store: Pick<Store, 'audit'>,
  entry: AuditEntry,
  onError?: (err: unknown) => void,
): Promise<void> {
  const event: AuditEvent = {
    at: entry.at.toISOString(),
    actorAadObjectId: entry.actor.aadObjectId.toLowerCase(),
    ...(entry.actor.name ? { actorName: entry.actor.name } : {}),
    action: entry.action,
    ...(entry.target !== undefined ? { target: entry.target } : {}),
    ...(entry.before !== undefined ? { before: entry.before } : {}),
    ...(entry.after !== undefined ? { after: entry.after } : {}),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
  };
  try {
    await store.audit.insert(auditKey(entry.at, entry.onceKey ?? randomUUID()), event);
  } catch (err) {
    if (entry.onceKey && err instanceof ConcurrencyError && err.kind === 'already-exists') return;
    if (!onError) throw err;
    onError(err);
  }
}

/** The actor of a turn, from the authenticated activity (never from card data). */
export function actorOf(activity: { from?: { aadObjectId?: string; name?: string } }): AuditActor {
  return {
    aadObjectId: activity.from?.aadObjectId?.toLowerCase() ?? '',
    ...(activity.from?.name ? { name: activity.from.name } : {}),
  };
}
