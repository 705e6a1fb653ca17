import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { escalationKey } from '../../src/domain/escalation';
import { openJourney } from '../../src/domain/journey-transition';
import { participantKey } from '../../src/domain/participant';
import { onProgress } from '../../src/features/journey/on-progress';
import { settleBackground } from '../../src/shared/background';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';
import { IPHONE, LAPTOP } from '../helpers/demo';
import { eventually } from '../helpers/eventually';
import type { InMemoryStore } from '../helpers/fakes';

/** Graph now shows the iPhone enrolled in Intune and compliant. */
function iphoneCompliantIn(directory: ReturnType<typeof testDeps>['directory']) {
  directory.devices.set(ALEX.aadObjectId, [
    {
      ...IPHONE,
      management: { kind: 'intune' },
      intune: { managedDeviceId: 'm1', complianceState: 'compliant' },
    },
    LAPTOP,
  ]);
}

async function pilot() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  t.directory.users.set(ALEX.aadObjectId, {
    id: ALEX.aadObjectId,
    userPrincipalName: ALEX.upn,
    displayName: ALEX.name,
  });
  t.directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP]);
  const app = createApp(t.deps);
  const { replies } = await runTurn(app, personalMessage('start'));
  return { ...t, app, startCard: cardOf(replies[0]) };
}

function actionsOf(card: Record<string, unknown>) {
  return (
    (card.actions as {
      title: string;
      verb?: string;
      data?: { v?: unknown; device?: string };
      url?: string;
    }[]) ?? []
  );
}

function press(
  card: Record<string, unknown>,
  title: string,
  extra: Record<string, unknown> = {},
): Partial<Activity> {
  const action = actionsOf(card).find((a) => a.title === title);
  assert.ok(
    action?.verb,
    `no button "${title}" in ${actionsOf(card)
      .map((a) => a.title)
      .join(', ')}`,
  );
  return cardAction(action.verb, { ...action.data, ...extra });
}

