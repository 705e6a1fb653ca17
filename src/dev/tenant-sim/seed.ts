/**
 * The seed format (demo-tenant.json, generated tenants, test fixtures), validated with zod so a
 * typo in a seed file fails at start-up with the path of the bad field instead of a strange reply.
 */
import { z } from 'zod';
import { COMPLIANCE_STATES, FAILURE_CATEGORIES, OPERATING_SYSTEMS } from './model';

/**
 * A date-time: ISO 8601, "now", or relative to the tenant clock ("-3d", "-2h", "-30m", "+1d"),
 * so a JSON seed stays fresh however long ago it was written.
 */
const dateInput = z
  .string()
  .refine((s) => RELATIVE_TIME.test(s) || s === 'now' || !Number.isNaN(Date.parse(s)), {
    message: 'expected an ISO date-time, "now" or a relative time such as "-3d", "-2h", "-30m"',
  });
const RELATIVE_TIME = /^([+-])(\d+)([dhm])$/;

const userSeed = z
  .object({
    id: z.string().min(1),
    userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'expected name@domain'),
    displayName: z.string().min(1),
    givenName: z.string().nullish(),
    surname: z.string().nullish(),
    mail: z.string().nullish(),
    preferredLanguage: z.string().nullish(),
    usageLocation: z.string().nullish(),
    jobTitle: z.string().nullish(),
    officeLocation: z.string().nullish(),
    mobilePhone: z.string().nullish(),
    accountEnabled: z.boolean().optional(),
    blocksApp: z.boolean().optional(),
    /** Teams app ids already installed for the user. */
    installedApps: z.array(z.string().min(1)).optional(),
  })
  .strict();

const groupSeed = z
  .object({
    id: z.string().min(1),
    displayName: z.string().min(1),
    description: z.string().nullish(),
    /** User ids, user principal names, or ids of other groups (nesting). */
    members: z.array(z.string().min(1)).default([]),
  })
  .strict();

const deviceSeed = z
  .object({
    /** Entra object id; generated when absent. */
    id: z.string().min(1).optional(),
    /** Entra deviceId (what Intune's azureADDeviceId points at); generated when absent. */
    deviceId: z.string().min(1).optional(),
    /** Primary user: id or user principal name. */
    user: z.string().min(1),
    displayName: z.string().min(1),
    operatingSystem: z.enum(OPERATING_SYSTEMS),
    osVersion: z.string().min(1),
    model: z.string().min(1),
    manufacturer: z.string().min(1),
    serialNumber: z.string().optional(),
    /** Cellular identifiers (phones, cellular tablets) and Apple's UDID, as Intune reports them. */
    imei: z.string().optional(),
    meid: z.string().optional(),
    udid: z.string().optional(),
    ownership: z.enum(['personal', 'company']),
    trustType: z.enum(['Workplace', 'AzureAd', 'ServerAd']).optional(),
    relationship: z.enum(['both', 'registered', 'owned']).default('both'),
    supervised: z.boolean().optional(),
    /** Who manages it at seed time. "partner" = the old MDM only (the demo's starting point). */
    management: z.enum(['partner', 'intune', 'dual', 'none']).default('partner'),
    partnerMdmAppId: z.string().min(1).optional(),
    /** Entra isCompliant while only the partner MDM manages it. */
    partnerCompliant: z.boolean().optional(),
    enrollmentType: z.string().min(1).optional(),
    registrationDateTime: dateInput.optional(),
    approximateLastSignInDateTime: dateInput.nullish(),
    intune: z
      .object({
        id: z.string().min(1).optional(),
        complianceState: z.enum(COMPLIANCE_STATES).optional(),
        enrolledDateTime: dateInput.optional(),
        lastSyncDateTime: dateInput.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const eventSeed = z
  .object({
    id: z.string().min(1).optional(),
    /** User id or user principal name. */
    user: z.string().min(1),
    /** Entra deviceId, object id or display name of one of the user's devices. */
    device: z.string().min(1).optional(),
    eventDateTime: dateInput.optional(),
    failureCategory: z.enum(FAILURE_CATEGORIES).default('authentication'),
    failureReason: z.string().optional(),
  })
  .strict();

/** Unknown fields are errors (strict), so a misspelt field in a seed file is reported, not ignored. */
export const tenantSeedSchema = z
  .object({
    $comment: z.string().optional(),
    tenantId: z.string().min(1).optional(),
    users: z.array(userSeed).default([]),
    groups: z.array(groupSeed).default([]),
    devices: z.array(deviceSeed).default([]),
    troubleshootingEvents: z.array(eventSeed).default([]),
  })
  .strict();

/** What callers write (optional fields may be left out). */
export type TenantSeed = z.input<typeof tenantSeedSchema>;
export type UserSeed = z.input<typeof userSeed>;
export type GroupSeed = z.input<typeof groupSeed>;
export type DeviceSeed = z.input<typeof deviceSeed>;
export type TroubleshootingEventSeed = z.input<typeof eventSeed>;

/** What the tenant works with after validation (defaults applied). */
export type ParsedSeed = z.output<typeof tenantSeedSchema>;
export type ParsedUserSeed = z.output<typeof userSeed>;
export type ParsedGroupSeed = z.output<typeof groupSeed>;
export type ParsedDeviceSeed = z.output<typeof deviceSeed>;
export type ParsedEventSeed = z.output<typeof eventSeed>;

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

export function parseSeed(seed: unknown, source = 'seed'): ParsedSeed {
  const result = tenantSeedSchema.safeParse(seed);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 10)
    .map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new SeedError(`The tenant simulator's ${source} is not valid:\n${problems.join('\n')}`);
}

/** Resolves a seed date-time against the tenant clock; returns an ISO string. */
export function resolveTime(value: string, now: Date): string {
  if (value === 'now') return now.toISOString();
  const m = RELATIVE_TIME.exec(value);
  if (!m) return new Date(value).toISOString();
  const unitMs = m[3] === 'd' ? 86_400_000 : m[3] === 'h' ? 3_600_000 : 60_000;
  const sign = m[1] === '-' ? -1 : 1;
  return new Date(now.getTime() + sign * Number(m[2]) * unitMs).toISOString();
}
