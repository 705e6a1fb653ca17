import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import type { DeviceObservation } from '../../src/domain/device';
import { oldMdmDeviceKey } from '../../src/domain/device-sources';
import { escalationKey } from '../../src/domain/escalation';
import { type InventoryDevice, inventoryKey, inventoryRowKey } from '../../src/domain/inventory';
import type { OldMdmDevice } from '../../src/domain/old-mdm';
import { participantKey } from '../../src/domain/participant';
import { peopleChanged } from '../../src/features/old-mdm/person-changes';
import type { SourceMdmInventory } from '../../src/ports/source-mdm';
import { settleBackground } from '../../src/shared/background';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';
import { IPHONE, LAPTOP } from '../helpers/demo';

const IPAD_KEY = oldMdmDeviceKey('workspace-one', '4711');

const IPAD: OldMdmDevice = {
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId: '4711',
  name: "Alex's iPad",
  platform: 'ipados',
  serialNumber: 'DMPX1234IPAD',
  userPrincipalName: ALEX.upn,
  ownership: 'personal',
  enrollment: 'enrolled',
  lastSeen: '2026-12-02T07:00:00Z',
};

/** The old MDM's API as the live check sees it: one device by id, or nothing once it is unenrolled. */
class Ws1Api implements SourceMdmInventory {
  readonly source = 'workspace-one';
  readonly vendor = 'workspace-one' as const;
  requests = 0;
  listed: OldMdmDevice | undefined = IPAD;
  async *listAll() {
    yield this.listed ? [this.listed] : [];
  }
  async deviceById(vendorId: string) {
    this.requests++;
    return this.listed?.vendorId === vendorId ? this.listed : undefined;
  }
}

/** Alex has an iPhone and a laptop Graph sees, and an iPad only Workspace ONE knows. */
async function alexWithIpad() {
  const api = new Ws1Api();
  const t = testDeps({ oldMdmSources: [{ inventory: api, platforms: [] }] });
  await seedDemoCampaign(t.store, t.clock.now());
  t.directory.users.set(ALEX.aadObjectId, {
    id: ALEX.aadObjectId,
    userPrincipalName: ALEX.upn,
    displayName: ALEX.name,
  });
  t.directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP]);
  const at = t.clock.now().toISOString();
  const row: InventoryDevice = {
    ...IPAD,
    firstSeenAt: at,
    lastSyncedAt: at,
    match: { kind: 'unmatched' },
    person: { aadObjectId: ALEX.aadObjectId.toLowerCase(), by: 'upn' },
    indexedUnder: ALEX.aadObjectId.toLowerCase(),
  };
  await t.store.oldMdmDevices.insert(inventoryKey('workspace-one', '4711'), row);
  await t.store.oldMdmByPerson.insert(
    { partitionKey: ALEX.aadObjectId.toLowerCase(), rowKey: inventoryRowKey('workspace-one', '4711') },
    {
      source: 'workspace-one',
      vendorId: '4711',
      name: IPAD.name,
      platform: 'ipados',
      ownership: 'personal',
      enrollment: 'enrolled',
      lastSeen: IPAD.lastSeen,
      match: { kind: 'unmatched' },
    },
  );
  const app = createApp(t.deps);
  return { ...t, api, app };
}

type Action = { title: string; verb?: string; data?: Record<string, unknown> };

function findAction(card: Record<string, unknown>, title: string): Action {
  const all: Action[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.type === 'Action.Execute') all.push(o as unknown as Action);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  const found = all.find((a) => a.title === title);
  assert.ok(found, `no "${title}" in ${all.map((a) => a.title).join(', ')}`);
  return found;
}

const press = (card: Record<string, unknown>, title: string): Partial<Activity> => {
  const a = findAction(card, title);
  return cardAction(a.verb!, a.data ?? {});
};

