/** Intune routes: managed devices (tenant-wide and per user) and enrollment troubleshooting events. */
import { MANAGED_DEVICES, TROUBLESHOOTING_EVENTS } from './entity-sets';
import type { GraphRequest, GraphResponse, Route, RouteParams } from './graph-request';
import type { ManagedDevice, TroubleshootingEvent } from './model';
import {
  type CollectionQuery,
  collectionResponse,
  entityResponse,
  parseCollectionQuery,
  parseEntityQuery,
  project,
} from './odata';
import { equalityHint } from './odata-filter';
import { notFound, requireUser } from './routes-directory';
import type { Tenant } from './tenant';

const renderManaged = (d: ManagedDevice, select: readonly string[]): Record<string, unknown> =>
  project(d, select);

/** Starts from the per-user or per-id index when the filter pins the user or device down. */
function managedCandidates(tenant: Tenant, query: CollectionQuery): Iterable<ManagedDevice> {
  const filter = query.filter;
  if (!filter) return tenant.managedDevices();
  const userIds = equalityHint(filter, 'userId');
  if (userIds) return userIds.flatMap((id) => tenant.managedDevicesOf(id));
  const upns = equalityHint(filter, 'userPrincipalName');
  if (upns)
    return upns.flatMap((upn) => {
      const user = tenant.user(upn);
      return user ? tenant.managedDevicesOf(user.id) : [];
    });
  const ids = equalityHint(filter, 'id');
  if (ids) return ids.flatMap((id) => tenant.deviceByManagedId(id)?.intune ?? []);
  return tenant.managedDevices();
}

function listManagedDevices(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const query = parseCollectionQuery(req.query, MANAGED_DEVICES);
  return collectionResponse(req, managedCandidates(tenant, query), {
    resource: 'deviceManagement/managedDevices',
    set: MANAGED_DEVICES,
    query,
    render: renderManaged,
  });
}

function getManagedDevice(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const device = tenant.deviceByManagedId(params.device)?.intune;
  if (!device) throw notFound(params.device);
  const q = parseEntityQuery(req.query, MANAGED_DEVICES);
  return entityResponse(
    req,
    'deviceManagement/managedDevices',
    project(device, q.select ?? MANAGED_DEVICES.defaults),
    q.select,
  );
}

function userManagedDevices(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const user = requireUser(tenant, params.user);
  const query = parseCollectionQuery(req.query, MANAGED_DEVICES);
  return collectionResponse(req, tenant.managedDevicesOf(user.id), {
    resource: `users('${user.id}')/managedDevices`,
    set: MANAGED_DEVICES,
    query,
    render: renderManaged,
  });
}

function listTroubleshootingEvents(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const query = parseCollectionQuery(req.query, TROUBLESHOOTING_EVENTS);
  const userIds = query.filter && equalityHint(query.filter, 'userId');
  const candidates: Iterable<TroubleshootingEvent> = userIds
    ? userIds.flatMap((id) => [...tenant.troubleshootingEvents(id)])
    : tenant.troubleshootingEvents();
  return collectionResponse(req, candidates, {
    resource: 'deviceManagement/troubleshootingEvents',
    set: TROUBLESHOOTING_EVENTS,
    query,
    render: (e, select) => project(e, select, TROUBLESHOOTING_EVENTS.typeName),
  });
}

export const intuneRoutes: Route[] = [
  { method: 'GET', pattern: '/deviceManagement/managedDevices', handler: listManagedDevices },
  { method: 'GET', pattern: '/deviceManagement/managedDevices/{device}', handler: getManagedDevice },
  { method: 'GET', pattern: '/deviceManagement/troubleshootingEvents', handler: listTroubleshootingEvents },
  { method: 'GET', pattern: '/users/{user}/managedDevices', handler: userManagedDevices },
];
