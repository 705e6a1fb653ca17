/** A readable dump of the tenant (GET /_sim/state), for the control page, the CLI and debugging. */
import { mdmName } from './constants';
import type { EntraDevice, ManagedDevice, SimDevice, SimUser, TroubleshootingEvent } from './model';
import type { Tenant } from './tenant';

/** Where a device stands in the move from the old MDM to Intune. */
export type DeviceStatus = 'old-mdm' | 'dual' | 'intune' | 'unmanaged';

export interface DeviceState {
  deviceId: string;
  objectId: string;
  managedDeviceId: string | null;
  name: string;
  operatingSystem: string;
  osVersion: string;
  model: string;
  manufacturer: string;
  ownership: 'personal' | 'company';
  relationship: SimDevice['relationship'];
  status: DeviceStatus;
  /** e.g. "Workspace ONE", "dual: Workspace ONE + Intune (unknown)", "Intune (compliant)", "unmanaged". */
  summary: string;
  partnerMdmAppId: string | null;
  partnerMdm: string | null;
  entra: EntraDevice;
  intune: ManagedDevice | null;
}

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

export function deviceStatus(d: SimDevice): DeviceStatus {
  if (d.partnerMdmAppId && d.intune) return 'dual';
  if (d.partnerMdmAppId) return 'old-mdm';
  if (d.intune) return 'intune';
  return 'unmanaged';
}

export function deviceState(d: SimDevice): DeviceState {
  const status = deviceStatus(d);
  const partner = mdmName(d.partnerMdmAppId);
  const intune = d.intune ? `Intune (${d.intune.complianceState})` : '';
  const summary =
    status === 'dual'
      ? `dual: ${partner} + ${intune}`
      : status === 'old-mdm'
        ? (partner ?? '')
        : status === 'intune'
          ? intune
          : 'unmanaged';
  return {
    deviceId: d.entra.deviceId,
    objectId: d.entra.id,
    managedDeviceId: d.intune?.id ?? null,
    name: d.entra.displayName,
    operatingSystem: d.entra.operatingSystem,
    osVersion: d.entra.operatingSystemVersion,
    model: d.entra.model,
    manufacturer: d.entra.manufacturer,
    ownership: d.ownership,
    relationship: d.relationship,
    status,
    summary,
    partnerMdmAppId: d.partnerMdmAppId,
    partnerMdm: partner,
    entra: { ...d.entra },
    intune: d.intune ? { ...d.intune } : null,
  };
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
