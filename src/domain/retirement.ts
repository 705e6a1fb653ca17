/**
 * "Ready to retire the old MDM": who has left it, who is excluded and why, and who is still on it.
 *
 * Definitions, per device journey:
 * - migrated: `verified` (the user confirmed everything works), or the latest Graph observation shows
 *   Intune as the device's only MDM, whatever the stage (the post-enrollment check is still open, but
 *   the old MDM no longer manages the device);
 * - excluded: `excluded`, with the reason the admin or IT gave;
 * - remaining: everything else — the old MDM manages it (alone or beside Intune), it is between the two
 *   (neither manages it), it waits for IT, or Graph has not reported it yet.
 *
 * Per participant (in a wave or not):
 * - remaining when any device is remaining, or when the bot has no devices for them and Graph was
 *   never asked (`not-observed`: unknown is not done);
 * - excluded when every device is excluded;
 * - migrated otherwise: every device migrated or excluded (at least one migrated), or Graph was asked
 *   and reported no devices for them (nothing left under the old MDM).
 *
 * The campaign is ready when nobody remains (and there is anybody at all).
 */
import type { Wave } from './campaign';
import type { DeviceJourney, JourneyStage } from './journey';
import type { Participant } from './participant';

export type RetirementStatus = 'migrated' | 'excluded' | 'remaining';

/** Where Graph last saw the device, as far as retiring the old MDM is concerned. */
export type ManagementSeen = 'intune' | 'old-mdm' | 'both' | 'none' | 'unknown';

export interface PersonRef {
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  waveId?: string;
}

export interface ExcludedDevice {
  deviceKey: string;
  name: string;
  platform: string;
  reason: string;
  by: string;
  at: string;
}

export interface RemainingDevice {
  deviceKey: string;
  name: string;
  platform: string;
  stage: JourneyStage;
  /** When the device reached its stage. */
  since: string;
  management: ManagementSeen;
  /** Why IT has the device, while it is `needs-it`. */
  needsIt?: string;
}

export interface ParticipantRetirement extends PersonRef {
  status: RetirementStatus;
  /** Why a migrated participant counts as migrated. */
  basis?: 'devices' | 'no-devices';
  /** `not-observed`: no devices known and Graph never asked. */
  remainingBecause?: 'devices' | 'not-observed';
  devices: number;
  excludedDevices: ExcludedDevice[];
  remainingDevices: RemainingDevice[];
}

export interface MigratedEntry extends PersonRef {
  basis: 'devices' | 'no-devices';
  devices: number;
  /** Devices of theirs that were excluded (the rest migrated). */
  excludedDevices: ExcludedDevice[];
}

export interface ExcludedEntry extends PersonRef {
  /** Each distinct exclusion reason of their devices. */
  reasons: string[];
  devices: ExcludedDevice[];
}

export interface RemainingEntry extends PersonRef {
  /** The least advanced remaining device's stage (`needs-it` first), or `not-observed`. */
  stage: JourneyStage | 'not-observed';
  devices: RemainingDevice[];
}

export interface WaveRetirementCounts {
  /** Absent: participants in no wave. */
  waveId?: string;
  waveName?: string;
  participants: number;
  migrated: number;
  excluded: number;
  remaining: number;
}

export interface RetirementReport {
  ready: boolean;
  counts: {
    participants: number;
    migrated: number;
    excluded: number;
    remaining: number;
    devices: { total: number; migrated: number; excluded: number; remaining: number };
  };
  /** In wave order (when waves are given), participants in no wave last. */
  byWave: WaveRetirementCounts[];
  /** Every excluded device counted under its reason (case and spacing ignored), most frequent first. */
  exclusionReasons: { reason: string; devices: number; participants: number }[];
  /** Remaining devices by stage (`not-observed` counts participants without devices). */
  remainingByStage: Partial<Record<JourneyStage | 'not-observed', number>>;
  migrated: MigratedEntry[];
  /** Participants whose every device is excluded. */
  excluded: ExcludedEntry[];
  /** Sorted by wave, then name. */
  remaining: RemainingEntry[];
}

type WaveOrder = Pick<Wave, 'id' | 'name' | 'order'>;

