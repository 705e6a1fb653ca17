/**
 * Every device of the tenant with its user, for the refresher's baseline when that costs fewer
 * requests than looking each user up:
 *
 * - Intune: every managedDevice ($top=1000), whose userId names the user;
 * - Entra: every device with its registeredOwners, and again with its registeredUsers — the two
 *   relationships behind a user's ownedDevices and registeredDevices. Graph expands one relationship
 *   per request and returns at most 100 devices a page when expanding a directory relationship, so
 *   each listing is split by the first hex digit of deviceId (`startswith`, which deviceId supports)
 *   and the pages of all splits travel 20 at a time in $batch.
 *
 * A user's devices are then merged exactly as a look-up merges them (`mergeDevices`).
 */
import type { DeviceObservation } from '../../domain/device';
import type { TenantDevices } from '../../ports/device-changes';
import { type BatchRequest, type GraphApi, GraphRequestError, MAX_BATCH_SIZE } from './graph-api';
import {
  DEVICE_FIELDS,
  type GraphDevice,
  type GraphManagedDevice,
  MANAGED_DEVICE_FIELDS,
  mergeDevices,
} from './graph-device-directory';

/** The largest managedDevices page Graph allows. */
export const MANAGED_PAGE = 1000;
/** Graph's page size when a directory relationship is expanded. */
export const EXPANDED_PAGE = 100;
const RELATIONSHIPS = ['registeredOwners', 'registeredUsers'] as const;
const SPLITS = [...'0123456789abcdef'];

type ManagedWithUser = GraphManagedDevice & { userId?: string };
type DeviceWithUsers = GraphDevice & {
  registeredOwners?: { id?: string }[];
  registeredUsers?: { id?: string }[];
};

/**
 * Requests `readTenantDevices` is expected to make: the managed-device pages, and the expanded
 * Entra pages of both relationships (each split ends in one partial page) packed 20 to a $batch.
 */
export function tenantReadRequests(entraDevices: number, managedDevices: number): number {
  const managedPages = Math.max(1, Math.ceil(managedDevices / MANAGED_PAGE));
  const perRelationship = Math.ceil(entraDevices / EXPANDED_PAGE) + SPLITS.length;
  return managedPages + Math.ceil((RELATIONSHIPS.length * perRelationship) / MAX_BATCH_SIZE);
}

export async function readTenantDevices(graph: GraphApi, signal?: AbortSignal): Promise<TenantDevices> {
  const [managed, entra] = await Promise.all([readManaged(graph, signal), readEntraWithUsers(graph, signal)]);
  const managedBy = new Map<string, GraphManagedDevice[]>();
  for (const m of managed) {
    if (!m.userId) continue; // a device without a primary user: no look-up finds it either
    const { userId, ...record } = m;
    push(managedBy, userId.toLowerCase(), record);
  }
  return {
    managedDevices: managed.length,
    entraDevices: entra.devices,
    devicesOf: (userId: string): DeviceObservation[] => {
      const id = userId.toLowerCase();
      return mergeDevices(managedBy.get(id) ?? [], [...(entra.byUser.get(id)?.values() ?? [])]);
    },
  };
}

async function readManaged(graph: GraphApi, signal?: AbortSignal): Promise<ManagedWithUser[]> {
  const out: ManagedWithUser[] = [];
  const path = `/deviceManagement/managedDevices?$select=${MANAGED_DEVICE_FIELDS},userId&$top=${MANAGED_PAGE}`;
  for await (const page of graph.pages<ManagedWithUser>(path)) {
    signal?.throwIfAborted();
    for (const m of page) out.push(m);
  }
  return out;
}

/** Each user's Entra devices (deduplicated by deviceId, as a look-up does), from both relationships. */
async function readEntraWithUsers(
  graph: GraphApi,
  signal?: AbortSignal,
): Promise<{ byUser: Map<string, Map<string, GraphDevice>>; devices: number }> {
  const byUser = new Map<string, Map<string, GraphDevice>>();
  const seen = new Set<string>();
  let pending: BatchRequest[] = RELATIONSHIPS.flatMap((rel) =>
    SPLITS.map((digit) => ({
      id: `${rel}-${digit}`,
      method: 'GET',
      url:
        `/devices?$select=${DEVICE_FIELDS}&$expand=${rel}($select=id)` +
        `&$filter=${encodeURIComponent(`startswith(deviceId,'${digit}')`)}&$top=${EXPANDED_PAGE}`,
    })),
  );
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const chunk = pending.slice(0, MAX_BATCH_SIZE);
    pending = pending.slice(MAX_BATCH_SIZE);
    const responses = await graph.batch<{ value?: DeviceWithUsers[]; '@odata.nextLink'?: string }>(chunk);
    for (const request of chunk) {
      const r = responses.get(request.id);
      if (!r || r.status >= 400) {
        const detail = (r?.body as { error?: { message?: string } } | undefined)?.error?.message;
        throw new GraphRequestError(
          `Microsoft Graph devices (${request.id}) failed: ${detail ?? 'no response'}`,
          r?.status ?? -1,
          undefined,
          1,
        );
      }
      const rel = request.id.startsWith('registeredOwners') ? 'registeredOwners' : 'registeredUsers';
      for (const d of r.body?.value ?? []) {
        const key = (d.deviceId ?? d.id).toLowerCase();
        seen.add(key);
        const { registeredOwners: _o, registeredUsers: _u, ...record } = d;
        for (const user of d[rel] ?? []) {
          if (!user.id) continue;
          const id = user.id.toLowerCase();
          const devices = byUser.get(id) ?? new Map<string, GraphDevice>();
          byUser.set(id, devices);
          devices.set(key, record);
        }
      }
      const next = r.body?.['@odata.nextLink'];
      if (next) pending.push({ ...request, url: relativeGraphPath(next) });
    }
  }
  return { byUser, devices: seen.size };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Graph's links are absolute; graph-client and $batch want a path below the base and version. */
export function relativeGraphPath(link: string): string {
  if (!/^https?:\/\//i.test(link)) return link;
  const u = new URL(link);
  return u.pathname.replace(/^\/v1\.0/, '') + u.search;
}
