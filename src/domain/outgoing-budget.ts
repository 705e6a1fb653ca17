/**
 * The pure rules of the one outgoing budget: Teams' 50 requests per second per app per tenant is
 * shared by every connector call of every instance (replies, card updates, reminders, helpdesk posts,
 * broadcasts). The budget is one row in storage, a generic cell rate algorithm: the next unclaimed
 * send instant and a "paused until". Instances claim blocks of consecutive instants and hand them to
 * their own callers, a person waiting on an answer (`interactive`) before a broadcast (`bulk`).
 */

/** The shared row: the next free send instant and a pause every sender honours. */
export interface BudgetState {
  /** Epoch ms of the next instant nobody has claimed yet. */
  nextAt: number;
  /** Epoch ms until which nobody sends (a 429's Retry-After); 0 when not paused. */
  pausedUntil: number;
}

export interface BudgetOptions {
  /** Spacing between two calls of all instances together: 1000 / rate per second. */
  intervalMs: number;
  /** How far ahead of now the last claimed instant may lie: all a dead instance can take with it. */
  maxAheadMs: number;
}

/** How many instants a claim asks for, and the fewest worth a storage write. */
export interface ClaimSize {
  count: number;
  /** Below this, the claim waits for more of the horizon to open instead of writing a small block. */
  minCount: number;
}

export type BlockGrant =
  /** Instants (epoch ms, ascending, one interval apart) to hand out, and the row to write. */
  | { kind: 'granted'; instants: number[]; next: BudgetState }
  /** Too few instants fit before the horizon (or the gate is paused): decide again after `waitMs`. */
  | { kind: 'wait'; waitMs: number };

/** A tolerance for the float arithmetic of intervals such as 1000 / 49. */
const EPSILON = 1e-6;

/** Most instants that fit in one horizon: the largest block a claim can get. */
export function instantsPerHorizon(options: BudgetOptions): number {
  return Math.floor(options.maxAheadMs / options.intervalMs + EPSILON) + 1;
}

/**
 * Claims a block of consecutive instants, at most `maxAheadMs` ahead of `now`. Instants are one
 * interval apart across every instance (no burst at boundaries); nothing accumulates while idle;
 * a paused gate hands out nothing before the pause ends. When fewer than `minCount` instants fit,
 * the answer is to wait until they do: a bulk claim then costs one write per block, not one per call.
 */
export function claimBlock(
  state: BudgetState | undefined,
  now: number,
  size: ClaimSize,
  options: BudgetOptions,
): BlockGrant {
  const current = state ?? { nextAt: 0, pausedUntil: 0 };
  const first = Math.max(current.nextAt, now, current.pausedUntil);
  const horizon = now + options.maxAheadMs;
  const count = Math.max(1, Math.min(size.count, instantsPerHorizon(options)));
  const need = Math.max(1, Math.min(size.minCount, count));
  const lastNeeded = first + (need - 1) * options.intervalMs;
  if (lastNeeded > horizon + EPSILON) {
    return { kind: 'wait', waitMs: Math.max(1, Math.ceil(lastNeeded - horizon)) };
  }
  const fit = Math.floor((horizon - first) / options.intervalMs + EPSILON) + 1;
  const n = Math.min(count, fit);
  const instants = Array.from({ length: n }, (_, i) => first + i * options.intervalMs);
  return {
    kind: 'granted',
    instants,
    next: { nextAt: first + n * options.intervalMs, pausedUntil: current.pausedUntil },
  };
}

/** A pause only ever grows, and no instant is handed out inside it. */
export function budgetWithPause(state: BudgetState | undefined, until: number): BudgetState {
  const current = state ?? { nextAt: 0, pausedUntil: 0 };
  return {
    nextAt: Math.max(current.nextAt, until),
    pausedUntil: Math.max(current.pausedUntil, until),
  };
}

export interface Demand {
  interactiveWaiting: number;
  bulkWaiting: number;
  /** Instants this instance holds and has not handed out yet. */
  held: number;
  /** Instants this instance handed out during the last horizon: how fast its callers use them. */
  servedRecently: number;
}

/**
 * The size of the next claim. A person waiting with no held instant for them takes whatever fits
 * soonest (one instant is enough);
 * bulk callers claim what they used over the last horizon, so a busy broadcast claims whole blocks
 * (few storage round trips per message) and a single call claims one (no capacity held idle).
 */
export function claimSizeFor(demand: Demand, options: BudgetOptions): ClaimSize {
  const waiting = demand.interactiveWaiting + demand.bulkWaiting;
  const uncovered = Math.max(0, waiting - demand.held);
  if (uncovered === 0) return { count: 0, minCount: 0 };
  const perHorizon = instantsPerHorizon(options);
  const count = Math.min(perHorizon, Math.max(uncovered, demand.servedRecently + uncovered));
  // A person whose instant this instance already holds needs no claim of their own.
  return { count, minCount: demand.interactiveWaiting > demand.held ? 1 : count };
}

/**
 * Whether another instance is sending bulk too: it claimed at least half a block since this
 * instance's own last claim. Two such instances take turns with whole blocks; each claims its next
 * block only when its own run out, after the other's claim has landed, so their writes do not collide.
 */
export function othersAreBusy(
  rowNextAt: number,
  ownLastNextAt: number | undefined,
  options: BudgetOptions,
): boolean {
  if (ownLastNextAt === undefined) return false;
  const othersClaimed = (rowNextAt - ownLastNextAt) / options.intervalMs;
  return othersClaimed >= instantsPerHorizon(options) / 2 - EPSILON;
}

/**
 * The largest block worth claiming. Alone, a whole horizon. While another instance takes turns with
 * whole blocks, a block leaves room at the end of the horizon (two intervals and two writes), so
 * its write lands before the other instance's instants run out and that instance reads it instead
 * of racing it for the same block.
 */
export function blockLimit(options: BudgetOptions, sharing: boolean, writeMs: number): number {
  const whole = instantsPerHorizon(options);
  if (!sharing) return whole;
  const room = Math.ceil((2 * options.intervalMs + 2 * writeMs) / options.intervalMs - EPSILON);
  return Math.max(1, whole - room);
}

/**
 * The longest an interactive call waits for its instant while storage answers, bulk traffic
 * saturates every instance and no pause runs: the instance's next held instant is at most one
 * interval away; without one, a claim of a single instant lands at most `maxAheadMs` plus one
 * interval past the other instances' claims, plus its own storage round trips (a read, a write, and
 * once more after an ETag conflict). `claimMs` is the time those round trips take.
 */
export function interactiveWaitBoundMs(options: BudgetOptions, claimMs: number): number {
  return options.maxAheadMs + 2 * options.intervalMs + claimMs;
}
