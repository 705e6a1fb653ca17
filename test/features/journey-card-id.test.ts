import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { participantKey } from '../../src/domain/participant';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';
import { IPHONE, LAPTOP } from '../helpers/demo';

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
  const card = cardOf(replies[0]);
  const unenrolled = (card.actions as { title: string; verb: string; data: Record<string, unknown> }[]).find(
    (a) => a.title === "I've removed it",
  )!;
  // The user's own card, remembered by an accepted press.
  await runTurn(app, cardAction('journey.refresh', {}, { replyToId: 'my-journey-card' }));
  const cardId = async () =>
    (await t.store.participants.get(participantKey(ALEX.aadObjectId)))!.value.journeyCardId;
  assert.equal(await cardId(), 'my-journey-card');
  return { ...t, app, unenrolled, cardId };
}

describe('routes: the journey card the bot keeps current', () => {
  it('a refused action with a forged replyToId leaves the remembered card alone', async () => {
    const { app, unenrolled, cardId } = await pilot();
    const forged = (data: Record<string, unknown>): Partial<Activity> =>
      cardAction(unenrolled.verb, { ...unenrolled.data, ...data }, { replyToId: 'someone-elses-message' });

    const stale = await runTurn(app, forged({ v: 999 }));
    assert.match(textOf(cardOf(stale.invokeResponse)), /./);
    assert.equal(await cardId(), 'my-journey-card', 'a stale card does not move it');

    const otherDevice = await runTurn(app, forged({ device: 'not-my-device' }));
    assert.match(textOf(cardOf(otherDevice.invokeResponse)), /incomplete or damaged/);
    assert.equal(await cardId(), 'my-journey-card', 'a device that is not theirs does not move it');

    // An accepted press from another message of theirs does: that is where the card now is.
    await runTurn(app, cardAction(unenrolled.verb, unenrolled.data, { replyToId: 'newer-journey-card' }));
    assert.equal(await cardId(), 'newer-journey-card');
  });
});
