/**
 * Where a wave stands, as a pure function of its members, their tickets and the time: the numbers
 * behind the admin dashboards and the wave gate. The caller reads the rows.
 *
 * Who counts:
 * - Members are the participants whose `waveId` is the wave (each object id once). A member with no
 *   device journey yet (Graph showed no device, or nobody has looked) counts as a member, as "no
 *   devices" in the user statuses and in `membersWithoutDevices`, never as migrated, and adds no
 *   device to the funnel or the rates.
 * - Devices are the members' journeys. Excluded devices are out of scope: they appear only in
 *   `funnel.excluded` and in the `excluded` status, and in no rate.
 *
 * The funnel counts, per flow stage, the in-scope devices that are at that stage or a later one now
 * (not the furthest they ever got: a device Graph moved back counts where it is). A `needs-it` device
 * counts at the stage it left (the stage the stepper shows) and also in `funnel.needsIt`.
 *
 * A device is stuck when it is between `started` and `compliant` (the user began, nothing is done)
 * and has stayed in its stage longer than `stuckAfterMs` as measured by `elapsed` (wall-clock time
 * unless the caller passes business time). Devices not started are "not started", not stuck.
 *
 * Rates, each with its numerator and denominator; the value is undefined when the denominator is 0:
 * - enrollment success: in-scope devices now `enrolled`, `compliant` or `verified` ÷ in-scope devices
 *   that started enrolling or failed to (now `enrolling` or later, or carrying an enrollment failure);
 * - post-check pass: in-scope devices whose latest post-enrollment check answered "yes" to every item
 *   ÷ in-scope devices with a post-enrollment check on record;
 * - compliance: in-scope devices now `compliant` or `verified` ÷ in-scope devices now `enrolled`,
 *   `compliant` or `verified`;
 * - escalations per 100 users: the wave's tickets (as `waveHelpdeskMetrics` counts them: current and
 *   earlier tickets of the members that recorded this wave or none) × 100 ÷ members.
 */
import type { Platform } from './device';
import { isOpen } from './escalation';
import type { Escalation } from './escalation-model';
import { type WaveHelpdeskMetrics, waveHelpdeskMetrics } from './helpdesk-metrics';
import {
  type DeviceJourney,
  type FlowStage,
  type JourneyStage,
  POST_CHECK_ITEMS,
  STAGE_ORDER,
  stageIndex,
  stepperStage,
} from './journey';
import { type ElapsedFn, isStuck, participantProgress, wallClockElapsed } from './journey-progress';
import type { Participant } from './participant';

/** Platforms in the order the dashboards list them. */
export const PLATFORMS: readonly Platform[] = ['ios', 'ipados', 'android', 'windows', 'macos', 'other'];

