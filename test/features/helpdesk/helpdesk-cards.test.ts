import assert from 'node:assert/strict';
import type { Activity, InvokeResponse } from 'botbuilder';
import { createApp } from '../../../src/app';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import type { AuditEvent } from '../../../src/domain/audit';
import { escalationKey } from '../../../src/domain/escalation';
import type { Escalation } from '../../../src/domain/escalation-model';
import { participantKey } from '../../../src/domain/participant';
import { dispatchEscalations } from '../../../src/features/helpdesk/helpdesk-service';
import type { HelpdeskMember, HelpdeskRoster } from '../../../src/ports/helpdesk-roster';
import { settleBackground } from '../../../src/shared/background';
import { HELPDESK_VERBS } from '../../../src/verbs/helpdesk';
import {
  ALEX,
  cardAction,
  cardOf,
  personalMessage,
  runTurn,
  testDeps,
  textOf,
} from '../../helpers/activities';
import { ADELE, HELPDESK_CHANNEL as CHANNEL, IPHONE, MEGAN, HELPDESK_TEAM as TEAM } from '../../helpers/demo';

const OUTSIDER = {
  id: '29:eve',
  aadObjectId: '00000000-0000-0000-0000-0000000000099',
  name: 'Eve',
  upn: 'eve@x',
};

class FakeRoster implements HelpdeskRoster {
  calls = 0;
  constructor(public list: HelpdeskMember[]) {}
  async members() {
    this.calls++;
    return this.list;
  }
}

async function setup() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  const roster = new FakeRoster([
    { aadObjectId: MEGAN.aadObjectId, name: 'Megan Bowen' },
    { aadObjectId: ALEX.aadObjectId },
  ]);
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL, teamId: TEAM } };
  t.deps.helpdeskRoster = roster;
  return { ...t, roster, app: createApp(t.deps) };
}

