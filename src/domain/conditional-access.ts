/**
 * Entra conditional access as the product reads it: which policies require a managed device for the
 * cloud apps that matter, which of a wave's members each covers, and what the wave's mode demands of
 * that. Pure; the policies come from Graph (`/identity/conditionalAccess/policies`) through the
 * integration layer and group memberships from the directory, already resolved transitively.
 *
 * Modelled: users (ids, "All", "None"), groups (include/exclude, nested already flattened), the cloud
 * apps (ids, "All", "Office365"), the grant controls and the policy's state. Not modelled, and named
 * as "not evaluated" wherever a policy uses them: roles, guests, named locations, platforms, client
 * app types, device filters, sign-in and user risk, authentication strengths.
 */
import type { ConditionalAccessMode } from './campaign';

export type PolicyState = 'enabled' | 'enabledForReportingButNotEnforced' | 'disabled';

/** Grant controls that tie access to a managed device or a protected app. */
export const DEVICE_CONTROLS = [
  'compliantDevice',
  'domainJoinedDevice',
  'approvedApplication',
  'compliantApplication',
] as const;

/** Office 365 as one target, and two of its apps by their well-known application ids. */
export const OFFICE_365 = 'Office365';
export const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const SHAREPOINT_ONLINE_APP_ID = '00000003-0000-0ff1-ce00-000000000000';
/** The cloud apps whose access the migration is about, unless the campaign names others. */
export const DEFAULT_TARGET_APPS: readonly string[] = [
  OFFICE_365,
  EXCHANGE_ONLINE_APP_ID,
  SHAREPOINT_ONLINE_APP_ID,
];
const OFFICE_365_APPS = new Set([EXCHANGE_ONLINE_APP_ID, SHAREPOINT_ONLINE_APP_ID]);

/** Conditions a policy may carry that the evaluator does not model. */
export type NotEvaluated =
  | 'roles'
  | 'guests'
  | 'locations'
  | 'platforms'
  | 'clientAppTypes'
  | 'deviceFilter'
  | 'risk'
  | 'authenticationStrength';

/** One conditional-access policy, reduced to what the evaluator reads. */
export interface CaPolicy {
  id: string;
  displayName: string;
  state: PolicyState;
  users: {
    includeUsers: string[];
    excludeUsers: string[];
    includeGroups: string[];
    excludeGroups: string[];
  };
  applications: { includeApplications: string[]; excludeApplications: string[] };
  grant: { operator: 'AND' | 'OR'; builtInControls: string[] };
  notEvaluated: NotEvaluated[];
}

/** A member as the evaluator sees them: their id and every group they are in (lower case), nested ones included. */
export interface MemberFacts {
  id: string;
  groupIds: ReadonlySet<string>;
}

/** The strongest state of the relevant policies covering a member; `none`: no such policy covers them. */
export type Coverage = 'enforced' | 'report-only' | 'off' | 'none';

const lower = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());

/**
 * Whether the policy makes a managed device (or a protected app) the way in: its grant controls hold
 * one of DEVICE_CONTROLS and, with OR, offer nothing else (an OR with "mfa" lets anyone in without one).
 */
export function requiresDevice(p: CaPolicy): boolean {
  const controls = p.grant.builtInControls;
  const device = controls.filter((c) => (DEVICE_CONTROLS as readonly string[]).includes(c));
  if (device.length === 0) return false;
  return p.grant.operator === 'AND' || device.length === controls.length;
}

function appIncluded(list: readonly string[], app: string): boolean {
  const l = lower(list);
  const a = app.toLowerCase();
  if (l.includes('all') || l.includes(a)) return true;
  return l.includes(OFFICE_365.toLowerCase()) && OFFICE_365_APPS.has(a);
}

/** Whether the policy applies to at least one of the target apps (included and not excluded). */
export function coversApps(p: CaPolicy, targetApps: readonly string[] = DEFAULT_TARGET_APPS): boolean {
  return targetApps.some(
    (app) =>
      appIncluded(p.applications.includeApplications, app) &&
      !appIncluded(p.applications.excludeApplications, app) &&
      !(app === OFFICE_365 && lower(p.applications.excludeApplications).includes('all')),
  );
}

