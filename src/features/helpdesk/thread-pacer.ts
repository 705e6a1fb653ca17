/**
 * Paces this instance's calls into one helpdesk channel under Teams' per-thread limits
 * (src/domain/thread-pacing.ts). A hundred people pressing "I'm stuck" within a few seconds would
 * otherwise post a hundred cards into one channel at once: most refused with 429, and every 429
 * pauses the app's whole outgoing budget, people's answers included.
 */

import { setTimeout as delay } from 'node:timers/promises';
import {
  nextThreadSlot,
  recentThreadCalls,
  TEAMS_THREAD_WINDOWS,
  type ThreadWindow,
} from '../../domain/thread-pacing';
import { hurrySignal } from '../../shared/background';

export interface ThreadPacerOptions {
  windows?: readonly ThreadWindow[];
  /** Added to every window, for the request's travel time (default 100 ms). */
  marginMs?: number;
  now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The wait for room in a thread was given up because the instance is shutting down. */
export class ThreadWaitAbandoned extends Error {
  constructor() {
    super('shutting down before the helpdesk channel had room for the call');
    this.name = 'ThreadWaitAbandoned';
  }
}

export class ThreadPacer {
  private readonly windows: readonly ThreadWindow[];
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Per thread: the instants given out (past and reserved), within the longest window. */
  private readonly threads = new Map<string, number[]>();
  /** Per thread: no call before this (a 429's Retry-After). */
  private readonly held = new Map<string, number>();

  constructor(options: ThreadPacerOptions = {}) {
    this.windows = options.windows ?? TEAMS_THREAD_WINDOWS;
    this.marginMs = options.marginMs ?? 100;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  /**
   * Resolves when a call into `threadId` may go; the slot is reserved at once, so callers that
   * arrive together get consecutive slots. Rejects with ThreadWaitAbandoned when shutdown hurries.
   */
  async turn(threadId: string): Promise<void> {
    const now = this.now();
    this.forgetIdle(now);
    const recent = recentThreadCalls(this.threads.get(threadId) ?? [], now, this.windows, this.marginMs);
    const from = Math.max(now, this.held.get(threadId) ?? 0);
    const at = nextThreadSlot(recent, from, this.windows, this.marginMs);
    recent.push(at);
    this.threads.set(threadId, recent);
    if (at <= now) return;
    try {
      await this.sleep(at - now, hurrySignal());
    } catch {
      throw new ThreadWaitAbandoned();
    }
  }

  /** The connector refused a call into the thread until `untilMs`: later calls wait for it. */
  holdUntil(threadId: string, untilMs: number): void {
    this.held.set(threadId, Math.max(untilMs, this.held.get(threadId) ?? 0));
  }

  /** Threads with nothing inside the longest window are dropped, so the maps stay small. */
  private forgetIdle(now: number): void {
    const longest = Math.max(...this.windows.map((w) => w.windowMs)) + this.marginMs;
    for (const [id, calls] of this.threads) {
      const last = calls[calls.length - 1];
      if (last === undefined || last <= now - longest) this.threads.delete(id);
    }
    for (const [id, until] of this.held) if (until <= now) this.held.delete(id);
  }
}

/** One pacer per instance for every helpdesk channel it posts into. */
export const helpdeskThreads = new ThreadPacer();
