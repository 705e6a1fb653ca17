/**
 * The `counters` table: how counts, deltas, the stuck index and dirty marks are laid out and written.
 *
 * Partition `counts` holds every scope's rows, row key `<scope>|…`: base parts `b00…` written by a
 * recount in one transaction (a generation id, when the recount started and when it committed), and
 * shards `s00…s15` of deltas, one per writing instance (picked at random), each tagged with the
 * generation it adds to. A scope's value is its base plus the shards of the base's generation; a
 * shard of an older generation is ignored (its deltas were made before the recount started) and is
 * overwritten by the next flush into it. All waves' rows are one row-key range: one query.
 *
 * Partition `stuck_<wave>` is the wave's stuck index; partition `meta` row `dirty` names the scopes
 * the repair job should recount.
 */

import {
  add,
  type CounterRow,
  type Counts,
  type StuckEntry,
  WAVE_SCOPE_PREFIX,
} from '../../domain/wave-counters';
import { type EntityKey, type Repository, type RowRange, TransactionError } from '../../ports/store';

export type CounterRepo = Repository<CounterRow>;

export const COUNTS_PARTITION = 'counts';
export const META_PARTITION = 'meta';
export const DIRTY_KEY: EntityKey = { partitionKey: META_PARTITION, rowKey: 'dirty' };
/** Shards per scope: instances pick one at random, so two rarely write the same row at once. */
export const SHARDS = 16;
/** Keys per base row (a row holds 32,000 characters of JSON). */
const KEYS_PER_PART = 1_200;

const two = (n: number) => n.toString().padStart(2, '0');
export const shardKey = (scope: string, shard: number): EntityKey => ({
  partitionKey: COUNTS_PARTITION,
  rowKey: `${scope}|s${two(shard)}`,
});
const baseRowKey = (scope: string, part: number) => `${scope}|b${two(part)}`;
export const stuckPartition = (waveId: string) => `stuck_${encodeURIComponent(waveId)}`;

/** Every row of one scope ('|' and '}' are adjacent; encoded ids never hold either). */
const scopeRange = (scope: string): RowRange => ({ from: `${scope}|`, to: `${scope}}` });
const baseRange = (scope: string): RowRange => ({ from: `${scope}|b`, to: `${scope}|c` });
/** Every wave scope. */
const WAVES_RANGE: RowRange = { from: WAVE_SCOPE_PREFIX, to: 'w`' };

export interface BaseHead {
  generation: string;
  startedAt?: string;
  committedAt?: string;
}

export interface ScopeValue {
  /** Undefined until a recount has written the scope's base. */
  head?: BaseHead;
  counts: Counts;
  /** Rows of the base, with their ETags (a recount replaces them). */
  baseRows: { rowKey: string; etag: string }[];
}

function scopeOf(rowKey: string): string {
  return rowKey.slice(0, rowKey.indexOf('|'));
}

async function readRange(repo: CounterRepo, range: RowRange): Promise<Map<string, ScopeValue>> {
  const base = new Map<string, ScopeValue>();
  const shards: { scope: string; generation: string; counts: Counts }[] = [];
  for await (const { key, value, etag } of repo.listPartition(COUNTS_PARTITION, range)) {
    if (value.kind !== 'counts') continue;
    const scope = scopeOf(key.rowKey);
    const kind = key.rowKey.slice(scope.length + 1, scope.length + 2);
    if (kind === 's') {
      shards.push({ scope, generation: value.generation, counts: value.counts });
      continue;
    }
    const found = base.get(scope) ?? { counts: {}, baseRows: [] };
    found.head = { generation: value.generation, startedAt: value.startedAt, committedAt: value.committedAt };
    add(found.counts, value.counts);
    found.baseRows.push({ rowKey: key.rowKey, etag });
    base.set(scope, found);
  }
  for (const s of shards) {
    const found = base.get(s.scope);
    if (found?.head && found.head.generation === s.generation) add(found.counts, s.counts);
  }
  return base;
}

