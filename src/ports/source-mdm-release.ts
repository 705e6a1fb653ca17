import type { Platform } from '../domain/device';

/** What a release did: the old MDM was told to let the device go, or it no longer managed it. */
export interface SourceMdmReleaseResult {
  outcome: 'released' | 'already-gone';
  /** The vendor's id of the queued command, where it gives one (Jamf's `commandUuid`). */
  commandId?: string;
}

/**
 * Releases a corporate device from the old MDM: Workspace ONE's Enterprise Wipe, Jamf's
 * remove-MDM-profile (computers) or unmanage (mobile devices). The device loses the old MDM's
 * profiles, apps and corporate data; personal data stays. Off unless OLD_MDM_ALLOW_RELEASE names the
 * source: without that, no implementation exists for it. Failures are `SourceMdmError`s (a 403 names
 * the role or privilege the API account lacks). Idempotent: a device the old MDM no longer lists or
 * manages is `already-gone`.
 */
export interface SourceMdmRelease {
  /** The configured source's id (`workspace-one`, `jamf`). */
  readonly source: string;
  release(
    device: { vendorId: string; platform: Platform },
    signal?: AbortSignal,
  ): Promise<SourceMdmReleaseResult>;
}
