import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import { participantKey } from '../../src/domain/participant';
import { ADMIN_VERBS } from '../../src/verbs/admin';
import { DEVICE_VERBS } from '../../src/verbs/devices';
import { JOURNEY_VERBS } from '../../src/verbs/journey';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';

/** The same activity as sent from a team channel. */
function inChannel(activity: Partial<Activity>): Partial<Activity> {
  return {
    ...activity,
    conversation: { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
    channelData: {
      tenant: { id: 'tenant-1' },
      team: { id: '19:team@thread.tacv2' },
      channel: { id: '19:general@thread.tacv2' },
    },
  };
}

describe('routes: personal data stays in the 1:1 chat', () => {
  for (const words of ['hello', 'start', 'status', "I'm stuck", 'admin', 'something else']) {
    it(`answers "${words}" in a team channel with a pointer to the 1:1 chat, and nothing personal`, async () => {
      const { deps, store } = testDeps();
      const { replies } = await runTurn(createApp(deps), inChannel(personalMessage(words)));
      assert.equal(replies.length, 1);
      assert.equal(replies[0]?.attachments, undefined, 'no card in the channel');
      assert.match(String(replies[0]?.text), /1:1 chat/);
      assert.equal(store.participants.rows.size, 0, 'no channel address stored as anyone’s chat');
    });
  }

  it('answers in Swedish for a Swedish client', async () => {
    const { deps } = testDeps();
    const { replies } = await runTurn(
      createApp(deps),
      inChannel(personalMessage('hej', { locale: 'sv-SE' })),
    );
    assert.match(String(replies[0]?.text), /chatt mellan oss två/);
  });

  for (const verb of [DEVICE_VERBS.check, JOURNEY_VERBS.start, JOURNEY_VERBS.check, ADMIN_VERBS.home]) {
    it(`refuses the card action ${verb} outside the 1:1 chat with a card that shows nothing personal`, async () => {
      const { deps, directory } = testDeps();
      const calls = directory.calls;
      const { invokeResponse } = await runTurn(createApp(deps), inChannel(cardAction(verb, {})));
      assert.equal(invokeResponse?.status, 200);
      const text = textOf(cardOf(invokeResponse));
      assert.match(text, /1:1 chat/);
      assert.equal(directory.calls, calls, 'nothing looked up');
    });
  }

  it('still works in the 1:1 chat', async () => {
    const { deps, store } = testDeps();
    const { replies } = await runTurn(createApp(deps), personalMessage('hello'));
    assert.match(textOf(cardOf(replies[0])), /Hi Alex!/);
    assert.ok(await store.participants.get(participantKey(ALEX.aadObjectId)));
  });
});
