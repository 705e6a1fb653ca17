/**
 * A wave's `WaveStats` from its counters (wave-counters.ts) and the stuck entries read at `now`: the
 * same numbers `waveStats` computes from every member's rows, without those rows. The stuck members
 * named on the dashboard are passed in (the caller reads their rows, the few it names).
 */
import type { DeliveryCounts, DeliveryState } from './broadcast';
import { median, nearestRank } from './helpdesk-metrics';
import { STAGE_ORDER } from './journey';
import { type Counts, K, type StuckEntry } from './wave-counters';
import {
  DEVICE_STATUSES,
  PLATFORMS,
  type PlatformProgress,
  type Rate,
  type StuckUser,
  USER_STATUSES,
  type WaveStats,
} from './wave-stats';

const DELIVERY_STATES: readonly DeliveryState[] = ['queued', 'sending', 'sent', 'failed', 'uncertain'];

function rate(numerator: number, denominator: number, scale = 1): Rate {
  return {
    numerator,
    denominator,
    ...(denominator > 0 ? { value: (numerator * scale) / denominator } : {}),
  };
}

/** The samples of a histogram (bucket → how many), ascending. */
function samples(counts: Counts, prefix: string): number[] {
  const out: number[] = [];
  const buckets = Object.entries(counts)
    .filter(([k, n]) => k.startsWith(prefix) && n > 0)
    .map(([k, n]) => [Number(k.slice(prefix.length)), n] as const)
    .filter(([b]) => Number.isFinite(b))
    .sort((a, b) => a[0] - b[0]);
  for (const [bucket, n] of buckets) for (let i = 0; i < n; i++) out.push(bucket);
  return out;
}

/** The members to name among the stuck, longest stuck first: ids in the order their oldest entry comes. */
export function stuckMembersByAge(stuck: readonly StuckEntry[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const e of [...stuck].sort((a, b) => a.since.localeCompare(b.since))) {
    if (seen.has(e.aadObjectId)) continue;
    seen.add(e.aadObjectId);
    order.push(e.aadObjectId);
  }
  return order;
}

/**
 * Which stuck members could be among the `top` named: the `top` longest, and every further one stuck
 * exactly as long as the last of them (the dashboard breaks such ties by name).
 */
export function stuckCandidates(stuck: readonly StuckEntry[], top: number): string[] {
  const oldest = new Map<string, string>();
  for (const e of stuck) {
    const cur = oldest.get(e.aadObjectId);
    if (!cur || e.since < cur) oldest.set(e.aadObjectId, e.since);
  }
  const ids = stuckMembersByAge(stuck);
  if (ids.length <= top || top <= 0) return top <= 0 ? [] : ids;
  const last = oldest.get(ids[top - 1]!)!;
  return ids.filter((id, i) => i < top || oldest.get(id) === last);
}

export function statsFromCounters(input: {
  waveId: string;
  counts: Counts;
  /** The wave's stuck-index entries stuck at `now` (stage time older than the threshold). */
  stuck: readonly StuckEntry[];
  /** The named stuck members, computed from their rows; sorted and cut to `stuckTop` here. */
  top: readonly (StuckUser & { ms: number })[];
  stuckTop: number;
  now: Date;
}): WaveStats {
  const c = input.counts;
  const n = (key: string) => c[key] ?? 0;
  const usersByStatus = Object.fromEntries(
    USER_STATUSES.map((s) => [s, n(K.user(s))]),
  ) as WaveStats['usersByStatus'];
  const platforms = new Map<string, PlatformProgress>();
  for (const p of PLATFORMS) {
    const devices = n(K.platform(p));
    if (devices === 0) continue;
    platforms.set(p, {
      platform: p,
      devices,
      byStatus: Object.fromEntries(
        DEVICE_STATUSES.map((s) => [s, n(K.platformStatus(p, s))]),
      ) as PlatformProgress['byStatus'],
    });
  }
  // Stuck devices need help now: move each from the status it would have, and each member once.
  const stuckUsers = new Map<string, StuckEntry>();
  for (const e of input.stuck) {
    const platform = platforms.get(e.platform);
    if (platform && platform.byStatus[e.status] > 0) {
      platform.byStatus[e.status] -= 1;
      platform.byStatus['needs-help'] += 1;
    }
    if (!stuckUsers.has(e.aadObjectId)) stuckUsers.set(e.aadObjectId, e);
  }
  for (const e of stuckUsers.values()) {
    if (usersByStatus[e.userStatus] > 0) {
      usersByStatus[e.userStatus] -= 1;
      usersByStatus['needs-help'] += 1;
    }
  }
  const members = n(K.members);
  const tickets = n(K.tickets);
  const migratedUsers = n(K.migrated);
  const toResolve = samples(c, 'tr.');
  const top = [...input.top]
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name) || a.aadObjectId.localeCompare(b.aadObjectId))
    .slice(0, Math.max(0, input.stuckTop))
    .map(({ ms: _ms, ...u }) => u);
  return {
    waveId: input.waveId,
    members,
    membersWithoutDevices: n(K.withoutDevices),
    migratedUsers,
    usersByStatus,
    devices: n(K.devices),
    funnel: {
      devices: n(K.funnelDevices),
      reached: Object.fromEntries(
        STAGE_ORDER.map((s) => [s, n(K.reached(s))]),
      ) as WaveStats['funnel']['reached'],
      notStarted: n(K.notStarted),
      needsIt: n(K.needsIt),
      stuck: input.stuck.length,
      excluded: n(K.excluded),
    },
    platforms: PLATFORMS.flatMap((p) => {
      const found = platforms.get(p);
      return found ? [found] : [];
    }),
    stuck: { users: stuckUsers.size, devices: input.stuck.length, top },
    rates: {
      enrollmentSuccess: rate(n(K.succeeded), n(K.attempted)),
      postCheckPass: rate(n(K.checksPassed), n(K.checks)),
      compliance: rate(n(K.compliant), n(K.inIntune)),
      escalationsPer100: rate(tickets, members, 100),
    },
    helpdesk: {
      waveId: input.waveId,
      computedAt: Number.isFinite(input.now.getTime()) ? input.now.toISOString() : undefined,
      tickets,
      open: n(K.ticketState('open')),
      assigned: n(K.ticketState('assigned')),
      waitingOnUser: n(K.ticketState('waiting-on-user')),
      resolved: n(K.ticketState('resolved')),
      medianMinutesToAssign: median(samples(c, 'ta.')),
      medianMinutesToResolve: median(toResolve),
      p90MinutesToResolve: nearestRank(toResolve, 0.9),
      migratedUsers,
      escalationsPer100Migrated: migratedUsers > 0 ? (tickets * 100) / migratedUsers : undefined,
    },
  };
}

/** A broadcast's deliveries by state, and its failures by reason (`known` names the reasons shown). */
export function deliveriesFromCounters(
  counts: Counts,
  known: readonly string[],
): { counts: DeliveryCounts; reasons: { reason: string; count: number }[] } {
  const byState = Object.fromEntries(
    DELIVERY_STATES.map((s) => [s, counts[K.delivery(s)] ?? 0]),
  ) as DeliveryCounts;
  const reasons = new Map<string, number>();
  for (const [k, v] of Object.entries(counts)) {
    if (!k.startsWith('f.') || v <= 0) continue;
    const raw = k.slice(2);
    const reason = known.includes(raw) ? raw : 'unknown';
    reasons.set(reason, (reasons.get(reason) ?? 0) + v);
  }
  return {
    counts: byState,
    reasons: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}