async function stored(store: ReturnType<typeof testDeps>['store']) {
  return (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
}

describe('routes: the device journey', () => {
  it('"start" opens the journey on the iPhone with Workspace ONE unenroll steps for iOS', async () => {
    const { startCard } = await pilot();
    const text = textOf(startCard);
    assert.match(text, /Moving Alex's iPhone to Microsoft Intune/);
    assert.match(text, /Pilot · Until .* you keep access either way/);
    assert.match(text, /Step 1: remove Workspace ONE from Alex's iPhone/);
    assert.match(text, /VPN & Device Management/);
    assert.match(text, /Keep these steps open on another device/);
    const titles = actionsOf(startCard).map((a) => a.title);
    assert.deepEqual(titles.slice(0, 3), ["I've removed it", 'Check my device', "I can't do this myself"]);
    assert.ok(titles.includes('Remind me tomorrow (3 left)'));
    assert.deepEqual(
      (startCard.refresh as { userIds: string[] }).userIds,
      [ALEX.id],
      'Teams refreshes it for Alex',
    );
    const guide = actionsOf(startCard).find((a) => a.url);
    assert.equal(guide?.url, 'https://bot.example.com/guides/workspace-one/ios?lang=en');
  });

  it('hands the corporate laptop to IT and queues an escalation for the helpdesk', async () => {
    const { store } = await pilot();
    const p = await stored(store);
    const laptop = p.journeys!.find((j) => j.deviceKey === 'laptop-1')!;
    assert.equal(laptop.stage, 'needs-it');
    assert.deepEqual(
      (await escalated(store)).map((e) => [e.reason, e.deviceKey]),
      [['needs-it', 'laptop-1']],
    );
    assert.equal(p.journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'started');
  });

  it('"start" on journeys the background refresh created hands the laptop to IT and starts the iPhone, once', async () => {
    const t = testDeps();
    await seedDemoCampaign(t.store, t.clock.now());
    const now = t.clock.now();
    await t.store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
      ...cur!,
      journeys: [openJourney(LAPTOP, now).journey, openJourney(IPHONE, now).journey],
    }));
    const app = createApp(t.deps);
    const { replies } = await runTurn(app, personalMessage('start'));
    assert.match(textOf(cardOf(replies[0])), /Step 1: remove Workspace ONE from Alex's iPhone/);
    const p = await stored(t.store);
    assert.equal(p.journeys!.find((j) => j.deviceKey === 'laptop-1')!.stage, 'needs-it');
    assert.equal(p.journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'started');
    await runTurn(app, personalMessage('status'));
    assert.equal((await escalated(t.store)).length, 1, 'a second "start" raises nothing new');
  });

  it('"I\'ve removed it" moves on to Company Portal enrollment', async () => {
    const { app, startCard, store } = await pilot();
    const before = await stored(store);
    const { invokeResponse } = await runTurn(app, press(startCard, "I've removed it"));
    const card = cardOf(invokeResponse);
    assert.match(textOf(card), /Step 2: enroll Alex's iPhone with Company Portal/);
    assert.ok(actionsOf(card).some((a) => a.url?.startsWith('https://apps.apple.com/')));
    const after = await stored(store);
    assert.equal(after.journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'unenrolled');
    assert.equal(after.journeyVersion, (before.journeyVersion ?? 0) + 1);
  });

  it('answers a press on an outdated card with the current card and changes nothing', async () => {
    const { app, startCard, store } = await pilot();
    await runTurn(app, press(startCard, "I've removed it"));
    const before = await store.participants.get(participantKey(ALEX.aadObjectId));
    const { invokeResponse } = await runTurn(app, press(startCard, "I can't do this myself"));
    assert.match(textOf(cardOf(invokeResponse)), /This card was out of date/);
    assert.match(textOf(cardOf(invokeResponse)), /Step 2: enroll/);
    const after = await store.participants.get(participantKey(ALEX.aadObjectId));
    assert.equal(after!.etag, before!.etag);
  });

  it("refuses card data naming a device that is not the sender's", async () => {
    const { app, startCard, store } = await pilot();
    const before = await stored(store);
    const { invokeResponse } = await runTurn(
      app,
      press(startCard, "I've removed it", { device: 'someone-elses-phone' }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged/);
    const after = await stored(store);
    assert.deepEqual(after.journeys, before.journeys);
    assert.equal(after.journeyVersion, before.journeyVersion);
  });

  it('refuses malformed card data with a clear message', async () => {
    const { app, store } = await pilot();
    const v = (await stored(store)).journeyVersion;
    const { invokeResponse } = await runTurn(
      app,
      cardAction('journey.postcheck', { v, device: 'iphone-1', email: 'maybe' }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged.*email/);
  });

  it('"Check my device" reads Graph, says what it saw, and moves the journey; Graph wins over the user', async () => {
    const { app, startCard, directory, store } = await pilot();
    // The user says it's done, but Graph still sees Workspace ONE.
    const removed = cardOf((await runTurn(app, press(startCard, "I've removed it"))).invokeResponse);
    const stillPartner = cardOf((await runTurn(app, press(removed, 'Check my device'))).invokeResponse);
    assert.match(textOf(stillPartner), /Still managed by Workspace ONE/);
    assert.match(textOf(stillPartner), /Step 1: remove Workspace ONE/);
    // Now the device is enrolled and compliant.
    iphoneCompliantIn(directory);
    const compliant = cardOf((await runTurn(app, press(stillPartner, 'Check my device'))).invokeResponse);
    assert.match(textOf(compliant), /Enrolled and compliant/);
    assert.match(textOf(compliant), /Last step: does everything work\?/);
    assert.equal((await stored(store)).journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'compliant');
  });

  it('when Graph is slower than the invoke budget, answers at once and updates the card when Graph answers', async () => {
    const { app, startCard, directory, messenger } = await pilot();
    iphoneCompliantIn(directory);
    directory.delayMs = 500; // the test budget is 300 ms
    const { invokeResponse } = await runTurn(app, {
      ...press(startCard, 'Check my device'),
      replyToId: 'journey-card-7',
    });
    assert.match(textOf(cardOf(invokeResponse)), /slow to answer/);
    await eventually(() => messenger.updated.at(-1)?.activityId === 'journey-card-7', { timeoutMs: 5_000 });
    assert.equal(messenger.updated.at(-1)?.activityId, 'journey-card-7');
    assert.match(textOf(messenger.updated.at(-1)!.message.card), /Enrolled and compliant/);
  });

  it('names an enrollment failure in words', async () => {
    const { app, startCard, directory } = await pilot();
    directory.devices.set(ALEX.aadObjectId, [
      { ...IPHONE, management: { kind: 'none' }, entra: { ...IPHONE.entra!, mdmAppId: null } },
      LAPTOP,
    ]);
    directory.failures.set(ALEX.aadObjectId, [
      {
        operatingSystem: 'iOS',
        category: 'enrollmentRestrictionsEnforced',
        reason: 'Personal iOS devices are blocked',
        at: new Date('2026-11-23T08:00:00Z').toISOString(),
      },
    ]);
    const card = cardOf((await runTurn(app, press(startCard, 'Check my device'))).invokeResponse);
    assert.match(
      textOf(card),
      /failed: an enrollment restriction blocked this device \(Personal iOS devices are blocked\)/,
    );
  });

  it('the post-enrollment check verifies the device, or escalates what does not work', async () => {
    const { app, startCard, directory, store } = await pilot();
    iphoneCompliantIn(directory);
    const compliant = cardOf((await runTurn(app, press(startCard, 'Check my device'))).invokeResponse);
    const answers = { email: 'yes', wifi: 'yes', vpn: 'no', certificates: 'yes', apps: 'yes' };
    const failed = cardOf((await runTurn(app, press(compliant, 'Send answers', answers))).invokeResponse);
    assert.match(textOf(failed), /Something does not work yet \(VPN\)/);
    const p = await stored(store);
    assert.ok(
      (await escalated(store)).some((e) => e.reason === 'post-check-failed' && e.deviceKey === 'iphone-1'),
    );
    assert.equal(p.journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'compliant');
  });

  it('all yes in the post-enrollment check completes the device', async () => {
    const { app, startCard, directory, store } = await pilot();
    iphoneCompliantIn(directory);
    const compliant = cardOf((await runTurn(app, press(startCard, 'Check my device'))).invokeResponse);
    const answers = { email: 'yes', wifi: 'yes', vpn: 'yes', certificates: 'yes', apps: 'yes' };
    const done = cardOf((await runTurn(app, press(compliant, 'Send answers', answers))).invokeResponse);
    assert.match(textOf(done), /All done!/);
    assert.ok(actionsOf(done).some((a) => a.title === 'Next device' && a.data?.device === 'laptop-1'));
    assert.equal((await stored(store)).journeys!.find((j) => j.deviceKey === 'iphone-1')!.stage, 'verified');
  });

  it('"Remind me tomorrow" counts down and stops at the wave\'s limit', async () => {
    const { app, startCard, store } = await pilot();
    let card = startCard;
    for (const left of [3, 2, 1]) {
      card = cardOf((await runTurn(app, press(card, `Remind me tomorrow (${left} left)`))).invokeResponse);
      assert.match(textOf(card), /I'll remind you Nov 24, 2026, 8:00 AM/);
    }
    assert.ok(!actionsOf(card).some((a) => a.title.startsWith('Remind me tomorrow')));
    assert.equal((await stored(store)).deferrals?.used, 3);
  });

  it('a user in no wave is told so politely and may migrate early', async () => {
    const t = testDeps();
    await seedDemoCampaign(t.store, t.clock.now());
    const isaiah = {
      id: '29:isaiah',
      aadObjectId: '00000000-0000-0000-0000-0000000000023',
      name: 'Isaiah Langer',
      upn: 'isaiah@example.com',
    };
    t.directory.users.set(isaiah.aadObjectId, {
      id: isaiah.aadObjectId,
      userPrincipalName: isaiah.upn,
      displayName: isaiah.name,
    });
    t.directory.devices.set(isaiah.aadObjectId, [
      { ...IPHONE, key: 'isaiah-phone', name: "Isaiah's iPhone" },
    ]);
    const app = createApp(t.deps);
    const { replies } = await runTurn(app, personalMessage('start', { from: isaiah }));
    const card = cardOf(replies[0]);
    assert.match(textOf(card), /You're not in a migration wave yet/);
    const optIn = actionsOf(card).find((a) => a.title === 'Migrate me early');
    assert.ok(optIn);
    const { invokeResponse } = await runTurn(app, cardAction(optIn.verb, {}, { from: isaiah }));
    assert.match(textOf(cardOf(invokeResponse)), /Moving Isaiah's iPhone to Microsoft Intune/);
    const p = (await t.store.participants.get(participantKey(isaiah.aadObjectId)))!.value;
    assert.equal(p.waveId, 'volunteers');
  });

  it('the welcome card offers "Start my migration" to a user in an active wave', async () => {
    const t = testDeps();
    await seedDemoCampaign(t.store, t.clock.now());
    const { replies } = await runTurn(createApp(t.deps), personalMessage('hello'));
    const titles = actionsOf(cardOf(replies[0])).map((a) => [a.title, a.verb]);
    assert.deepEqual(titles, [
      ['Start my migration', 'journey.start'],
      ['Check my devices', 'devices.check'],
      ['Language', 'language.open'],
    ]);
  });

  it("background progress updates the journey card in place in the user's chat", async () => {
    const { deps, store, messenger, startCard, app } = await pilot();
    // Pressing a button tells the bot which message holds the journey card.
    await runTurn(app, press(startCard, "I've removed it"));
    const p = await stored(store);
    assert.equal(p.journeyCardId, 'card-activity-1');
    await onProgress(deps)(p, [{ kind: 'card-changed' }]);
    assert.equal(messenger.updated.length, 1);
    assert.equal(messenger.updated[0]!.activityId, 'card-activity-1');
    assert.equal(messenger.updated[0]!.to.conversationId, `a:personal-${ALEX.id}`);
    assert.match(textOf(messenger.updated[0]!.message.card), /Step 2: enroll Alex's iPhone/);
    await onProgress(deps)(p, [{ kind: 'rejected', reason: 'invalid-for-stage', stage: 'unenrolled' }]);
    assert.equal(messenger.updated.length, 1, 'nothing visible changed, so no update is sent');
  });

  it('speaks Swedish to a Swedish Teams client', async () => {
    const t = testDeps();
    await seedDemoCampaign(t.store, t.clock.now());
    t.directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    t.directory.devices.set(ALEX.aadObjectId, [IPHONE]);
    const { replies } = await runTurn(createApp(t.deps), personalMessage('starta', { locale: 'sv-SE' }));
    const text = textOf(cardOf(replies[0]));
    assert.match(text, /Flytta Alex's iPhone till Microsoft Intune/);
    assert.match(text, /Steg 1: ta bort Workspace ONE/);
  });
});

/** What reached the helpdesk for Alex: still queued on the participant, or already on the ticket. */
async function escalated(store: InMemoryStore): Promise<{ reason: string; deviceKey: string }[]> {
  await settleBackground();
  const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))?.value;
  const ticket = (await store.escalations.get(escalationKey(ALEX.aadObjectId)))?.value;
  return [...(ticket?.triggers ?? []), ...(p?.pendingEscalations ?? [])];
}
