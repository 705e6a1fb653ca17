/**
 * The OData query options the simulator honours ($select, $filter, $top, $skiptoken, $expand) and
 * the collection envelope (@odata.context, value, @odata.nextLink). Options it does not implement
 * are refused with a 400 rather than ignored, so the product never relies on something untested.
 */
import type { EntitySet } from './entity-sets';
import { GraphHttpError } from './graph-error';
import { type GraphRequest, type GraphResponse, ok } from './graph-request';
import { compileFilter, type FilterNode, type Predicate, parseFilter } from './odata-filter';

const SUPPORTED = new Set(['$select', '$filter', '$top', '$skiptoken', '$expand']);
const REFUSED = new Set([
  '$orderby',
  '$count',
  '$search',
  '$skip',
  '$format',
  '$compute',
  '$apply',
  '$levels',
]);

export interface EntityQuery {
  select?: string[];
  expand: string[];
}

export interface CollectionQuery extends EntityQuery {
  filter?: FilterNode;
  predicate?: Predicate;
  top: number;
  offset: number;
}

const badRequest = (message: string): GraphHttpError => new GraphHttpError(400, 'BadRequest', message);

/** System query options by lower-case name with the `$` added when the caller left it out (Graph allows that). */
function systemOptions(query: URLSearchParams): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rawKey, value] of query) {
    const lower = rawKey.toLowerCase();
    const name = lower.startsWith('$') ? lower : `$${lower}`;
    if (!SUPPORTED.has(name) && !REFUSED.has(name)) continue; // not a system option: Graph ignores it too
    if (out.has(name))
      throw badRequest(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    if (REFUSED.has(name))
      throw badRequest(`Query option '${name}' is not supported by the tenant simulator.`);
    out.set(name, value);
  }
  return out;
}

export function parseSelect(value: string | undefined, set: EntitySet): string[] | undefined {
  if (value === undefined) return undefined;
  const fields = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.length === 0) throw badRequest('$select is empty.');
  return fields.map((f) => {
    const name = set.properties.find((p) => p.toLowerCase() === f.toLowerCase());
    if (!name) throw badRequest(`Could not find a property named '${f}' on type '${set.typeName}'.`);
    return name;
  });
}

/**
 * `$expand=a,b` or `$expand=rel($select=id)`; the nested $select may only ask for `id`, which is all
 * an expanded directory object carries here.
 */
function parseExpand(value: string | undefined, allowed: readonly string[]): string[] {
  if (value === undefined) return [];
  return value.split(/,(?![^(]*\))/).map((raw) => {
    const nested = /^([^(]+)\(\s*\$select\s*=\s*id\s*\)$/i.exec(raw.trim());
    const f = nested ? nested[1].trim() : raw.trim();
    const name = allowed.find((a) => a.toLowerCase() === f.toLowerCase());
    if (!name) {
      throw badRequest(
        `$expand=${f} is not supported here by the tenant simulator${allowed.length ? ` (only ${allowed.join(', ')})` : ''}.`,
      );
    }
    return name;
  });
}

function parseTop(value: string | undefined, set: EntitySet): number {
  if (value === undefined) return set.defaultTop;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > set.maxTop) {
    throw badRequest(
      `Invalid page size specified: '${value}'. Must be between 1 and ${set.maxTop} inclusive.`,
    );
  }
  return n;
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeSkipToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const o = typeof parsed === 'object' && parsed !== null ? (parsed as { o?: unknown }).o : undefined;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('$skiptoken is not valid: use the @odata.nextLink of the previous page as it is.');
}

export function parseEntityQuery(
  query: URLSearchParams,
  set: EntitySet,
  expandable: readonly string[] = [],
): EntityQuery {
  const opts = systemOptions(query);
  for (const name of ['$filter', '$top', '$skiptoken']) {
    if (opts.has(name))
      throw badRequest(`Query option '${name}' is not allowed on a single ${set.typeName}.`);
  }
  return {
    select: parseSelect(opts.get('$select'), set),
    expand: parseExpand(opts.get('$expand'), expandable),
  };
}

export function parseCollectionQuery(
  query: URLSearchParams,
  set: EntitySet,
  expandable: readonly string[] = [],
): CollectionQuery {
  const opts = systemOptions(query);
  const filterText = opts.get('$filter');
  const filter = filterText === undefined ? undefined : parseFilter(filterText);
  return {
    select: parseSelect(opts.get('$select'), set),
    expand: parseExpand(opts.get('$expand'), expandable),
    filter,
    predicate: filter ? compileFilter(filter, set.filterable, set.typeName) : undefined,
    top: parseTop(opts.get('$top'), set),
    offset: decodeSkipToken(opts.get('$skiptoken')),
  };
}

/** The record as Graph would send it: the selected (or default) properties, @odata.type first when given. */
export function project(
  record: object,
  fields: readonly string[],
  odataType?: string,
  known?: readonly string[],
): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  const out: Record<string, unknown> = odataType ? { '@odata.type': `#${odataType}` } : {};
  for (const f of fields) {
    if (known && !known.includes(f)) continue;
    out[f] = source[f] ?? null;
  }
  return out;
}

export function contextUrl(
  req: GraphRequest,
  resource: string,
  select?: readonly string[],
  entity = false,
): string {
  const fields = select ? `(${select.join(',')})` : '';
  return `${req.origin}/v1.0/$metadata#${resource}${fields}${entity ? '/$entity' : ''}`;
}

function nextLink(req: GraphRequest, offset: number): string {
  const parts: string[] = [];
  for (const [k, v] of req.query) {
    if (k.toLowerCase().replace(/^\$/, '') === 'skiptoken') continue;
    // Keep the `$` of system query options readable, as Graph's own nextLinks do.
    parts.push(`${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(v)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(offset)}`);
  return `${req.origin}/v1.0${req.path}?${parts.join('&')}`;
}

export interface CollectionOptions<T> {
  resource: string;
  set: EntitySet;
  query: CollectionQuery;
  /** Projects one matching record onto the wire (select, @odata.type, expansions). */
  render: (item: T, select: readonly string[]) => Record<string, unknown>;
  /** The record $filter looks at, when the candidates wrap it. */
  filterOn?: (item: T) => object;
}

/** Filters, pages and wraps a collection; O(n) in the candidates given, never more. */
export function collectionResponse<T extends object>(
  req: GraphRequest,
  candidates: Iterable<T>,
  options: CollectionOptions<T>,
): GraphResponse {
  const { query, set } = options;
  const predicate = query.predicate;
  const filterOn = options.filterOn ?? ((item: T): object => item);
  const end = query.offset + query.top;
  const value: Record<string, unknown>[] = [];
  const select = query.select ?? set.defaults;
  let index = 0;
  let more = false;
  for (const item of candidates) {
    if (predicate && !predicate(filterOn(item))) continue;
    if (index >= end) {
      more = true;
      break;
    }
    if (index >= query.offset) value.push(options.render(item, select));
    index++;
  }
  const body: Record<string, unknown> = { '@odata.context': contextUrl(req, options.resource, query.select) };
  if (more) body['@odata.nextLink'] = nextLink(req, end);
  body.value = value;
  return ok(body);
}

export function entityResponse(
  req: GraphRequest,
  resource: string,
  record: Record<string, unknown>,
  select?: readonly string[],
): GraphResponse {
  return ok({ '@odata.context': contextUrl(req, resource, select, true), ...record });
}
