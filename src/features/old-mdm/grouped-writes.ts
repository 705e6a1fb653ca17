/**
 * Many rows of one table written as entity-group transactions: the rows of a partition go in
 * groups of at most MAX_TRANSACTION_ACTIONS, each group all or nothing. One request then writes up
 * to 100 rows where a read-modify-write per row costs two, which is what lets the sync and the
 * matching pass store 100,000 devices in minutes.
 *
 * Read-modify-write groups (`changePartition`) are conditional on the ETags they read: a group that
 * someone else wrote into first is refused whole, read again and redone, like `Repository.update`
 * does for one row. Blind groups (`putPartition`) upsert or delete rows whose whole value the caller
 * owns (an index copy, a marker), so there is nothing to read.
 */
import {
  MAX_TRANSACTION_ACTIONS,
  type Repository,
  type Stored,
  type TransactionAction,
  TransactionError,
} from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';

/** One row's change: its next value from the current one; undefined leaves it, null deletes it. */
export interface RowChange<T> {
  rowKey: string;
  next(current: T | undefined): T | null | undefined;
}

/** What a change did: the value it wrote (null: deleted) and the row before it. */
export interface RowWritten<T> {
  rowKey: string;
  before: T | undefined;
  after: T | null;
}

/** A group refused this many times in a row (each time after a fresh read) is given up. */
const MAX_GROUP_ATTEMPTS = 8;
/** Point reads in flight while a group is read. */
const READS_IN_FLIGHT = 16;

function groupsOf<T>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_TRANSACTION_ACTIONS)
    groups.push(items.slice(i, i + MAX_TRANSACTION_ACTIONS));
  return groups;
}

/**
 * Applies `changes` (one per row key) to one partition in groups of ≤ 100. `known` holds rows the
 * caller has just read (null: known absent), used for the first attempt instead of a point read.
 */
export async function changePartition<T>(
  repo: Repository<T>,
  partitionKey: string,
  changes: readonly RowChange<T>[],
  options: {
    known?: ReadonlyMap<string, Stored<T> | null>;
    signal?: AbortSignal;
    /** Called once per group that landed, with what it wrote. */
    onWritten?: (written: RowWritten<T>[]) => void;
  } = {},
): Promise<void> {
  for (const group of groupsOf(changes)) {
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      const current = new Map<string, Stored<T> | undefined>();
      const toRead: string[] = [];
      for (const c of group) {
        const known = attempt === 1 ? options.known?.get(c.rowKey) : undefined;
        if (known !== undefined) current.set(c.rowKey, known ?? undefined);
        else toRead.push(c.rowKey);
      }
      await forEachBounded(toRead, READS_IN_FLIGHT, async (rowKey) => {
        current.set(rowKey, await repo.get({ partitionKey, rowKey }));
      });
      const actions: TransactionAction<T>[] = [];
      const written: RowWritten<T>[] = [];
      for (const c of group) {
        const cur = current.get(c.rowKey);
        const next = c.next(cur?.value);
        if (next === undefined || (next === null && !cur)) continue;
        if (next === null) actions.push({ kind: 'delete', rowKey: c.rowKey });
        else if (cur) actions.push({ kind: 'replace', rowKey: c.rowKey, value: next, etag: cur.etag });
        else actions.push({ kind: 'insert', rowKey: c.rowKey, value: next });
        written.push({ rowKey: c.rowKey, before: cur?.value, after: next });
      }
      if (actions.length === 0) break;
      try {
        await repo.transact(partitionKey, actions);
      } catch (err) {
        // Someone wrote one of the rows first: nothing of the group landed; redo it on fresh reads.
        if (!(err instanceof TransactionError) || attempt >= MAX_GROUP_ATTEMPTS) throw err;
        await pause(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
        continue;
      }
      options.onWritten?.(written);
      break;
    }
  }
}

/** Rows whose whole value the caller decides: upserted (a value) or deleted (null), ≤ 100 a request. */
export async function putPartition<T>(
  repo: Repository<T>,
  partitionKey: string,
  rows: readonly { rowKey: string; value: T | null }[],
  signal?: AbortSignal,
): Promise<void> {
  for (const group of groupsOf(rows)) {
    signal?.throwIfAborted();
    await repo.transact(
      partitionKey,
      group.map(
        (r): TransactionAction<T> =>
          r.value === null
            ? { kind: 'delete', rowKey: r.rowKey }
            : { kind: 'upsert', rowKey: r.rowKey, value: r.value },
      ),
    );
  }
}

/** Items grouped by partition key, in first-seen order. */
export function byPartition<I>(items: Iterable<I>, partitionOf: (item: I) => string): Map<string, I[]> {
  const out = new Map<string, I[]>();
  for (const item of items) {
    const key = partitionOf(item);
    let list = out.get(key);
    if (!list) {
      list = [];
      out.set(key, list);
    }
    list.push(item);
  }
  return out;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
