/**
 * JSON batching: up to 20 requests, each routed through the same pipeline (faults included, so an
 * inner request can be throttled on its own with Retry-After in its headers). dependsOn is ignored:
 * requests run in the order given.
 */
import { randomUUID } from 'node:crypto';
import { GraphHttpError, graphErrorBody } from './graph-error';
import { type GraphRequest, type GraphResponse, JSON_CONTENT_TYPE, ok } from './graph-request';

export const MAX_BATCH_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

const bad = (message: string): GraphHttpError => new GraphHttpError(400, 'BadRequest', message);

function parseInner(raw: unknown, index: number): InnerRequest {
  if (typeof raw !== 'object' || raw === null) throw bad(`requests[${index}] is not an object.`);
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') throw bad(`requests[${index}].id must be a non-empty string.`);
  if (typeof r.method !== 'string' || !METHODS.has(r.method.toUpperCase())) {
    throw bad(`requests[${index}] (id ${r.id}): method must be one of ${[...METHODS].join(', ')}.`);
  }
  if (typeof r.url !== 'string' || r.url === '')
    throw bad(`requests[${index}] (id ${r.id}): url is required.`);
  const headers: Record<string, string> = {};
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null)
      throw bad(`requests[${index}].headers must be an object.`);
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  }
  return { id: r.id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body };
}

function parseBatch(body: unknown): InnerRequest[] {
  const requests =
    typeof body === 'object' && body !== null ? (body as { requests?: unknown }).requests : undefined;
  if (!Array.isArray(requests)) throw bad('The $batch body must be {"requests": [...]}.');
  if (requests.length === 0) throw bad('The $batch request contains no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw bad(
      `The $batch request contains ${requests.length} requests; the limit is ${MAX_BATCH_REQUESTS}. Split it into several batches.`,
    );
  }
  const parsed = requests.map(parseInner);
  const ids = new Set<string>();
  for (const r of parsed) {
    if (ids.has(r.id)) throw bad(`The $batch request has more than one request with id '${r.id}'.`);
    ids.add(r.id);
  }
  return parsed;
}

/** An inner request that cannot be routed answers on its own, like Graph does. */
function innerError(
  id: string,
  message: string,
): { id: string; status: number; headers: Record<string, string>; body: unknown } {
  const ids = { requestId: randomUUID(), clientRequestId: randomUUID() };
  return {
    id,
    status: 400,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, 'request-id': ids.requestId },
    body: graphErrorBody('BadRequest', message, ids, new Date()),
  };
}

function toGraphRequest(inner: InnerRequest, outer: GraphRequest): GraphRequest | string {
  if (/^[a-z]+:\/\//i.test(inner.url)) {
    return `url '${inner.url}' must be relative to the version, e.g. /users/{id}/managedDevices.`;
  }
  if (inner.body !== undefined && !inner.headers['content-type']) {
    return 'A request with a body needs a Content-Type header (e.g. application/json).';
  }
  const url = inner.url.startsWith('/') ? inner.url : `/${inner.url}`;
  const q = url.indexOf('?');
  return {
    method: inner.method,
    path: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    // Inner requests inherit the caller's authorization; only their own headers are theirs.
    headers: { ...inner.headers, authorization: outer.headers.authorization ?? '' },
    body: inner.body,
    origin: outer.origin,
    inBatch: true,
  };
}

export async function serveBatch(
  outer: GraphRequest,
  serve: (req: GraphRequest) => Promise<GraphResponse>,
): Promise<GraphResponse> {
  const requests = parseBatch(outer.body);
  const responses = await Promise.all(
    requests.map(async (inner) => {
      const req = toGraphRequest(inner, outer);
      if (typeof req === 'string') return innerError(inner.id, req);
      const res = await serve(req);
      return {
        id: inner.id,
        status: res.status,
        headers: res.headers,
        ...(res.body === undefined ? {} : { body: res.body }),
      };
    }),
  );
  return ok({ responses });
}
