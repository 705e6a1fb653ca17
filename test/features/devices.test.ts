import assert from 'node:assert/strict';
import { createApp } from '../../src/app';
import type { DeviceObservation } from '../../src/domain/device';
import type { PersonInventoryDevice } from '../../src/domain/inventory';
import { ALEX, cardAction, cardOf, runTurn, testDeps, textOf } from '../helpers/activities';
import { eventually } from '../helpers/eventually';

const IPHONE: DeviceObservation = {
  key: 'dev-iphone',
  name: "Alex's iPhone",
  platform: 'ios',
  osVersion: '18.1',
  model: 'iPhone 15',
  ownership: 'personal',
  management: { kind: 'partner', mdmAppId: 'workspace-one-app' },
  entra: { objectId: 'o1', deviceId: 'dev-iphone', isManaged: true, mdmAppId: 'workspace-one-app' },
};
const LAPTOP: DeviceObservation = {
  key: 'dev-laptop',
  name: 'ALEX-LAPTOP',
  platform: 'windows',
  osVersion: '10.0.22631',
  management: { kind: 'intune' },
  intune: { managedDeviceId: 'md1', complianceState: 'compliant', lastSyncDateTime: '2026-11-23T08:30:00Z' },
};

function withAlex() {
  const t = testDeps();
  t.directory.users.set(ALEX.aadObjectId, {
    id: ALEX.aadObjectId,
    userPrincipalName: ALEX.upn,
    displayName: ALEX.name,
  });
  t.directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP]);
  return t;
}

/** What the matching pass keeps for Alex: his iPhone (matched to Graph's) and an iPad only Workspace ONE knows. */
async function alexInWorkspaceOne(store: ReturnType<typeof testDeps>['store'], ipadGone?: string) {
  const put = (rowKey: string, value: PersonInventoryDevice) =>
    store.oldMdmByPerson.insert({ partitionKey: ALEX.aadObjectId.toLowerCase(), rowKey }, value);
  await put('workspace-one:101', {
    source: 'workspace-one',
    vendorId: '101',
    name: "Alex's iPhone",
    platform: 'ios',
    ownership: 'personal',
    enrollment: 'enrolled',
    lastSeen: '2026-11-23T06:00:00Z',
    match: { kind: 'matched', candidateKey: 'dev-iphone', by: 'serial', confidence: 1 },
  });
  await put('workspace-one:102', {
    source: 'workspace-one',
    vendorId: '102',
    name: "Alex's iPad",
    platform: 'ipados',
    ownership: 'personal',
    enrollment: 'enrolled',
    lastSeen: '2026-11-23T07:00:00Z',
    ...(ipadGone ? { goneAt: ipadGone } : {}),
    match: { kind: 'unmatched' },
  });
}

