/**
 * Teams limits what one bot may send into one conversation (a chat, a channel, a reply chain) more
 * tightly than what the app may send in all: 7 operations per second, 8 per 2 s, 60 per 30 s and
 * 1,800 per hour per thread, against 50 per second per app and tenant. Beyond them the connector
 * answers 429. The pure rule here picks the earliest moment a call into one thread stays inside
 * every window, so a burst of calls into one thread is spread out instead of refused.
 */

export interface ThreadWindow {
  /** Most calls within `windowMs`. */
  count: number;
  windowMs: number;
}

/** Teams' per-bot, per-thread limits for sending into a conversation. */
export const TEAMS_THREAD_WINDOWS: readonly ThreadWindow[] = [
  { count: 7, windowMs: 1_000 },
  { count: 8, windowMs: 2_000 },
  { count: 60, windowMs: 30_000 },
  { count: 1_800, windowMs: 3_600_000 },
];

/**
 * The earliest instant at or after `now` for the next call into a thread that already had calls at
 * `sent` (epoch ms, ascending), such that no window holds more than its count. `marginMs` widens
 * every window: our clock and the connector's arrival times differ by the request's travel time.
 */
export function nextThreadSlot(
  sent: readonly number[],
  now: number,
  windows: readonly ThreadWindow[],
  marginMs = 0,
): number {
  // Calls into a thread go in order: never before one already given a slot.
  let at = Math.max(now, sent[sent.length - 1] ?? now);
  for (let moved = true; moved; ) {
    moved = false;
    for (const w of windows) {
      // The call `count` places back must have left the window by `at`.
      const oldest = sent[sent.length - w.count];
      if (oldest === undefined) continue;
      const free = oldest + w.windowMs + marginMs;
      if (free > at) {
        at = free;
        moved = true;
      }
    }
  }
  return at;
}

/** The calls still inside the longest window at `now`: all the rule needs to remember. */
export function recentThreadCalls(
  sent: readonly number[],
  now: number,
  windows: readonly ThreadWindow[],
  marginMs = 0,
): number[] {
  const longest = Math.max(0, ...windows.map((w) => w.windowMs)) + marginMs;
  return sent.filter((t) => t > now - longest);
}