/** The policies this product checks: device-requiring, for the target apps. */
export function relevantPolicies(
  policies: readonly CaPolicy[],
  targetApps: readonly string[] = DEFAULT_TARGET_APPS,
): CaPolicy[] {
  return policies.filter((p) => requiresDevice(p) && coversApps(p, targetApps));
}

/** Whether the policy's user conditions include the member (exclusions win, as in Entra). */
export function includesMember(p: CaPolicy, m: MemberFacts): boolean {
  const id = m.id.toLowerCase();
  const u = p.users;
  const excluded =
    lower(u.excludeUsers).includes(id) || u.excludeGroups.some((g) => m.groupIds.has(g.toLowerCase()));
  if (excluded) return false;
  const users = lower(u.includeUsers);
  if (users.includes('none')) return false;
  return (
    users.includes('all') ||
    users.includes(id) ||
    u.includeGroups.some((g) => m.groupIds.has(g.toLowerCase()))
  );
}

const RANK: Record<Coverage, number> = { none: 0, off: 1, 'report-only': 2, enforced: 3 };
const COVERAGE_OF: Record<PolicyState, Coverage> = {
  enabled: 'enforced',
  enabledForReportingButNotEnforced: 'report-only',
  disabled: 'off',
};

/** The member's coverage by the given (already relevant) policies, and which policies include them. */
export function memberCoverage(
  relevant: readonly CaPolicy[],
  m: MemberFacts,
): { coverage: Coverage; policyIds: string[] } {
  let coverage: Coverage = 'none';
  const policyIds: string[] = [];
  for (const p of relevant) {
    if (!includesMember(p, m)) continue;
    policyIds.push(p.id);
    const c = COVERAGE_OF[p.state];
    if (RANK[c] > RANK[coverage]) coverage = c;
  }
  return { coverage, policyIds };
}

export interface PolicySummary {
  id: string;
  displayName: string;
  state: PolicyState;
  /** Members of the wave it includes. */
  members: number;
  notEvaluated: NotEvaluated[];
}

/** A wave's members against the relevant policies. */
export interface WaveCoverage {
  members: number;
  counts: Record<Coverage, number>;
  /** Member ids by coverage other than `enforced` (what blocks `immediate`, what `grace` will turn on). */
  notEnforced: string[];
  /** Member ids not covered at all. */
  uncovered: string[];
  /** Member ids covered by an enforced policy (what `none` warns about). */
  enforced: string[];
  /** The relevant policies that include at least one member, in the order Graph listed them. */
  policies: PolicySummary[];
  /** Conditions of those policies the evaluator did not model. */
  notEvaluated: NotEvaluated[];
}

/** Evaluates every member of a wave against the policies (which may include irrelevant ones). */
export function evaluateWave(
  policies: readonly CaPolicy[],
  members: readonly MemberFacts[],
  targetApps: readonly string[] = DEFAULT_TARGET_APPS,
): WaveCoverage {
  const relevant = relevantPolicies(policies, targetApps);
  const counts: Record<Coverage, number> = { enforced: 0, 'report-only': 0, off: 0, none: 0 };
  const perPolicy = new Map<string, number>();
  const notEnforced: string[] = [];
  const uncovered: string[] = [];
  const enforced: string[] = [];
  for (const m of members) {
    const { coverage, policyIds } = memberCoverage(relevant, m);
    counts[coverage] += 1;
    if (coverage === 'enforced') enforced.push(m.id);
    else notEnforced.push(m.id);
    if (coverage === 'none') uncovered.push(m.id);
    for (const id of policyIds) perPolicy.set(id, (perPolicy.get(id) ?? 0) + 1);
  }
  const summaries = relevant
    .filter((p) => perPolicy.has(p.id))
    .map((p) => ({
      id: p.id,
      displayName: p.displayName,
      state: p.state,
      members: perPolicy.get(p.id) ?? 0,
      notEvaluated: p.notEvaluated,
    }));
  const notEvaluated = [...new Set(summaries.flatMap((p) => p.notEvaluated))].sort();
  return {
    members: members.length,
    counts,
    notEnforced,
    uncovered,
    enforced,
    policies: summaries,
    notEvaluated,
  };
}

