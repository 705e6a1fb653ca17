/**
 * A lower heap growth for a long batch job that shares the process with chat turns.
 *
 * Why it exists (measured, docs/bench/old-mdm.md): V8 starts its next full collection when the heap
 * has grown to its live size at the previous one times a growth factor it picks from its own
 * speed, up to four. The old-MDM matching pass holds 150–270 MB at 100,000 devices, and its write
 * phase — 150,000 small storage requests whose objects outlive the young generation while in flight
 * — fills the heap with garbage up to that factor: heap 520 MB, peak RSS 689–730 MB with defaults.
 * V8's `--heap-growing-percent` fixes the factor at 1 + percent / 100; V8 reads it each time it sets
 * the next limit, so it can be lowered for the pass alone and restored after it. The collections
 * stay V8's own concurrent ones: more of them, each pausing the process for milliseconds — unlike
 * requested full collections (`gc()`), which stop it for the whole marking (up to 587 ms measured).
 *
 * The flag is V8's, set at run time through `v8.setFlagsFromString`, which Node documents as to be
 * used with care: this one only changes a number V8 reads when it sizes the heap. Nested or
 * overlapping jobs share one setting; the default (0: V8 decides) returns when the last one ends.
 */
import { setFlagsFromString } from 'node:v8';

/** Measured at 100,000 devices (docs/bench/old-mdm.md). */
export const BATCH_HEAP_GROWTH_PERCENT = 30;

let holders = 0;

/**
 * Whether the process was started with its own `--heap-growing-percent` (on the command line or in
 * NODE_OPTIONS): a deployment's choice, which the batch jobs then leave alone.
 */
export function growthSetAtStart(execArgv: readonly string[], nodeOptions = ''): boolean {
  return /(^|\s)--heap[-_]growing[-_]percent(=|\s|$)/.test([...execArgv, nodeOptions].join(' '));
}

const operatorChoice = growthSetAtStart(process.execArgv, process.env.NODE_OPTIONS);

function setGrowth(percent: number): void {
  if (!operatorChoice) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Runs `work` with V8's heap growth factor at 1 + percent / 100 (unless the deployment set its own). */
export async function withLowHeapGrowth<T>(
  work: () => Promise<T>,
  percent = BATCH_HEAP_GROWTH_PERCENT,
): Promise<T> {
  if (holders++ === 0) setGrowth(percent);
  try {
    return await work();
  } finally {
    if (--holders === 0) setGrowth(0);
  }
}

/** Whether a job holds the lower growth now (for tests and logs). */
export function heapGrowthLowered(): boolean {
  return holders > 0;
}
