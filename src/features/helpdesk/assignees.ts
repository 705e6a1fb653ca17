import type { Deps } from '../../deps';
import type { HelpdeskMember } from '../../ports/helpdesk-roster';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';

/**
 * The helpdesk members offered in "Assign to…", best effort: no roster, a failed or slow look-up
 * (more than half the invoke budget) → none, and the card simply has no "Assign to…". The choice is
 * checked against the roster again when it comes back (`helpdesk-handlers.ts`).
 */
export async function assignableMembers(
  deps: Deps,
  serviceUrl: string | undefined,
): Promise<HelpdeskMember[]> {
  if (!deps.helpdeskRoster || !serviceUrl) return [];
  try {
    const members = await withinBudget(
      deps.helpdeskRoster.members(serviceUrl),
      Math.max(1, deps.invokeBudgetMs / 2),
    );
    return members === OVER_BUDGET ? [] : members.filter((m) => typeof m?.aadObjectId === 'string');
  } catch (err) {
    deps.logger.warn({ err }, 'helpdesk roster unavailable; the card offers no "Assign to…"');
    return [];
  }
}