describe('routes: Check my devices', () => {
  it('also lists what the old MDM itself lists: a device only it knows, and its word on a device Graph shows', async () => {
    const { deps, store } = withAlex();
    await alexInWorkspaceOne(store);
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.check'));
    const card = cardOf(invokeResponse);
    const text = textOf(card);
    assert.match(text, /As Microsoft Intune, Microsoft Entra and Workspace ONE see them/);
    // The iPad: never registered in Entra, listed by Workspace ONE only.
    assert.match(text, /Alex's iPad/);
    assert.match(text, /iPad \(iPadOS\)/);
    assert.match(text, /Workspace ONE \(Intune and Entra don't see this device yet\)/);
    // The iPhone appears once, with the old MDM's word on it.
    assert.equal(text.match(/Alex's iPhone/g)?.length, 1);
    assert.match(text, /In Workspace ONE/);
    assert.match(text, /Still listed · last seen/);
  });

  it("takes an old-MDM device the matching pass left unmatched as the person's Graph device of the same platform and name, when only one fits", async () => {
    const { deps, store, directory } = withAlex();
    const key = { partitionKey: ALEX.aadObjectId.toLowerCase(), rowKey: 'workspace-one:101' };
    await alexInWorkspaceOne(store);
    await store.oldMdmByPerson.update(key, (cur) => cur && { ...cur, match: { kind: 'unmatched' } });
    let text = textOf(cardOf((await runTurn(createApp(deps), cardAction('devices.check'))).invokeResponse));
    assert.equal(text.match(/Alex's iPhone/g)?.length, 1, 'listed once, with the old MDM line');
    assert.match(text, /Still listed · last seen/);

    // Two Graph devices of that name: nothing is guessed, the old MDM's entry stands on its own.
    directory.devices.set(ALEX.aadObjectId, [IPHONE, { ...IPHONE, key: 'dev-iphone-2' }, LAPTOP]);
    text = textOf(cardOf((await runTurn(createApp(deps), cardAction('devices.check'))).invokeResponse));
    assert.equal(text.match(/Alex's iPhone/g)?.length, 3);
  });

  it('says when the old MDM no longer lists a device, and leaves out one it dropped that Graph never saw', async () => {
    const { deps, store } = withAlex();
    await alexInWorkspaceOne(store, '2026-11-23T07:30:00Z');
    await store.oldMdmByPerson.update(
      { partitionKey: ALEX.aadObjectId.toLowerCase(), rowKey: 'workspace-one:101' },
      (cur) => cur && { ...cur, goneAt: '2026-11-23T07:45:00Z' },
    );
    const text = textOf(cardOf((await runTurn(createApp(deps), cardAction('devices.check'))).invokeResponse));
    assert.match(text, /Alex's iPhone/);
    assert.match(text, /No longer listed/);
    assert.doesNotMatch(text, /Alex's iPad/);
  });

  it('lists every device with platform, version and who manages it', async () => {
    const { deps } = withAlex();
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.check'));
    assert.equal(invokeResponse?.status, 200);
    const text = textOf(cardOf(invokeResponse));
    assert.match(text, /Alex's iPhone/);
    assert.match(text, /iPhone \(iOS\)/);
    assert.match(text, /18\.1/);
    assert.match(text, /Workspace ONE/);
    assert.match(text, /ALEX-LAPTOP/);
    assert.match(text, /Microsoft Intune/);
    assert.match(text, /Compliant/);
  });

  it('uses the sender identity from Teams, not anything in the card data', async () => {
    const { deps, directory } = withAlex();
    directory.users.set('someone-else', {
      id: 'someone-else',
      userPrincipalName: 'x@example.com',
      displayName: 'X',
    });
    directory.devices.set('someone-else', [{ ...IPHONE, name: 'Secret phone' }]);
    const { invokeResponse } = await runTurn(
      createApp(deps),
      cardAction('devices.check', { aadObjectId: 'someone-else', userId: 'someone-else' }),
    );
    const text = textOf(cardOf(invokeResponse));
    assert.doesNotMatch(text, /Secret phone/);
    assert.match(text, /Alex's iPhone/);
  });

  it('answers within the invoke budget when Graph is slow, then updates the card in place', async () => {
    const { deps, directory, messenger } = withAlex();
    directory.delayMs = 600; // budget in tests is 300 ms
    const { invokeResponse } = await runTurn(
      createApp(deps),
      cardAction('devices.check', {}, { replyToId: 'card-42' }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /still checking/);
    assert.doesNotMatch(textOf(cardOf(invokeResponse)), /can't see any devices/);
    // The slow look-up finishes in the background: wait for the update (bounded), not a fixed time.
    await eventually(() => messenger.updated.length > 0, { timeoutMs: 5_000 });
    assert.equal(messenger.updated.length, 1);
    assert.equal(messenger.updated[0]!.activityId, 'card-42');
    assert.equal(messenger.updated[0]!.to.conversationId, `a:personal-${ALEX.id}`);
    assert.match(textOf(messenger.updated[0]!.message.card), /Alex's iPhone/);
  });

  it('says plainly when the directory cannot be reached, without losing anything', async () => {
    const { deps, directory, store } = withAlex();
    directory.failWith = new Error(
      'Microsoft Graph /users/x is throttling requests (429); gave up after 5 attempt(s)',
    );
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.check'));
    const text = textOf(cardOf(invokeResponse));
    assert.match(text, /couldn't reach the device directory just now \(Microsoft Graph is busy\)/);
    assert.equal(store.participants.values().length, 1, 'the sender is still recorded');
  });

  it('tells a user unknown to the directory what is going on', async () => {
    const { deps, directory } = withAlex();
    directory.users.clear();
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.check'));
    assert.match(textOf(cardOf(invokeResponse)), /couldn't find your account/);
  });

  it('refuses to look anything up for an activity without an Entra identity', async () => {
    const { deps, directory } = withAlex();
    const { invokeResponse } = await runTurn(
      createApp(deps),
      cardAction('devices.check', {}, { noIdentity: true }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /can't tell who you are/);
    assert.equal(directory.calls, 0);
  });

  it('answers in Swedish for a Swedish Teams client', async () => {
    const { deps } = withAlex();
    const { invokeResponse } = await runTurn(
      createApp(deps),
      cardAction('devices.check', {}, { locale: 'sv-SE' }),
    );
    const text = textOf(cardOf(invokeResponse));
    assert.match(text, /Dina enheter/);
    assert.match(text, /Hanteras av/);
    assert.match(text, /Uppfyller kraven/);
  });

  it('answers an unknown verb with a card saying so', async () => {
    const { deps } = withAlex();
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.explode'));
    assert.equal(invokeResponse?.status, 200);
    assert.match(textOf(cardOf(invokeResponse)), /isn't one I know \("devices\.explode"\)/);
  });

  it('answers a card action without a verb as malformed', async () => {
    const { deps } = withAlex();
    const { invokeResponse } = await runTurn(createApp(deps), cardAction(42));
    assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged/);
  });

  it('turns an unexpected failure into an error card instead of a failed invoke', async () => {
    const { deps, directory } = withAlex();
    directory.devicesOfUser = async () => {
      throw new TypeError('boom');
    };
    deps.clock.now = () => {
      throw new Error('clock broke');
    };
    const { invokeResponse } = await runTurn(createApp(deps), cardAction('devices.check'));
    assert.equal(invokeResponse?.status, 200);
    assert.match(textOf(cardOf(invokeResponse)), /Something went wrong on my side/);
  });
});
