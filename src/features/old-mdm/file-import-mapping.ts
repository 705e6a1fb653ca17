/**
 * What an admin told the product about their old MDM's files, kept in `jobState`:
 * - the user-name mapping (old MDM user name → UPN), one row per user name in its own partition, so
 *   a mapping of any size is read with one partition scan and replaced with changed rows only; the
 *   matching pass (match-pass.ts, via the sync worker) finds people through it;
 * - the layout mapping for export files no built-in layout reads, one small row.
 */
import { type OverrideMapping, parseOverrideMapping } from '../../domain/inventory-file/parse-inventory';
import type { EntityKey, JobState, Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';

/** Where a confirmed export file is stored (its inventory rows and sync state). */
export const FILE_SOURCE = 'file';

export const USER_NAME_MAPPING_PARTITION = 'old-mdm-user-names';
const LAYOUT_MAPPING_KEY: EntityKey = { partitionKey: 'old-mdm-file', rowKey: 'layout-mapping' };
const WRITES_IN_FLIGHT = 16;

/** Row key of a user name: compared without case, and encoded (a row key cannot hold `/ \ # ?`). */
const userNameKey = (userName: string): EntityKey => ({
  partitionKey: USER_NAME_MAPPING_PARTITION,
  rowKey: encodeURIComponent(userName.trim().toLowerCase()),
});

interface UserNameRow extends JobState {
  userName: string;
  upn: string;
}

/** The admin's mapping as the matching pass takes it (user name → UPN); empty when none was sent. */
export async function readUserNameMapping(store: Pick<Store, 'jobState'>): Promise<Record<string, string>> {
  const pairs: [string, string][] = [];
  for await (const { value } of store.jobState.listPartition(USER_NAME_MAPPING_PARTITION)) {
    if (typeof value.userName === 'string' && typeof value.upn === 'string')
      pairs.push([value.userName, value.upn]);
  }
  // fromEntries defines own properties, so a user name such as "__proto__" stays a plain key.
  return Object.fromEntries(pairs);
}

export interface MappingChange {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** What replacing the stored mapping with `entries` would change (the preview's counts). */
export async function mappingChange(
  store: Pick<Store, 'jobState'>,
  entries: readonly { userName: string; upn: string }[],
): Promise<MappingChange> {
  const current = await storedRows(store);
  return diff(current, entries).counts;
}

/**
 * The file becomes the mapping: new and changed names written, names it no longer lists removed,
 * the rest untouched. Writing it twice changes nothing the second time.
 */
export async function replaceUserNameMapping(
  store: Pick<Store, 'jobState'>,
  entries: readonly { userName: string; upn: string }[],
): Promise<MappingChange> {
  const current = await storedRows(store);
  const { counts, writes, removals } = diff(current, entries);
  await forEachBounded(writes, WRITES_IN_FLIGHT, async ({ userName, upn }) => {
    const row: UserNameRow = { userName: userName.trim(), upn: upn.trim().toLowerCase() };
    await store.jobState.update(userNameKey(userName), () => row);
  });
  await forEachBounded(removals, WRITES_IN_FLIGHT, (rowKey) =>
    store.jobState.delete({ partitionKey: USER_NAME_MAPPING_PARTITION, rowKey }),
  );
  return counts;
}

async function storedRows(store: Pick<Store, 'jobState'>): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  for await (const row of store.jobState.listPartition(USER_NAME_MAPPING_PARTITION))
    rows.set(row.key.rowKey, String(row.value.upn ?? ''));
  return rows;
}

function diff(current: ReadonlyMap<string, string>, entries: readonly { userName: string; upn: string }[]) {
  const counts: MappingChange = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const writes: { userName: string; upn: string }[] = [];
  const listed = new Set<string>();
  for (const entry of entries) {
    const { rowKey } = userNameKey(entry.userName);
    if (listed.has(rowKey)) continue;
    listed.add(rowKey);
    const stored = current.get(rowKey);
    if (stored === entry.upn.trim().toLowerCase()) counts.unchanged++;
    else {
      if (stored === undefined) counts.added++;
      else counts.changed++;
      writes.push(entry);
    }
  }
  const removals = [...current.keys()].filter((k) => !listed.has(k));
  counts.removed = removals.length;
  return { counts, writes, removals };
}

// ---------------------------------------------------------------------------------------------
// The layout mapping

export interface StoredLayoutMapping {
  mapping: OverrideMapping;
  savedAt: string;
}

/** The layout mapping the admin sent last, or undefined (none, or one that no longer reads). */
export async function readLayoutMapping(
  store: Pick<Store, 'jobState'>,
): Promise<StoredLayoutMapping | undefined> {
  const row = (await store.jobState.get(LAYOUT_MAPPING_KEY))?.value;
  if (typeof row?.json !== 'string') return undefined;
  const parsed = parseOverrideMapping(row.json);
  return parsed.ok ? { mapping: parsed.mapping, savedAt: String(row.savedAt ?? '') } : undefined;
}

/** Keeps the admin's JSON as sent (it was checked with `parseOverrideMapping` at the preview). */
export async function saveLayoutMapping(
  store: Pick<Store, 'jobState'>,
  json: string,
  savedAt: Date,
): Promise<void> {
  await store.jobState.update(LAYOUT_MAPPING_KEY, () => ({ json, savedAt: savedAt.toISOString() }));
}
