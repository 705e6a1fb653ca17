/** One device as the control page, the CLI and action results show it, derived from its records. */
import { mdmName } from './constants';
import type { EntraDevice, ManagedDevice, SimDevice } from './model';

/** Where a device stands in the move from the old MDM to Intune. */
export type DeviceStatus = 'old-mdm' | 'dual' | 'intune' | 'unmanaged';

export interface DeviceState {
  deviceId: string;
  objectId: string;
  managedDeviceId: string | null;
  name: string;
  operatingSystem: string;
  osVersion: string;
  model: string;
  manufacturer: string;
  ownership: 'personal' | 'company';
  relationship: SimDevice['relationship'];
  status: DeviceStatus;
  /** e.g. "Workspace ONE", "dual: Workspace ONE + Intune (unknown)", "Intune (compliant)", "unmanaged". */
  summary: string;
  partnerMdmAppId: string | null;
  partnerMdm: string | null;
  entra: EntraDevice;
  intune: ManagedDevice | null;
}

export function deviceStatus(d: SimDevice): DeviceStatus {
  if (d.partnerMdmAppId && d.intune) return 'dual';
  if (d.partnerMdmAppId) return 'old-mdm';
  if (d.intune) return 'intune';
  return 'unmanaged';
}

export function deviceState(d: SimDevice): DeviceState {
  const status = deviceStatus(d);
  const partner = mdmName(d.partnerMdmAppId);
  const intune = d.intune ? `Intune (${d.intune.complianceState})` : '';
  const summary =
    status === 'dual'
      ? `dual: ${partner} + ${intune}`
      : status === 'old-mdm'
        ? (partner ?? '')
        : status === 'intune'
          ? intune
          : 'unmanaged';
  return {
    deviceId: d.entra.deviceId,
    objectId: d.entra.id,
    managedDeviceId: d.intune?.id ?? null,
    name: d.entra.displayName,
    operatingSystem: d.entra.operatingSystem,
    osVersion: d.entra.operatingSystemVersion,
    model: d.entra.model,
    manufacturer: d.entra.manufacturer,
    ownership: d.ownership,
    relationship: d.relationship,
    status,
    summary,
    partnerMdmAppId: d.partnerMdmAppId,
    partnerMdm: partner,
    entra: { ...d.entra },
    intune: d.intune ? { ...d.intune } : null,
  };
}
