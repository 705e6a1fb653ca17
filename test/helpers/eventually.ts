/**
 * Waits until `check` passes (returns without throwing, and not `false`), trying again every
 * `intervalMs`; after `timeoutMs` the last failure is thrown. The one way tests wait for background
 * work — never a fixed sleep.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      last = new Error('the condition was still false');
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      if (last instanceof Error) last.message = `not within ${timeoutMs} ms: ${last.message}`;
      throw last;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
