/** What callers hand the ticket logic, checked and normalised; and the fingerprints that deduplicate triggers. */
import { canonicalJson, fingerprint } from './canonical';
import {
  type Agent,
  DEFAULT_REOPEN_WITHIN_MS,
  type EscalationParticipant,
  type EscalationTrigger,
  isTriggerReason,
  type JsonValue,
  MAX_DETAIL_CHARS,
  MAX_FIELD_LENGTH,
} from './escalation-model';

// ---------------------------------------------------------------------------------------------
// Fingerprints

/** What duplicate suppression compares: reason, device and detail, not the time. */
export function triggerFingerprint(t: Pick<EscalationTrigger, 'reason' | 'deviceKey' | 'detail'>): string {
  return fingerprint(`${t.reason}\n${t.deviceKey}\n${canonicalJson(t.detail ?? null)}`);
}

export function receiptOf(t: EscalationTrigger): string {
  return fingerprint(`${t.id}\n${t.at}`);
}

// ---------------------------------------------------------------------------------------------
// Validation of what callers pass

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
export function jsonDetail(detail: unknown): JsonValue | undefined {
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

export function normaliseParticipant(input: unknown): EscalationParticipant | undefined {
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

export function normaliseAgent(input: unknown): Agent | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const raw = input as Record<string, unknown>;
  const id = typeof raw.aadObjectId === 'string' ? raw.aadObjectId.trim().toLowerCase() : '';
  if (!id || id.length > MAX_FIELD_LENGTH) return undefined;
  const name =
    typeof raw.name === 'string' && raw.name.trim() ? raw.name.trim().slice(0, MAX_FIELD_LENGTH) : '';
  return name ? { aadObjectId: id, name } : { aadObjectId: id };
}

export function validWindow(ms: unknown): number {
  return typeof ms === 'number' && ms >= 0 && !Number.isNaN(ms) ? ms : DEFAULT_REOPEN_WITHIN_MS;
}
