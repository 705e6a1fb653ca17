/**
 * The one place counting happens: a Store whose participant, wave-index, escalation and delivery
 * repositories
 * pass every write through to the real one and, once it has landed, note what it changed in the
 * counters — `contribution(after) − contribution(before)` (domain/wave-counters.ts) — and in the
 * waves' stuck index. Deltas collect in memory and go out about once a second into this instance's
 * shard (counter-table.ts), so a burst of writes costs one counter write per wave.
 *
 * The value before a write comes from the write itself where it can: `update` hands its mutate the
 * current row; `insert` has none; `replace`, a transaction's replace/upsert/delete and `delete` look it
 * up in a small cache of rows this instance read or wrote, by key and ETag (`delete` without a cached
 * row reads it first). A miss cannot be counted: the scopes it touches are marked dirty and the repair
 * job recounts them (so do a participant's move between waves, which moves their tickets, and a crash
 * that loses the deltas not yet flushed — the daily recount finds those).
 */

import type { Participant } from '../../domain/participant';
import {
  deliveryCounts,
  deltaOf,
  escalationCounts,
  indexCounts,
  participantCounts,
  type ScopedCounts,
  type StuckEntry,
  stuckEntries,
  waveScope,
} from '../../domain/wave-counters';
import type { Logger } from '../../logging';
import type { EntityKey, Repository, Store, TransactionAction } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { flushScope, markDirty, SHARDS, stuckPartition, type TimedDelta, writeStuck } from './counter-table';

export interface CountingOptions {
  logger: Logger;
  /** Wall clock in ms; every instance's must roughly agree (the recount compares against it). */
  now?: () => number;
  flushMs?: number;
  /** This instance's shard; random by default. */
  shard?: number;
  /** Rows remembered for the value-before of replaces and deletes. */
  cacheSize?: number;
}

/** Writes not counted yet are capped; beyond, the scope is left to the repair job. */
const MAX_PENDING = 50_000;
const FLUSHES_IN_FLIGHT = 4;

/** Counts and stuck-index changes waiting to be written. */
export class CounterWriter {
  readonly shard: number;
  private readonly now: () => number;
  private pending = new Map<string, TimedDelta[]>();
  private pendingCount = 0;
  private stuckOps = new Map<string, Map<string, StuckEntry | null>>();
  private dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** Writes whose value before was unknown, since start (a measure of drift). */
  misses = 0;

  constructor(
    private readonly repo: Store['counters'],
    private readonly options: CountingOptions,
  ) {
    this.shard = options.shard ?? Math.floor(Math.random() * SHARDS);
    this.now = options.now ?? Date.now;
    const every = options.flushMs ?? 1_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.flush(), every);
      this.timer.unref();
    }
  }

  record(delta: ScopedCounts): void {
    const at = this.now();
    for (const [scope, counts] of delta) {
      if (this.pendingCount >= MAX_PENDING) {
        this.dirty.add(scope);
        continue;
      }
      const list = this.pending.get(scope) ?? [];
      list.push({ at, counts });
      this.pending.set(scope, list);
      this.pendingCount += 1;
    }
  }

  stuck(partition: string, rowKey: string, entry: StuckEntry | null): void {
    const ops = this.stuckOps.get(partition) ?? new Map<string, StuckEntry | null>();
    ops.set(rowKey, entry);
    this.stuckOps.set(partition, ops);
  }

  markDirty(scopes: Iterable<string>): void {
    for (const s of scopes) this.dirty.add(s);
  }

  /** Writes what is pending; a failed part stays pending for the next round. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async flushOnce(): Promise<void> {
    const pending = this.pending;
    const stuckOps = this.stuckOps;
    this.pending = new Map();
    this.pendingCount = 0;
    this.stuckOps = new Map();
    await forEachBounded([...pending], FLUSHES_IN_FLIGHT, async ([scope, deltas]) => {
      try {
        const { ambiguous } = await flushScope(this.repo, scope, this.shard, deltas);
        if (ambiguous) this.dirty.add(scope);
      } catch (err) {
        this.options.logger.warn({ err, deltas: deltas.length }, 'counter deltas not written yet; retrying');
        const back = this.pending.get(scope) ?? [];
        this.pending.set(scope, [...deltas, ...back]);
        this.pendingCount += deltas.length;
      }
    });
    await forEachBounded([...stuckOps], FLUSHES_IN_FLIGHT, async ([partition, ops]) => {
      try {
        await writeStuck(this.repo, partition, ops);
      } catch (err) {
        this.options.logger.warn({ err, rows: ops.size }, 'stuck index not written yet; retrying');
        const later = this.stuckOps.get(partition) ?? new Map();
        this.stuckOps.set(partition, new Map([...ops, ...later]));
      }
    });
    if (this.dirty.size > 0) {
      const scopes = [...this.dirty];
      this.dirty.clear();
      try {
        await markDirty(this.repo, scopes, this.now());
      } catch (err) {
        this.options.logger.warn({ err, scopes: scopes.length }, 'dirty counters not marked yet; retrying');
        for (const s of scopes) this.dirty.add(s);
      }
    }
  }
}

/** What a repository's rows mean to the counters. */
interface Counting<T> {
  counts(value: T): ScopedCounts;
  /** Further effects of a change (the stuck index, dirty marks). */
  also?(before: T | undefined, after: T | undefined, writer: CounterWriter): void;
}

class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
  }
  delete(k: string): void {
    this.map.delete(k);
  }
}

const NOT_CACHED = Symbol('not cached');
type Before<T> = T | undefined | typeof NOT_CACHED;

