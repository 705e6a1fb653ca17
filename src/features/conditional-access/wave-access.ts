/**
 * A wave's members against the tenant's conditional-access policies. The policies are read once per
 * cycle (a card, a job round); each group a relevant policy names is read once per cycle through the
 * directory (transitive members, nested groups included), so a wave costs the policy pages plus one
 * paged read per named group, whatever its size. The cost of each cycle is logged (counts only).
 *
 * The wave's evaluated access line is kept on the wave row (`accessObserved`), so the cards that
 * members receive (announcement, journey, reminders) state what is true without asking Graph per card.
 */
import type { Deps } from '../../deps';
import { type Wave, waveKey } from '../../domain/campaign';
import {
  type AccessLine,
  accessLineOf,
  DEFAULT_TARGET_APPS,
  evaluateWave,
  type MemberFacts,
  modeFingerprint,
  type ObservedAccess,
  type PolicyState,
  relevantPolicies,
  type WaveCoverage,
} from '../../domain/conditional-access';
import { ConditionalAccessError, type PolicyRead } from '../../ports/conditional-access';
import { mapBounded } from '../../shared/bounded';
import { waveMembersOf } from '../waves';

type AccessDeps = Pick<Deps, 'store' | 'directory' | 'logger' | 'clock' | 'conditionalAccess'>;

export type AccessError = 'permission' | 'unavailable' | 'not-configured';
export type WaveAccess = { ok: true; coverage: WaveCoverage } | { ok: false; error: AccessError };

/** Groups read at once. */
const GROUPS_IN_FLIGHT = 4;

/** What one cycle read, for the cost log. */
export interface CycleCost {
  policyRequests: number;
  groupsRead: number;
  groupMembers: number;
}

/** The policies and group memberships of one cycle: each read at most once. */
export class AccessCycle {
  private policies?: Promise<PolicyRead>;
  private readonly groups = new Map<string, Promise<Set<string>>>();
  readonly cost: CycleCost = { policyRequests: 0, groupsRead: 0, groupMembers: 0 };

  constructor(private readonly deps: AccessDeps) {}

  readPolicies(): Promise<PolicyRead> {
    const reader = this.deps.conditionalAccess;
    if (!reader) return Promise.reject(new ConditionalAccessError('not configured', 'unavailable'));
    this.policies ??= reader.listPolicies().then((read) => {
      this.cost.policyRequests += read.requests;
      return read;
    });
    return this.policies;
  }

  /** Lower-case user ids of the group, nested groups included; empty when the group is gone. */
  groupUsers(groupId: string): Promise<Set<string>> {
    const key = groupId.toLowerCase();
    let found = this.groups.get(key);
    if (!found) {
      found = this.deps.directory.groupMembers(groupId).then((g) => {
        this.cost.groupsRead += 1;
        this.cost.groupMembers += g?.users.length ?? 0;
        return new Set((g?.users ?? []).map((u) => u.id.toLowerCase()));
      });
      this.groups.set(key, found);
    }
    return found;
  }

  logCost(what: string): void {
    this.deps.logger.info({ ...this.cost }, `conditional access read for ${what}`);
  }
}

/** Lower-case member ids of the wave, from its membership index, sorted (the index lists bucket by bucket). */
export async function waveMemberIds(deps: Pick<Deps, 'store'>, waveId: string): Promise<string[]> {
  const ids = new Set<string>();
  for await (const m of waveMembersOf(deps.store, waveId))
    if (m.aadObjectId) ids.add(m.aadObjectId.toLowerCase());
  return [...ids].sort();
}

/** Evaluates the wave; Graph errors become `permission` (Policy.Read.All missing) or `unavailable`. */
export async function evaluateWaveAccess(
  deps: AccessDeps,
  wave: Wave,
  cycle: AccessCycle,
  targetApps: readonly string[] = DEFAULT_TARGET_APPS,
): Promise<WaveAccess> {
  if (!deps.conditionalAccess) return { ok: false, error: 'not-configured' };
  try {
    const { policies } = await cycle.readPolicies();
    const relevant = relevantPolicies(policies, targetApps);
    const groupIds = [
      ...new Set(
        relevant
          .flatMap((p) => [...p.users.includeGroups, ...p.users.excludeGroups])
          .map((g) => g.toLowerCase()),
      ),
    ];
    const byGroup = await mapBounded(groupIds, GROUPS_IN_FLIGHT, (g) => cycle.groupUsers(g));
    const ids = await waveMemberIds(deps, wave.id);
    const members: MemberFacts[] = ids.map((id) => ({
      id,
      groupIds: new Set(groupIds.filter((_, i) => byGroup[i]!.has(id))),
    }));
    const coverage = evaluateWave(relevant, members, targetApps);
    await saveObservedLine(
      deps,
      wave,
      accessLineOf(wave.conditionalAccess, coverage),
      policyStateOf(coverage),
    );
    return { ok: true, coverage };
  } catch (err) {
    const kind = err instanceof ConditionalAccessError ? err.kind : 'unavailable';
    deps.logger.warn({ err, wave: wave.id, kind }, 'conditional access could not be evaluated');
    return { ok: false, error: kind };
  }
}

/** The state of the strongest policy covering the members, for the admin card. */
export function policyStateOf(c: WaveCoverage): PolicyState | undefined {
  for (const s of ['enabled', 'enabledForReportingButNotEnforced', 'disabled'] as const)
    if (c.policies.some((p) => p.state === s)) return s;
  return undefined;
}

/** Stores the evaluated line on the wave row, when it changed (an ETag write). */
async function saveObservedLine(
  deps: Pick<Deps, 'store' | 'clock'>,
  wave: Wave,
  line: AccessLine,
  policyState: PolicyState | undefined,
): Promise<void> {
  const observed: ObservedAccess = {
    line,
    mode: modeFingerprint(wave.conditionalAccess),
    at: deps.clock.now().toISOString(),
    ...(policyState ? { policyState } : {}),
  };
  await deps.store.waves.update(waveKey(wave.id), (w) => {
    if (!w) return undefined;
    const cur = (w as Wave & { accessObserved?: ObservedAccess }).accessObserved;
    if (cur && JSON.stringify({ ...cur, at: '' }) === JSON.stringify({ ...observed, at: '' }))
      return undefined;
    return { ...w, accessObserved: observed } as Wave;
  });
}
