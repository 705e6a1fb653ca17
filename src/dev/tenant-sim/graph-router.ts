/** Finds the route for a Graph path; literal segments match case-insensitively, as Graph's do. */
import { conditionalAccessRoutes } from './conditional-access';
import { GraphHttpError } from './graph-error';
import type { Route, RouteParams } from './graph-request';
import { deltaRoutes } from './routes-delta';
import { directoryRoutes } from './routes-directory';
import { intuneRoutes } from './routes-intune';
import { reportRoutes } from './routes-reports';
import { teamworkRoutes } from './routes-teamwork';

interface CompiledRoute {
  route: Route;
  segments: string[];
}

// Delta first: /devices/delta must not be taken for /devices/{device}.
const ROUTES: CompiledRoute[] = [
  ...deltaRoutes,
  ...directoryRoutes,
  ...intuneRoutes,
  ...reportRoutes,
  ...teamworkRoutes,
  ...conditionalAccessRoutes,
].map((route) => ({
  route,
  segments: route.pattern.split('/').filter(Boolean),
}));

export type RouteMatch = { route: Route; params: RouteParams } | { error: GraphHttpError };

function splitPath(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{')) params[p.slice(1, -1)] = actual[i];
    else if (p.toLowerCase() !== actual[i].toLowerCase()) return undefined;
  }
  return params;
}

export function matchRoute(method: string, path: string): RouteMatch {
  const actual = splitPath(path);
  if (!actual)
    return {
      error: new GraphHttpError(400, 'BadRequest', `The path ${path} is not validly percent-encoded.`),
    };
  let pathKnown = false;
  for (const { route, segments } of ROUTES) {
    const params = matchSegments(segments, actual);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { route, params };
    pathKnown = true;
  }
  if (pathKnown) {
    return {
      error: new GraphHttpError(
        405,
        'Request_BadRequest',
        `The tenant simulator does not serve ${method} ${path}.`,
      ),
    };
  }
  return {
    error: new GraphHttpError(
      404,
      'ResourceNotFound',
      `Resource not found for the segment '${actual[actual.length - 1] ?? ''}': the tenant simulator does not serve ${method} ${path}.`,
    ),
  };
}
