import type { CaPolicy } from '../domain/conditional-access';

/** The tenant's conditional-access policies and what reading them cost. */
export interface PolicyRead {
  policies: CaPolicy[];
  /** HTTP requests made (pages), for the cost log. */
  requests: number;
}

/**
 * Why the policies could not be read: `permission` — the app lacks Policy.Read.All (Graph answered
 * 403); `unavailable` — anything else (throttled past the retries, outage).
 */
export class ConditionalAccessError extends Error {
  constructor(
    message: string,
    readonly kind: 'permission' | 'unavailable',
  ) {
    super(message);
    this.name = 'ConditionalAccessError';
  }
}

/** Reads Entra conditional access (Microsoft Graph `/identity/conditionalAccess/policies`). */
export interface ConditionalAccessReader {
  listPolicies(signal?: AbortSignal): Promise<PolicyRead>;
}
