/**
 * Releases a device from Jamf Pro (docs/vendor-apis.md §2.4, Jamf Pro 11.30.1 schema J1):
 *  - a computer: `POST /api/v4/computers-inventory/{id}/remove-mdm-profile` (the v1 path
 *    `/api/v1/computer-inventory/{id}/remove-mdm-profile` is deprecated), privilege "Send Computer
 *    Unmanage Command";
 *  - a mobile device: `POST /api/v2/mobile-devices/{id}/unmanage`, privilege "Unmanage Mobile Devices".
 * Both answer 200 `{ deviceId, commandUuid }`: the command is queued, and the device leaves Jamf's
 * management when it receives it (profiles and Jamf-installed apps and settings go; the record stays,
 * unmanaged). Erasing (remote wipe) is never used: it would take the user's data too.
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import { SourceMdmError } from '../../ports/source-mdm';
import type { SourceMdmRelease, SourceMdmReleaseResult } from '../../ports/source-mdm-release';
import type { JamfConnection } from './jamf-connection';
import { parseJamfVendorId } from './jamf-devices';

export const JAMF_RELEASE_PRIVILEGES = {
  computer: 'Send Computer Unmanage Command',
  'mobile-device': 'Unmanage Mobile Devices',
} as const;

interface DeviceLookUp {
  readonly source: string;
  deviceById(vendorId: string, signal?: AbortSignal): Promise<OldMdmDevice | undefined>;
}

export class JamfRelease implements SourceMdmRelease {
  readonly source: string;

  constructor(
    private readonly api: JamfConnection,
    private readonly devices: DeviceLookUp,
  ) {
    this.source = devices.source;
  }

  async release(device: { vendorId: string }, signal?: AbortSignal): Promise<SourceMdmReleaseResult> {
    const id = parseJamfVendorId(device.vendorId);
    if (!id) return { outcome: 'already-gone' };
    // Looked up first: an unmanaged device has no MDM channel left, and Jamf answers a command it
    // cannot queue with 500 "unable to queue command" (J1).
    if (!(await this.stillManaged(device.vendorId, signal))) return { outcome: 'already-gone' };
    const path =
      id.kind === 'computer'
        ? `/api/v4/computers-inventory/${id.id}/remove-mdm-profile`
        : `/api/v2/mobile-devices/${id.id}/unmanage`;
    try {
      const { status, body } = await this.api.json({
        method: 'POST',
        path,
        privilege: JAMF_RELEASE_PRIVILEGES[id.kind],
        // Not in the schema for these paths, but Jamf's answer for an unknown id elsewhere (J1, J2).
        accept: [404],
        signal,
      });
      if (status === 404) return { outcome: 'already-gone' };
      const commandUuid = (body as { commandUuid?: unknown } | undefined)?.commandUuid;
      return typeof commandUuid === 'string' && commandUuid
        ? { outcome: 'released', commandId: commandUuid }
        : { outcome: 'released' };
    } catch (err) {
      // The device may have left between the look-up and the command; that is the outcome asked for.
      const maybeGone =
        err instanceof SourceMdmError && (err.failure === 'bad-response' || err.failure === 'unavailable');
      if (maybeGone && !(await this.stillManaged(device.vendorId, signal))) {
        return { outcome: 'already-gone' };
      }
      throw err;
    }
  }

  private async stillManaged(vendorId: string, signal?: AbortSignal): Promise<boolean> {
    const current = await this.devices.deviceById(vendorId, signal);
    return current !== undefined && current.enrollment !== 'unenrolled';
  }
}
