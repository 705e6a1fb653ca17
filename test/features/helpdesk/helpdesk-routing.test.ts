import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../../src/app';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import { escalationKey } from '../../../src/domain/escalation';
import type { Escalation } from '../../../src/domain/escalation-model';
import type { HelpdeskRoute } from '../../../src/domain/helpdesk-routing';
import type { HelpdeskMember, HelpdeskRoster } from '../../../src/ports/helpdesk-roster';
import { HELPDESK_VERBS } from '../../../src/verbs/helpdesk';
import { ALEX, cardAction, personalMessage, runTurn, testDeps, textOf } from '../../helpers/activities';
import { ADELE, HELPDESK_CHANNEL as DEFAULT, MEGAN, HELPDESK_TEAM as TEAM } from '../../helpers/demo';

const SWEDISH = '19:mc-svenska-helpdesken@thread.tacv2';

class FakeRoster implements HelpdeskRoster {
  constructor(public list: HelpdeskMember[]) {}
  async members() {
    return this.list;
  }
}

async function setup(routes: HelpdeskRoute[]) {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: DEFAULT, teamId: TEAM, routes } };
  t.deps.helpdeskRoster = new FakeRoster([{ aadObjectId: MEGAN.aadObjectId, name: 'Megan Bowen' }]);
  return { ...t, app: createApp(t.deps) };
}

/** An Action.Execute from a card in a channel's thread. */
function channelAction(verb: string, data: Record<string, unknown>, channel: string, replyToId: string) {
  const base = cardAction(verb, data, { from: MEGAN, replyToId });
  return {
    ...base,
    conversation: {
      id: `${channel};messageid=${replyToId}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
      name: '',
    },
    channelData: { tenant: { id: 'tenant-1' }, team: { id: TEAM }, channel: { id: channel } },
  } as Partial<Activity>;
}

async function ticketOf(s: Awaited<ReturnType<typeof setup>>, who = ALEX): Promise<Escalation> {
  return (await s.store.escalations.get(escalationKey(who.aadObjectId)))!.value;
}

const postedTo = (s: Awaited<ReturnType<typeof setup>>, conversationId: string) =>
  s.messenger.sent.filter((m) => m.to.conversationId === conversationId);

describe('helpdesk: routing tickets to channels (HELPDESK_ROUTES)', () => {
  const rules: HelpdeskRoute[] = [
    { kind: 'platform', value: 'android', channelId: '19:android@thread.tacv2' },
    { kind: 'lang', value: 'sv', channelId: SWEDISH },
  ];

  it("a Swedish user's ticket lands in the lang:sv channel; updates and the Assign thread line go there too", async () => {
    const s = await setup(rules);
    await runTurn(s.app, personalMessage('jag har fastnat', { locale: 'sv-SE' }));
    const ticket = await ticketOf(s);
    assert.equal(postedTo(s, SWEDISH).length, 1, 'the card is in the Swedish channel');
    assert.equal(postedTo(s, DEFAULT).length, 0, 'nothing in the default channel');
    assert.equal(postedTo(s, SWEDISH)[0]!.to.conversationType, 'channel');
    assert.equal(ticket.cardChannelId, SWEDISH, 'the ticket remembers where its card lives');
    const cardId = ticket.cardActivityId!;

    // A second trigger updates the card in place, in its channel.
    await runTurn(s.app, personalMessage('jag har fastnat, appen kraschar', { locale: 'sv-SE' }));
    assert.equal(s.messenger.updated.length, 1);
    assert.equal(s.messenger.updated[0]!.to.conversationId, SWEDISH);
    assert.equal(s.messenger.updated[0]!.activityId, cardId);
    assert.equal(postedTo(s, SWEDISH).length, 1, 'never a second card');

    const current = await ticketOf(s);
    await runTurn(
      s.app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: current.ticketId, v: current.version },
        SWEDISH,
        cardId,
      ),
    );
    const thread = postedTo(s, `${SWEDISH};messageid=${cardId}`).map((m) => textOf(m.message.card));
    assert.equal(thread.length, 1, 'the thread line is in the Swedish channel');
    assert.match(thread[0]!, /Megan Bowen/);
    assert.equal(postedTo(s, `${DEFAULT};messageid=${cardId}`).length, 0);
    assert.equal((await ticketOf(s)).state, 'assigned');
  });

  it('a ticket no rule matches goes to the default channel', async () => {
    const s = await setup(rules);
    await runTurn(s.app, personalMessage("I'm stuck", { from: ADELE, locale: 'en-US' }));
    assert.equal(postedTo(s, DEFAULT).length, 1);
    assert.equal(postedTo(s, SWEDISH).length, 0);
    assert.equal((await ticketOf(s, ADELE)).cardChannelId, DEFAULT);
  });

  it('the first matching rule wins: a wave rule before the language rule', async () => {
    const s = await setup([{ kind: 'wave', value: 'pilot', channelId: '19:pilot@thread.tacv2' }, ...rules]);
    await runTurn(s.app, personalMessage('jag har fastnat', { locale: 'sv-SE' }));
    const ticket = await ticketOf(s);
    assert.equal(ticket.participant.waveId, 'pilot', 'Alex is in the demo pilot wave');
    assert.equal(postedTo(s, '19:pilot@thread.tacv2').length, 1);
    assert.equal(postedTo(s, SWEDISH).length, 0);
  });

  it('a ticket stored before routing (no channel on it) keeps using the default channel', async () => {
    const s = await setup([]);
    await runTurn(s.app, personalMessage("I'm stuck"));
    await s.store.escalations.update(escalationKey(ALEX.aadObjectId), (cur) => {
      if (!cur) return undefined;
      const { cardChannelId: _dropped, ...old } = cur;
      return old;
    });
    s.deps.config = { ...s.deps.config, helpdesk: { ...s.deps.config.helpdesk, routes: rules } };
    await runTurn(s.app, personalMessage('still not working, the app crashes', { locale: 'sv-SE' }));
    assert.equal(s.messenger.updated.at(-1)!.to.conversationId, DEFAULT, 'the update goes where the card is');
  });
});
