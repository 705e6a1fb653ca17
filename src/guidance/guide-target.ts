/**
 * Which guide a device needs: from the platform and ownership Graph reports (and Intune's
 * deviceEnrollmentType when the device has been in Intune before) to a guide platform and
 * ownership. Pure, so the journey and the cards can both use it.
 */
import type { DeviceObservation, Platform } from '../domain/device';
import type { GuidePlatform, Ownership } from './guidance-schema';

export interface GuideTarget {
  platform: GuidePlatform;
  ownership: Ownership;
}

export interface GuideTargetInput {
  platform: Platform;
  /** As the domain records it; Graph's managedDeviceOwnerType. Unknown when absent. */
  ownership?: DeviceObservation['ownership'];
  /** Intune's deviceEnrollmentType, e.g. androidEnterpriseCorporateWorkProfile. */
  deviceEnrollmentType?: string;
}

/** Enrollment types only an organisation-owned device can have. */
const CORPORATE_ENROLLMENT_TYPES = new Set(
  [
    'appleBulkWithUser',
    'appleBulkWithoutUser',
    'deviceEnrollmentManager',
    'windowsAzureADJoin',
    'windowsAzureADJoinUsingDeviceAuth',
    'windowsBulkUserless',
    'windowsBulkAzureDomainJoin',
    'windowsAutoEnrollment',
    'windowsCoManagement',
    'azureAdJoinUsingAzureVmExtension',
    'androidEnterpriseFullyManaged',
    'androidEnterpriseDedicatedDevice',
    'androidEnterpriseCorporateWorkProfile',
    'androidAOSPUserlessDeviceEnrollment',
  ].map((t) => t.toLowerCase()),
);

/**
 * Returns undefined for platforms no guide covers ('other'). When ownership is unknown and the
 * enrollment type does not settle it, the personal guide is chosen: it tells the user to stop and
 * contact IT if the device turns out to be locked, whereas the corporate guide would send every
 * unknown device to IT.
 */
export function guideTargetOf(device: GuideTargetInput): GuideTarget | undefined {
  const ownership = ownershipOf(device);
  switch (device.platform) {
    case 'ios':
    case 'ipados':
    case 'windows':
    case 'macos':
      return { platform: device.platform, ownership };
    case 'android':
      return { platform: androidGuideOf(ownership, device.deviceEnrollmentType), ownership };
    default:
      return undefined;
  }
}

function ownershipOf(device: GuideTargetInput): Ownership {
  if (device.ownership === 'company') return 'corporate';
  if (device.ownership === 'personal') return 'personal';
  const type = device.deviceEnrollmentType?.toLowerCase();
  return type && CORPORATE_ENROLLMENT_TYPES.has(type) ? 'corporate' : 'personal';
}

/**
 * A personal Android device can only have a work profile. A company-owned one is fully managed
 * unless Intune saw it as a corporate-owned work profile (COPE).
 */
function androidGuideOf(ownership: Ownership, enrollmentType: string | undefined): GuidePlatform {
  if (ownership === 'personal') return 'android-work-profile';
  return /workprofile/i.test(enrollmentType ?? '') ? 'android-work-profile' : 'android-fully-managed';
}
