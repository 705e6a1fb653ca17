import type { SourceMdm } from '../config';
import type { ReminderCadence } from './schedule';

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
}

/** Waves whose users are being guided and watched for progress. */
export const ACTIVE_WAVE_STATES: readonly WaveState[] = ['announced', 'active', 'evaluating'];

export const campaignKey = (id = 'default') => ({ partitionKey: 'campaign', rowKey: id });
export const waveKey = (id: string) => ({ partitionKey: 'wave', rowKey: id });
/** Wave membership index: one partition per wave, so a wave's members list with one query. */
export const waveMemberKey = (waveId: string, aadObjectId: string) => ({
  partitionKey: `wave-${waveId}`,
  rowKey: aadObjectId.toLowerCase(),
});

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
