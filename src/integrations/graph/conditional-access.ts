/**
 * Entra conditional-access policies from Microsoft Graph: `GET /identity/conditionalAccess/policies`
 * (v1.0, application permission Policy.Read.All), paged with @odata.nextLink, mapped onto the
 * evaluator's `CaPolicy`. Wire format: the conditionalAccessPolicy resource and its condition set,
 * see docs/conditional-access.md for the references.
 */
import type { CaPolicy, NotEvaluated, PolicyState } from '../../domain/conditional-access';
import {
  ConditionalAccessError,
  type ConditionalAccessReader,
  type PolicyRead,
} from '../../ports/conditional-access';
import { type GraphApi, GraphRequestError } from './graph-api';

/** The parts of a conditionalAccessPolicy the product reads, as Graph sends them. */
export interface GraphConditionalAccessPolicy {
  id: string;
  displayName?: string;
  state?: string;
  conditions?: {
    users?: {
      includeUsers?: string[];
      excludeUsers?: string[];
      includeGroups?: string[];
      excludeGroups?: string[];
      includeRoles?: string[];
      excludeRoles?: string[];
      includeGuestsOrExternalUsers?: unknown;
      excludeGuestsOrExternalUsers?: unknown;
    } | null;
    applications?: { includeApplications?: string[]; excludeApplications?: string[] } | null;
    locations?: { includeLocations?: string[]; excludeLocations?: string[] } | null;
    platforms?: { includePlatforms?: string[] } | null;
    clientAppTypes?: string[] | null;
    devices?: { deviceFilter?: unknown } | null;
    signInRiskLevels?: string[] | null;
    userRiskLevels?: string[] | null;
  } | null;
  grantControls?: {
    operator?: string;
    builtInControls?: string[];
    authenticationStrength?: unknown;
  } | null;
}

const STATES: readonly PolicyState[] = ['enabled', 'enabledForReportingButNotEnforced', 'disabled'];
const PATH = '/identity/conditionalAccess/policies';

const list = (xs: string[] | null | undefined): string[] =>
  Array.isArray(xs) ? xs.filter((x) => typeof x === 'string') : [];

/** Which conditions the evaluator leaves out, so the card can say "not evaluated". */
function notEvaluatedOf(p: GraphConditionalAccessPolicy): NotEvaluated[] {
  const c = p.conditions ?? {};
  const u = c.users ?? {};
  const out: NotEvaluated[] = [];
  if (list(u.includeRoles).length + list(u.excludeRoles).length > 0) out.push('roles');
  const guests = [...list(u.includeUsers), ...list(u.excludeUsers)].some(
    (x) => x === 'GuestsOrExternalUsers',
  );
  if (guests || u.includeGuestsOrExternalUsers || u.excludeGuestsOrExternalUsers) out.push('guests');
  if (list(c.locations?.includeLocations).length + list(c.locations?.excludeLocations).length > 0)
    out.push('locations');
  if (list(c.platforms?.includePlatforms).length > 0) out.push('platforms');
  if (list(c.clientAppTypes).some((t) => t !== 'all')) out.push('clientAppTypes');
  if (c.devices?.deviceFilter) out.push('deviceFilter');
  if (list(c.signInRiskLevels).length + list(c.userRiskLevels).length > 0) out.push('risk');
  if (p.grantControls?.authenticationStrength) out.push('authenticationStrength');
  return out;
}

/** One Graph policy in the evaluator's shape; an unknown state reads as `disabled` (it enforces nothing we know of). */
export function policyFromGraph(p: GraphConditionalAccessPolicy): CaPolicy {
  const u = p.conditions?.users ?? {};
  const a = p.conditions?.applications ?? {};
  const state = STATES.find((s) => s === p.state) ?? 'disabled';
  return {
    id: p.id,
    displayName: p.displayName ?? p.id,
    state,
    users: {
      includeUsers: list(u.includeUsers),
      excludeUsers: list(u.excludeUsers),
      includeGroups: list(u.includeGroups),
      excludeGroups: list(u.excludeGroups),
    },
    applications: {
      includeApplications: list(a.includeApplications),
      excludeApplications: list(a.excludeApplications),
    },
    grant: {
      operator: p.grantControls?.operator?.toUpperCase() === 'AND' ? 'AND' : 'OR',
      builtInControls: list(p.grantControls?.builtInControls),
    },
    notEvaluated: notEvaluatedOf(p),
  };
}

/** The ConditionalAccessReader port over Graph; every call goes through GraphApi's retries. */
export class GraphConditionalAccess implements ConditionalAccessReader {
  constructor(private readonly graph: GraphApi) {}

  async listPolicies(signal?: AbortSignal): Promise<PolicyRead> {
    const policies: CaPolicy[] = [];
    let requests = 0;
    try {
      for await (const page of this.graph.pages<GraphConditionalAccessPolicy>(PATH)) {
        requests++;
        for (const p of page) if (p && typeof p.id === 'string') policies.push(policyFromGraph(p));
        if (signal?.aborted) break;
      }
    } catch (err) {
      if (err instanceof GraphRequestError && (err.status === 403 || err.status === 401)) {
        throw new ConditionalAccessError(
          `Microsoft Graph refused ${PATH} (${err.status}): the app needs the application permission Policy.Read.All`,
          'permission',
        );
      }
      throw new ConditionalAccessError(
        `Microsoft Graph ${PATH} could not be read: ${err instanceof Error ? err.message : String(err)}`,
        'unavailable',
      );
    }
    return { policies, requests };
  }
}