/** An Action.Execute from the escalation card in the helpdesk channel's thread. */
function channelAction(
  verb: string,
  data: Record<string, unknown>,
  opts: { from?: typeof ALEX; replyToId: string },
): Partial<Activity> {
  const base = cardAction(verb, data, { from: opts.from ?? MEGAN, replyToId: opts.replyToId });
  return {
    ...base,
    conversation: {
      id: `${CHANNEL};messageid=${opts.replyToId}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
      name: '',
    },
    channelData: { tenant: { id: 'tenant-1' }, team: { id: TEAM }, channel: { id: CHANNEL } },
  };
}

async function ticketOf(store: Awaited<ReturnType<typeof setup>>['store'], who = ALEX): Promise<Escalation> {
  return (await store.escalations.get(escalationKey(who.aadObjectId)))!.value;
}

function bannerOf(r: InvokeResponse | undefined): string {
  const body = r?.body as { type?: string; value?: unknown } | undefined;
  assert.equal(body?.type, 'application/vnd.microsoft.activity.message', JSON.stringify(body).slice(0, 300));
  return String(body?.value);
}

const channelCards = (m: Awaited<ReturnType<typeof setup>>['messenger']) =>
  m.sent.filter((s) => s.to.conversationId === CHANNEL);
const threadLines = (m: Awaited<ReturnType<typeof setup>>['messenger'], root: string) =>
  m.sent
    .filter((s) => s.to.conversationId === `${CHANNEL};messageid=${root}`)
    .map((s) => textOf(s.message.card));
const userMessages = (m: Awaited<ReturnType<typeof setup>>['messenger'], who = ALEX) =>
  m.sent.filter((s) => s.to.conversationId === `a:personal-${who.id}`).map((s) => textOf(s.message.card));

async function stuckTicket(text = "I'm stuck, the profile won't go away", locale = 'en-US') {
  const s = await setup();
  await runTurn(s.app, personalMessage(text, { locale }));
  const ticket = await ticketOf(s.store);
  return { ...s, ticket, cardId: ticket.cardActivityId! };
}

describe('helpdesk: escalation cards in the helpdesk channel', () => {
  it('"I\'m stuck" posts one card into the helpdesk channel and remembers it on the ticket', async () => {
    const { messenger, ticket, store } = await stuckTicket();
    const posted = channelCards(messenger);
    assert.equal(posted.length, 1);
    assert.equal(posted[0]!.to.conversationType, 'channel');
    assert.equal(posted[0]!.to.serviceUrl, 'https://smba.trafficmanager.net/emea/');
    assert.equal(ticket.cardActivityId, 'activity-1');
    const text = textOf(posted[0]!.message.card);
    assert.match(text, /Escalation #1: Alex Wilber/);
    assert.match(text, /Open · nobody assigned yet/);
    assert.match(text, /Wave\nPilot/, 'the wave by its name, not its id');
    assert.match(text, /I'm stuck, the profile won't go away/);
    assert.match(text, /says they are stuck/);
    const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(p.pendingEscalations, undefined, 'drained');
  });

  it('a second trigger updates the same card in place, never a second card', async () => {
    const { app, messenger, cardId, store } = await stuckTicket();
    await runTurn(app, personalMessage('still not working, the app crashes'));
    assert.equal(channelCards(messenger).length, 1);
    assert.equal(messenger.updated.length, 1);
    assert.equal(messenger.updated[0]!.activityId, cardId);
    assert.equal(messenger.updated[0]!.to.conversationId, CHANNEL);
    assert.match(textOf(messenger.updated[0]!.message.card), /still not working/);
    assert.equal((await ticketOf(store)).triggers.length, 2);
  });

  it('a journey write that queues an escalation (cannot remove the MDM) reaches the channel too', async () => {
    const { app, deps, messenger, store } = await setup();
    await runTurn(app, personalMessage('hello'));
    // No journeys in this test: the queue is what the journey leaves behind; the dispatcher does the rest.
    await store.participants.update(participantKey(ALEX.aadObjectId), (cur) =>
      cur
        ? {
            ...cur,
            pendingEscalations: [
              {
                reason: 'needs-it',
                deviceKey: 'dev-1',
                detail: { reason: 'supervised' },
                at: deps.clock.now().toISOString(),
              },
            ],
          }
        : undefined,
    );
    assert.equal(await dispatchEscalations(deps, ALEX.aadObjectId), 'posted');
    assert.match(textOf(channelCards(messenger)[0]!.message.card), /cannot remove the old MDM themselves/);
    assert.equal(await dispatchEscalations(deps, ALEX.aadObjectId), 'nothing');
    await settleBackground();
  });

  it('without a helpdesk channel the ticket is still recorded, nothing is posted', async () => {
    const s = await setup();
    s.deps.config = { ...s.deps.config, helpdesk: {} };
    await runTurn(createApp(s.deps), personalMessage("I'm stuck"));
    assert.equal(channelCards(s.messenger).length, 0);
    assert.equal((await ticketOf(s.store)).state, 'open');
  });
});

describe('helpdesk: agent actions on the escalation card', () => {
  it('Assign to me: the card shows the assignee, a line in the thread, the user is told who is on it, audited', async () => {
    const { app, messenger, ticket, cardId, store } = await stuckTicket();
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    const card = textOf(cardOf(invokeResponse));
    assert.match(card, /Assigned to Megan Bowen/);
    const saved = await ticketOf(store);
    assert.equal(saved.state, 'assigned');
    assert.equal(saved.assignee?.aadObjectId, MEGAN.aadObjectId);
    assert.deepEqual(threadLines(messenger, cardId), [
      'Migration Companion · Helpdesk\nMegan Bowen took this ticket.',
    ]);
    assert.match(userMessages(messenger).join('\n'), /Megan Bowen from the helpdesk is on it/);
    const audit = store.audit.values() as AuditEvent[];
    const row = audit.find((a) => a.action === 'helpdesk.assign')!;
    assert.equal(row.actorAadObjectId, MEGAN.aadObjectId);
    assert.equal(row.target, ticket.ticketId);
    assert.deepEqual(row.before, { state: 'open', assignee: undefined, version: ticket.version });
    assert.equal((row.after as { state: string }).state, 'assigned');
  });

  it("an agent action brings the user's journey card up to date in place", async () => {
    const s = await setup();
    s.directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    s.directory.devices.set(ALEX.aadObjectId, [IPHONE]);
    const { replies } = await runTurn(s.app, personalMessage('start'));
    const start = cardOf(replies[0]);
    const refresh = (start.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    // Any press on the journey card tells the bot which message holds it.
    await runTurn(s.app, cardAction(refresh.verb, refresh.data, { replyToId: 'journey-card-1' }));
    await runTurn(s.app, personalMessage("I'm stuck"));
    const ticket = await ticketOf(s.store);
    await runTurn(
      s.app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: ticket.cardActivityId! },
      ),
    );
    await settleBackground();
    const update = s.messenger.updated.filter((u) => u.activityId === 'journey-card-1').at(-1);
    assert.ok(update, 'the journey card was updated');
    assert.match(textOf(update.message.card), /Megan Bowen/);
  });

  it('"I\'m stuck" on the journey card sends the category, the user\'s words and the device to the helpdesk', async () => {
    const s = await setup();
    s.directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    s.directory.devices.set(ALEX.aadObjectId, [IPHONE]);
    const start = cardOf((await runTurn(s.app, personalMessage('start'))).replies[0]);
    const json = JSON.stringify(start);
    assert.match(json, /"title":"I'm stuck"/);
    const submit = (
      start.body as {
        type: string;
        actions?: { type: string; card?: { actions: { verb: string; data: Record<string, unknown> }[] } }[];
      }[]
    )
      .flatMap((b) => b.actions ?? [])
      .find((x) => x.type === 'Action.ShowCard')!.card!.actions[0]!;
    const refused = await runTurn(s.app, cardAction(submit.verb, { ...submit.data }));
    assert.match(textOf(cardOf(refused.invokeResponse)), /incomplete or damaged, so I ignored it: category/);
    const { invokeResponse } = await runTurn(
      s.app,
      cardAction(submit.verb, {
        ...submit.data,
        category: 'portal',
        said: 'It says the device is not supported',
      }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /noted it for the migration helpdesk/);
    await settleBackground();
    const posted = channelCards(s.messenger);
    assert.equal(posted.length, 1);
    assert.match(
      textOf(posted[0]!.message.card),
      /Company Portal won't enroll the device: It says the device is not supported/,
    );
    const ticket = await ticketOf(s.store);
    assert.deepEqual(
      ticket.triggers.map((t) => [t.reason, t.deviceKey]),
      [['user-stuck', 'iphone-1']],
    );
  });

  it('Waiting on user, Resolve (a note is required) and Reopen move the ticket and tell the user', async () => {
    const { app, messenger, cardId, store } = await stuckTicket();
    const act = async (verb: string, extra: Record<string, unknown> = {}) => {
      const t = await ticketOf(store);
      return runTurn(
        app,
        channelAction(verb, { ticket: t.ticketId, v: t.version, ...extra }, { replyToId: cardId }),
      );
    };
    let r = await act(HELPDESK_VERBS.waitOnUser);
    assert.match(textOf(cardOf(r.invokeResponse)), /Waiting on the user \(Megan Bowen\)/);
    assert.equal((await ticketOf(store)).state, 'waiting-on-user');
    assert.match(userMessages(messenger).join('\n'), /Megan Bowen from the helpdesk is waiting for you/);

    r = await act(HELPDESK_VERBS.resolve, { note: '   ' });
    assert.match(textOf(cardOf(r.invokeResponse)), /Please write a resolution note first/);
    assert.equal((await ticketOf(store)).state, 'waiting-on-user');

    r = await act(HELPDESK_VERBS.resolve, { note: 'Removed the old profile remotely' });
    const resolved = textOf(cardOf(r.invokeResponse));
    assert.match(resolved, /Resolved by Megan Bowen/);
    assert.match(resolved, /Resolution: Removed the old profile remotely/);
    assert.match(
      userMessages(messenger).join('\n'),
      /resolved your request: Removed the old profile remotely/,
    );
    assert.ok(!(cardOf(r.invokeResponse).actions as { title: string }[]).some((x) => x.title === 'Resolve'));

    r = await act(HELPDESK_VERBS.reopen);
    assert.match(textOf(cardOf(r.invokeResponse)), /Open · nobody assigned yet/);
    assert.equal((await ticketOf(store)).reopenCount, 1);
    assert.match(userMessages(messenger).join('\n'), /reopened your request/);
    assert.deepEqual(
      threadLines(messenger, cardId).map((l) => l.split('\n')[1]),
      [
        'Megan Bowen is waiting on the user.',
        'Megan Bowen resolved it: Removed the old profile remotely',
        'Megan Bowen reopened it.',
      ],
    );
    const actions = (store.audit.values() as AuditEvent[]).map((a) => a.action).sort();
    assert.deepEqual(actions, [
      'helpdesk.reopen',
      'helpdesk.resolve',
      'helpdesk.resolve.rejected',
      'helpdesk.wait-on-user',
    ]);
  });

  it('refuses someone outside the helpdesk team with a banner; the card and ticket stay as they were', async () => {
    const { app, messenger, ticket, cardId, store } = await stuckTicket();
    const sentBefore = messenger.sent.length;
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { from: OUTSIDER, replyToId: cardId },
      ),
    );
    assert.match(bannerOf(invokeResponse), /Only members of the helpdesk team/);
    assert.deepEqual(await ticketOf(store), ticket);
    assert.equal(messenger.sent.length, sentBefore);
    const refused = (store.audit.values() as AuditEvent[]).find((a) => a.action === 'helpdesk.refused')!;
    assert.equal(refused.actorAadObjectId, OUTSIDER.aadObjectId);
    assert.equal(refused.reason, 'not-a-helpdesk-member');
  });

  it('fails closed when there is no roster or it cannot be read', async () => {
    const { app, deps, ticket, cardId, store } = await stuckTicket();
    deps.helpdeskRoster = { members: async () => Promise.reject(new Error('connector down')) };
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    assert.match(bannerOf(invokeResponse), /could not check the helpdesk team's members/);
    assert.equal((await ticketOf(store)).state, 'open');
  });

  it("refuses a forged payload naming someone else's ticket, and a ticket that does not exist", async () => {
    const s = await setup();
    await runTurn(s.app, personalMessage("I'm stuck"));
    await runTurn(s.app, personalMessage("I'm stuck too", { from: ADELE }));
    const alex = await ticketOf(s.store);
    const adele = await ticketOf(s.store, ADELE);
    assert.notEqual(alex.cardActivityId, adele.cardActivityId);
    for (const ticket of [adele.ticketId, `${ADELE.aadObjectId}-7`, 'nobody-1']) {
      const { invokeResponse } = await runTurn(
        s.app,
        channelAction(
          HELPDESK_VERBS.resolve,
          { ticket, v: adele.version, note: 'x' },
          { replyToId: alex.cardActivityId! },
        ),
      );
      assert.match(bannerOf(invokeResponse), /does not belong to that ticket/, ticket);
    }
    assert.deepEqual(await ticketOf(s.store, ADELE), adele);
    assert.deepEqual(await ticketOf(s.store), alex);
    const { invokeResponse } = await runTurn(
      s.app,
      channelAction(HELPDESK_VERBS.assignMe, { ticket: alex.ticketId }, { replyToId: alex.cardActivityId! }),
    );
    assert.match(bannerOf(invokeResponse), /incomplete or damaged.*v/);
  });

  it('a stale card (older version) gets the current card back and changes nothing', async () => {
    const { app, ticket, cardId, store } = await stuckTicket();
    await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    const assigned = await ticketOf(store);
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.resolve,
        { ticket: ticket.ticketId, v: ticket.version, note: 'done' },
        { from: ALEX, replyToId: cardId },
      ),
    );
    const text = textOf(cardOf(invokeResponse));
    assert.match(text, /This card was out of date/);
    assert.match(text, /Assigned to Megan Bowen/);
    assert.deepEqual(await ticketOf(store), assigned);
  });

  it('tells a Swedish user in Swedish, while the channel card stays in the helpdesk language', async () => {
    const { app, messenger, ticket, cardId } = await stuckTicket('jag har fastnat', 'sv-SE');
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignMe,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(invokeResponse)), /Assigned to Megan Bowen/);
    assert.match(textOf(cardOf(invokeResponse)), /Swedish \(sv-SE\)/);
    assert.match(userMessages(messenger).join('\n'), /Megan Bowen från helpdesken tar hand om det/);
    const { invokeResponse: r2 } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.resolve,
        { ticket: ticket.ticketId, v: ticket.version + 1, note: 'Klart nu' },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(r2)), /Resolved by Megan Bowen/);
    assert.match(userMessages(messenger).join('\n'), /Helpdesken har löst ditt ärende: Klart nu/);
  });

  it('Chat with user is a Teams deep link to the user', async () => {
    const { messenger } = await stuckTicket();
    const card = channelCards(messenger)[0]!.message.card;
    const link = (card.actions as { type: string; url?: string }[]).find((a) => a.type === 'Action.OpenUrl');
    assert.equal(link?.url, 'https://teams.microsoft.com/l/chat/0/0?users=alexw%40example.com');
  });
});

describe('helpdesk: "Assign to…" a helpdesk member', () => {
  const choiceSetOf = (card: Record<string, unknown>) =>
    (card.body as { type: string; id?: string; choices?: { title: string; value: string }[] }[]).find(
      (b) => b.type === 'Input.ChoiceSet',
    );

  it('the card offers the helpdesk members from the roster (names and ids), not once resolved', async () => {
    const { app, messenger, roster, ticket, cardId } = await stuckTicket();
    assert.ok(roster.calls > 0);
    const card = channelCards(messenger)[0]!.message.card;
    const choices = choiceSetOf(card);
    assert.equal(choices?.id, 'assignee');
    assert.deepEqual(choices?.choices, [
      { title: ALEX.aadObjectId, value: ALEX.aadObjectId },
      { title: 'Megan Bowen', value: MEGAN.aadObjectId },
    ]);
    const action = (
      card.body as { type: string; actions?: { title: string; verb?: string; associatedInputs?: string }[] }[]
    )
      .flatMap((b) => (b.type === 'ActionSet' ? (b.actions ?? []) : []))
      .find((a) => a.title === 'Assign to…');
    assert.equal(action?.verb, HELPDESK_VERBS.assignTo);
    assert.equal(action?.associatedInputs, 'auto');
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.resolve,
        { ticket: ticket.ticketId, v: ticket.version, note: 'fixed' },
        { replyToId: cardId },
      ),
    );
    const resolved = cardOf(invokeResponse);
    assert.equal(choiceSetOf(resolved), undefined);
    assert.doesNotMatch(textOf(resolved), /Assign to…/);
  });

  it('assigns to the chosen member: card, @mention in the thread, the user told who is on it, audited', async () => {
    const { app, messenger, ticket, cardId, store, roster } = await stuckTicket();
    roster.list.push({ aadObjectId: ADELE.aadObjectId, name: ADELE.name });
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignTo,
        { ticket: ticket.ticketId, v: ticket.version, assignee: ADELE.aadObjectId.toUpperCase() },
        { replyToId: cardId },
      ),
    );
    const card = cardOf(invokeResponse);
    assert.match(textOf(card), /Assigned to Adele Vance/);
    assert.ok(
      !choiceSetOf(card)?.choices?.some((c) => c.value === ADELE.aadObjectId),
      'the assignee is not offered again',
    );
    const saved = await ticketOf(store);
    assert.equal(saved.state, 'assigned');
    assert.deepEqual(saved.assignee, { aadObjectId: ADELE.aadObjectId, name: 'Adele Vance' });
    const agentEntry = saved.timeline.at(-1)!;
    assert.equal(
      agentEntry.kind === 'agent-action' && agentEntry.actor.kind === 'agent' && agentEntry.actor.name,
      'Megan Bowen',
    );

    const line = messenger.sent
      .filter((s) => s.to.conversationId === `${CHANNEL};messageid=${cardId}`)
      .at(-1)!;
    assert.match(textOf(line.message.card), /Megan Bowen assigned it to <at>Adele Vance<\/at>\./);
    assert.equal(line.message.summary, 'Megan Bowen assigned it to Adele Vance.');
    assert.deepEqual((line.message.card.msteams as { entities: unknown[] }).entities, [
      {
        type: 'mention',
        text: '<at>Adele Vance</at>',
        mentioned: { id: ADELE.aadObjectId, name: 'Adele Vance' },
      },
    ]);
    assert.match(userMessages(messenger).join('\n'), /Adele Vance from the helpdesk is on it/);
    const row = (store.audit.values() as AuditEvent[]).find((a) => a.action === 'helpdesk.assign-to')!;
    assert.equal(row.actorAadObjectId, MEGAN.aadObjectId);
    assert.equal((row.after as { assignee: string }).assignee, 'Adele Vance');
  });

  it('refuses a forged assignee id (not on the roster) with a banner; nothing changes or is sent', async () => {
    const { app, messenger, ticket, cardId, store } = await stuckTicket();
    const sentBefore = messenger.sent.length;
    for (const forged of [OUTSIDER.aadObjectId, 'not-an-id']) {
      const { invokeResponse } = await runTurn(
        app,
        channelAction(
          HELPDESK_VERBS.assignTo,
          { ticket: ticket.ticketId, v: ticket.version, assignee: forged },
          { replyToId: cardId },
        ),
      );
      assert.match(bannerOf(invokeResponse), /not a member of the helpdesk team/);
    }
    assert.deepEqual(await ticketOf(store), ticket);
    assert.equal(messenger.sent.length, sentBefore);
    const refused = (store.audit.values() as AuditEvent[]).filter((a) => a.action === 'helpdesk.refused');
    assert.equal(refused.length, 2);
    assert.match(refused[0]!.reason ?? '', /^assignee-not-a-member/);
  });

  it('without a choice, or to the current assignee, the card says so and nothing changes', async () => {
    const { app, ticket, cardId, store } = await stuckTicket();
    let r = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignTo,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(r.invokeResponse)), /Choose someone from the list first/);
    assert.deepEqual(await ticketOf(store), ticket);

    await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignTo,
        { ticket: ticket.ticketId, v: ticket.version, assignee: ALEX.aadObjectId },
        { replyToId: cardId },
      ),
    );
    const assigned = await ticketOf(store);
    assert.equal(assigned.assignee?.aadObjectId, ALEX.aadObjectId);
    r = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignTo,
        { ticket: ticket.ticketId, v: assigned.version, assignee: ALEX.aadObjectId },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(r.invokeResponse)), /is already assigned to this ticket/);
    assert.deepEqual(await ticketOf(store), assigned);
  });

  it('a non-member cannot use "Assign to…" either', async () => {
    const { app, ticket, cardId, store } = await stuckTicket();
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.assignTo,
        { ticket: ticket.ticketId, v: ticket.version, assignee: MEGAN.aadObjectId },
        { from: OUTSIDER, replyToId: cardId },
      ),
    );
    assert.match(bannerOf(invokeResponse), /Only members of the helpdesk team/);
    assert.deepEqual(await ticketOf(store), ticket);
  });
});

describe('helpdesk: "Re-send instructions"', () => {
  it('sends the user a note and their journey card again, kept current from then on; the ticket does not change', async () => {
    const s = await setup();
    s.directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    s.directory.devices.set(ALEX.aadObjectId, [
      {
        key: 'iphone-1',
        name: "Alex's iPhone",
        platform: 'ios',
        osVersion: '18.1',
        ownership: 'personal',
        management: { kind: 'partner', mdmAppId: 'ws1' },
        entra: { objectId: 'o1', deviceId: 'iphone-1', isManaged: true, mdmAppId: 'ws1' },
      },
    ]);
    await runTurn(s.app, personalMessage('start'));
    await runTurn(s.app, personalMessage("I'm stuck"));
    await settleBackground();
    const ticket = await ticketOf(s.store);
    const cardId = ticket.cardActivityId!;
    const { invokeResponse } = await runTurn(
      s.app,
      channelAction(
        HELPDESK_VERBS.resend,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(invokeResponse)), /sent to them again/);

    const toAlex = s.messenger.sent.filter((m) => m.to.conversationId === `a:personal-${ALEX.id}`);
    assert.equal(toAlex.length, 2);
    assert.match(textOf(toAlex[0]!.message.card), /The helpdesk sent you your migration steps again/);
    const journey = toAlex[1]!.message.card;
    assert.match(textOf(journey), /Moving Alex's iPhone to Microsoft Intune/);
    assert.match(textOf(journey), /Request #1 is with the helpdesk/);
    assert.deepEqual((journey.refresh as { userIds: string[] }).userIds, [ALEX.id]);
    const resentId = `activity-${s.messenger.sent.indexOf(toAlex[1]!) + 1}`;
    const p = (await s.store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(p.journeyCardId, resentId, 'the re-sent card is the one kept current');

    assert.deepEqual(threadLines(s.messenger, cardId), [
      'Migration Companion · Helpdesk\nMegan Bowen sent the user their migration steps again.',
    ]);
    assert.deepEqual(await ticketOf(s.store), ticket);
    const row = (s.store.audit.values() as AuditEvent[]).find((a) => a.action === 'helpdesk.resend')!;
    assert.equal(row.target, ticket.ticketId);
  });

  it('says so on the card when the user has no journey to send', async () => {
    const { app, ticket, cardId, messenger } = await stuckTicket();
    const { invokeResponse } = await runTurn(
      app,
      channelAction(
        HELPDESK_VERBS.resend,
        { ticket: ticket.ticketId, v: ticket.version },
        { replyToId: cardId },
      ),
    );
    assert.match(textOf(cardOf(invokeResponse)), /I could not send the steps/);
    assert.equal(userMessages(messenger).length, 0);
  });
});
