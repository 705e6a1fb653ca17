/**
 * The old MDM's inventory as stored: one row per device a source lists, kept across syncs, and the
 * pure rules that turn what a source lists now into the writes to make. A full snapshot can mark a
 * device gone (the old MDM no longer lists it) and revive one; an incremental page only inserts,
 * updates and revives, because a device missing from it may simply not have changed.
 */
import { bucketOf, canonicalJson, fingerprint } from './canonical';
import type { AmbiguityReason, MatchRule, PersonMissReason } from './device-matching';
import type { OldMdmDevice } from './old-mdm';

/** Which Intune/Entra device a stored row is, as the last matching pass found it. */
export type StoredMatch =
  | { kind: 'matched'; candidateKey: string; by: MatchRule; confidence: number }
  /** `candidateKeys` capped at `MAX_STORED_CANDIDATES` (sorted), to keep rows small. */
  | { kind: 'ambiguous'; by: MatchRule; reason: AmbiguityReason; candidateKeys: string[] }
  | { kind: 'unmatched' };

/** Whose device it is (an Entra object id), or why nobody could be found. */
export type StoredPerson =
  | { aadObjectId: string; by: 'upn' | 'mail' | 'mapping' }
  | { missing: PersonMissReason }
  /** Erased at the person's request: the matching pass never attaches anyone to the row again. */
  | { erased: true };

export const MAX_STORED_CANDIDATES = 5;

export interface InventoryDevice extends OldMdmDevice {
  /** When a sync first stored it (ISO). */
  firstSeenAt: string;
  /** When a sync last wrote it (ISO): rows are written only when something read from them changed. */
  lastSyncedAt: string;
  /** When a full snapshot first no longer listed it; absent while the old MDM lists it. */
  goneAt?: string;
  /**
   * The full snapshot that last wrote it. A row that is not gone is listed by its source's latest
   * full snapshot (the sync state's `lastSnapshotId`): unchanged rows are not rewritten to say so.
   */
  snapshotId?: string;
  /** Set by the matching pass (src/features/old-mdm/match-pass.ts); kept when a sync rewrites the row. */
  match?: StoredMatch;
  person?: StoredPerson;
  /** When the pass last wrote `match` or `person` (ISO). */
  matchedAt?: string;
  /**
   * The row's `lastSyncedAt` that the pass last saw: differing means a sync rewrote the row since,
   * so the person index copy is stale. Equality rather than a time comparison, because a file import
   * may write while a pass runs.
   */
  matchedRowAt?: string;
  /** The person (Entra object id) whose `oldMdmByPerson` partition holds a copy of this row; absent: none. */
  indexedUnder?: string;
}

/**
 * The small copy of an inventory row kept in its person's partition of `oldMdmByPerson`, so that a
 * journey reads a person's old-MDM devices with one partition read. Row key: `inventoryRowKey`.
 */
export interface PersonInventoryDevice {
  source: string;
  vendorId: string;
  name?: string;
  platform: OldMdmDevice['platform'];
  ownership: OldMdmDevice['ownership'];
  supervised?: boolean;
  enrollment: OldMdmDevice['enrollment'];
  lastSeen?: string;
  goneAt?: string;
  match?: StoredMatch;
}

/** How one source's devices stand after the matching pass (gone devices are not counted). */
export interface SourceMatchCounts {
  /** Devices the source lists now (gone ones are not counted). */
  listed: number;
  matched: number;
  ambiguous: number;
  unmatched: number;
  /** Listed but not through a matching pass yet. */
  pending: number;
  personMissing: number;
}

/** Partitions of the inventory table: devices of every source spread evenly (`o00`…`o63`). */
export const INVENTORY_BUCKETS = 64;

export interface InventoryKey {
  partitionKey: string;
  rowKey: string;
}

/** `source:vendorId`, with the characters Azure Table keys refuse (/ \ # ? and controls) escaped. */
export function inventoryRowKey(source: string, vendorId: string): string {
  return `${encodeURIComponent(source)}:${encodeURIComponent(vendorId)}`;
}

export function inventoryKey(source: string, vendorId: string): InventoryKey {
  const bucket = bucketOf(`${source}:${vendorId}`, INVENTORY_BUCKETS);
  return { partitionKey: `o${String(bucket).padStart(2, '0')}`, rowKey: inventoryRowKey(source, vendorId) };
}

export function inventoryPartitions(): string[] {
  return Array.from({ length: INVENTORY_BUCKETS }, (_, i) => `o${String(i).padStart(2, '0')}`);
}

/**
 * A later check-in alone is not worth a write until it moved this far: cards say "last seen 2 hours
 * ago", and rewriting every device on every sync would cost a write per check-in.
 */
export const LAST_SEEN_RESOLUTION_MS = 30 * 60_000;

/** What a sync keeps in memory per stored row: enough to decide, no personal data. */
export interface InventorySummary {
  /** Fingerprint of everything but `lastSeen` (see `deviceFingerprint`). */
  fingerprint: string;
  lastSeenMs?: number;
  gone: boolean;
}

const OWN_FIELDS = [
  'firstSeenAt',
  'lastSyncedAt',
  'goneAt',
  'snapshotId',
  'match',
  'person',
  'matchedAt',
  'matchedRowAt',
  'indexedUnder',
] as const;

/** The matching pass's fields, carried over when a sync rewrites a row (the next pass revisits it). */
const MATCH_FIELDS = ['match', 'person', 'matchedAt', 'matchedRowAt', 'indexedUnder'] as const;

