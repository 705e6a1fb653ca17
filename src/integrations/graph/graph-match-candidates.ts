/**
 * Every device Graph knows, in the shape device matching needs: all Intune managed devices and all
 * Entra devices, merged per physical device through azureADDeviceId (as `mergeDevices` does for one
 * user's devices, so a candidate's key is the same DeviceObservation.key the journeys use).
 *
 * Intune's side is read page by page while it fits one page, and as one report export when it is
 * larger (intune-export.ts: about five requests at 60,000 devices instead of 61 pages).
 *
 * Entra's collection is read only when it can change a match: an Entra record without an Intune
 * twin has neither hardware ids nor an owner, so only the Entra-device-id rule can match it, and
 * only for an id the old MDM lists that no Intune record carries. Most old MDMs list none, and the
 * read then costs Intune's side alone.
 */
import { platformOf } from '../../domain/device';
import { guidKey, type MatchCandidate } from '../../domain/device-matching';
import type { MatchCandidates } from '../../ports/device-directory';
import type { GraphApi } from './graph-api';
import { type IntuneExportOptions, type IntuneRecord, readIntuneExport } from './intune-export';

/**
 * managedDevice properties (v1.0 managedDevice resource type). `model` tells iPads from iPhones (Intune
 * reports both as iOS); `userId` is the primary user's object id, the candidate's owner. Graph
 * documents `udid` as returned only when $select names it, and as possibly empty in list answers:
 * when it is, matching falls through to the next rule.
 */
const INTUNE_FIELDS =
  'id,deviceName,operatingSystem,serialNumber,imei,meid,udid,azureADDeviceId,userPrincipalName,userId,model';
/** Entra device properties; registeredOwners is a relationship, not selectable, so Entra-only devices have no owner. */
const ENTRA_FIELDS = 'id,deviceId,displayName,operatingSystem,mdmAppId,isManaged';
/** The largest pages each collection allows: fewer requests for a tenant-wide read. */
const INTUNE_PAGE = 1000;
const ENTRA_PAGE = 999;
const NO_DEVICE_ID = '00000000-0000-0000-0000-000000000000';

interface EntraRecord {
  id: string;
  deviceId?: string;
  displayName?: string;
  operatingSystem?: string;
  mdmAppId?: string | null;
  isManaged?: boolean | null;
}

/** Graph writes unknown identifiers as empty strings. */
const value = (v: string | null | undefined): string | undefined => (v ? v : undefined);

async function readAll<T>(
  graph: GraphApi,
  path: string,
  signal: AbortSignal | undefined,
): Promise<{ items: T[]; requests: number }> {
  const items: T[] = [];
  let requests = 0;
  signal?.throwIfAborted();
  for await (const page of graph.pages<T>(path)) {
    requests++;
    for (const item of page) items.push(item);
    signal?.throwIfAborted();
  }
  return { items, requests };
}

/**
 * How Intune's side is read: `paged` (managedDevices, 1,000 a page: one request per 1,000 devices,
 * UDIDs included), `export` (the `Devices` report export: a handful of requests whatever the size,
 * no UDID), or `auto` (the default): the first page, and when there is more than that one page,
 * the export. An export that cannot be had (refused, failed, late, unreadable) falls back to the
 * paged read, and the answer says so.
 */
export type IntuneReadMode = 'auto' | 'paged' | 'export';

export interface MatchCandidatesOptions extends Pick<IntuneExportOptions, 'sleep' | 'deadlineMs'> {
  intuneRead?: IntuneReadMode;
}

interface IntuneRead {
  items: IntuneRecord[];
  requests: number;
  via: 'paged' | 'export';
  note?: string;
  exportRefused?: boolean;
}

async function readIntune(
  graph: GraphApi,
  signal: AbortSignal | undefined,
  options: MatchCandidatesOptions,
): Promise<IntuneRead> {
  const mode = options.intuneRead ?? 'auto';
  const path = `/deviceManagement/managedDevices?$select=${INTUNE_FIELDS}&$top=${INTUNE_PAGE}`;
  if (mode === 'paged') return { ...(await readAll<IntuneRecord>(graph, path, signal)), via: 'paged' };
  let first: { items: IntuneRecord[]; next?: string } | undefined;
  let requests = 0;
  if (mode === 'auto') {
    signal?.throwIfAborted();
    first = await graph.page<IntuneRecord>(path);
    requests++;
    if (!first.next) return { items: first.items, requests, via: 'paged' };
  }
  const exported = await readIntuneExport(graph, { ...options, signal });
  requests += exported.requests;
  if (exported.ok) return { items: exported.records, requests, via: 'export' };
  // The paged read from where it stands: after the first page when there was one.
  const rest = await readAll<IntuneRecord>(graph, first?.next ?? path, signal);
  return {
    items: first ? first.items.concat(rest.items) : rest.items,
    requests: requests + rest.requests,
    via: 'paged',
    note: `export not used: ${exported.reason}`,
    ...(exported.refused ? { exportRefused: true } : {}),
  };
}

