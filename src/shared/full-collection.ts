/**
 * A full garbage collection on request, for the one place a long batch job knows better than V8's
 * heuristics when a large working set has just become garbage.
 *
 * Why it exists (measured, docs/bench/old-mdm.md): V8 sets the heap size at which its next full
 * collection starts from the live heap at the previous one, times a growth factor of about two. The
 * old-MDM matching pass holds both sides and the matcher's indexes at once (271 MB of live heap at
 * 100,000 devices); a full collection during that phase set the next one at about 540 MB, and the
 * pass's write phase — 150,000 small storage requests whose objects outlive the young generation
 * while in flight — filled the heap up to that point: peak RSS 689–730 MB, although only 147 MB was
 * still live. Collecting once when the matching's working set is dropped resets that limit from the
 * smaller live set.
 *
 * `gc` is reached the way jest's leak detector reaches it (`--expose-gc` set at run time, the
 * function read from a fresh context), so the product needs no start-up flag. When the flag cannot
 * be set the call does nothing: the collection is an optimisation, never needed for correctness.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    collect = exposed;
    return collect;
  }
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    collect = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Runs a full collection now; returns whether one ran. Costs about 0.1–0.3 s on a 150 MB heap. */
export function collectGarbageNow(): boolean {
  const fn = collector();
  if (!fn) return false;
  fn();
  return true;
}

const MB = 1_048_576;

/**
 * Keeps a long write phase's heap within a margin of what it holds. After each unit of work the
 * phase calls `check()`: when the heap has grown by half (and by at least 64 MB) since the last
 * collection, a full collection runs and its result becomes the new base. The growth is garbage
 * the phase's requests left behind; V8 would let it reach about twice the live heap first.
 *
 * Measured at 100,000 devices (docs/bench/old-mdm.md): the pass's index copies — 50,000 small
 * transactions — promoted 13–52 MB of request garbage a second into the old generation, and V8 let
 * the heap climb from 159 to 436 MB before collecting (peak RSS 622–719 MB). `check()` costs one
 * `getHeapStatistics()` call, about a microsecond.
 */
export class HeapCeiling {
  private base = getHeapStatistics().used_heap_size;
  /** Collections this ceiling ran. */
  collections = 0;

  constructor(
    private readonly growth = 0.5,
    private readonly minGrowthBytes = 64 * MB,
  ) {}

  /**
   * Time spent in those collections, and the longest: a requested collection is a full, atomic one
   * that pauses the whole process (chat turns included) for its duration.
   */
  pauseMs = 0;
  longestPauseMs = 0;

  check(): void {
    const used = getHeapStatistics().used_heap_size;
    if (used - this.base < Math.max(this.minGrowthBytes, this.base * this.growth)) return;
    this.collectNow();
  }

  /** A collection now (a large working set was just dropped), counted and timed like the others. */
  collectNow(): void {
    const started = performance.now();
    if (!collectGarbageNow()) return;
    const paused = performance.now() - started;
    this.collections++;
    this.pauseMs += paused;
    this.longestPauseMs = Math.max(this.longestPauseMs, paused);
    this.base = getHeapStatistics().used_heap_size;
  }
}