/** One scope's counters (base plus current shards). */
export async function readScope(repo: CounterRepo, scope: string): Promise<ScopeValue> {
  return (await readRange(repo, scopeRange(scope))).get(scope) ?? { counts: {}, baseRows: [] };
}

/** Every wave's counters, in one query. */
export function readWaveScopes(repo: CounterRepo): Promise<Map<string, ScopeValue>> {
  return readRange(repo, WAVES_RANGE);
}

async function readHead(repo: CounterRepo, scope: string): Promise<BaseHead | undefined> {
  for await (const { value } of repo.listPartition(COUNTS_PARTITION, baseRange(scope))) {
    if (value.kind === 'counts')
      return { generation: value.generation, startedAt: value.startedAt, committedAt: value.committedAt };
  }
  return undefined;
}

/** A change made at `at` (ms since the epoch, when the write had completed). */
export interface TimedDelta {
  at: number;
  counts: Counts;
}

/**
 * Adds deltas to this instance's shard of `scope`, ETag-safe (read-modify-write with retries). Deltas
 * made before the current base's recount started are dropped (the recount read their rows); if a
 * recount commits meanwhile, the kept deltas go again into the new generation. Returns whether some
 * were made while a recount was reading — it may or may not have seen them — so the caller can have
 * the scope recounted once more.
 */
export async function flushScope(
  repo: CounterRepo,
  scope: string,
  shard: number,
  deltas: readonly TimedDelta[],
): Promise<{ ambiguous: boolean }> {
  let ambiguous = false;
  let head = await readHead(repo, scope);
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = head?.startedAt ? Date.parse(head.startedAt) : Number.NEGATIVE_INFINITY;
    const committed = head?.committedAt ? Date.parse(head.committedAt) : started;
    const kept = deltas.filter((d) => d.at >= started);
    if (kept.some((d) => d.at < committed)) ambiguous = true;
    const sum: Counts = {};
    for (const d of kept) add(sum, d.counts);
    if (Object.keys(sum).length === 0) return { ambiguous };
    const generation = head?.generation ?? '';
    await repo.update(shardKey(scope, shard), (cur) =>
      cur?.kind === 'counts' && cur.generation === generation
        ? { ...cur, counts: add({ ...cur.counts }, sum) }
        : { kind: 'counts', generation, counts: sum },
    );
    const after = await readHead(repo, scope);
    if ((after?.generation ?? '') === generation) return { ambiguous };
    head = after;
  }
  return { ambiguous: true };
}

/**
 * Writes a recount as the scope's new base, in one transaction, on condition that the base is still
 * the one read before (`previous`): a concurrent recount makes this one fail, never mix with it.
 */
