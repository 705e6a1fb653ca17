/**
 * A world for release tests: Azurite storage, the Workspace ONE simulator over HTTP with Megan's
 * corporate, supervised iPhone (1200) and her personal Pixel (1201), the real connector with a client
 * that may read and release, and Megan's journeys with IT for both.
 */
import assert from 'node:assert/strict';
import { Application, type TurnState } from '@microsoft/teams-ai';
import type { Deps } from '../../../src/deps';
import {
  DEFAULT_CLIENT,
  DEVICES_EXECUTE,
  DEVICES_READ,
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
  type Ws1DeviceSeed,
} from '../../../src/dev/workspace-one-sim';
import { oldMdmDeviceKey } from '../../../src/domain/device-sources';
import { attachCard, escalationKey } from '../../../src/domain/escalation';
import type { Escalation } from '../../../src/domain/escalation-model';
import { type InventoryDevice, inventoryKey, inventoryRowKey } from '../../../src/domain/inventory';
import type { DeviceJourney } from '../../../src/domain/journey';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { participantOf, raiseEscalation } from '../../../src/features/helpdesk/escalation-service';
import { register as registerRelease } from '../../../src/features/old-mdm/release-routes';
import { WorkspaceOneInventory } from '../../../src/integrations/workspace-one/ws1-inventory';
import type { SourceMdmRelease } from '../../../src/ports/source-mdm-release';
import { ALEX, testDeps } from '../../helpers/activities';
import { testConfig } from '../../helpers/config';
import { HELPDESK_CHANNEL, MEGAN } from '../../helpers/demo';
import { freshStorage } from '../../helpers/storage';

export const IPHONE_KEY = oldMdmDeviceKey('workspace-one', '1200');
export const PIXEL_KEY = oldMdmDeviceKey('workspace-one', '1201');

export const SEEDS: Ws1DeviceSeed[] = [
  {
    id: 1200,
    friendlyName: "Megan's iPhone",
    userName: MEGAN.upn,
    userEmail: MEGAN.upn,
    platform: 'Apple',
    model: 'iPhone 15',
    operatingSystem: '18.1',
    serialNumber: 'F17MEGAN1200',
    ownership: 'C',
    supervised: true,
    lastSeen: new Date('2026-12-01T08:00:00Z'),
  },
  {
    id: 1201,
    friendlyName: "Megan's Pixel",
    userName: MEGAN.upn,
    platform: 'Android',
    model: 'Pixel 8',
    serialNumber: 'PXMEGAN1201',
    ownership: 'E',
    lastSeen: new Date('2026-12-01T08:00:00Z'),
  },
];

export const RELEASER = {
  clientId: 'releaser',
  clientSecret: 'release-secret',
  permissions: [DEVICES_READ, DEVICES_EXECUTE],
};

export const MEGAN_CHAT = {
  serviceUrl: 'https://smba.example/teams/',
  channelId: 'msteams',
  conversationId: 'a:megan-chat',
  conversationType: 'personal',
  botId: 'bot',
  userId: MEGAN.id,
};

function withIt(key: string, name: string, platform: DeviceJourney['platform'], at: string): DeviceJourney {
  return {
    deviceKey: key,
    name,
    platform,
    ownership: 'company',
    stage: 'needs-it',
    stageSince: at,
    history: [{ stage: 'needs-it', at, cause: 'cannot-self-unenroll' }],
    flags: { dualEnrollment: false },
    needsIt: { reason: 'Supervised: cannot remove the profile', at, from: 'started' },
    lastSeen: {
      management: { kind: 'partner', oldMdm: 'workspace-one' },
      oldMdm: { source: 'workspace-one', vendor: 'workspace-one', listed: true },
      at,
    },
  };
}

export interface ReleaseWorld {
  sim: WorkspaceOneSimulator;
  inventory: WorkspaceOneInventory;
  t: ReturnType<typeof testDeps>;
  deps: Deps;
  app: Application<TurnState>;
}

