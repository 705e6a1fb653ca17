/**
 * Work that outlives the turn that started it: card updates after a slow look-up, helpdesk posts
 * after an invoke answered. Every such promise is tracked here so that shutdown (and tests) can
 * wait for it, bounded, instead of losing a card update the user was promised.
 */
const inFlight = new Set<Promise<unknown>>();

/** Tracks `work`; a rejection is passed to `onError` (log it) and never thrown. */
export function inBackground(work: Promise<unknown>, onError: (err: unknown) => void): void {
  const tracked = work.then(
    () => undefined,
    (err: unknown) => {
      try {
        onError(err);
      } catch {
        // a failing logger must not become an unhandled rejection
      }
    },
  );
  inFlight.add(tracked);
  void tracked.finally(() => inFlight.delete(tracked));
}

/**
 * Resolves once no background work is left (work started while waiting is waited for too), or
 * after `timeoutMs`; returns how many were still running then.
 */
export async function settleBackground(timeoutMs = Number.POSITIVE_INFINITY): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (inFlight.size) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    const timeout = Number.isFinite(left)
      ? new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left);
        })
      : undefined;
    await Promise.race([Promise.allSettled([...inFlight]), ...(timeout ? [timeout] : [])]);
    clearTimeout(timer);
  }
  return inFlight.size;
}

let hurry = new AbortController();

/**
 * Aborted when shutdown is about to end: work that waits for something slow (a late answer behind
 * a "still working" card) stops waiting and finishes at once with what it has, e.g. its error card.
 */
export function hurrySignal(): AbortSignal {
  return hurry.signal;
}

/** Tells the background work running now to finish at once (see `hurrySignal`); later work is not hurried. */
export function hurryBackground(): void {
  const current = hurry;
  hurry = new AbortController();
  current.abort();
}

/** How much background work is running now. */
export function backgroundCount(): number {
  return inFlight.size;
}