export function managementSeen(j: DeviceJourney): ManagementSeen {
  const m = j.lastSeen?.management;
  if (!m) return 'unknown';
  if (m.kind === 'intune') return m.alsoPartnerMdmAppId ? 'both' : 'intune';
  return m.kind === 'partner' ? 'old-mdm' : 'none';
}

export function deviceStatus(j: DeviceJourney): RetirementStatus {
  if (j.stage === 'excluded') return 'excluded';
  if (j.stage === 'verified' || managementSeen(j) === 'intune') return 'migrated';
  return 'remaining';
}

/** Where one participant stands for the retirement report (also the CSV export's "migrated" column). */
export function participantRetirement(p: Participant): ParticipantRetirement {
  const journeys = p.journeys ?? [];
  const person = personOf(p);
  const excludedDevices: ExcludedDevice[] = [];
  const remainingDevices: RemainingDevice[] = [];
  let migrated = 0;
  for (const j of journeys) {
    const status = deviceStatus(j);
    if (status === 'migrated') migrated++;
    else if (status === 'excluded') {
      excludedDevices.push({
        deviceKey: j.deviceKey,
        name: j.name,
        platform: j.platform,
        reason: j.exclusion?.reason ?? '',
        by: j.exclusion?.by ?? '',
        at: j.exclusion?.at ?? j.stageSince,
      });
    } else {
      remainingDevices.push({
        deviceKey: j.deviceKey,
        name: j.name,
        platform: j.platform,
        stage: j.stage,
        since: j.stageSince,
        management: managementSeen(j),
        ...(j.needsIt ? { needsIt: j.needsIt.reason } : {}),
      });
    }
  }
  const base = { ...person, devices: journeys.length, excludedDevices, remainingDevices };
  if (journeys.length === 0) {
    return p.observedAt
      ? { ...base, status: 'migrated', basis: 'no-devices' }
      : { ...base, status: 'remaining', remainingBecause: 'not-observed' };
  }
  if (remainingDevices.length > 0) return { ...base, status: 'remaining', remainingBecause: 'devices' };
  if (migrated === 0) return { ...base, status: 'excluded' };
  return { ...base, status: 'migrated', basis: 'devices' };
}

export function retirementReport(
  participants: Iterable<Participant>,
  waves: readonly WaveOrder[] = [],
): RetirementReport {
  const migrated: MigratedEntry[] = [];
  const excluded: ExcludedEntry[] = [];
  const remaining: RemainingEntry[] = [];
  const devices = { total: 0, migrated: 0, excluded: 0, remaining: 0 };
  const byWave = new Map<string, WaveRetirementCounts>();
  const reasons = new Map<string, { reason: string; devices: number; people: Set<string> }>();
  const remainingByStage: RetirementReport['remainingByStage'] = {};
  const waveName = new Map(waves.map((w) => [w.id, w.name]));

  for (const p of participants) {
    const r = participantRetirement(p);
    const person = personOf(p);
    devices.total += r.devices;
    devices.excluded += r.excludedDevices.length;
    devices.remaining += r.remainingDevices.length;
    devices.migrated += r.devices - r.excludedDevices.length - r.remainingDevices.length;
    for (const d of r.excludedDevices) {
      const key = d.reason.trim().replace(/\s+/g, ' ').toLowerCase();
      const entry = reasons.get(key) ?? { reason: d.reason.trim(), devices: 0, people: new Set<string>() };
      entry.devices++;
      entry.people.add(person.aadObjectId);
      reasons.set(key, entry);
    }
    const waveKey = p.waveId ?? '';
    const counts = byWave.get(waveKey) ?? {
      ...(p.waveId ? { waveId: p.waveId, waveName: waveName.get(p.waveId) } : {}),
      participants: 0,
      migrated: 0,
      excluded: 0,
      remaining: 0,
    };
    counts.participants++;
    counts[r.status]++;
    byWave.set(waveKey, counts);

    if (r.status === 'migrated') {
      migrated.push({
        ...person,
        basis: r.basis ?? 'devices',
        devices: r.devices,
        excludedDevices: r.excludedDevices,
      });
    } else if (r.status === 'excluded') {
      excluded.push({
        ...person,
        reasons: [...new Set(r.excludedDevices.map((d) => d.reason))],
        devices: r.excludedDevices,
      });
    } else {
      const stage = r.remainingBecause === 'not-observed' ? 'not-observed' : headline(r.remainingDevices);
      if (stage === 'not-observed') remainingByStage[stage] = (remainingByStage[stage] ?? 0) + 1;
      for (const d of r.remainingDevices) remainingByStage[d.stage] = (remainingByStage[d.stage] ?? 0) + 1;
      remaining.push({ ...person, stage, devices: r.remainingDevices });
    }
  }

  const order = waveOrder(waves);
  const participantsCount = migrated.length + excluded.length + remaining.length;
  return {
    ready: participantsCount > 0 && remaining.length === 0,
    counts: {
      participants: participantsCount,
      migrated: migrated.length,
      excluded: excluded.length,
      remaining: remaining.length,
      devices,
    },
    byWave: [...byWave.values()].sort((a, b) => order(a.waveId) - order(b.waveId) || cmp(a.waveId, b.waveId)),
    exclusionReasons: [...reasons.values()]
      .map((r) => ({ reason: r.reason, devices: r.devices, participants: r.people.size }))
      .sort((a, b) => b.devices - a.devices || a.reason.localeCompare(b.reason)),
    remainingByStage,
    migrated: sortPeople(migrated, order),
    excluded: sortPeople(excluded, order),
    remaining: sortPeople(remaining, order),
  };
}

