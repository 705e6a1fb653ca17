/** Entra routes: users, group (transitive) members, devices and a user's registered/owned devices. */
import { DEVICES, DIRECTORY_OBJECTS, type EntitySet, GROUPS, USERS } from './entity-sets';
import { GraphHttpError } from './graph-error';
import type { GraphRequest, GraphResponse, Route, RouteParams } from './graph-request';
import type { EntraDevice, SimGroup, SimUser } from './model';
import { collectionResponse, entityResponse, parseCollectionQuery, parseEntityQuery, project } from './odata';
import { equalityHint, type FilterNode } from './odata-filter';
import type { DirectoryMember, Tenant } from './tenant';

export function notFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function requireUser(tenant: Tenant, ref: string): SimUser {
  const user = tenant.user(ref);
  if (!user) throw notFound(ref);
  return user;
}

function requireGroup(tenant: Tenant, id: string): SimGroup {
  const group = tenant.group(id);
  if (!group) throw notFound(id);
  return group;
}

const renderUser = (u: SimUser, select: readonly string[]): Record<string, unknown> => project(u, select);

function getUser(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const user = requireUser(tenant, params.user);
  const q = parseEntityQuery(req.query, USERS);
  return entityResponse(req, 'users', project(user, q.select ?? USERS.defaults), q.select);
}

/** Candidates for a users query: straight from the id/UPN index when the filter pins them down. */
function userCandidates(tenant: Tenant, filter: FilterNode | undefined): Iterable<SimUser> {
  const ids = filter && (equalityHint(filter, 'id') ?? equalityHint(filter, 'userPrincipalName'));
  if (!ids) return tenant.users();
  const found = new Set<SimUser>();
  for (const id of ids) {
    const u = tenant.user(id);
    if (u) found.add(u);
  }
  return found;
}

function listUsers(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const query = parseCollectionQuery(req.query, USERS);
  return collectionResponse(req, userCandidates(tenant, query.filter), {
    resource: 'users',
    set: USERS,
    query,
    render: renderUser,
  });
}

function renderMember(
  member: DirectoryMember,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  if (member.kind === 'user') {
    return project(member.user, select ?? USERS.defaults, USERS.typeName, USERS.properties);
  }
  return project(member.group, select ?? GROUPS.defaults, GROUPS.typeName, GROUPS.properties);
}

function membersRoute(kind: 'members' | 'transitiveMembers', usersOnly: boolean): Route['handler'] {
  return (req, params, tenant) => {
    const group = requireGroup(tenant, params.group);
    const set: EntitySet = usersOnly ? USERS : DIRECTORY_OBJECTS;
    const query = parseCollectionQuery(req.query, set);
    const all = kind === 'members' ? tenant.directMembers(group.id) : tenant.transitiveMembers(group.id);
    const members = usersOnly ? all.filter((m) => m.kind === 'user') : all;
    return collectionResponse(req, members, {
      resource: usersOnly ? 'users' : 'directoryObjects',
      set,
      query,
      render: (m) => renderMember(m, query.select),
      // Filters on the users-only cast look at the user record itself.
      filterOn: (m) => (m.kind === 'user' ? m.user : m.group),
    });
  };
}

function getGroup(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const group = requireGroup(tenant, params.group);
  const q = parseEntityQuery(req.query, GROUPS);
  return entityResponse(req, 'groups', project(group, q.select ?? GROUPS.defaults), q.select);
}

const renderDevice = (d: EntraDevice, select: readonly string[]): Record<string, unknown> =>
  project(d, select, DEVICES.typeName);

function* entraDevices(tenant: Tenant): Generator<EntraDevice> {
  for (const d of tenant.devices()) yield d.entra;
}

function deviceCandidates(
  tenant: Tenant,
  query: ReturnType<typeof parseCollectionQuery>,
): Iterable<EntraDevice> {
  const filter = query.filter;
  const byDeviceId = filter && equalityHint(filter, 'deviceId');
  if (byDeviceId) return byDeviceId.flatMap((id) => tenant.deviceByDeviceId(id)?.entra ?? []);
  const byObjectId = filter && equalityHint(filter, 'id');
  if (byObjectId) return byObjectId.flatMap((id) => tenant.deviceByObjectId(id)?.entra ?? []);
  return entraDevices(tenant);
}

/** Graph returns at most this many objects a page when a directory relationship is expanded. */
const EXPANDED_PAGE_MAX = 100;

function listDevices(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const query = parseCollectionQuery(req.query, DEVICES, ['registeredOwners', 'registeredUsers']);
  if (query.expand.length > 1) throw new GraphHttpError(400, 'BadRequest', 'Only one $expand is allowed.');
  const expand = query.expand[0];
  const paged = expand ? { ...query, top: Math.min(query.top, EXPANDED_PAGE_MAX) } : query;
  return collectionResponse(req, deviceCandidates(tenant, query), {
    resource: 'devices',
    set: DEVICES,
    query: paged,
    render: (d, select) => {
      const out = project(d, select);
      if (expand) {
        // ownedDevices ↔ registeredOwners, registeredDevices ↔ registeredUsers.
        const sim = tenant.deviceByObjectId(d.id);
        const listed =
          sim &&
          (sim.relationship === 'both' ||
            sim.relationship === (expand === 'registeredOwners' ? 'owned' : 'registered'));
        out[expand] = listed ? [{ '@odata.type': '#microsoft.graph.user', id: sim.userId }] : [];
      }
      return out;
    },
  });
}

function getDevice(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const device = tenant.deviceByObjectId(params.device);
  if (!device) throw notFound(params.device);
  const q = parseEntityQuery(req.query, DEVICES);
  return entityResponse(req, 'devices', project(device.entra, q.select ?? DEVICES.defaults), q.select);
}

/** registeredDevices / ownedDevices: directoryObjects, so each carries @odata.type. */
function userDevicesRoute(relationship: 'registered' | 'owned'): Route['handler'] {
  return (req, params, tenant) => {
    const user = requireUser(tenant, params.user);
    const query = parseCollectionQuery(req.query, DEVICES);
    const devices = tenant
      .devicesOf(user.id)
      .filter((d) => d.relationship === 'both' || d.relationship === relationship)
      .map((d) => d.entra);
    return collectionResponse(req, devices, {
      resource: 'directoryObjects',
      set: DEVICES,
      query,
      render: renderDevice,
    });
  };
}

export const directoryRoutes: Route[] = [
  { method: 'GET', pattern: '/users', handler: listUsers },
  { method: 'GET', pattern: '/users/{user}', handler: getUser },
  { method: 'GET', pattern: '/users/{user}/registeredDevices', handler: userDevicesRoute('registered') },
  { method: 'GET', pattern: '/users/{user}/ownedDevices', handler: userDevicesRoute('owned') },
  { method: 'GET', pattern: '/groups/{group}', handler: getGroup },
  { method: 'GET', pattern: '/groups/{group}/members', handler: membersRoute('members', false) },
  {
    method: 'GET',
    pattern: '/groups/{group}/members/microsoft.graph.user',
    handler: membersRoute('members', true),
  },
  {
    method: 'GET',
    pattern: '/groups/{group}/transitiveMembers',
    handler: membersRoute('transitiveMembers', false),
  },
  {
    method: 'GET',
    pattern: '/groups/{group}/transitiveMembers/microsoft.graph.user',
    handler: membersRoute('transitiveMembers', true),
  },
  { method: 'GET', pattern: '/devices', handler: listDevices },
  { method: 'GET', pattern: '/devices/{device}', handler: getDevice },
];
