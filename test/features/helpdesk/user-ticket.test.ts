import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../../src/app';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import type { AuditEvent } from '../../../src/domain/audit';
import { escalationKey } from '../../../src/domain/escalation';
import type { Escalation } from '../../../src/domain/escalation-model';
import { settleBackground } from '../../../src/shared/background';
import { HELPDESK_VERBS } from '../../../src/verbs/helpdesk';
import { JOURNEY_VERBS } from '../../../src/verbs/journey';
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

type Action = { type: string; title: string; verb?: string; data?: Record<string, unknown> };

/** Every action on a card, wherever it sits (top level or an ActionSet in the body). */
function allActions(card: unknown): Action[] {
  const out: Action[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.type === 'string' && n.type.startsWith('Action.')) out.push(n as unknown as Action);
      for (const v of Object.values(n)) walk(v);
    }
  };
  walk(card);
  return out;
}

function press(
  card: unknown,
  title: string,
  extra: Record<string, unknown> = {},
  from = ALEX,
): Partial<Activity> {
  const action = allActions(card).find((a) => a.title === title);
  assert.ok(action?.verb, `no button "${title}" in ${allActions(card).map((a) => a.title)}`);
  return cardAction(action.verb, { ...action.data, ...extra }, { from, locale: 'en-US' });
}

/** Alex (and optionally Adele) in the pilot, each with a ticket whose card is in the helpdesk channel. */
async function setup(opts: { locale?: string } = {}) {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL, teamId: TEAM } };
  t.deps.helpdeskRoster = {
    members: async () => [
      { aadObjectId: MEGAN.aadObjectId, name: MEGAN.name },
      { aadObjectId: ADELE.aadObjectId, name: ADELE.name },
    ],
  };
  for (const who of [ALEX, ADELE]) {
    t.directory.users.set(who.aadObjectId, {
      id: who.aadObjectId,
      userPrincipalName: who.upn,
      displayName: who.name,
    });
    t.directory.devices.set(who.aadObjectId, [{ ...IPHONE, key: `iphone-${who.id}` }]);
  }
  const app = createApp(t.deps);
  await runTurn(app, personalMessage('start', { locale: opts.locale ?? 'en-US' }));
  await runTurn(
    app,
    personalMessage("I'm stuck, the profile won't go away", { locale: opts.locale ?? 'en-US' }),
  );
  await settleBackground();
  const ticket = await ticketOf(t.store);
  const status = async (locale = opts.locale ?? 'en-US') =>
    cardOf((await runTurn(app, personalMessage('status', { locale }))).replies[0]);
  return { ...t, app, ticket, cardId: ticket.cardActivityId!, status };
}

async function ticketOf(store: ReturnType<typeof testDeps>['store'], who = ALEX): Promise<Escalation> {
  return (await store.escalations.get(escalationKey(who.aadObjectId)))!.value;
}