/** The device as the source lists it, without the sync's own bookkeeping. */
export function listedFields(device: OldMdmDevice | InventoryDevice): OldMdmDevice {
  const copy: Record<string, unknown> = { ...device };
  for (const f of OWN_FIELDS) delete copy[f];
  return copy as unknown as OldMdmDevice;
}

/** Longest text kept per field: a row must stay well inside a table row (≤ 32,000 characters of JSON). */
export const MAX_FIELD_CHARS = 512;

/** The device with every text field cut to `MAX_FIELD_CHARS`, as it is compared and stored. */
export function clipped(device: OldMdmDevice): OldMdmDevice {
  const copy: Record<string, unknown> = { ...device };
  for (const [k, v] of Object.entries(copy)) {
    if (typeof v === 'string' && v.length > MAX_FIELD_CHARS) copy[k] = v.slice(0, MAX_FIELD_CHARS);
  }
  return copy as unknown as OldMdmDevice;
}

/** A short fingerprint of what the journey and admins read, `lastSeen` aside. */
export function deviceFingerprint(device: OldMdmDevice): string {
  const { lastSeen: _lastSeen, ...rest } = listedFields(device);
  return fingerprint(canonicalJson(rest));
}

function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

export function summarise(device: InventoryDevice): InventorySummary {
  return {
    fingerprint: deviceFingerprint(device),
    lastSeenMs: timeOf(device.lastSeen),
    gone: !!device.goneAt,
  };
}

function lastSeenMoved(stored: number | undefined, listed: number | undefined): boolean {
  if (stored === undefined || listed === undefined) return stored !== listed;
  return Math.abs(listed - stored) >= LAST_SEEN_RESOLUTION_MS;
}

export type InventoryWrite = 'insert' | 'update' | 'revive';

/** What listing `device` again means for its stored summary; undefined: nothing worth a write. */
export function writeFor(
  stored: InventorySummary | undefined,
  device: OldMdmDevice,
): InventoryWrite | undefined {
  if (!stored) return 'insert';
  if (stored.gone) return 'revive';
  if (stored.fingerprint !== deviceFingerprint(clipped(device))) return 'update';
  return lastSeenMoved(stored.lastSeenMs, timeOf(device.lastSeen)) ? 'update' : undefined;
}

/**
 * The row after `device` is listed again; undefined when nothing worth a write changed. Used as a
 * read-modify-write, so applying the same listing twice writes once.
 */
export function listedAgain(
  current: InventoryDevice | undefined,
  device: OldMdmDevice,
  at: { now: string; snapshotId?: string },
): InventoryDevice | undefined {
  const write = writeFor(current && summarise(current), device);
  if (!write) return undefined;
  const row: InventoryDevice = {
    ...listedFields(clipped(device)),
    firstSeenAt: current?.firstSeenAt ?? at.now,
    lastSyncedAt: at.now,
  };
  const snapshotId = at.snapshotId ?? current?.snapshotId;
  if (snapshotId) row.snapshotId = snapshotId;
  if (current)
    for (const f of MATCH_FIELDS) if (current[f] !== undefined) Object.assign(row, { [f]: current[f] });
  return row;
}

/** The row once a complete full snapshot no longer lists it; undefined when it is already gone. */
export function goneNow(current: InventoryDevice | undefined, now: string): InventoryDevice | undefined {
  if (!current || current.goneAt) return undefined;
  return { ...current, goneAt: now, lastSyncedAt: now };
}

/**
 * One device per vendor id when a listing repeats one (paging while devices enroll): the most
 * recently seen, ties broken by content, so the result does not depend on the listing's order.
 */
export function oneEach(devices: Iterable<OldMdmDevice>): Map<string, OldMdmDevice> {
  const byId = new Map<string, OldMdmDevice>();
  for (const d of devices) {
    const other = byId.get(d.vendorId);
    if (!other || preferred(d, other)) byId.set(d.vendorId, d);
  }
  return byId;
}

function preferred(a: OldMdmDevice, b: OldMdmDevice): boolean {
  const [ta, tb] = [timeOf(a.lastSeen) ?? -1, timeOf(b.lastSeen) ?? -1];
  if (ta !== tb) return ta > tb;
  return canonicalJson(a) > canonicalJson(b);
}

export interface InventoryDiff {
  insert: OldMdmDevice[];
  update: OldMdmDevice[];
  revive: OldMdmDevice[];
  /** Vendor ids of stored devices a full snapshot no longer lists. */
  gone: string[];
}

const byVendorId = (a: OldMdmDevice, b: OldMdmDevice) =>
  a.vendorId < b.vendorId ? -1 : a.vendorId > b.vendorId ? 1 : 0;

/**
 * The writes that bring one source's stored rows to what it lists now. `full`: the listing is a
 * complete snapshot, so stored devices it lacks are gone; otherwise (an incremental page) nothing
 * is marked gone. Deterministic and independent of either list's order.
 */
export function diffInventory(
  stored: Iterable<InventoryDevice>,
  listed: Iterable<OldMdmDevice>,
  options: { full: boolean },
): InventoryDiff {
  const summaries = new Map<string, InventorySummary>();
  for (const row of stored) summaries.set(row.vendorId, summarise(row));
  const diff: InventoryDiff = { insert: [], update: [], revive: [], gone: [] };
  const current = oneEach(listed);
  for (const device of current.values()) {
    const write = writeFor(summaries.get(device.vendorId), device);
    if (write) diff[write].push(device);
  }
  if (options.full) {
    for (const [vendorId, s] of summaries) if (!s.gone && !current.has(vendorId)) diff.gone.push(vendorId);
  }
  diff.insert.sort(byVendorId);
  diff.update.sort(byVendorId);
  diff.revive.sort(byVendorId);
  diff.gone.sort();
  return diff;
}
