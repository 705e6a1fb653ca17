/** A readable dump of the tenant (GET /_sim/state), for the control page, the CLI and debugging. */
import { type DeviceState, deviceState } from './device-state';
import type { SimUser, TroubleshootingEvent } from './model';
import type { Tenant } from './tenant';

export interface UserState {
  id: string;
  userPrincipalName: string;
  displayName: string;
  preferredLanguage: string | null;
  blocksApp: boolean;
  installedApps: string[];
  devices: DeviceState[];
  troubleshootingEvents: TroubleshootingEvent[];
}

export interface TenantState {
  tenantId: string;
  now: string;
  totalUsers: number;
  totalDevices: number;
  /** How many users matched the query, before offset/limit. */
  matchedUsers: number;
  users: UserState[];
  groups: { id: string; displayName: string; memberIds: string[]; transitiveUserCount: number }[];
}

export function userState(tenant: Tenant, u: SimUser): UserState {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName,
    preferredLanguage: u.preferredLanguage,
    blocksApp: u.blocksApp,
    installedApps: tenant.installedApps(u.id).map((a) => a.teamsApp.id),
    devices: tenant.devicesOf(u.id).map(deviceState),
    troubleshootingEvents: [...tenant.troubleshootingEvents(u.id)],
  };
}

export interface StateQuery {
  /** Case-insensitive substring of UPN or display name. */
  q?: string;
  offset?: number;
  limit?: number;
}

export function tenantState(tenant: Tenant, query: StateQuery = {}): TenantState {
  const q = query.q?.toLowerCase();
  const matching = [...tenant.users()].filter(
    (u) => !q || u.userPrincipalName.toLowerCase().includes(q) || u.displayName.toLowerCase().includes(q),
  );
  const offset = query.offset ?? 0;
  const page = matching.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
  return {
    tenantId: tenant.tenantId,
    now: tenant.now().toISOString(),
    totalUsers: tenant.userCount,
    totalDevices: tenant.deviceCount,
    matchedUsers: matching.length,
    users: page.map((u) => userState(tenant, u)),
    groups: [...tenant.groups()].map((g) => ({
      id: g.id,
      displayName: g.displayName,
      memberIds: [...g.memberIds],
      transitiveUserCount: tenant.transitiveMembers(g.id).filter((m) => m.kind === 'user').length,
    })),
  };
}
