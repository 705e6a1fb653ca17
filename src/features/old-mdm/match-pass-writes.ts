/**
 * The matching pass's writes (match-pass.ts decides, this stores), all as entity-group transactions
 * (grouped-writes.ts): each person's index copies in one request, the people's change markers 100
 * a request, and the inventory rows 100 a request per partition, conditional on the rows as read
 * just before (a group someone else wrote into meanwhile is read again and redone).
 */
import { sameJson } from '../../domain/canonical';
import type {
  InventoryDevice,
  PersonInventoryDevice,
  StoredMatch,
  StoredPerson,
} from '../../domain/inventory';
import type { OldMdmDevice } from '../../domain/old-mdm';
import { PARTICIPANT_PARTITIONS, participantKey } from '../../domain/participant';
import { inventoryWithoutPerson, isErasedMark, keptPerson } from '../../domain/retention';
import type { EntityKey, Store, Stored } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { detachIfErased } from '../privacy/inventory-erasure';
import { byPartition, changePartition, putPartition } from './grouped-writes';
import { markPeopleChanged } from './person-changes';

/** What the pass keeps per stored row: what matching reads and the index copy needs, nothing more. */
export interface ScannedRow {
  key: EntityKey;
  device: OldMdmDevice;
  lastSyncedAt: string;
  goneAt?: string;
  match?: StoredMatch;
  person?: StoredPerson;
  matchedRowAt?: string;
  indexedUnder?: string;
  /** This pass's answer; absent for a gone device, which is not matched again. */
  next?: { match: StoredMatch; person: StoredPerson };
}

/** One row the pass has to write: its answer, the person whose index holds it, and whether it changed. */
export interface RowPlan {
  row: ScannedRow;
  match?: StoredMatch;
  person?: StoredPerson;
  indexUnder?: string;
  changed: boolean;
}

export interface PassWrites {
  store: Store;
  nowIso: string;
  concurrency: number;
  signal?: AbortSignal;
}

/** Above this many rows to write in a partition, one listing of it is cheaper than a read per row. */
const LIST_FROM = 20;
/** Above this many people to check for erasure, scanning the participants beats a read per person. */
const SCAN_PEOPLE_FROM = 256;
const SCAN_CONCURRENCY = 8;

export function personCopy(
  device: OldMdmDevice,
  goneAt: string | undefined,
  match: StoredMatch | undefined,
): PersonInventoryDevice {
  return {
    source: device.source,
    vendorId: device.vendorId,
    name: device.name,
    platform: device.platform,
    ownership: device.ownership,
    supervised: device.supervised,
    enrollment: device.enrollment,
    lastSeen: device.lastSeen,
    goneAt,
    match,
  };
}

/** What the pass has to write for a row; undefined when its match, person, copy and index are current. */
export function planOf(row: ScannedRow, now: Date, retentionMs: number): RowPlan | undefined {
  // A gone device is not matched again: its last match and person still say what it was.
  const found = row.next ?? { match: row.match, person: row.person };
  // An erased person stays erased: the old MDM may still name them, but nobody is attached.
  const person = keptPerson(row.person, found.person);
  const owner = person && 'aadObjectId' in person ? person.aadObjectId : undefined;
  const expired = row.goneAt !== undefined && now.getTime() - Date.parse(row.goneAt) > retentionMs;
  const indexUnder = expired ? undefined : owner;
  const changed = !sameJson(found.match, row.match) || !sameJson(person, row.person);
  const rowMoved = row.matchedRowAt !== row.lastSyncedAt;
  if (!changed && !rowMoved && row.indexedUnder === indexUnder) return undefined;
  return { row, match: found.match, person, indexUnder, changed };
}

/**
 * Every person's copies (and the removal of copies from a former owner's partition) in one
 * transaction per person. Copies are the pass's own derivation of the inventory row, written
 * whole: nothing to read first. Returns the people whose copies changed.
 */
