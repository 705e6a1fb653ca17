import assert from 'node:assert/strict';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { participantKey } from '../../src/domain/participant';
import { settleBackground } from '../../src/shared/background';
import { ALEX, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';
import { IPHONE, LAPTOP } from '../helpers/demo';
import { eventually } from '../helpers/eventually';

describe('"start" typed while Graph is slower than the budget', () => {
  afterEach(async () => {
    await settleBackground(5_000);
  });

  it('sends the still-working card at once and replaces it with the journey card, not an error', async () => {
    const { deps, store, directory, messenger, clock } = testDeps();
    await seedDemoCampaign(store, clock.now());
    directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    directory.devices.set(ALEX.aadObjectId, [IPHONE, LAPTOP]);
    directory.delayMs = 600; // the test budget is 300 ms: the turn ends before Graph answers
    const app = createApp(deps);

    const { replies } = await runTurn(app, personalMessage('start'));
    assert.equal(replies.length, 1);
    assert.match(textOf(cardOf(replies[0])), /slow to answer/);

    const update = await eventually(() => messenger.updated.at(-1) ?? false, { timeoutMs: 5_000 });
    const text = textOf(update.message.card);
    assert.match(text, /Moving Alex's iPhone to Microsoft Intune/);
    assert.doesNotMatch(text, /Something went wrong/);
    const stored = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(stored.journeys?.length, 2);
  });
});