/** What the wave's mode demands, checked against its coverage. */
export type ModeFinding =
  /** `immediate`: members an enabled policy does not cover; blocks the announcement. */
  | { kind: 'immediate-not-enforced'; memberIds: string[] }
  /** `grace`: members no policy covers at all; nothing will switch on for them at the grace end. */
  | { kind: 'grace-uncovered'; memberIds: string[] }
  /** `grace`: already enforced before the grace period ends (users were told they had time). */
  | { kind: 'grace-already-enforced'; memberIds: string[] }
  /** `none`: an enabled policy covers members anyway. */
  | { kind: 'none-but-enforced'; memberIds: string[] };

export function checkMode(mode: ConditionalAccessMode, c: WaveCoverage, now: Date): ModeFinding[] {
  const out: ModeFinding[] = [];
  if (mode.kind === 'immediate') {
    if (c.notEnforced.length > 0) out.push({ kind: 'immediate-not-enforced', memberIds: c.notEnforced });
  } else if (mode.kind === 'grace') {
    if (c.uncovered.length > 0) out.push({ kind: 'grace-uncovered', memberIds: c.uncovered });
    const before = Date.parse(mode.endsAt) > now.getTime();
    if (before && c.enforced.length > 0) out.push({ kind: 'grace-already-enforced', memberIds: c.enforced });
  } else if (c.enforced.length > 0) {
    out.push({ kind: 'none-but-enforced', memberIds: c.enforced });
  }
  return out;
}

/**
 * What every member of the wave will be told about access, when they all share one coverage: the
 * product tells people what is true, and a line that is true for only some of them is not.
 */
export type AccessLine =
  | { kind: 'enforced' }
  | { kind: 'from'; date: string }
  | { kind: 'not-required' }
  | { kind: 'mixed' };

/** The wave's access line from its coverage and mode; `mixed` when members differ. */
export function accessLineOf(mode: ConditionalAccessMode, c: WaveCoverage): AccessLine {
  const kinds = (Object.keys(c.counts) as Coverage[]).filter((k) => c.counts[k] > 0);
  if (kinds.length !== 1) return kinds.length === 0 ? { kind: 'not-required' } : { kind: 'mixed' };
  const only = kinds[0]!;
  if (only === 'enforced') return { kind: 'enforced' };
  if (only === 'none') return { kind: 'not-required' };
  // Covered but not enforced: it switches on at the grace end the users were told about.
  return mode.kind === 'grace' ? { kind: 'from', date: mode.endsAt } : { kind: 'not-required' };
}

/**
 * The wave's evaluated access line as kept on the wave row (`accessObserved`), with the mode it was
 * evaluated for: a mode changed since voids it.
 */
export interface ObservedAccess {
  line: AccessLine;
  mode: string;
  at: string;
  policyState?: PolicyState;
}

export const modeFingerprint = (mode: ConditionalAccessMode): string =>
  mode.kind === 'grace' ? `grace:${mode.endsAt}` : mode.kind;

/** The wave's observed access line, when one was evaluated for its current mode. */
export function observedAccessOf(wave: { conditionalAccess: ConditionalAccessMode }): AccessLine | undefined {
  const o = (wave as { accessObserved?: Partial<ObservedAccess> }).accessObserved;
  if (!o || typeof o !== 'object' || o.mode !== modeFingerprint(wave.conditionalAccess)) return undefined;
  const kind = o.line?.kind;
  if (kind === 'enforced' || kind === 'not-required') return { kind };
  if (kind === 'from' && typeof (o.line as { date?: unknown }).date === 'string')
    return { kind, date: (o.line as { date: string }).date };
  return undefined;
}
