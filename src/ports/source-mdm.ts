import type { OldMdmDevice } from '../domain/old-mdm';
import type { SourceMdm } from '../domain/source-mdm';

/**
 * The old MDM's own inventory, read-only: an export file an admin sent, or the vendor's API.
 * Pages are yielded as they arrive so a 100,000-device inventory never sits in one response.
 */
export interface SourceMdmInventory {
  /** The configured source's id (`workspace-one`, `jamf`, `file`); stored on every device it lists. */
  readonly source: string;
  readonly vendor: SourceMdm;
  /** HTTP requests made so far (token requests included), so a sync can log what it cost. */
  readonly requests: number;
  /** Every device the old MDM lists now: a full snapshot. */
  listAll(signal?: AbortSignal): AsyncIterable<OldMdmDevice[]>;
  /**
   * Devices seen or changed since `since`, where the vendor's API can filter by time; absent when
   * it cannot (the sync then reads the full snapshot).
   */
  listChangedSince?(since: Date, signal?: AbortSignal): AsyncIterable<OldMdmDevice[]>;
  /**
   * One device as the old MDM lists it now, by the vendor's id, for a live "Check my device";
   * undefined when the old MDM no longer lists it (404). Absent for export files.
   */
  deviceById?(vendorId: string, signal?: AbortSignal): Promise<OldMdmDevice | undefined>;
}

/** Why the old MDM did not answer, in terms an admin can act on. */
export type SourceMdmFailure =
  /** 401: the credential is wrong or expired — `missing` names the setting. */
  | 'credentials'
  /** 403: the API account lacks a role or privilege — `missing` names it. */
  | 'permission'
  /** 429 after the bounded retries. */
  | 'throttled'
  /** 5xx, timeouts or an unreachable host after the bounded retries. */
  | 'unavailable'
  /** An answer that is not what the vendor documents. */
  | 'bad-response';

export class SourceMdmError extends Error {
  constructor(
    message: string,
    readonly failure: SourceMdmFailure,
    readonly source: string,
    readonly status?: number,
    /** The setting, API role or privilege an admin must fix. */
    readonly missing?: string,
  ) {
    super(message);
    this.name = 'SourceMdmError';
  }
}
