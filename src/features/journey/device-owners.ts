import { type DeviceOwner, deviceOwnerKey } from '../../domain/device-owner';
import { ConcurrencyError, type Repository } from '../../ports/store';

/**
 * Records who owns each device, for the Entra changes that name no user; a device that changed hands
 * is re-pointed. Whoever creates journeys should call this, or the background refresh only learns of
 * those devices when their wave is first scanned.
 */
export async function recordDeviceOwners(
  repo: Repository<DeviceOwner>,
  aadObjectId: string,
  deviceKeys: readonly string[],
): Promise<void> {
  const owner = aadObjectId.toLowerCase();
  for (const deviceKey of deviceKeys) {
    const key = deviceOwnerKey(deviceKey);
    const row: DeviceOwner = { aadObjectId: owner, deviceKey: deviceKey.toLowerCase() };
    try {
      await repo.insert(key, row);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      await repo.update(key, (cur) => (cur?.aadObjectId === owner ? undefined : row));
    }
  }
}
