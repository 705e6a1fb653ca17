/**
 * Per-wave helpdesk metrics: how many tickets a wave produced, where they stand,
 * how fast the helpdesk took and resolved them, and the load relative to the users who migrated.
 * Pure: the caller reads the rows (the wave statistics in `wave-stats.ts`).
 *
 * Which tickets count for a wave: the tickets of the wave's users (participants whose `waveId` is the
 * wave), both the current ticket of each escalation row and its `earlier` summaries. A ticket that
 * recorded another wave (`participant.waveId` of a current ticket, `waveId` of a summary: the user
 * moved between waves) belongs to that wave and is not counted; one that recorded none is counted.
 * A ticket id seen twice (the same row passed twice) counts once. A user who moved to another wave is
 * no longer one of this wave's users, so none of their tickets count here any more.
 *
 * Durations are in minutes (not rounded), from the ticket's `createdAt`:
 * - time to assign: to `firstAssignedAt` (the first assignment; a reopened ticket keeps it);
 * - time to resolve: to `resolvedAt`, for resolved tickets (current ones and every earlier summary),
 *   including those the user withdrew ("it works now").
 * Unparseable times are left out of the durations, never counted as 0; a negative span (clock skew
 * between instances) counts as 0. Medians of an even count average the two middle values; p90 is the
 * nearest rank. A statistic with no samples is undefined.
 */
import type { Escalation } from './escalation-model';
import { participantProgress } from './journey-progress';
import type { Participant } from './participant';

export interface WaveHelpdeskMetrics {
  waveId: string;
  /** When these figures were computed (ISO), so a stored copy shows its age; absent for an invalid clock. */
  computedAt?: string;
  /** Every ticket of the wave's users: current tickets plus earlier summaries. */
  tickets: number;
  /** Current tickets by state; earlier summaries are all resolved. `open` means open and unassigned. */
  open: number;
  assigned: number;
  waitingOnUser: number;
  /** Resolved current tickets plus every earlier summary. */
  resolved: number;
  medianMinutesToAssign?: number;
  medianMinutesToResolve?: number;
  p90MinutesToResolve?: number;
  /** Participants of the wave whose journeys are all done (`participantProgress(...).done`). */
  migratedUsers: number;
  /** tickets × 100 / migratedUsers; undefined while nobody has migrated. */
  escalationsPer100Migrated?: number;
}

const MINUTE_MS = 60_000;

export function waveHelpdeskMetrics(
  escalations: readonly Escalation[],
  participants: readonly Participant[],
  waveId: string,
  now: Date,
): WaveHelpdeskMetrics {
  const members = new Set<string>();
  let migratedUsers = 0;
  for (const p of participants) {
    const id = p.aadObjectId.toLowerCase();
    if (p.waveId !== waveId || members.has(id)) continue;
    members.add(id);
    if (participantProgress(p.journeys ?? []).done) migratedUsers += 1;
  }

  const inWave = (recorded: string | undefined) => recorded === undefined || recorded === waveId;
  const seen = new Set<string>();
  const counts = { open: 0, assigned: 0, waitingOnUser: 0, resolved: 0 };
  const toAssign: number[] = [];
  const toResolve: number[] = [];

  const sample = (into: number[], from: string, to: string | undefined) => {
    if (to === undefined) return;
    const span = Date.parse(to) - Date.parse(from);
    if (Number.isFinite(span)) into.push(Math.max(0, span) / MINUTE_MS);
  };

  for (const e of escalations) {
    if (!members.has(e.participant.aadObjectId.toLowerCase())) continue;
    for (const earlier of e.earlier) {
      if (!inWave(earlier.waveId) || seen.has(earlier.ticketId)) continue;
      seen.add(earlier.ticketId);
      counts.resolved += 1;
      sample(toAssign, earlier.createdAt, earlier.firstAssignedAt);
      sample(toResolve, earlier.createdAt, earlier.resolvedAt);
    }
    if (!inWave(e.participant.waveId) || seen.has(e.ticketId)) continue;
    seen.add(e.ticketId);
    if (e.state === 'open') counts.open += 1;
    else if (e.state === 'assigned') counts.assigned += 1;
    else if (e.state === 'waiting-on-user') counts.waitingOnUser += 1;
    else counts.resolved += 1;
    sample(toAssign, e.createdAt, e.firstAssignedAt);
    if (e.state === 'resolved') sample(toResolve, e.createdAt, e.resolvedAt);
  }

  const tickets = seen.size;
  const resolveSorted = sorted(toResolve);
  return {
    waveId,
    computedAt: Number.isFinite(now.getTime()) ? now.toISOString() : undefined,
    tickets,
    ...counts,
    medianMinutesToAssign: median(sorted(toAssign)),
    medianMinutesToResolve: median(resolveSorted),
    p90MinutesToResolve: nearestRank(resolveSorted, 0.9),
    migratedUsers,
    escalationsPer100Migrated: migratedUsers > 0 ? (tickets * 100) / migratedUsers : undefined,
  };
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of ascending values; the mean of the two middle ones for an even count. */
export function median(ascending: readonly number[]): number | undefined {
  const n = ascending.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? ascending[mid] : (ascending[mid - 1]! + ascending[mid]!) / 2;
}

/** The nearest-rank percentile (q in (0, 1]) of ascending values: the ⌈q·n⌉-th smallest. */
export function nearestRank(ascending: readonly number[], q: number): number | undefined {
  const n = ascending.length;
  if (n === 0) return undefined;
  return ascending[Math.min(n, Math.max(1, Math.ceil(q * n))) - 1];
}
