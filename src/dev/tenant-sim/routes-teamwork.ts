/**
 * Teams app installation for a user (how the bot gets a 1:1 conversation it can message
 * proactively): list, install (201; 409 when already there; 403 when the user blocks the app), and
 * the chat of an installation.
 */
import { INSTALLED_APPS } from './entity-sets';
import { GraphHttpError } from './graph-error';
import { type GraphRequest, type GraphResponse, ok, type Route, type RouteParams } from './graph-request';
import type { InstalledApp } from './model';
import { collectionResponse, entityResponse, parseCollectionQuery, parseEntityQuery, project } from './odata';
import { notFound, requireUser } from './routes-directory';
import type { Tenant } from './tenant';

const BIND = 'teamsApp@odata.bind';
const APP_URL = /\/appCatalogs\/teamsApps\/([^/?#]+)\/?$/i;

function render(
  app: InstalledApp,
  select: readonly string[],
  expand: readonly string[],
): Record<string, unknown> {
  const out = project(app, select);
  if (expand.includes('teamsApp')) out.teamsApp = { ...app.teamsApp };
  return out;
}

function listInstalledApps(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const user = requireUser(tenant, params.user);
  const query = parseCollectionQuery(req.query, INSTALLED_APPS, ['teamsApp']);
  return collectionResponse(req, tenant.installedApps(user.id), {
    resource: `users('${user.id}')/teamwork/installedApps`,
    set: INSTALLED_APPS,
    query,
    render: (app, select) => render(app, select, query.expand),
  });
}

function appIdFrom(body: unknown): string {
  const bind =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[BIND] : undefined;
  const match = typeof bind === 'string' ? APP_URL.exec(bind) : null;
  if (!match) {
    throw new GraphHttpError(
      400,
      'BadRequest',
      `The body must be {"${BIND}": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{teamsAppId}"}.`,
    );
  }
  return decodeURIComponent(match[1]);
}

function installApp(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const user = requireUser(tenant, params.user);
  const appId = appIdFrom(req.body);
  const result = tenant.installApp(user.id, appId);
  if (result.outcome === 'blocked') {
    throw new GraphHttpError(
      403,
      'Forbidden',
      `Installing app ${appId} for user ${user.id} is not allowed: the user blocked the app or an app permission policy forbids it.`,
    );
  }
  if (result.outcome === 'already-installed') {
    throw new GraphHttpError(409, 'Conflict', `App ${appId} is already installed for user ${user.id}.`);
  }
  // Graph answers 201 with an empty body.
  return { status: 201, headers: {} };
}

function findInstallation(tenant: Tenant, params: RouteParams): InstalledApp {
  const user = requireUser(tenant, params.user);
  const app = tenant.installedApps(user.id).find((a) => a.id === params.installation);
  if (!app) throw notFound(params.installation);
  return app;
}

function getInstallation(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const app = findInstallation(tenant, params);
  const q = parseEntityQuery(req.query, INSTALLED_APPS, ['teamsApp']);
  const select = q.select ?? INSTALLED_APPS.defaults;
  return entityResponse(
    req,
    `users('${app.userId}')/teamwork/installedApps`,
    render(app, select, q.expand),
    q.select,
  );
}

function getInstallationChat(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const app = findInstallation(tenant, params);
  return ok({
    '@odata.context': `${req.origin}/v1.0/$metadata#chats/$entity`,
    id: app.chatId,
    chatType: 'oneOnOne',
    topic: null,
  });
}

export const teamworkRoutes: Route[] = [
  { method: 'GET', pattern: '/users/{user}/teamwork/installedApps', handler: listInstalledApps },
  { method: 'POST', pattern: '/users/{user}/teamwork/installedApps', handler: installApp },
  { method: 'GET', pattern: '/users/{user}/teamwork/installedApps/{installation}', handler: getInstallation },
  {
    method: 'GET',
    pattern: '/users/{user}/teamwork/installedApps/{installation}/chat',
    handler: getInstallationChat,
  },
];
