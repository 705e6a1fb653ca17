/**
 * A physical device as the product sees it: merged from Intune (managedDevice) and Entra (device), and
 * from the old MDM's own inventory where it lists the device (src/domain/device-sources.ts).
 */
import type { SourceMdm } from './source-mdm';

export const INTUNE_MDM_APP_ID = '0000000a-0000-0000-c000-000000000000';

export type Platform = 'ios' | 'ipados' | 'android' | 'windows' | 'macos' | 'other';

export type ComplianceState =
  | 'compliant'
  | 'noncompliant'
  | 'inGracePeriod'
  | 'unknown'
  | 'conflict'
  | 'error'
  | 'configManager';

/**
 * Who manages the device right now. `mdmAppId` / `alsoPartnerMdmAppId` are what Entra says (an old MDM
 * integrated as a compliance partner); `oldMdm` / `alsoOldMdm` name the configured source whose own
 * inventory lists the device. The old MDM's own word wins over Entra's on whether it still manages it.
 */
export type Management =
  | { kind: 'intune'; alsoPartnerMdmAppId?: string; alsoOldMdm?: string }
  | { kind: 'partner'; mdmAppId?: string; oldMdm?: string }
  | { kind: 'none' };

/** Enrolled in Intune while the old MDM still manages it: both could apply conditional access. */
export function isDualEnrolled(m: Management): boolean {
  return m.kind === 'intune' && Boolean(m.alsoPartnerMdmAppId || m.alsoOldMdm);
}

/** What the old MDM's own inventory says about a device, as far as a journey needs it. */
export interface OldMdmFact {
  /** The configured source (`workspace-one`, `jamf`, `file`). */
  source: string;
  vendor: SourceMdm;
  vendorId: string;
  /** The old MDM lists it and does not report it unenrolled. */
  listed: boolean;
  /** When it last checked in with the old MDM (ISO). */
  lastSeen?: string;
  /**
   * The Graph device was found by a hardware identifier (serial, IMEI, UDID, Entra id), not only by
   * owner + platform + name: only then does "both list it" count as dual enrollment.
   */
  identified: boolean;
}

export interface DeviceObservation {
  /** Stable key: the Entra deviceId when known, else the Intune managed device id. */
  key: string;
  name: string;
  platform: Platform;
  osVersion?: string;
  model?: string;
  ownership?: 'personal' | 'company';
  management: Management;
  intune?: {
    managedDeviceId: string;
    complianceState: ComplianceState;
    managementAgent?: string;
    enrolledDateTime?: string;
    lastSyncDateTime?: string;
    deviceEnrollmentType?: string;
  };
  /** The old MDM's own word on the device, when a configured source lists (or listed) it. */
  oldMdm?: OldMdmFact;
  /**
   * Keys a journey of this device may have had before: an old-MDM-only device is tracked under its
   * inventory key until Intune or Entra shows it.
   */
  formerKeys?: string[];
  entra?: {
    objectId: string;
    deviceId: string;
    isManaged?: boolean;
    isCompliant?: boolean | null;
    mdmAppId?: string | null;
  };
}

/** Maps Graph's free-form operating system names onto the platforms the guidance covers. */
export function platformOf(operatingSystem: string | undefined, model?: string): Platform {
  const os = (operatingSystem ?? '').toLowerCase();
  if (os.includes('ipad') || (os === 'ios' && /ipad/i.test(model ?? ''))) return 'ipados';
  if (os.includes('ios') || os.includes('iphone')) return 'ios';
  if (os.includes('android')) return 'android';
  if (os.includes('windows')) return 'windows';
  if (os.includes('mac')) return 'macos';
  return 'other';
}

/**
 * Decides who manages a device from the two Graph records. Intune's own record wins; a partner
 * mdmAppId on the Entra record alongside an Intune record means the device is enrolled twice.
 */
export function managementOf(
  intune: DeviceObservation['intune'] | undefined,
  entra: DeviceObservation['entra'] | undefined,
): Management {
  const mdm = entra?.mdmAppId ?? undefined;
  const partner = mdm && mdm.toLowerCase() !== INTUNE_MDM_APP_ID ? mdm : undefined;
  if (intune) return partner ? { kind: 'intune', alsoPartnerMdmAppId: partner } : { kind: 'intune' };
  if (mdm && mdm.toLowerCase() === INTUNE_MDM_APP_ID) return { kind: 'intune' };
  if (partner) return { kind: 'partner', mdmAppId: partner };
  return { kind: 'none' };
}
