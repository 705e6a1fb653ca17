import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import { participantKey } from '../../src/domain/participant';
import { ALEX, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';

describe('routes: first conversation', () => {
  it('answers "hello" with the English welcome card and a "Check my devices" button', async () => {
    const { deps } = testDeps();
    const { replies } = await runTurn(createApp(deps), personalMessage('hello'));
    assert.equal(replies.length, 1);
    const card = cardOf(replies[0]);
    const text = textOf(card);
    assert.match(text, /Hi Alex!/);
    assert.match(text, /from Workspace ONE to Microsoft Intune/);
    const actions = card.actions as { type: string; title: string; verb: string }[];
    assert.deepEqual(
      actions.map((a) => [a.type, a.title, a.verb]),
      [
        ['Action.Execute', 'Check my devices', 'devices.check'],
        ['Action.Execute', 'Language', 'language.open'],
      ],
    );
  });

  it('speaks Swedish to a user whose Teams client is set to sv-SE', async () => {
    const { deps } = testDeps();
    const { replies } = await runTurn(createApp(deps), personalMessage('hej', { locale: 'sv-SE' }));
    const card = cardOf(replies[0]);
    assert.match(textOf(card), /Hej Alex!/);
    assert.equal((card.actions as { title: string }[])[0]!.title, 'Kolla mina enheter');
  });

  it('stores the conversation reference, locale and time zone on the participant record', async () => {
    const { deps, store, clock } = testDeps();
    await runTurn(createApp(deps), personalMessage('hi', { locale: 'sv-SE', timezone: 'Europe/Stockholm' }));
    const stored = await store.participants.get(participantKey(ALEX.aadObjectId));
    assert.ok(stored);
    assert.equal(stored.value.locale, 'sv-SE');
    assert.equal(stored.value.timeZone, 'Europe/Stockholm');
    assert.equal(stored.value.displayName, 'Alex Wilber');
    assert.equal(stored.value.firstSeenAt, clock.now().toISOString());
    assert.deepEqual(stored.value.conversation, {
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      channelId: 'msteams',
      conversationId: `a:personal-${ALEX.id}`,
      conversationType: 'personal',
      tenantId: 'tenant-1',
      botId: '28:bot-id',
      botName: 'Migration Companion',
      userId: ALEX.id,
    });
  });

  it('greets the user when the app is installed in their personal scope', async () => {
    const { deps, store } = testDeps();
    const install = {
      ...personalMessage(''),
      type: 'conversationUpdate',
      text: undefined,
      membersAdded: [{ id: '28:bot-id', name: 'Migration Companion' }],
    };
    const app = createApp(deps);
    const { replies } = await runTurn(app, install);
    assert.match(textOf(cardOf(replies[0])), /Hi Alex!/);
    assert.ok(await store.participants.get(participantKey(ALEX.aadObjectId)));
    const again = await runTurn(app, install);
    assert.equal(again.replies.length, 0, 'a repeated install event does not greet twice');
  });

  it('keeps the 1:1 chat as the user’s address when the app is added to a team whose event names no conversation type', async () => {
    const { deps, store } = testDeps();
    const app = createApp(deps);
    await runTurn(app, personalMessage('hello'));
    const before = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value.conversation;
    const teamEvent = {
      ...personalMessage(''),
      type: 'conversationUpdate',
      text: undefined,
      conversation: { id: '19:general@thread.tacv2', isGroup: true, name: '' },
      membersAdded: [{ id: '28:bot-id', name: 'Migration Companion' }],
      channelData: {
        tenant: { id: 'tenant-1' },
        team: { id: '19:team@thread.tacv2' },
        eventType: 'teamMemberAdded',
      },
    } as Partial<Activity>;
    const { replies } = await runTurn(app, teamEvent);
    assert.equal(replies.length, 0, 'no personal welcome in a team');
    const after = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value.conversation;
    assert.deepEqual(after, before);
    assert.equal(after?.conversationId, `a:personal-${ALEX.id}`);
  });

  it('treats a conversation with no type, no team and no group as the 1:1 chat (as the Agents Playground sends it)', async () => {
    const { deps, store } = testDeps();
    const base = personalMessage('hello');
    const untyped = {
      ...base,
      conversation: { id: 'a:playground-chat', isGroup: false, name: '' },
    } as Partial<Activity>;
    await runTurn(createApp(deps), untyped);
    const stored = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(stored.conversation?.conversationId, 'a:playground-chat');
  });

  it('answers text it does not understand with the welcome card and a line saying so', async () => {
    const { deps } = testDeps();
    const app = createApp(deps);
    await runTurn(app, personalMessage('hello'));
    const { replies } = await runTurn(app, personalMessage('what is the weather like'));
    assert.match(textOf(cardOf(replies[0])), /I didn't catch that/);
  });

  it('does not rewrite the participant record on every message when nothing changed', async () => {
    const { deps, store, clock } = testDeps();
    const app = createApp(deps);
    await runTurn(app, personalMessage('hello'));
    const first = await store.participants.get(participantKey(ALEX.aadObjectId));
    clock.advance(60_000);
    await runTurn(app, personalMessage('hello'));
    const second = await store.participants.get(participantKey(ALEX.aadObjectId));
    assert.equal(second!.etag, first!.etag);
    clock.advance(2 * 60 * 60 * 1000);
    await runTurn(app, personalMessage('hello'));
    const third = await store.participants.get(participantKey(ALEX.aadObjectId));
    assert.notEqual(third!.etag, first!.etag);
    assert.equal(third!.value.lastSeenAt, clock.now().toISOString());
  });
});
