/**
 * A device as the old MDM itself lists it: its own inventory is the list of devices to migrate.
 * Every source (an export file, the Workspace ONE UEM API, the Jamf Pro API) is mapped onto this
 * one shape; fields the source does not provide stay undefined.
 */
import type { Platform } from './device';
import type { SourceMdm } from './source-mdm';

export type OldMdmOwnership = 'corporate' | 'personal' | 'shared' | 'unknown';

/** Whether the old MDM still manages the device, in its own words. */
export type OldMdmEnrollment = 'enrolled' | 'pending' | 'unenrolled' | 'unknown';

export interface OldMdmDevice {
  /** The configured source it came from (e.g. `workspace-one`, `jamf`, `file`). */
  source: string;
  vendor: SourceMdm;
  /** The vendor's own id of the device (Workspace ONE `Id.Value`, Jamf `id`, an export's device id). */
  vendorId: string;
  name?: string;
  platform: Platform;
  osVersion?: string;
  model?: string;
  serialNumber?: string;
  /** IMEI or MEID, digits only. */
  imei?: string;
  /** Apple's UDID, or the vendor's hardware id. */
  udid?: string;
  /** The Entra device id, where the old MDM knows it. */
  entraDeviceId?: string;
  userPrincipalName?: string;
  userEmail?: string;
  /** The old MDM's own user name when it is not a UPN (e.g. a directory account "alexw"). */
  userName?: string;
  ownership: OldMdmOwnership;
  /** Apple supervision (or Android fully managed): the user cannot remove the management profile. */
  supervised?: boolean;
  enrollment: OldMdmEnrollment;
  /** When the device last checked in with the old MDM (ISO 8601, UTC). */
  lastSeen?: string;
}

/** Identifiers are compared without case, spaces or separators: exports and APIs format them differently. */
export function normaliseIdentifier(value: string | undefined): string | undefined {
  const v = value?.replace(/[\s:-]/g, '').toUpperCase();
  return v ? v : undefined;
}