/** Wraps one repository: every method passes through; each write that lands is counted. */
export function countedRepository<T>(
  inner: Repository<T>,
  counting: Counting<T>,
  writer: CounterWriter,
  cacheSize = 5_000,
): Repository<T> {
  const cache = new LruCache<{ etag: string; value: T }>(cacheSize);
  const id = (key: EntityKey) => `${key.partitionKey}\u0000${key.rowKey}`;
  const remember = (key: EntityKey, etag: string, value: T) => {
    if (etag) cache.set(id(key), { etag, value });
    else cache.delete(id(key));
  };
  const changed = (before: Before<T>, after: T | undefined) => {
    if (before === NOT_CACHED) {
      writer.misses += 1;
      writer.markDirty(after === undefined ? [] : counting.counts(after).keys());
      return;
    }
    writer.record(
      deltaOf(before ? counting.counts(before) : new Map(), after ? counting.counts(after) : new Map()),
    );
    counting.also?.(before, after, writer);
  };
  const cachedWith = (key: EntityKey, etag?: string): Before<T> => {
    const found = cache.get(id(key));
    if (!found || (etag !== undefined && found.etag !== etag)) return NOT_CACHED;
    return found.value;
  };
  return {
    async get(key) {
      const row = await inner.get(key);
      if (row) remember(key, row.etag, row.value);
      return row;
    },
    async *listPartition(partitionKey, range) {
      for await (const row of inner.listPartition(partitionKey, range)) {
        remember(row.key, row.etag, row.value);
        yield row;
      }
    },
    async *listPartitions(partitions, rows) {
      for await (const row of inner.listPartitions(partitions, rows)) {
        remember(row.key, row.etag, row.value);
        yield row;
      }
    },
    async insert(key, value) {
      const row = await inner.insert(key, value);
      changed(undefined, value);
      remember(key, row.etag, value);
      return row;
    },
    async replace(key, value, etag) {
      const before = cachedWith(key, etag);
      const row = await inner.replace(key, value, etag);
      changed(before, value);
      remember(key, row.etag, value);
      return row;
    },
    async delete(key, etag) {
      let before = cachedWith(key, etag);
      if (before === NOT_CACHED) before = (await inner.get(key))?.value;
      await inner.delete(key, etag);
      changed(before, undefined);
      cache.delete(id(key));
    },
    async transact(partitionKey, actions: readonly TransactionAction<T>[]) {
      const befores = actions.map((a): Before<T> => {
        const key = { partitionKey, rowKey: a.rowKey };
        if (a.kind === 'insert') return undefined;
        return cachedWith(key, a.kind === 'replace' ? a.etag : undefined);
      });
      const etags = await inner.transact(partitionKey, actions);
      actions.forEach((a, i) => {
        const key = { partitionKey, rowKey: a.rowKey };
        if (a.kind === 'delete') {
          changed(befores[i]!, undefined);
          cache.delete(id(key));
        } else {
          changed(befores[i]!, a.value);
          remember(key, etags[i] ?? '', a.value);
        }
      });
      return etags;
    },
    async update(key, mutate) {
      let last: { before: T | undefined; after: T | undefined } | undefined;
      const result = await inner.update(key, (cur) => {
        const next = mutate(cur);
        last = { before: cur, after: next };
        return next;
      });
      cache.delete(id(key));
      if (last?.after !== undefined) changed(last.before, last.after);
      return result;
    },
  };
}

/** The participant's stuck-index rows, by partition and row key. */
function stuckRows(p: Participant | undefined): Map<string, StuckEntry> {
  const out = new Map<string, StuckEntry>();
  if (!p?.waveId) return out;
  const partition = stuckPartition(p.waveId);
  for (const e of stuckEntries(p)) out.set(`${partition}\u0000${e.rowKey}`, e);
  return out;
}

const participantCounting: Counting<Participant> = {
  counts: participantCounts,
  also(before, after, writer) {
    const was = stuckRows(before);
    const now = stuckRows(after);
    for (const [k, e] of now) {
      const old = was.get(k);
      if (!old || JSON.stringify(old) !== JSON.stringify(e)) {
        const [partition, rowKey] = k.split('\u0000') as [string, string];
        writer.stuck(partition, rowKey, e);
      }
    }
    for (const k of was.keys()) {
      if (now.has(k)) continue;
      const [partition, rowKey] = k.split('\u0000') as [string, string];
      writer.stuck(partition, rowKey, null);
    }
    // A move takes the member's tickets along, which only a recount of both waves can follow.
    if (before?.waveId && before.waveId !== after?.waveId) {
      writer.markDirty([waveScope(before.waveId), ...(after?.waveId ? [waveScope(after.waveId)] : [])]);
    }
  },
};

export interface CountedStore extends Store {
  readonly counterWriter: CounterWriter;
}

/** The store with counting participants, wave index, escalations and deliveries; the rest as it was. */
export function withCounters(inner: Store, options: CountingOptions): CountedStore {
  const writer = new CounterWriter(inner.counters, options);
  const size = options.cacheSize;
  return {
    ...inner,
    ping: () => inner.ping(),
    participants: countedRepository(inner.participants, participantCounting, writer, size),
    escalations: countedRepository(inner.escalations, { counts: escalationCounts }, writer, size),
    deliveries: countedRepository(inner.deliveries, { counts: (d) => deliveryCounts(d) }, writer, size),
    waveMembers: countedRepository(inner.waveMembers, { counts: (m) => indexCounts(m) }, writer, size),
    counterWriter: writer,
  };
}
