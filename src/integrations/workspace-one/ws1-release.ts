/**
 * Releases a device from Workspace ONE with the v1 Enterprise Wipe command,
 * `POST /API/mdm/devices/{id}/commands?command=EnterpriseWipe` (docs/vendor-apis.md §1.5, W3
 * CommandsV1Api.md; v2/v3 have no Enterprise Wipe). An Enterprise Wipe removes the MDM profile and
 * what Workspace ONE installed — corporate apps, profiles, email, Wi-Fi and VPN settings — and keeps
 * the user's own data; a Device Wipe (factory reset) would erase everything, and deleting the record
 * (`DELETE /API/mdm/devices/{id}`) would leave the profile on the device. The device passes through
 * EnrollmentStatus EnterpriseWipePending to Unenrolled once it acknowledges.
 */
import type { OldMdmDevice } from '../../domain/old-mdm';
import { SourceMdmError } from '../../ports/source-mdm';
import type { SourceMdmRelease, SourceMdmReleaseResult } from '../../ports/source-mdm-release';
import { type Ws1Connection, ws1Access } from './ws1-api';
import { WS1_RELEASE_PERMISSION } from './ws1-settings';

const RELEASE_ACCESS = ws1Access(WS1_RELEASE_PERMISSION);

interface DeviceLookUp {
  deviceById(vendorId: string, signal?: AbortSignal): Promise<OldMdmDevice | undefined>;
}

export class WorkspaceOneRelease implements SourceMdmRelease {
  readonly source: string;

  constructor(
    private readonly api: Ws1Connection,
    private readonly devices: DeviceLookUp & { readonly source: string },
  ) {
    this.source = devices.source;
  }

  async release(device: { vendorId: string }, signal?: AbortSignal): Promise<SourceMdmReleaseResult> {
    // Looked up first: a device already unenrolled (or deleted) needs no command, and Workspace ONE's
    // answer to a wipe of an unenrolled device is not documented.
    const current = await this.devices.deviceById(device.vendorId, signal);
    if (!current || current.enrollment === 'unenrolled') return { outcome: 'already-gone' };
    // EnterpriseWipePending: the command was sent before and waits for the device.
    if (current.enrollment === 'pending') return { outcome: 'released' };
    try {
      const res = await this.api.send({
        method: 'POST',
        path: `/API/mdm/devices/${device.vendorId}/commands`,
        query: { command: 'EnterpriseWipe' },
        access: RELEASE_ACCESS,
        accept: [404],
        signal,
      });
      // 404 (errorCode 5061): deleted between the look-up and the command.
      if (res.status === 404) return { outcome: 'already-gone' };
      // The answer is an empty body (W3), so there is no command id to keep.
      return { outcome: 'released' };
    } catch (err) {
      // A refusal because the device left meanwhile (Fleet sees 400 "could not unenroll", W7) is
      // still the outcome asked for; anything else is reported as it is.
      if (!(err instanceof SourceMdmError) || err.failure !== 'bad-response') throw err;
      const after = await this.devices.deviceById(device.vendorId, signal);
      if (!after || after.enrollment === 'unenrolled') return { outcome: 'already-gone' };
      throw err;
    }
  }
}