/**
 * Wave members who are not migrated yet (remaining in the report's sense; fully excluded people are
 * done), for the stragglers list and the reminder broadcast: one wave's, or every wave's when no wave
 * is given (people in no wave were never asked to migrate, so they are nobody's stragglers). Sorted by
 * wave (their order when `waves` is given), then name.
 */
export function stragglersOf(
  participants: Iterable<Participant>,
  waveId?: string,
  waves: readonly WaveOrder[] = [],
): Participant[] {
  const out: Participant[] = [];
  for (const p of participants) {
    if (!p.waveId || (waveId !== undefined && p.waveId !== waveId)) continue;
    if (participantRetirement(p).status === 'remaining') out.push(p);
  }
  return sortPeople(out, waveOrder(waves));
}

// ---------------------------------------------------------------------------------------------

const STAGE_RANK: Record<JourneyStage, number> = {
  'needs-it': -1,
  notified: 0,
  started: 1,
  unenrolling: 2,
  unenrolled: 3,
  enrolling: 4,
  enrolled: 5,
  compliant: 6,
  verified: 7,
  excluded: 8,
};

/** The device furthest from done: IT first, then the least advanced. */
function headline(devices: readonly RemainingDevice[]): JourneyStage {
  return devices.map((d) => d.stage).reduce((a, b) => (STAGE_RANK[b] < STAGE_RANK[a] ? b : a));
}

function personOf(p: Participant): PersonRef {
  return {
    aadObjectId: p.aadObjectId,
    ...(p.userPrincipalName ? { userPrincipalName: p.userPrincipalName } : {}),
    ...(p.displayName ? { displayName: p.displayName } : {}),
    ...(p.waveId ? { waveId: p.waveId } : {}),
  };
}

/** Rank of a wave for sorting: its order when known, unknown waves after known ones, no wave last. */
function waveOrder(waves: readonly WaveOrder[]): (waveId: string | undefined) => number {
  const rank = new Map(waves.map((w) => [w.id, w.order]));
  return (waveId) => {
    if (waveId === undefined) return Number.MAX_SAFE_INTEGER;
    return rank.get(waveId) ?? Number.MAX_SAFE_INTEGER - 1;
  };
}

function sortPeople<T extends PersonRef>(people: T[], order: (waveId: string | undefined) => number): T[] {
  const name = (p: PersonRef) => p.displayName ?? p.userPrincipalName ?? p.aadObjectId;
  return people.sort(
    (a, b) =>
      order(a.waveId) - order(b.waveId) ||
      cmp(a.waveId, b.waveId) ||
      name(a).localeCompare(name(b)) ||
      cmp(a.userPrincipalName, b.userPrincipalName) ||
      cmp(a.aadObjectId, b.aadObjectId),
  );
}

function cmp(a: string | undefined, b: string | undefined): number {
  return (a ?? '').localeCompare(b ?? '');
}