export async function readMatchCandidates(
  graph: GraphApi,
  signal?: AbortSignal,
  entraDeviceIds?: ReadonlySet<string>,
  options: MatchCandidatesOptions = {},
): Promise<MatchCandidates & { exportRefused?: boolean }> {
  const entraPath = `/devices?$select=${ENTRA_FIELDS}&$top=${ENTRA_PAGE}`;
  const intune = await readIntune(graph, signal, options);
  const twinned = new Set(intune.items.flatMap((m) => guidKey(value(m.azureADDeviceId)) ?? []));
  const entraNeeded =
    !entraDeviceIds || [...entraDeviceIds].some((id) => id !== NO_DEVICE_ID && !twinned.has(id));
  const entra = entraNeeded
    ? await readAll<EntraRecord>(graph, entraPath, signal)
    : { items: [], requests: 0 };
  return {
    candidates: mergeCandidates(intune.items, entra.items),
    requests: intune.requests + entra.requests,
    entraRead: entraNeeded,
    intuneRead: intune.via,
    ...(intune.note ? { intuneReadNote: intune.note } : {}),
    ...(intune.exportRefused ? { exportRefused: true } : {}),
  };
}

/** One candidate per physical device: an Intune record carries its Entra twin's name and platform where it lacks them. */
export function mergeCandidates(
  managed: readonly IntuneRecord[],
  entra: readonly EntraRecord[],
): MatchCandidate[] {
  const entraByDeviceId = new Map<string, EntraRecord>();
  for (const e of entra) {
    const id = value(e.deviceId)?.toLowerCase();
    if (id) entraByDeviceId.set(id, e);
  }
  const used = new Set<string>();
  const out: MatchCandidate[] = [];
  for (const m of managed) {
    const aad = value(m.azureADDeviceId)?.toLowerCase();
    const entraId = aad && aad !== NO_DEVICE_ID ? aad : undefined;
    const e = entraId ? entraByDeviceId.get(entraId) : undefined;
    if (e && entraId) used.add(entraId);
    const c = candidate(
      entraId ?? m.id.toLowerCase(),
      // Entra names iPadOS where Intune says iOS; the model settles it when Entra has no record.
      e && platformOf(e.operatingSystem) === 'ipados'
        ? 'ipados'
        : platformOf(m.operatingSystem ?? e?.operatingSystem, m.model),
    );
    set(c, 'name', value(m.deviceName) ?? value(e?.displayName));
    set(c, 'serialNumber', value(m.serialNumber));
    set(c, 'imei', value(m.imei));
    set(c, 'meid', value(m.meid));
    set(c, 'udid', value(m.udid));
    set(c, 'entraDeviceId', entraId);
    set(c, 'userPrincipalName', value(m.userPrincipalName));
    set(c, 'ownerId', value(m.userId));
    out.push(c);
  }
  for (const e of entra) {
    const deviceId = value(e.deviceId)?.toLowerCase();
    if (deviceId && used.has(deviceId)) continue;
    const c = candidate(deviceId ?? e.id.toLowerCase(), platformOf(e.operatingSystem));
    set(c, 'name', value(e.displayName));
    set(c, 'entraDeviceId', deviceId);
    out.push(c);
  }
  return out;
}

/**
 * Absent rather than undefined-valued fields: candidates are compared and logged as plain objects.
 * Fields are added, never deleted: a `delete` turns a V8 object into a hash table, which made
 * 60,000 candidates take 68 MB instead of 26 MB (measured).
 */
function candidate(key: string, platform: MatchCandidate['platform']): MatchCandidate {
  return { key, platform };
}

function set<K extends keyof MatchCandidate>(
  c: MatchCandidate,
  field: K,
  v: MatchCandidate[K] | undefined,
): void {
  if (v !== undefined) c[field] = v;
}
