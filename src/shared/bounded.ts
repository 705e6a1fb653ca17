/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and resolves with the results in the
 * order of the items. Stops taking new items after the first failure (which it then throws) or once
 * `signal` is aborted (throwing its reason).
 *
 * The one bounded-concurrency helper of the code base. Written here rather than taken from p-map
 * because p-map ≥ 5 ships only as an ES module and this package compiles to CommonJS; p-limit 3
 * (the last CommonJS release) cannot stop taking items on abort, which the refresher needs.
 */
export async function mapBounded<T, R>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<R[]> {
  const { signal } = options;
  const it = items[Symbol.iterator]();
  const results: R[] = [];
  let index = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed) {
      if (signal?.aborted) {
        if (!failed) [failed, failure] = [true, signal.reason ?? new Error('aborted')];
        return;
      }
      const next = it.next();
      if (next.done) return;
      const i = index++;
      try {
        results[i] = await fn(next.value, i);
      } catch (err) {
        if (!failed) [failed, failure] = [true, err];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(limit)) }, worker));
  if (failed) throw failure;
  return results;
}

/** `mapBounded` for work whose results are not needed. */
export async function forEachBounded<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<unknown>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await mapBounded(items, limit, async (item, i) => void (await fn(item, i)), options);
}
