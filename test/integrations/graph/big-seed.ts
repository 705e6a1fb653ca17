import type { DeviceSeed } from '../../../src/dev/tenant-sim';

/** 1,100 devices in Intune (and Entra) plus 1,050 only in Entra: two Intune pages, three Entra pages. */
export function bigSeed() {
  const device = (i: number, management: 'intune' | 'partner'): DeviceSeed => ({
    deviceId: `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    user: 'pat@example.com',
    displayName: `Device ${i}`,
    operatingSystem: i % 2 ? 'iOS' : 'Windows',
    osVersion: '1',
    model: i % 2 ? 'iPhone 15' : 'Surface',
    manufacturer: 'x',
    ownership: 'company',
    serialNumber: `SER${i}`,
    ...(i % 2
      ? { imei: `35${String(i).padStart(13, '0')}`, udid: `00008120-${String(i).padStart(16, '0')}` }
      : {}),
    management,
  });
  return {
    users: [{ id: 'u-pat', userPrincipalName: 'pat@example.com', displayName: 'Pat' }],
    devices: [
      ...Array.from({ length: 1100 }, (_, i) => device(i, 'intune')),
      ...Array.from({ length: 1050 }, (_, i) => device(5000 + i, 'partner')),
    ],
  };
}
