/** The progress refresher's stored cursor and its per-cycle report. */
import type { JobState } from '../ports/store';

/** What one cycle saw and did. Graph requests are counted by whoever serves them (the simulator's stats). */
export interface CycleReport {
  startedAt: string;
  durationMs: number;
  /** The Entra round was a full enumeration: the first cycle, or the stored deltaLink had expired. */
  entraResynced: boolean;
  /** Changed records Graph returned. */
  intuneRecords: number;
  entraRecords: number;
  failureEvents: number;
  /** Entra changes of devices no journey tracks (owner unknown): someone else's device, or one not seen yet. */
  unknownDevices: number;
  /** Participants with a change, in an active wave, or retried. */
  participantsConsidered: number;
  /** Changes that belong to users outside active waves (left alone). */
  participantsInactive: number;
  /** Never-looked-at participants of active waves that got their journeys in this cycle. */
  participantsInitialised: number;
  /** Per-user look-ups made (initialisations included). */
  perUserLookups: number;
  /** Where the looked-up participants' devices came from: per-user look-ups or one tenant-wide read. */
  deviceSource?: 'look-ups' | 'tenant-wide';
  participantsChanged: number;
  devicesChanged: number;
  journeysCreated: number;
  escalations: number;
  /** Participants that failed in this cycle and are retried in the next. */
  participantsFailed: number;
}

/** The job's row in jobState. Maps are stored as JSON strings (the row holds flat values only). */
export interface Cursor {
  deltaLink?: string;
  lastCycleStartedAt?: string;
  /** Per active wave: members added before this instant have been looked at. */
  memberScans: Record<string, string>;
  /** Participants to retry with a full look-up, with how many cycles they have failed. */
  retry: Record<string, number>;
  /** Intune managed devices the last tenant-wide read found: the next one's cost estimate. */
  tenantManagedDevices?: number;
}

export function readCursor(state: JobState | undefined): Cursor {
  const parse = <T>(v: unknown): T | undefined => {
    if (typeof v !== 'string') return undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === 'object' && parsed !== null ? (parsed as T) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    deltaLink: typeof state?.deltaLink === 'string' ? state.deltaLink : undefined,
    lastCycleStartedAt: typeof state?.lastCycleStartedAt === 'string' ? state.lastCycleStartedAt : undefined,
    memberScans: parse<Record<string, string>>(state?.memberScans) ?? {},
    retry: parse<Record<string, number>>(state?.retry) ?? {},
    ...(typeof state?.tenantManagedDevices === 'number'
      ? { tenantManagedDevices: state.tenantManagedDevices }
      : {}),
  };
}

export function emptyReport(started: Date): CycleReport {
  return {
    startedAt: started.toISOString(),
    durationMs: 0,
    entraResynced: false,
    intuneRecords: 0,
    entraRecords: 0,
    failureEvents: 0,
    unknownDevices: 0,
    participantsConsidered: 0,
    participantsInactive: 0,
    participantsInitialised: 0,
    perUserLookups: 0,
    participantsChanged: 0,
    devicesChanged: 0,
    journeysCreated: 0,
    escalations: 0,
    participantsFailed: 0,
  };
}
