/**
 * Entra conditional-access policies in the simulator: `GET /identity/conditionalAccess/policies` in
 * Graph's wire format (paged with @odata.nextLink), and `POST /_sim/conditional-access/{id}/state` to
 * switch a policy as an admin would in the Entra admin center. The demo has a "Require compliant
 * device" policy in report-only mode for the Pilot group (demo-policies.json).
 */
import type { GraphConditionalAccessPolicy } from '../../integrations/graph/conditional-access';
import demo from './demo-policies.json';
import { GraphHttpError } from './graph-error';
import { ok, type Route } from './graph-request';
import type { Tenant } from './tenant';

const PAGE_SIZE = 25;
const STATES = ['enabled', 'enabledForReportingButNotEnforced', 'disabled'];
const policiesByTenant = new WeakMap<Tenant, GraphConditionalAccessPolicy[]>();

/** The demo tenant's policies, a fresh copy each time. */
export function demoPolicies(): GraphConditionalAccessPolicy[] {
  return structuredClone(demo.policies) as GraphConditionalAccessPolicy[];
}

/** Replaces the tenant's policies (seeding, tests). */
export function setPolicies(tenant: Tenant, policies: GraphConditionalAccessPolicy[]): void {
  policiesByTenant.set(tenant, structuredClone(policies));
}

export function policiesOf(tenant: Tenant): GraphConditionalAccessPolicy[] {
  return policiesByTenant.get(tenant) ?? [];
}

/** Switches one policy's state; an unknown policy or state is refused with the reason. */
export function setPolicyState(tenant: Tenant, id: string, state: string): GraphConditionalAccessPolicy {
  if (!STATES.includes(state)) throw new Error(`state must be one of ${STATES.join(', ')}`);
  const policy = policiesOf(tenant).find((p) => p.id === id);
  if (!policy) throw new Error(`no conditional-access policy ${id}`);
  policy.state = state;
  return policy;
}

export const conditionalAccessRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/identity/conditionalAccess/policies',
    handler: (req, _params, tenant) => {
      const skip = Number(req.query.get('$skiptoken') ?? '0');
      if (!Number.isInteger(skip) || skip < 0)
        throw new GraphHttpError(400, 'BadRequest', 'Invalid $skiptoken.');
      const all = policiesOf(tenant);
      const body: Record<string, unknown> = {
        '@odata.context': `${req.origin}/v1.0/$metadata#identity/conditionalAccess/policies`,
      };
      if (skip + PAGE_SIZE < all.length) {
        body['@odata.nextLink'] =
          `${req.origin}/v1.0/identity/conditionalAccess/policies?$skiptoken=${skip + PAGE_SIZE}`;
      }
      body.value = all.slice(skip, skip + PAGE_SIZE);
      return ok(body);
    },
  },
];

/**
 * The control API: `GET /_sim/conditional-access` lists the policies, `POST
 * /_sim/conditional-access/{id}/state` with `{ "state": "enabled" }` switches one. Undefined when the
 * path is not this API's.
 */
export function conditionalAccessControl(
  method: string,
  path: string,
  body: unknown,
  tenant: Tenant,
): { status: number; body: unknown } | undefined {
  if (path === '/_sim/conditional-access' && method === 'GET')
    return { status: 200, body: policiesOf(tenant) };
  const m = /^\/_sim\/conditional-access\/([^/]+)\/state$/.exec(path);
  if (!m || method !== 'POST') return undefined;
  const state = typeof body === 'object' && body !== null ? (body as { state?: unknown }).state : undefined;
  try {
    return { status: 200, body: setPolicyState(tenant, decodeURIComponent(m[1]!), String(state)) };
  } catch (err) {
    return { status: 400, body: { error: { code: 'BadRequest', message: (err as Error).message } } };
  }
}
