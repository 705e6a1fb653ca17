import { bucketOf } from './canonical';
/**
 * Who owns a device, for the progress refresher: Entra's device records (devices/delta) do not name
 * their user, so the refresher keeps this index from device key to participant when it creates
 * journeys, and maps an Entra change back to the participant with one point read.
 */
export interface DeviceOwner {
  /** Entra object id of the participant whose journey tracks the device. */
  aadObjectId: string;
  /** The journey's device key (Entra deviceId when known, else the Intune managed device id). */
  deviceKey: string;
}

/**
 * Spreads the index over 256 partitions ('d00'…'dff') by a hash of the key, so no partition is hot;
 * the row key is the device key itself, as device keys are unique.
 */
export function deviceOwnerKey(deviceKey: string): { partitionKey: string; rowKey: string } {
  const key = deviceKey.toLowerCase();
  return { partitionKey: `d${bucketOf(key, 256).toString(16).padStart(2, '0')}`, rowKey: key };
}
