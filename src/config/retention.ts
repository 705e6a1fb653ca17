/**
 * Retention settings and the pseudonym key: how long each kind of data is kept (src/domain/retention.ts,
 * docs/privacy.md says why the defaults) and the secret that turns people in the audit trail into
 * stable pseudonyms.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_RETENTION, type RetentionSettings } from '../domain/retention';
import { checked, text } from './settings';

function days(name: string, byDefault: number, meaning: string, min: number, max: number) {
  return checked(z.coerce.number().int().min(min).max(max), {
    byDefault: String(byDefault),
    explain: (raw) =>
      `${name}: "${raw}" must be a whole number from ${min} to ${max} (${meaning}; default ${byDefault}).`,
  });
}

const D = DEFAULT_RETENTION;

export const RETENTION_VARIABLES = {
  RETENTION_PARTICIPANT_DAYS: days(
    'RETENTION_PARTICIPANT_DAYS',
    D.participantDays,
    'days a person’s data is kept after their wave closes',
    1,
    3650,
  ),
  RETENTION_TICKET_DAYS: days(
    'RETENTION_TICKET_DAYS',
    D.ticketDays,
    'days a resolved ticket and its notes are kept',
    1,
    3650,
  ),
  RETENTION_DELIVERY_DAYS: days(
    'RETENTION_DELIVERY_DAYS',
    D.deliveryDays,
    'days delivery records are kept after a broadcast finished',
    1,
    3650,
  ),
  RETENTION_DRAFT_HOURS: days(
    'RETENTION_DRAFT_HOURS',
    D.draftHours,
    'hours an import preview is kept; a preview can be confirmed for 24 hours at most',
    1,
    24,
  ),
  RETENTION_AUDIT_PSEUDONYMISE_DAYS: days(
    'RETENTION_AUDIT_PSEUDONYMISE_DAYS',
    D.auditPseudonymiseDays,
    'days after which people in the audit trail are replaced by pseudonyms',
    1,
    3650,
  ),
  RETENTION_AUDIT_DAYS: days('RETENTION_AUDIT_DAYS', D.auditDays, 'days the audit trail is kept', 1, 3650),
  PRIVACY_PSEUDONYM_KEY: text,
};

type RetentionEnv = {
  [K in Exclude<keyof typeof RETENTION_VARIABLES, 'PRIVACY_PSEUDONYM_KEY'>]: number;
} & { PRIVACY_PSEUDONYM_KEY?: string; EXPORT_SIGNING_KEY?: string; NODE_ENV?: string };

/**
 * PRIVACY_PSEUDONYM_KEY, or one derived from EXPORT_SIGNING_KEY (already required in production) so
 * that pseudonyms are stable without another secret; a development key on a developer's machine.
 */
export function pseudonymKeyOf(env: RetentionEnv): string {
  if (env.PRIVACY_PSEUDONYM_KEY) return env.PRIVACY_PSEUDONYM_KEY;
  const base = env.EXPORT_SIGNING_KEY ?? 'development-pseudonym-key';
  return createHmac('sha256', base).update('mc-pseudonym-v1').digest('base64url');
}

export function retentionOf(env: RetentionEnv): RetentionSettings {
  return {
    participantDays: env.RETENTION_PARTICIPANT_DAYS,
    ticketDays: env.RETENTION_TICKET_DAYS,
    deliveryDays: env.RETENTION_DELIVERY_DAYS,
    draftHours: env.RETENTION_DRAFT_HOURS,
    auditPseudonymiseDays: env.RETENTION_AUDIT_PSEUDONYMISE_DAYS,
    auditDays: env.RETENTION_AUDIT_DAYS,
  };
}

/** The rules that involve several retention settings, and production's need for its own key. */
export function checkRetention(
  env: RetentionEnv,
  problem: (variable: keyof typeof RETENTION_VARIABLES, message: string) => void,
): void {
  if (env.RETENTION_AUDIT_PSEUDONYMISE_DAYS > env.RETENTION_AUDIT_DAYS) {
    problem(
      'RETENTION_AUDIT_PSEUDONYMISE_DAYS',
      'RETENTION_AUDIT_PSEUDONYMISE_DAYS: longer than RETENTION_AUDIT_DAYS; people must be pseudonymised before the audit trail is deleted.',
    );
  }
  const key = env.PRIVACY_PSEUDONYM_KEY;
  if (key && env.NODE_ENV === 'production' && key.length < 32) {
    problem(
      'PRIVACY_PSEUDONYM_KEY',
      'PRIVACY_PSEUDONYM_KEY: shorter than 32 characters; use a long random secret.',
    );
  }
}