export async function releaseWorld(
  options: {
    release?: boolean;
    client?: { clientId: string; clientSecret: string };
    wrap?: (r: SourceMdmRelease) => SourceMdmRelease;
    /** A helpdesk channel is configured (HELPDESK_CHANNEL_ID), so tickets have cards to update. */
    helpdesk?: boolean;
  } = {},
): Promise<ReleaseWorld> {
  const sim = await startWorkspaceOneSimulator({ devices: SEEDS, clients: [DEFAULT_CLIENT, RELEASER] });
  const connector = (client: { clientId: string; clientSecret: string }) =>
    new WorkspaceOneInventory(
      {
        apiUrl: sim.url,
        tokenUrl: sim.tokenUrl,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        tenantCode: sim.tenantCode,
      },
      { sleep: async () => undefined, maxAttempts: 2 },
    );
  const inventory = connector(RELEASER);
  // The release may run with another API account (one without the Execute permission, bad credentials).
  const releasing = options.client ? connector(options.client) : inventory;
  const storage = await freshStorage();
  const release = options.wrap ? options.wrap(releasing.release()) : releasing.release();
  const t = testDeps({
    store: storage.store,
    // As in production: the simulator and Azurite answer well within it.
    invokeBudgetMs: 4_000,
    oldMdmSources: [{ inventory, platforms: [] }],
    ...(options.helpdesk ? { config: testConfig({ HELPDESK_CHANNEL_ID: HELPDESK_CHANNEL }) } : {}),
    ...(options.release === false ? {} : { oldMdmRelease: new Map([['workspace-one', release]]) }),
    helpdeskRoster: { members: async () => [{ aadObjectId: ALEX.aadObjectId, name: ALEX.name }] },
  });
  const at = t.clock.now().toISOString();
  const megan: Participant = {
    aadObjectId: MEGAN.aadObjectId,
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    locale: 'en-US',
    conversation: MEGAN_CHAT,
    firstSeenAt: at,
    lastSeenAt: at,
    version: 1,
    waveId: 'pilot',
    journeys: [
      withIt(IPHONE_KEY, "Megan's iPhone", 'ios', at),
      withIt(PIXEL_KEY, "Megan's Pixel", 'android', at),
    ],
  };
  await t.deps.store.participants.insert(participantKey(MEGAN.aadObjectId), megan);
  for await (const page of inventory.listAll()) {
    for (const d of page) await storeDevice(t.deps, d, at);
  }
  // The release routes alone, as the app registers them (the rest of the app is tested elsewhere).
  const app = new Application<TurnState>({ startTypingTimer: false });
  registerRelease(app, t.deps);
  return { sim, inventory, t, deps: t.deps, app };
}

export async function storeDevice(deps: Deps, d: OldMdmDevice, at: string): Promise<void> {
  const person = MEGAN.aadObjectId.toLowerCase();
  const row: InventoryDevice = {
    ...d,
    firstSeenAt: at,
    lastSyncedAt: at,
    match: { kind: 'unmatched' },
    person: { aadObjectId: person, by: 'upn' },
    indexedUnder: person,
  };
  await deps.store.oldMdmDevices.insert(inventoryKey(d.source, d.vendorId), row);
  await deps.store.oldMdmByPerson.insert(
    { partitionKey: person, rowKey: inventoryRowKey(d.source, d.vendorId) },
    {
      source: d.source,
      vendorId: d.vendorId,
      ...(d.name ? { name: d.name } : {}),
      platform: d.platform,
      ownership: d.ownership,
      ...(d.supervised !== undefined ? { supervised: d.supervised } : {}),
      enrollment: d.enrollment,
      match: { kind: 'unmatched' },
    },
  );
}

export async function journeyOf(deps: Deps, key: string): Promise<DeviceJourney | undefined> {
  const p = (await deps.store.participants.get(participantKey(MEGAN.aadObjectId)))?.value;
  return p?.journeys?.find((j) => j.deviceKey === key);
}

/** Megan's open ticket about the device, its card already in the helpdesk channel (activity `card-1`). */
export async function openTicket(deps: Deps, deviceKey: string = IPHONE_KEY): Promise<Escalation> {
  const p = (await deps.store.participants.get(participantKey(MEGAN.aadObjectId)))!.value;
  const raised = await raiseEscalation(deps.store, deps.clock, {
    participant: participantOf(p),
    trigger: { reason: 'needs-it', deviceKey, detail: { reason: 'Supervised' } },
  });
  assert.ok(raised.ok);
  const saved = await deps.store.escalations.update(escalationKey(MEGAN.aadObjectId), (cur) => {
    const result = cur ? attachCard(cur, 'card-1', HELPDESK_CHANNEL) : undefined;
    return result?.ok ? result.escalation : undefined;
  });
  return saved!;
}
