/**
 * A delivery job's rows, read and written a chunk at a time: one range query reads a job's rows, one
 * table transaction claims a chunk of them and one records the chunk's outcomes (a job's recipients
 * share a partition; rows of several partitions are read and written a partition at a time). A transaction is all
 * or nothing; when another writer got to one of its rows first, the rows are read again and the whole
 * transaction is made again from them, each change redone on the row as it now is (a row that is gone
 * — erased — stays gone, and a change that no longer applies is left out).
 */

import type { Deps } from '../../deps';
import {
  type Delivery,
  type DeliveryLayout,
  deliveryPartitionOf,
  deliveryPartitions,
} from '../../domain/broadcast';
import {
  ConcurrencyError,
  type EntityKey,
  MAX_TRANSACTION_ACTIONS,
  type RowRange,
  type Store,
  type Stored,
  TransactionError,
} from '../../ports/store';

/** One write of a chunk transaction. */
export interface RowWrite {
  /** Row key (the recipient's object id, lower case). */
  id: string;
  etag: string;
  value: Delivery;
  /** The same change made to the row as it is now, after a conflict; undefined leaves the row alone. */
  redo(current: Delivery): Delivery | undefined;
}

/** What landed: the row as written and its new ETag, by row key. */
export type Landed = Map<string, Stored<Delivery>>;

/** Whole tries of one transaction before the rows are written one by one. */
const TRANSACTION_TRIES = 4;
/** Tries of one row written on its own. */
const ROW_TRIES = 5;
/** Up to this many rows are read one by one; more, with one range query. */
const READ_ONE_BY_ONE = 3;

/**
 * Every delivery row of a broadcast (only those whose row key lies in `rows`, when given), in
 * row-key order, whichever partitions hold them.
 */
export function listDeliveries(
  store: Pick<Store, 'deliveries'>,
  b: DeliveryLayout,
  rows?: RowRange,
): AsyncIterable<Stored<Delivery> & { key: EntityKey }> {
  const where = deliveryPartitions(b);
  if ('only' in where) return store.deliveries.listPartition(where.only, rows);
  // Partitions are row-key ranges: none before the one of `rows.from` holds a row of the range.
  const from = rows?.from === undefined ? where.from : deliveryPartitionOf(b, rows.from);
  return store.deliveries.listPartitions({ from, to: where.to }, rows);
}

/** `items` by the partition of each one's row key, in the order they came. */
function byPartition<I>(
  b: DeliveryLayout,
  items: readonly I[],
  rowKey: (item: I) => string,
): Map<string, I[]> {
  const out = new Map<string, I[]>();
  for (const item of items) {
    const partition = deliveryPartitionOf(b, rowKey(item));
    const list = out.get(partition);
    if (list) list.push(item);
    else out.set(partition, [item]);
  }
  return out;
}

export class DeliveryRows {
  constructor(
    private readonly store: Store,
    private readonly logger: Deps['logger'],
  ) {}

  /** The rows of `ids` that exist, by row key. */
  async read(b: DeliveryLayout, ids: readonly string[]): Promise<Map<string, Stored<Delivery>>> {
    const out = new Map<string, Stored<Delivery>>();
    const sorted = [...new Set(ids)].sort();
    for (const [partitionKey, keys] of byPartition(b, sorted, (id) => id)) {
      if (keys.length <= READ_ONE_BY_ONE) {
        const rows = await Promise.all(
          keys.map((rowKey) => this.store.deliveries.get({ partitionKey, rowKey })),
        );
        rows.forEach((row, i) => {
          if (row) out.set(keys[i]!, row);
        });
        continue;
      }
      // A job's recipients are neighbours in row-key order: one query reads them all ('~' sorts after
      // every character of an object id, so the last one is inside the range).
      const wanted = new Set(keys);
      for await (const row of this.store.deliveries.listPartition(partitionKey, {
        from: keys[0],
        to: `${keys.at(-1)}~`,
      })) {
        if (wanted.has(row.key.rowKey)) out.set(row.key.rowKey, { value: row.value, etag: row.etag });
      }
    }
    return out;
  }

  /**
   * Writes every change, a transaction per partition (one for a job's chunk), made again whole after
   * a conflict; after a few conflicts in a row, one row at a time. Returns what landed.
   */
  async commit(b: DeliveryLayout, writes: readonly RowWrite[]): Promise<Landed> {
    const landed: Landed = new Map();
    for (const [partitionKey, group] of byPartition(b, writes, (w) => w.id)) {
      for (let i = 0; i < group.length; i += MAX_TRANSACTION_ACTIONS) {
        const part = await this.commitPartition(b, partitionKey, group.slice(i, i + MAX_TRANSACTION_ACTIONS));
        for (const [id, row] of part) landed.set(id, row);
      }
    }
    return landed;
  }

  private async commitPartition(
    b: DeliveryLayout,
    partitionKey: string,
    writes: readonly RowWrite[],
  ): Promise<Landed> {
    let pending = [...writes];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > TRANSACTION_TRIES) return this.oneByOne(partitionKey, pending);
      try {
        const etags = await this.store.deliveries.transact(
          partitionKey,
          pending.map((w) => ({ kind: 'replace' as const, rowKey: w.id, value: w.value, etag: w.etag })),
        );
        return new Map(pending.map((w, i) => [w.id, { value: w.value, etag: etags[i]! }]));
      } catch (err) {
        if (!(err instanceof TransactionError)) throw err;
        this.logger.debug(
          { broadcastId: b.id, rows: pending.length, failedAt: err.index, attempt },
          'a delivery transaction met a change; redoing it whole',
        );
        const fresh = await this.read(
          b,
          pending.map((w) => w.id),
        );
        pending = pending.flatMap((w) => {
          const current = fresh.get(w.id);
          const value = current ? w.redo(current.value) : undefined;
          return current && value ? [{ ...w, etag: current.etag, value }] : [];
        });
      }
    }
    return new Map();
  }

  private async oneByOne(partitionKey: string, writes: readonly RowWrite[]): Promise<Landed> {
    const landed: Landed = new Map();
    for (const w of writes) {
      const key = { partitionKey, rowKey: w.id };
      let next: RowWrite | undefined = w;
      for (let attempt = 1; next && attempt <= ROW_TRIES; attempt++) {
        try {
          const stored = await this.store.deliveries.replace(key, next.value, next.etag);
          landed.set(w.id, stored);
          break;
        } catch (err) {
          if (!(err instanceof ConcurrencyError) || attempt === ROW_TRIES) throw err;
          const current = await this.store.deliveries.get(key);
          const value = current ? w.redo(current.value) : undefined;
          next = current && value ? { ...w, etag: current.etag, value } : undefined;
        }
      }
    }
    return landed;
  }
}