function agentAction(verb: string, t: Escalation, cardId: string): Partial<Activity> {
  const base = cardAction(verb, { ticket: t.ticketId, v: t.version }, { from: MEGAN, replyToId: cardId });
  return {
    ...base,
    conversation: {
      id: `${CHANNEL};messageid=${cardId}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
      name: '',
    },
  };
}

const threadLines = (m: ReturnType<typeof testDeps>['messenger'], root: string) =>
  m.sent
    .filter((s) => s.to.conversationId === `${CHANNEL};messageid=${root}`)
    .map((s) => textOf(s.message.card).split('\n')[1]);

describe('helpdesk: the user side on the journey card', () => {
  it('shows the ticket state in words: open, someone on it (named), waiting on you, resolved', async () => {
    const { app, store, cardId, status } = await setup();
    let card = await status();
    assert.match(textOf(card), /Your helpdesk request/);
    assert.match(textOf(card), /Request #1 is with the helpdesk/);
    assert.ok(allActions(card).some((a) => a.title === 'Send to the helpdesk'));
    assert.ok(allActions(card).some((a) => a.title === 'It works now'));

    await runTurn(app, agentAction(HELPDESK_VERBS.assignMe, await ticketOf(store), cardId));
    assert.match(textOf(await status()), /Megan Bowen from the helpdesk is on it \(request #1\)/);

    await runTurn(app, agentAction(HELPDESK_VERBS.waitOnUser, await ticketOf(store), cardId));
    card = await status();
    assert.match(textOf(card), /Megan Bowen from the helpdesk is waiting for you/);
    assert.match(JSON.stringify(card), /"label":"Your answer for the helpdesk"/);

    const t = await ticketOf(store);
    const resolve = agentAction(HELPDESK_VERBS.resolve, t, cardId);
    (resolve.value as { action: { data: Record<string, unknown> } }).action.data.note = 'Removed it remotely';
    await runTurn(app, resolve);
    card = await status();
    assert.match(textOf(card), /The helpdesk resolved request #1: Removed it remotely/);
    assert.ok(!allActions(card).some((a) => a.verb?.startsWith('journey.ticket.')), 'no ticket buttons');
  });

  it('the journey refresh (Teams auto-refresh) shows the current ticket state too', async () => {
    const { app, store, cardId, status } = await setup();
    const card = await status();
    await runTurn(app, agentAction(HELPDESK_VERBS.assignMe, await ticketOf(store), cardId));
    const refresh = (card.refresh as { action: { verb: string; data: Record<string, unknown> } }).action;
    const { invokeResponse } = await runTurn(app, cardAction(refresh.verb, refresh.data));
    assert.match(textOf(cardOf(invokeResponse)), /Megan Bowen from the helpdesk is on it/);
  });

  it('a Swedish user reads the state and the buttons in Swedish', async () => {
    const { status } = await setup({ locale: 'sv-SE' });
    const card = await status('sv-SE');
    assert.match(textOf(card), /Ärende #1 ligger hos helpdesken/);
    assert.ok(allActions(card).some((a) => a.title === 'Skicka till helpdesken'));
    assert.ok(allActions(card).some((a) => a.title === 'Det fungerar nu'));
  });

  it('"Send to the helpdesk" adds the details to the ticket, updates the channel card in place and answers the agent waiting', async () => {
    const { app, store, messenger, cardId, status } = await setup();
    await runTurn(app, agentAction(HELPDESK_VERBS.assignMe, await ticketOf(store), cardId));
    await runTurn(app, agentAction(HELPDESK_VERBS.waitOnUser, await ticketOf(store), cardId));
    const before = await ticketOf(store);
    const updatesBefore = messenger.updated.length;
    const { invokeResponse } = await runTurn(
      app,
      press(await status(), 'Send to the helpdesk', { detail: '  It says "profile installation failed"  ' }),
    );
    const answer = textOf(cardOf(invokeResponse));
    assert.match(answer, /Sent to the helpdesk/);
    assert.match(answer, /Megan Bowen from the helpdesk is on it/, 'back with the assignee');

    const saved = await ticketOf(store);
    assert.equal(saved.state, 'assigned');
    assert.equal(saved.version, before.version + 1);
    const last = saved.timeline.at(-1)!;
    assert.equal(last.kind, 'user-message');
    assert.equal(last.kind === 'user-message' && last.text, 'It says "profile installation failed"');

    const updates = messenger.updated.slice(updatesBefore);
    assert.equal(updates.length, 1);
    assert.equal(updates[0]!.activityId, cardId);
    assert.equal(updates[0]!.to.conversationId, CHANNEL);
    const channelCard = textOf(updates[0]!.message.card);
    assert.match(channelCard, /Assigned to Megan Bowen/);
    assert.match(channelCard, /said: It says "profile installation failed"/);
    assert.equal(
      threadLines(messenger, cardId).at(-1),
      'Alex Wilber added details: It says "profile installation failed"',
    );
    const audit = (store.audit.values() as AuditEvent[]).find((a) => a.action === 'helpdesk.user-detail')!;
    assert.equal(audit.actorAadObjectId, ALEX.aadObjectId);
    assert.equal(audit.target, saved.ticketId);
  });

  it('"It works now" resolves the ticket as withdrawn, updates the channel card and adds a thread line', async () => {
    const { app, store, messenger, cardId, status } = await setup();
    const { invokeResponse } = await runTurn(app, press(await status(), 'It works now'));
    const answer = cardOf(invokeResponse);
    assert.match(textOf(answer), /Thanks! Your request is closed/);
    assert.match(textOf(answer), /You said it works now, so request #1 is closed/);
    assert.ok(!allActions(answer).some((a) => a.verb?.startsWith('journey.ticket.')));

    const saved = await ticketOf(store);
    assert.equal(saved.state, 'resolved');
    assert.equal(saved.resolution?.withdrawn, true);
    // The helpdesk hears of it after the answer, each call in turn within the channel's thread limits.
    await settleBackground();
    const update = messenger.updated.at(-1)!;
    assert.equal(update.activityId, cardId);
    assert.match(textOf(update.message.card), /The user said it works now/);
    assert.equal(
      threadLines(messenger, cardId).at(-1),
      'Alex Wilber says it works now; the ticket is closed.',
    );
    assert.ok((store.audit.values() as AuditEvent[]).some((a) => a.action === 'helpdesk.user-withdrew'));
  });

  it('a stale card (the ticket changed meanwhile) gets the current card back, keeps the typed text, changes nothing', async () => {
    const { app, store, messenger, cardId, status } = await setup();
    const old = await status();
    await runTurn(app, agentAction(HELPDESK_VERBS.assignMe, await ticketOf(store), cardId));
    const assigned = await ticketOf(store);
    const updates = messenger.updated.length;
    for (const title of ['Send to the helpdesk', 'It works now']) {
      const { invokeResponse } = await runTurn(app, press(old, title, { detail: 'my draft' }));
      const card = cardOf(invokeResponse);
      assert.match(textOf(card), /This card was out of date/);
      assert.match(textOf(card), /Megan Bowen from the helpdesk is on it/);
      assert.match(textOf(card), /my draft/, 'the typed text is kept in the input');
    }
    assert.deepEqual(await ticketOf(store), assigned);
    assert.equal(messenger.updated.length, updates, 'the channel card was not touched');
  });

  it("refuses a forged ticket id (someone else's, an earlier one, garbage) and malformed data", async () => {
    const { app, store, status } = await setup();
    await runTurn(app, personalMessage('start', { from: ADELE }));
    await runTurn(app, personalMessage("I'm stuck", { from: ADELE }));
    await settleBackground();
    const adele = await ticketOf(store, ADELE);
    const alex = await ticketOf(store);
    const card = await status();
    for (const ticket of [adele.ticketId, `${ALEX.aadObjectId}-0`, 'nobody-1']) {
      const { invokeResponse } = await runTurn(
        app,
        press(card, 'It works now', { ticket, tv: adele.version }),
      );
      assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged.*ticket/, ticket);
    }
    assert.deepEqual(await ticketOf(store, ADELE), adele);
    assert.deepEqual(await ticketOf(store), alex);
    const { invokeResponse } = await runTurn(
      app,
      cardAction(JOURNEY_VERBS.ticketDetail, { ticket: alex.ticketId, detail: 'x' }),
    );
    assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged.*tv/);
  });

  it('empty or too long details are not sent; details on a closed ticket are refused', async () => {
    const { app, store, status } = await setup();
    const before = await ticketOf(store);
    let r = await runTurn(app, press(await status(), 'Send to the helpdesk', { detail: '   ' }));
    assert.match(textOf(cardOf(r.invokeResponse)), /Please write something for the helpdesk first/);
    r = await runTurn(app, press(await status(), 'Send to the helpdesk', { detail: 'x'.repeat(501) }));
    assert.match(textOf(cardOf(r.invokeResponse)), /at most 500 characters/);
    assert.deepEqual(await ticketOf(store), before);

    const card = await status();
    await runTurn(app, press(card, 'It works now'));
    const closed = await ticketOf(store);
    // A card drawn for the closed ticket version but sent anyway (e.g. a replayed payload).
    r = await runTurn(
      app,
      cardAction(JOURNEY_VERBS.ticketDetail, { ticket: closed.ticketId, tv: closed.version, detail: 'hi' }),
    );
    assert.match(textOf(cardOf(r.invokeResponse)), /That request is already closed/);
    assert.deepEqual(await ticketOf(store), closed);
  });
});
