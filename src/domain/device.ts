/** A physical device as Microsoft Graph shows it, merged from Intune (managedDevice) and Entra (device). */

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

/** Who manages the device right now, according to Graph. */
export type Management =
  | { kind: 'intune'; alsoPartnerMdmAppId?: string }
  | { kind: 'partner'; mdmAppId: string }
  | { kind: 'none' };

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
