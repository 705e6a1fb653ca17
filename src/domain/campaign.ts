import type { AppleMigration } from './apple-migration';
import { PARTICIPANT_PARTITIONS, participantKey } from './participant';
import type { ReminderCadence } from './schedule';
import type { SourceMdm } from './source-mdm';

/** The migration as a whole: which MDM is being left, and whether users may join a wave early. */
export interface Campaign {
  id: string;
  name: string;
  sourceMdm: SourceMdm;
  /** Users in no wave may ask to migrate early (the guidance's "voluntary migration"). */
  voluntaryOptIn: boolean;
  /** The wave that volunteers join. */
  voluntaryWaveId?: string;
  createdAt: string;
}

export type WaveState = 'draft' | 'scheduled' | 'announced' | 'active' | 'evaluating' | 'closed';

/** How Intune conditional access applies to the wave's users (see the cards' explanation). */
export type ConditionalAccessMode =
  | { kind: 'immediate' }
  | { kind: 'grace'; endsAt: string }
  | { kind: 'none' };

export interface ReminderPolicy {
  /** How many times a user may say "remind me tomorrow". */
  deferralLimit: number;
  enabled: boolean;
  /** Overrides of the default cadence (weekly, every other day from 14 days left, daily from 3). */
  cadence?: Partial<ReminderCadence>;
}

export interface Wave {
  id: string;
  name: string;
  order: number;
  state: WaveState;
  announceAt?: string;
  startAt?: string;
  /** Hard deadline for migration, if any (distinct from the grace period's end). */
  deadline?: string;
  conditionalAccess: ConditionalAccessMode;
  reminders: ReminderPolicy;
  /** Minutes a user should set aside, shown on the announcement. */
  estimatedMinutes: number;
  createdAt: string;
  /** What the wave must show before the next one may be announced (the wave gate). */
  criteria?: SuccessCriteria;
  /** Tickets per day the helpdesk can absorb while this wave runs (for the load forecast). */
  helpdeskCapacityPerDay?: number;
  /** Where the members came from, for the admin's overview. */
  source?: WaveSource;
  /** An admin let the wave after this one start although this wave's gate failed. */
  gateOverride?: { by: string; byName?: string; reason: string; at: string };
  /** Devices moved by Apple's managed-device migration (Apple Business Manager), not by hand. */
  appleMigration?: AppleMigration;
  updatedAt?: string;
}

export type WaveSource =
  | { kind: 'group'; groupId: string; groupName?: string }
  | { kind: 'list'; count: number }
  | { kind: 'csv'; fileName?: string; count: number }
  | { kind: 'opt-in' };

/** Thresholds of the wave gate; rates are fractions 0…1, escalations per 100 users. */
export interface SuccessCriteria {
  /** Share of the wave's devices that enrolled in Intune (of those that started). */
  minEnrollmentSuccessRate: number;
  /** Most helpdesk tickets per 100 users. */
  maxEscalationsPer100: number;
  /** Share of post-enrollment checks answered "everything works". */
  minPostCheckPassRate: number;
  /** Share of enrolled devices that Intune reports compliant. */
  minComplianceRate: number;
}

export const DEFAULT_SUCCESS_CRITERIA: Readonly<SuccessCriteria> = {
  minEnrollmentSuccessRate: 0.9,
  maxEscalationsPer100: 15,
  minPostCheckPassRate: 0.9,
  minComplianceRate: 0.9,
};

/** Waves whose users are being guided and watched for progress. */
export const ACTIVE_WAVE_STATES: readonly WaveState[] = ['announced', 'active', 'evaluating'];

export const campaignKey = (id = 'default') => ({ partitionKey: 'campaign', rowKey: id });
/** Every wave is a row of this one partition. */
export const WAVES_PARTITION = 'wave';
export const waveKey = (id: string) => ({ partitionKey: WAVES_PARTITION, rowKey: id });
/**
 * Wave membership index: a wave's rows spread over the 64 buckets of `participantKey`
 * (`wave-<id>_pNN`, the member's own bucket; `_` never appears in a wave id, so no bucket of one wave
 * is the earlier partition of another), so that no partition holds a whole wave (a partition
 * takes a bounded number of writes a second, and Azurite's cost per row grows with its size) and an
 * import's chunk of one participant partition writes one index partition.
 */
export const waveMemberKey = (waveId: string, aadObjectId: string) => {
  const { partitionKey: bucket, rowKey } = participantKey(aadObjectId);
  return { partitionKey: `${legacyWaveMembersPartition(waveId)}_${bucket}`, rowKey };
};
/** Every partition of a wave's index (`waveMemberKey`'s), for a listing of the whole wave. */
export const waveMembersPartitions = (waveId: string): string[] =>
  PARTICIPANT_PARTITIONS.map((bucket) => `${legacyWaveMembersPartition(waveId)}_${bucket}`);
/**
 * The index's earlier layout, one partition per wave. Rows written there before the buckets are
 * still read (listings, a person's rows) and deleted with the member's other rows; an import moves
 * its wave's rows into the buckets first (src/features/wave-index-legacy.ts).
 */
export const legacyWaveMembersPartition = (waveId: string) => `wave-${waveId}`;
export const legacyWaveMemberKey = (waveId: string, aadObjectId: string) => ({
  partitionKey: legacyWaveMembersPartition(waveId),
  rowKey: aadObjectId.toLowerCase(),
});

/** Campaign order: by the wave's order, then by name. */
export function byWaveOrder(x: Wave, y: Wave): number {
  return x.order - y.order || x.name.localeCompare(y.name);
}

export interface WaveMember {
  waveId: string;
  aadObjectId: string;
  userPrincipalName: string;
  addedAt: string;
}

/** The date that ends the wave for a user: the grace period's end, else the deadline. */
export function endOfWave(wave: Wave): string | undefined {
  return wave.conditionalAccess.kind === 'grace' ? wave.conditionalAccess.endsAt : wave.deadline;
}