export async function commitBase(
  repo: CounterRepo,
  scope: string,
  counts: Counts,
  startedAt: number,
  previous: ScopeValue,
  now: number,
): Promise<void> {
  const generation = `${startedAt.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const entries = Object.entries(counts);
  const parts = Math.max(1, Math.ceil(entries.length / KEYS_PER_PART));
  const old = new Map(previous.baseRows.map((r) => [r.rowKey, r.etag]));
  const actions = [];
  for (let part = 0; part < parts; part++) {
    const rowKey = baseRowKey(scope, part);
    const value: CounterRow = {
      kind: 'counts',
      generation,
      startedAt: new Date(startedAt).toISOString(),
      committedAt: new Date(now).toISOString(),
      counts: Object.fromEntries(entries.slice(part * KEYS_PER_PART, (part + 1) * KEYS_PER_PART)),
    };
    const etag = old.get(rowKey);
    old.delete(rowKey);
    actions.push(
      etag ? { kind: 'replace' as const, rowKey, value, etag } : { kind: 'insert' as const, rowKey, value },
    );
  }
  for (const rowKey of old.keys()) actions.push({ kind: 'delete' as const, rowKey });
  await repo.transact(COUNTS_PARTITION, actions);
}

/** The wave's stuck entries whose stage began before `cutoff` (ISO): the stuck ones. */
export async function readStuck(repo: CounterRepo, waveId: string, cutoff: string): Promise<StuckEntry[]> {
  const out: StuckEntry[] = [];
  for await (const { value } of repo.listPartition(stuckPartition(waveId), { to: cutoff })) {
    if (value.kind === 'stuck') {
      const { kind: _kind, ...entry } = value;
      out.push(entry);
    }
  }
  return out;
}

/** Upserts (entry) and deletes (null) in one stuck partition, 100 to a transaction. */
export async function writeStuck(
  repo: CounterRepo,
  partition: string,
  ops: ReadonlyMap<string, StuckEntry | null>,
): Promise<void> {
  let actions = [...ops].map(([rowKey, entry]) =>
    entry
      ? { kind: 'upsert' as const, rowKey, value: { kind: 'stuck' as const, ...entry } }
      : { kind: 'delete' as const, rowKey },
  );
  while (actions.length > 0) {
    const batch = actions.slice(0, 100);
    try {
      await repo.transact(partition, batch);
      actions = actions.slice(100);
    } catch (err) {
      // A delete of a row already gone fails the batch: leave that one out and send the rest again.
      if (
        !(err instanceof TransactionError) ||
        err.index === undefined ||
        batch[err.index]?.kind !== 'delete'
      )
        throw err;
      const gone = batch[err.index]!.rowKey;
      actions = actions.filter((a) => a.rowKey !== gone);
    }
  }
}

/** Makes the stuck partition hold exactly `entries`; returns how many rows it changed. */
export async function syncStuck(
  repo: CounterRepo,
  waveId: string,
  entries: readonly StuckEntry[],
): Promise<number> {
  const partition = stuckPartition(waveId);
  const want = new Map(entries.map((e) => [e.rowKey, e]));
  const ops = new Map<string, StuckEntry | null>();
  for await (const { key, value } of repo.listPartition(partition)) {
    const wanted = want.get(key.rowKey);
    want.delete(key.rowKey);
    if (!wanted) ops.set(key.rowKey, null);
    else if (value.kind !== 'stuck' || JSON.stringify({ kind: 'stuck', ...wanted }) !== JSON.stringify(value))
      ops.set(key.rowKey, wanted);
  }
  for (const [rowKey, e] of want) ops.set(rowKey, e);
  await writeStuck(repo, partition, ops);
  return ops.size;
}

/** Names scopes for the repair job (kept until it recounts them). */
export async function markDirty(repo: CounterRepo, scopes: Iterable<string>, at: number): Promise<void> {
  const list = [...scopes];
  if (list.length === 0) return;
  await repo.update(DIRTY_KEY, (cur) => {
    const marks = cur?.kind === 'dirty' ? { ...cur.scopes } : {};
    let changed = false;
    const iso = new Date(at).toISOString();
    // The latest mark counts: a recount that started before it has not covered it.
    for (const s of list) {
      if (marks[s] && marks[s] >= iso) continue;
      marks[s] = iso;
      changed = true;
    }
    return changed ? { kind: 'dirty', scopes: marks } : undefined;
  });
}

export async function dirtyScopes(repo: CounterRepo): Promise<Record<string, string>> {
  const row = await repo.get(DIRTY_KEY);
  return row?.value.kind === 'dirty' ? row.value.scopes : {};
}

/** Clears the marks a recount that started at `startedAt` covered (later marks stay). */
export async function clearDirty(
  repo: CounterRepo,
  scopes: Iterable<string>,
  startedAt: number,
): Promise<void> {
  const list = [...scopes];
  await repo.update(DIRTY_KEY, (cur) => {
    if (cur?.kind !== 'dirty') return undefined;
    const marks = { ...cur.scopes };
    let changed = false;
    for (const s of list) {
      if (marks[s] && Date.parse(marks[s]) <= startedAt) {
        delete marks[s];
        changed = true;
      }
    }
    return changed ? { kind: 'dirty', scopes: marks } : undefined;
  });
}
