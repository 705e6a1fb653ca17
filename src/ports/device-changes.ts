import type { DeviceObservation } from '../domain/device';
import type { EnrollmentFailureReport, EntraChange, IntuneChange } from '../domain/device-changes';

/** What changed in the device directory in one round. */
export interface DeviceChangeRound {
  intune: IntuneChange[];
  entra: EntraChange[];
  failures: EnrollmentFailureReport[];
  /**
   * Where the next round of Entra changes continues. The caller stores it only once the round is
   * applied, so a crash repeats the round.
   */
  entraCursor: string;
  /** Entra's round was a full enumeration: no cursor yet, or the stored one had expired. */
  entraResynced: boolean;
}

export interface DeviceLookupUser {
  /** Entra object id; the key of the answer. */
  id: string;
  userPrincipalName: string;
}

/** Every device of the tenant, grouped by the user each belongs to (as a look-up of that user would find them). */
export interface TenantDevices {
  /** The devices of one user (Entra object id, any case); empty when the user has none. */
  devicesOf(userId: string): DeviceObservation[];
  /** Intune managed devices read, kept to estimate the next tenant-wide read. */
  managedDevices: number;
  /** Entra devices the read covered. */
  entraDevices: number;
}

/**
 * Changes to devices since a point in time, at a cost proportional to what changed rather than to
 * how many people are followed; and full look-ups for the users the changes cannot settle.
 */
export interface DeviceChanges {
  /** Intune records and enrollment failures since `since`; Entra records since `entraCursor` (all without one). */
  changedSince(
    since: Date,
    entraCursor: string | undefined,
    signal?: AbortSignal,
  ): Promise<DeviceChangeRound>;
  /** Every device of each user, or the error of that user's look-up; the map has every user asked for. */
  lookUp(
    users: readonly DeviceLookupUser[],
    signal?: AbortSignal,
  ): Promise<Map<string, DeviceObservation[] | Error>>;
  /** Requests `lookUp` makes for this many users. */
  lookUpCost(users: number): number;
  /**
   * Requests `readTenant` would make for this many Entra devices (a full Entra round counts them) and
   * Intune managed devices (the previous tenant-wide read's count; unknown: estimated).
   */
  tenantReadCost(counts: { entraDevices: number; managedDevices?: number }): number;
  /** Every device of the tenant, with its user: Intune's records, the latest full Entra round and Entra's device owners. */
  readTenant(signal?: AbortSignal): Promise<TenantDevices>;
}
