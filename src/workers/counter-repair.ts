/**
 * Keeps the dashboards' counters true to the rows: recounts the scopes marked dirty (a write whose
 * value before was unknown, a member who moved, deltas made while a recount was reading) and, once a
 * day, every wave and each wave's latest broadcast — which also finds what a crash lost. Runs on the
 * scheduler's leader; a recount writes its result ETag-safe (features/counters/counter-table.ts), so a
 * flush racing it is kept or dropped by its time, never mixed in twice. Logs drift as counts only.
 */

import type { Deps } from '../deps';
import { type Broadcast, broadcastKey } from '../domain/broadcast';
import { broadcastScope, waveScope } from '../domain/wave-counters';
import { clearDirty, dirtyScopes } from '../features/counters/counter-table';
import { type RebuildReport, rebuildCounters } from '../features/counters/recount';
import { listWaves } from '../features/waves';
import type { Job } from './scheduler';

export const COUNTER_REPAIR_KEY = { partitionKey: 'job', rowKey: 'counter-repair' } as const;
const DAY_MS = 86_400_000;

export interface CounterRepairOptions {
  intervalMs?: number;
  /** A dirty scope is recounted at most this often (a busy wave keeps marking itself). */
  minRepairGapMs?: number;
  fullEveryMs?: number;
  now?: () => number;
}

export class CounterRepairJob implements Job {
  readonly name = 'counter-repair';
  readonly intervalMs: number;
  private readonly lastRepair = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly deps: Pick<Deps, 'store' | 'logger'>,
    private readonly options: CounterRepairOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async run(signal: AbortSignal): Promise<void> {
    const report = await this.runOnce(signal);
    if (report.scopes > 0)
      this.deps.logger.info({ job: this.name, ...report }, 'counters recounted from the rows');
  }

  async runOnce(signal?: AbortSignal): Promise<RebuildReport & { full: boolean }> {
    const { store } = this.deps;
    const startedAt = this.now();
    const waves = await listWaves(store);
    const broadcasts: Broadcast[] = [];
    for await (const { value } of store.broadcasts.listPartition(broadcastKey('').partitionKey))
      broadcasts.push(value);
    const state = (await store.jobState.get(COUNTER_REPAIR_KEY))?.value;
    const lastFull = typeof state?.lastFullAt === 'string' ? Date.parse(state.lastFullAt) : Number.NaN;
    const full = !(startedAt - lastFull < (this.options.fullEveryMs ?? DAY_MS));

    let targetWaves = waves;
    let targetBroadcasts = latestPerWave(broadcasts);
    const dirty = Object.keys(await dirtyScopes(store.counters));
    if (!full) {
      const gap = this.options.minRepairGapMs ?? 10 * 60_000;
      const due = new Set(
        dirty.filter((s) => !(startedAt - (this.lastRepair.get(s) ?? Number.NEGATIVE_INFINITY) < gap)),
      );
      targetWaves = waves.filter((w) => due.has(waveScope(w.id)));
      targetBroadcasts = broadcasts.map((b) => b.id).filter((id) => due.has(broadcastScope(id)));
    }
    if (signal?.aborted || targetWaves.length + targetBroadcasts.length === 0) {
      return { scopes: 0, drift: 0, stuckRowsChanged: 0, full: false };
    }
    const report = await rebuildCounters(
      { store, logger: this.deps.logger, now: this.now },
      { waves: targetWaves, broadcasts: targetBroadcasts },
    );
    const done = [...targetWaves.map((w) => waveScope(w.id)), ...targetBroadcasts.map(broadcastScope)];
    for (const s of done) this.lastRepair.set(s, startedAt);
    // Marks of scopes that no longer exist go too: nothing is left to count there.
    const known = new Set([
      ...waves.map((w) => waveScope(w.id)),
      ...broadcasts.map((b) => broadcastScope(b.id)),
    ]);
    await clearDirty(store.counters, [...done, ...dirty.filter((s) => !known.has(s))], startedAt);
    if (full) {
      await store.jobState.update(COUNTER_REPAIR_KEY, (cur) => ({
        ...cur,
        lastFullAt: new Date(startedAt).toISOString(),
      }));
    }
    return { ...report, full };
  }
}

/** Each wave's newest broadcast past the preview: the one its dashboard shows. */
function latestPerWave(broadcasts: readonly Broadcast[]): string[] {
  const latest = new Map<string, Broadcast>();
  for (const b of broadcasts) {
    if (!b.waveId || b.state === 'draft') continue;
    const cur = latest.get(b.waveId);
    if (!cur || b.createdAt > cur.createdAt) latest.set(b.waveId, b);
  }
  return [...latest.values()].map((b) => b.id);
}