export async function writeIndexCopies(
  plans: readonly RowPlan[],
  w: PassWrites,
): Promise<{ indexWritten: number; indexDeleted: number; people: string[] }> {
  const byPerson = new Map<string, { plan: RowPlan; remove: boolean }[]>();
  const add = (person: string, plan: RowPlan, remove: boolean) => {
    const list = byPerson.get(person) ?? [];
    list.push({ plan, remove });
    byPerson.set(person, list);
  };
  for (const plan of plans) {
    if (plan.indexUnder) add(plan.indexUnder, plan, false);
    if (plan.row.indexedUnder && plan.row.indexedUnder !== plan.indexUnder)
      add(plan.row.indexedUnder, plan, true);
  }
  let indexWritten = 0;
  let indexDeleted = 0;
  await forEachBounded(
    byPerson,
    w.concurrency,
    async ([person, items]) => {
      const rows = items.map(({ plan, remove }) => ({
        rowKey: plan.row.key.rowKey,
        value: remove ? null : personCopy(plan.row.device, plan.row.goneAt, plan.match),
      }));
      await putPartition(w.store.oldMdmByPerson, person, rows, w.signal);
      for (const r of rows) {
        if (r.value === null) indexDeleted++;
        else indexWritten++;
      }
    },
    { signal: w.signal },
  );
  return { indexWritten, indexDeleted, people: [...byPerson.keys()] };
}

/**
 * A change marker for each person whose copies changed and whom the background refresh follows (in
 * a wave, or with journeys): it clears anyone else's marker unread, so writing those would only cost
 * requests. Written after the copies, so that the refresh that reads a marker finds the new copy.
 */
export async function markChangedPeople(
  people: readonly string[],
  followed: ReadonlySet<string>,
  w: PassWrites,
): Promise<number> {
  return markPeopleChanged(
    w.store,
    people.filter((id) => followed.has(id)),
    w.nowIso,
    w.signal,
  );
}

/** The row after the pass; undefined when that is what is stored already (or the row is gone). */
function rowAfter(current: InventoryDevice | undefined, plan: RowPlan, nowIso: string) {
  if (!current) return undefined;
  const updated: InventoryDevice = {
    ...(isErasedMark(plan.person) ? inventoryWithoutPerson(current, true) : current),
    match: plan.match,
    person: plan.person,
    // The row as scanned: if a sync rewrote it meanwhile, the next pass sees it differ and redoes it.
    matchedRowAt: plan.row.lastSyncedAt,
    indexedUnder: plan.indexUnder,
    matchedAt: plan.changed ? nowIso : current.matchedAt,
  };
  return sameJson(updated, current) ? undefined : updated;
}

/** The inventory rows, per partition, on the rows as read now (a sync may have rewritten some). */
export async function writeRows(plans: readonly RowPlan[], w: PassWrites): Promise<number> {
  let written = 0;
  await forEachBounded(
    byPartition(plans, (p) => p.row.key.partitionKey),
    SCAN_CONCURRENCY,
    async ([partition, list]) => {
      let known: Map<string, Stored<InventoryDevice> | null> | undefined;
      if (list.length >= LIST_FROM) {
        known = new Map(list.map((p) => [p.row.key.rowKey, null]));
        for await (const r of w.store.oldMdmDevices.listPartition(partition)) {
          if (known.has(r.key.rowKey)) known.set(r.key.rowKey, { value: r.value, etag: r.etag });
        }
      }
      const changes = list.map((plan) => ({
        rowKey: plan.row.key.rowKey,
        next: (current?: InventoryDevice) => rowAfter(current, plan, w.nowIso),
      }));
      await changePartition(w.store.oldMdmDevices, partition, changes, {
        known,
        signal: w.signal,
        onWritten: (rows) => {
          written += rows.length;
        },
      });
    },
    { signal: w.signal },
  );
  return written;
}

/**
 * People erased while the pass ran lose what it attached to them. Checked after all the pass's
 * writes; the erasure tombstones before it reads a person's index, so whichever runs second sees
 * the other's writes and nothing is left.
 */
export async function detachErased(plans: readonly RowPlan[], w: PassWrites): Promise<number> {
  const owners = new Set(plans.flatMap((p) => p.indexUnder ?? []));
  if (owners.size === 0) return 0;
  const erased = new Set<string>();
  if (owners.size < SCAN_PEOPLE_FROM) {
    await forEachBounded(owners, SCAN_CONCURRENCY, async (id) => {
      if ((await w.store.participants.get(participantKey(id)))?.value.erasedAt) erased.add(id);
    });
  } else {
    await forEachBounded(
      PARTICIPANT_PARTITIONS,
      SCAN_CONCURRENCY,
      async (partition) => {
        for await (const r of w.store.participants.listPartition(partition)) {
          const id = r.value.aadObjectId.toLowerCase();
          if (r.value.erasedAt && owners.has(id)) erased.add(id);
        }
      },
      { signal: w.signal },
    );
  }
  let detached = 0;
  for (const plan of plans) {
    if (plan.indexUnder && erased.has(plan.indexUnder)) {
      if (await detachIfErased(w.store, plan.row.key, plan.indexUnder)) detached++;
    }
  }
  return detached;
}