async function journeyOf(t: Awaited<ReturnType<typeof alexWithIpad>>, key: string) {
  const p = (await t.store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
  return p.journeys!.find((j) => j.deviceKey === key);
}

describe('routes: journeys of devices only the old MDM knows', () => {
  it('"start" includes the iPad only Workspace ONE lists, with the steps for it', async () => {
    const t = await alexWithIpad();
    const { replies } = await runTurn(t.app, personalMessage('start'));
    const card = cardOf(replies[0]);
    const ipad = await journeyOf(t, IPAD_KEY);
    assert.equal(ipad?.stage, 'notified');
    assert.equal(ipad?.ownership, 'personal');
    assert.deepEqual(ipad?.lastSeen?.oldMdm, {
      source: 'workspace-one',
      vendor: 'workspace-one',
      listed: true,
      lastSeen: IPAD.lastSeen,
    });
    const picked = cardOf((await runTurn(t.app, press(card, "Alex's iPad"))).invokeResponse);
    const text = textOf(picked);
    assert.match(text, /Moving Alex's iPad to Microsoft Intune/);
    assert.match(text, /Step 1: remove Workspace ONE from Alex's iPad/);
    assert.match(text, /Workspace ONE still lists this device; last seen/);
  });

  it('"Check my device" asks Workspace ONE itself: listed, then gone, then the iPad enrolls and the journey follows it', async () => {
    const t = await alexWithIpad();
    const start = cardOf((await runTurn(t.app, personalMessage('start'))).replies[0]);
    const ipadCard = cardOf((await runTurn(t.app, press(start, "Alex's iPad"))).invokeResponse);

    const still = cardOf((await runTurn(t.app, press(ipadCard, 'Check my device'))).invokeResponse);
    assert.match(textOf(still), /Workspace ONE still lists Alex's iPad; it last checked in/);
    assert.equal(t.api.requests, 1, 'the old MDM was asked live');

    // Alex removes the profile on the iPad: Workspace ONE no longer lists it.
    t.api.listed = undefined;
    const gone = cardOf((await runTurn(t.app, press(still, 'Check my device'))).invokeResponse);
    assert.match(textOf(gone), /Workspace ONE no longer lists Alex's iPad/);
    assert.equal((await journeyOf(t, IPAD_KEY))?.stage, 'unenrolled');
    const row = await t.store.oldMdmDevices.get(inventoryKey('workspace-one', '4711'));
    assert.ok(row?.value.goneAt, 'the stored inventory learnt it too');
    const copy = await t.store.oldMdmByPerson.get({
      partitionKey: ALEX.aadObjectId.toLowerCase(),
      rowKey: inventoryRowKey('workspace-one', '4711'),
    });
    assert.ok(copy?.value.goneAt);
    assert.deepEqual(
      (await peopleChanged(t.store)).map((c) => c.aadObjectId),
      [ALEX.aadObjectId.toLowerCase()],
      'the background refresh will look at Alex',
    );

    // Alex enrolls the iPad with Company Portal; Intune now shows it, compliant.
    const enrolled: DeviceObservation = {
      key: 'entra-ipad-1',
      name: "Alex's iPad",
      platform: 'ipados',
      ownership: 'personal',
      management: { kind: 'intune' },
      intune: { managedDeviceId: 'm-ipad', complianceState: 'compliant' },
      entra: { objectId: 'o3', deviceId: 'entra-ipad-1', isManaged: true, mdmAppId: null },
    };
    t.directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP, enrolled]);
    const done = cardOf((await runTurn(t.app, press(gone, 'Check my device'))).invokeResponse);
    assert.match(textOf(done), /Enrolled and compliant/);
    assert.equal(await journeyOf(t, IPAD_KEY), undefined, 'no second journey for the same iPad');
    const followed = await journeyOf(t, 'entra-ipad-1');
    assert.equal(followed?.stage, 'compliant');
    assert.deepEqual(
      followed?.history.map((h) => h.stage),
      ['notified', 'unenrolled', 'compliant'],
    );
    const owner = await t.store.deviceOwners.get({ partitionKey: 'entra-ipad-1', rowKey: 'owner' });
    assert.ok(
      owner === undefined || owner.value.aadObjectId.toLowerCase() === ALEX.aadObjectId.toLowerCase(),
    );
  });

  it('an iPad Intune enrolled while Workspace ONE still lists it by serial is dual enrollment, escalated once', async () => {
    const t = await alexWithIpad();
    const enrolled: DeviceObservation = {
      key: 'entra-ipad-1',
      name: 'iPad',
      platform: 'ipados',
      management: { kind: 'intune' },
      intune: { managedDeviceId: 'm-ipad', complianceState: 'compliant' },
    };
    t.directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP, enrolled]);
    await t.store.oldMdmByPerson.update(
      { partitionKey: ALEX.aadObjectId.toLowerCase(), rowKey: inventoryRowKey('workspace-one', '4711') },
      (cur) => ({
        ...cur!,
        match: { kind: 'matched', candidateKey: 'entra-ipad-1', by: 'serial', confidence: 1 },
      }),
    );
    await runTurn(t.app, personalMessage('start'));
    const ipad = await journeyOf(t, 'entra-ipad-1');
    assert.equal(ipad?.flags.dualEnrollment, true);
    assert.equal(ipad?.flags.explanation, 'dual-enrollment');
    assert.equal(await journeyOf(t, IPAD_KEY), undefined, 'one device, one journey');
    await runTurn(t.app, personalMessage('start'));
    await settleBackground();
    const p = (await t.store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    const ticket = (await t.store.escalations.get(escalationKey(ALEX.aadObjectId)))?.value;
    const triggers = [...(ticket?.triggers ?? []), ...(p.pendingEscalations ?? [])];
    assert.deepEqual(
      triggers.filter((e) => e.reason === 'dual-enrollment').map((e) => e.deviceKey),
      ['entra-ipad-1'],
      'escalated once, on the Intune device, even after a second "start"',
    );
  });
});
