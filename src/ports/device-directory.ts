import type { DeviceObservation } from '../domain/device';
import type { MatchCandidate } from '../domain/device-matching';

/** What the product needs to know about users and devices; backed by Microsoft Graph. */
export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
  preferredLanguage?: string;
}

/** An enrollment attempt that failed (Intune enrollmentTroubleshootingEvent). */
export interface EnrollmentFailureEvent {
  /** Entra or Intune device id when Graph knows it; failed enrollments often have none. */
  deviceId?: string;
  operatingSystem?: string;
  category: string;
  reason?: string;
  at: string;
}

/** Every device Graph knows, in the shape matching needs, and what reading it cost. */
export interface MatchCandidates {
  candidates: MatchCandidate[];
  /** HTTP requests made (pages of both collections), for the sync's cost log. */
  requests: number;
  /** Whether Entra's collection was read (see `DeviceDirectory.matchCandidates`). */
  entraRead?: boolean;
  /** How Intune's devices were read: page by page, or as one report export. */
  intuneRead?: 'paged' | 'export';
  /** Why the export was not used when it was tried. */
  intuneReadNote?: string;
}

export interface DeviceDirectory {
  findUser(idOrUpn: string): Promise<DirectoryUser | undefined>;
  /**
   * Many users at once (object ids or UPNs), in as few round trips as the directory allows. The map
   * has every key asked for: the user, `null` when there is no such user, or an `Error` when that
   * look-up failed. Optional: without it, callers look users up one by one.
   */
  findUsers?(idsOrUpns: readonly string[]): Promise<Map<string, DirectoryUser | null | Error>>;
  /** Users in a group, nested groups included (transitive); undefined when the group does not exist. */
  groupMembers(groupId: string): Promise<{ groupName?: string; users: DirectoryUser[] } | undefined>;
  /** Whether the user is in the group, directly or through nested groups. */
  isMemberOfGroup(userId: string, groupId: string): Promise<boolean>;
  /** All devices of one user as Intune and Entra see them, merged per physical device. */
  devicesOfUser(user: { id: string; userPrincipalName: string }): Promise<DeviceObservation[]>;
  /** Devices plus enrollment failures since `since`, in one round trip. */
  deviceStateOfUser(
    user: { id: string; userPrincipalName: string },
    since: Date,
  ): Promise<{ devices: DeviceObservation[]; failures: EnrollmentFailureEvent[] }>;
  /**
   * Every Intune managed device and every Entra device of the tenant, merged per physical device,
   * for matching the old MDM's inventory. Reads whole collections: a sync job's call, not a chat
   * turn's. `signal` stops it between pages.
   */
  /**
   * `entraDeviceIds`: the Entra device ids (guidKey form) the old MDMs list. When given, Entra's
   * collection is read only if one of them has no Intune record: Entra-only devices carry neither
   * hardware ids nor an owner, so no other rule can match them. Without it, both are read.
   */
  matchCandidates(signal?: AbortSignal, entraDeviceIds?: ReadonlySet<string>): Promise<MatchCandidates>;
}
