/** Returned by `withinBudget` when the work did not finish in time; the work itself goes on. */
export const OVER_BUDGET = Symbol('over-budget');

/**
 * Waits for `work` at most `budgetMs` (Teams answers an invoke with an error after 5 s). Past the
 * budget the caller answers with what it knows and may continue with `work` in the background.
 */
export async function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<T | typeof OVER_BUDGET> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<typeof OVER_BUDGET>((resolve) => {
    timer = setTimeout(() => resolve(OVER_BUDGET), budgetMs);
  });
  try {
    return await Promise.race([work, budget]);
  } finally {
    clearTimeout(timer);
  }
}