/** A device's coarse status on the dashboards. */
export const DEVICE_STATUSES = [
  'not-started',
  'in-progress',
  'enrolled',
  'done',
  'needs-help',
  'excluded',
] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** A member's coarse status: from their devices' statuses (see `userStatusOf`). */
export const USER_STATUSES = [
  'no-devices',
  'not-started',
  'in-progress',
  'enrolled',
  'done',
  'needs-help',
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** How many stuck members the stats name by default (the dashboard's "top 10"). */
export const DEFAULT_STUCK_TOP = 10;

export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator (× 100 for escalations per 100 users); undefined when the denominator is 0. */
  value?: number;
}

export interface Funnel {
  /** In-scope devices: every journey but the excluded ones. */
  devices: number;
  /** Per flow stage: in-scope devices at that stage or a later one now. `reached.notified === devices`. */
  reached: Record<FlowStage, number>;
  /** Devices still at `notified`: the user has not begun with them. */
  notStarted: number;
  /** Devices waiting for IT (`needs-it`). */
  needsIt: number;
  /** Devices stuck (see the module comment). */
  stuck: number;
  excluded: number;
}

export interface PlatformProgress {
  platform: Platform;
  /** Every device of the platform, excluded ones included (they have their own status). */
  devices: number;
  byStatus: Record<DeviceStatus, number>;
}

export interface StuckUser {
  aadObjectId: string;
  /** Display name, else UPN, else object id. */
  name: string;
  userPrincipalName?: string;
  /** The member's device stuck longest. */
  deviceKey: string;
  deviceName: string;
  platform: Platform;
  stage: JourneyStage;
  /** When the device entered its stage (ISO). */
  since: string;
  /** Elapsed time in the stage, in hours, as `elapsed` measures it. */
  hoursStuck: number;
  /** The member's current helpdesk ticket is unresolved. */
  openTicket: boolean;
}

export interface WaveStats {
  waveId: string;
  members: number;
  membersWithoutDevices: number;
  /** Members whose devices are all verified or excluded (`participantProgress(...).done`). */
  migratedUsers: number;
  usersByStatus: Record<UserStatus, number>;
  /** Every device journey of the members, excluded ones included. */
  devices: number;
  funnel: Funnel;
  /** Platforms that have at least one device, in `PLATFORMS` order. */
  platforms: PlatformProgress[];
  stuck: {
    /** Members with at least one stuck device. */
    users: number;
    devices: number;
    /** The members stuck longest, longest first, at most `stuckTop`. */
    top: StuckUser[];
  };
  rates: {
    enrollmentSuccess: Rate;
    postCheckPass: Rate;
    compliance: Rate;
    escalationsPer100: Rate;
  };
  helpdesk: WaveHelpdeskMetrics;
}

export interface WaveStatsOptions {
  /** Time in a stage after which a started device counts as stuck. */
  stuckAfterMs: number;
  /** How time in a stage is measured; wall-clock time by default. */
  elapsed?: ElapsedFn;
  /** How many stuck members to name. */
  stuckTop?: number;
}

const HOUR_MS = 3_600_000;
const STARTED = stageIndex('started');
const ENROLLING = stageIndex('enrolling');
const ENROLLED = stageIndex('enrolled');
const COMPLIANT = stageIndex('compliant');

/** The flow position a device counts at: its stage, or for `needs-it` the stage it left. */
function positionOf(j: DeviceJourney): number {
  return stageIndex(j.stage === 'needs-it' ? stepperStage(j) : j.stage);
}

function stuckMs(j: DeviceJourney, now: Date, options: WaveStatsOptions): number | undefined {
  const i = stageIndex(j.stage);
  if (i < STARTED || i > COMPLIANT) return undefined;
  const elapsed = options.elapsed ?? wallClockElapsed;
  if (!isStuck(j, now, options.stuckAfterMs, elapsed)) return undefined;
  return elapsed(new Date(j.stageSince), now);
}

/** A device's dashboard status; stuck devices (and those waiting for IT) need help. */
export function deviceStatusOf(j: DeviceJourney, stuck: boolean): DeviceStatus {
  if (j.stage === 'excluded') return 'excluded';
  if (j.stage === 'needs-it' || stuck) return 'needs-help';
  if (j.stage === 'verified') return 'done';
  const i = stageIndex(j.stage);
  if (i >= ENROLLED) return 'enrolled';
  if (i >= STARTED) return 'in-progress';
  return 'not-started';
}

/**
 * A member's status from their devices: no devices known; done when every device is verified or
 * excluded; else, over the devices in scope, needs help when any does, not started when none has
 * begun, enrolled when all are in Intune (enrolled or further), in progress otherwise.
 */
export function userStatusOf(
  journeys: readonly DeviceJourney[],
  statuses: readonly DeviceStatus[],
): UserStatus {
  if (journeys.length === 0) return 'no-devices';
  if (participantProgress(journeys).done) return 'done';
  const active = statuses.filter((s) => s !== 'excluded');
  if (active.includes('needs-help')) return 'needs-help';
  if (active.every((s) => s === 'not-started')) return 'not-started';
  if (active.every((s) => s === 'enrolled' || s === 'done')) return 'enrolled';
  return 'in-progress';
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function rate(numerator: number, denominator: number, scale = 1): Rate {
  return {
    numerator,
    denominator,
    ...(denominator > 0 ? { value: (numerator * scale) / denominator } : {}),
  };
}

export function waveStats(
  participants: readonly Participant[],
  escalations: readonly Escalation[],
  waveId: string,
  now: Date,
  options: WaveStatsOptions,
): WaveStats {
  const seen = new Set<string>();
  const members: Participant[] = [];
  for (const p of participants) {
    const id = p.aadObjectId.toLowerCase();
    if (p.waveId !== waveId || seen.has(id)) continue;
    seen.add(id);
    members.push(p);
  }
  const openTicket = new Set(
    escalations.filter((e) => isOpen(e)).map((e) => e.participant.aadObjectId.toLowerCase()),
  );

  const usersByStatus = zeroes(USER_STATUSES);
  const reached = zeroes(STAGE_ORDER);
  const funnel = { devices: 0, notStarted: 0, needsIt: 0, stuck: 0, excluded: 0 };
  const platforms = new Map<Platform, PlatformProgress>();
  const counts = { succeeded: 0, attempted: 0, checksPassed: 0, checks: 0, compliant: 0, inIntune: 0 };
  const stuckUsers: (StuckUser & { ms: number })[] = [];
  let devices = 0;
  let migratedUsers = 0;
  let membersWithoutDevices = 0;

  for (const p of members) {
    const journeys = p.journeys ?? [];
    if (journeys.length === 0) membersWithoutDevices += 1;
    if (participantProgress(journeys).done) migratedUsers += 1;
    const statuses: DeviceStatus[] = [];
    let longest: { j: DeviceJourney; ms: number } | undefined;
    for (const j of journeys) {
      devices += 1;
      const ms = stuckMs(j, now, options);
      const status = deviceStatusOf(j, ms !== undefined);
      statuses.push(status);
      // A platform this code does not know (an old or forged row) is counted as "other".
      const key = PLATFORMS.includes(j.platform) ? j.platform : 'other';
      const platform = platforms.get(key) ?? { platform: key, devices: 0, byStatus: zeroes(DEVICE_STATUSES) };
      platform.devices += 1;
      platform.byStatus[status] += 1;
      platforms.set(key, platform);
      if (j.stage === 'excluded') {
        funnel.excluded += 1;
        continue;
      }

      funnel.devices += 1;
      const position = positionOf(j);
      for (const stage of STAGE_ORDER) if (stageIndex(stage) <= position) reached[stage] += 1;
      if (j.stage === 'notified') funnel.notStarted += 1;
      if (j.stage === 'needs-it') funnel.needsIt += 1;
      if (ms !== undefined) {
        funnel.stuck += 1;
        if (!longest || ms > longest.ms) longest = { j, ms };
      }

      const stage = stageIndex(j.stage);
      if (stage >= ENROLLED) counts.succeeded += 1;
      if (position >= ENROLLING || j.flags.enrollmentFailure) counts.attempted += 1;
      if (stage >= ENROLLED) counts.inIntune += 1;
      if (stage >= COMPLIANT) counts.compliant += 1;
      const check = j.flags.postCheck;
      if (check) {
        counts.checks += 1;
        if (POST_CHECK_ITEMS.every((item) => check[item] === 'yes')) counts.checksPassed += 1;
      }
    }
    usersByStatus[userStatusOf(journeys, statuses)] += 1;
    if (longest) {
      const id = p.aadObjectId.toLowerCase();
      stuckUsers.push({
        aadObjectId: id,
        name: p.displayName ?? p.userPrincipalName ?? id,
        ...(p.userPrincipalName ? { userPrincipalName: p.userPrincipalName } : {}),
        deviceKey: longest.j.deviceKey,
        deviceName: longest.j.name,
        platform: longest.j.platform,
        stage: longest.j.stage,
        since: longest.j.stageSince,
        hoursStuck: longest.ms / HOUR_MS,
        openTicket: openTicket.has(id),
        ms: longest.ms,
      });
    }
  }

  stuckUsers.sort(
    (a, b) => b.ms - a.ms || a.name.localeCompare(b.name) || a.aadObjectId.localeCompare(b.aadObjectId),
  );
  const top = stuckUsers
    .slice(0, Math.max(0, options.stuckTop ?? DEFAULT_STUCK_TOP))
    .map(({ ms: _ms, ...u }) => u);
  const helpdesk = waveHelpdeskMetrics(escalations, members, waveId, now);

  return {
    waveId,
    members: members.length,
    membersWithoutDevices,
    migratedUsers,
    usersByStatus,
    devices,
    funnel: { ...funnel, reached },
    platforms: PLATFORMS.flatMap((p) => {
      const found = platforms.get(p);
      return found ? [found] : [];
    }),
    stuck: { users: stuckUsers.length, devices: funnel.stuck, top },
    rates: {
      enrollmentSuccess: rate(counts.succeeded, counts.attempted),
      postCheckPass: rate(counts.checksPassed, counts.checks),
      compliance: rate(counts.compliant, counts.inIntune),
      escalationsPer100: rate(helpdesk.tickets, members.length, 100),
    },
    helpdesk,
  };
}
