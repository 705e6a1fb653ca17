/** Simulators, connectors and storage for the old-MDM sync tests: real HTTP, Azurite, no waits slept. */
import type { JamfComputerSeed, JamfMobileDeviceSeed } from '../../../src/dev/jamf-sim';
import type { WorkspaceOneSimulator, Ws1DeviceSeed } from '../../../src/dev/workspace-one-sim';
import type { InventoryDevice } from '../../../src/domain/inventory';
import { inventoryPartitions } from '../../../src/domain/inventory';
import type { InventorySyncDeps } from '../../../src/features/old-mdm/inventory-sync';
import { JamfInventory } from '../../../src/integrations/jamf/jamf-inventory';
import { WorkspaceOneInventory } from '../../../src/integrations/workspace-one/ws1-inventory';
import type { Store } from '../../../src/ports/store';
import { FakeClock, silentLogger } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

export const NOW = Date.parse('2026-11-23T09:00:00.000Z');
export const HOUR = 3_600_000;

/** `n` Workspace ONE devices last seen a day ago, numbered from id 5000. */
export function ws1Seeds(n: number): Ws1DeviceSeed[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 5000 + i,
    friendlyName: `Phone ${i}`,
    userName: `user${i % 40}@example.com`,
    userEmail: `user${i % 40}@example.com`,
    platform: i % 3 === 0 ? 'Android' : 'Apple',
    model: 'Phone',
    operatingSystem: '17.1',
    serialNumber: `WS1SER${String(i).padStart(5, '0')}`,
    ownership: 'C' as const,
    lastSeen: new Date(NOW - 24 * HOUR),
  }));
}

export const jamfMacs = (n: number): JamfComputerSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `MAC-${i}`,
    serialNumber: `C02SYNC${String(i).padStart(5, '0')}`,
    username: `user${i}@example.com`,
    email: `user${i}@example.com`,
    reportDate: '-3d',
    lastContact: '-1h',
  }));

export const jamfPhones = (n: number): JamfMobileDeviceSeed[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `IPHONE-${i}`,
    serialNumber: `F2LSYNC${String(i).padStart(5, '0')}`,
    username: `user${i}@example.com`,
    emailAddress: `user${i}@example.com`,
    lastInventoryUpdateDate: '-3d',
  }));

/** Retries are not slept: the policy's waits are asked for and resolved at once. */
const noSleep = async () => undefined;

export function ws1Connector(
  sim: WorkspaceOneSimulator,
  overrides: { clientSecret?: string; maxAttempts?: number; pageSize?: number } = {},
): WorkspaceOneInventory {
  return new WorkspaceOneInventory(
    {
      apiUrl: sim.url,
      tokenUrl: sim.tokenUrl,
      clientId: sim.client.clientId,
      clientSecret: overrides.clientSecret ?? sim.client.clientSecret,
      tenantCode: sim.tenantCode,
    },
    { sleep: noSleep, pageSize: overrides.pageSize ?? 50, maxAttempts: overrides.maxAttempts ?? 3 },
  );
}

export function jamfConnector(
  url: string,
  options: { clientId: string; clientSecret: string; computers?: boolean; mobileDevices?: boolean },
): JamfInventory {
  return new JamfInventory({ baseUrl: url, pageSize: 20, sleep: noSleep, maxAttempts: 3, ...options });
}

export async function syncDeps(): Promise<InventorySyncDeps & { clock: FakeClock }> {
  const storage = await freshStorage();
  return { store: storage.store, clock: new FakeClock(new Date(NOW)), logger: silentLogger };
}

/** Every stored row of `source`, by vendor id. */
export async function storedRows(store: Store, source: string): Promise<Map<string, InventoryDevice>> {
  const rows = new Map<string, InventoryDevice>();
  for (const partition of inventoryPartitions()) {
    for await (const row of store.oldMdmDevices.listPartition(partition)) {
      if (row.value.source === source) rows.set(row.value.vendorId, row.value);
    }
  }
  return rows;
}
