/** The request/response shapes every Graph route works with, whether it came over HTTP or inside a $batch. */
import type { Tenant } from './tenant';

export interface GraphRequest {
  method: string;
  /** Path below /v1.0, still percent-encoded, e.g. /users/alexw%40example.com/managedDevices */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  body: unknown;
  /** http://host:port as the caller addressed the simulator; absolute @odata links are built on it. */
  origin: string;
  inBatch: boolean;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export type RouteParams = Readonly<Record<string, string>>;
export type RouteHandler = (req: GraphRequest, params: RouteParams, tenant: Tenant) => GraphResponse;

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. /users/{user}/managedDevices — also the route's name in request statistics. */
  pattern: string;
  handler: RouteHandler;
}

export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function ok(body: unknown, status = 200): GraphResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE }, body };
}
