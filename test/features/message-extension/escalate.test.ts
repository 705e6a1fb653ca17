import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import type { Attachment } from 'botbuilder';
import { createApp } from '../../../src/app';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import { escalationKey } from '../../../src/domain/escalation';
import { MAX_DETAIL_CHARS } from '../../../src/domain/escalation-model';
import { participantKey } from '../../../src/domain/participant';
import { detailOf } from '../../../src/features/message-extension/ticket-from-message';
import { settleBackground } from '../../../src/shared/background';
import { EXTENSION_COMMANDS } from '../../../src/verbs/message-extension';
import { ALEX, personalMessage, runTurn, testDeps, textOf } from '../../helpers/activities';
import { HELPDESK_CHANNEL as CHANNEL, MEGAN, HELPDESK_TEAM as TEAM } from '../../helpers/demo';
import { fetchTaskInvoke, messagePayload, submitActionInvoke, taskOf } from './extension-activities';

const ESCALATE = EXTENSION_COMMANDS.escalateMessage;
const ISAIAH = {
  id: '29:isaiah',
  aadObjectId: '00000000-0000-0000-0000-0000000000023',
  name: 'Isaiah Langer',
  upn: 'isaiah@example.com',
};
const MESSAGE_HTML =
  '<p>After removing <b>Workspace ONE</b> my mail is gone &amp; Company Portal says &quot;enrollment failed&quot;.</p><p>Help?</p>';

async function setup(opts: { helpdesk?: boolean } = {}) {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  if (opts.helpdesk !== false)
    t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL, teamId: TEAM } };
  t.directory.users.set(ISAIAH.aadObjectId, {
    id: ISAIAH.aadObjectId,
    userPrincipalName: ISAIAH.upn,
    displayName: ISAIAH.name,
    preferredLanguage: 'sv-SE',
  });
  return { ...t, app: createApp(t.deps) };
}

const channelCards = (m: Awaited<ReturnType<typeof setup>>['messenger']) =>
  m.sent.filter((s) => s.to.conversationId === CHANNEL);
const threadLines = (m: Awaited<ReturnType<typeof setup>>['messenger'], root: string) =>
  m.sent
    .filter((s) => s.to.conversationId === `${CHANNEL};messageid=${root}`)
    .map((s) => textOf(s.message.card));

function dialogCard(task: ReturnType<typeof taskOf>): Record<string, unknown> {
  assert.equal(task.type, 'continue', JSON.stringify(task).slice(0, 300));
  return ((task.value as { card: Attachment }).card.content ?? {}) as Record<string, unknown>;
}

function inputsOf(card: Record<string, unknown>): Record<string, { value?: unknown }> {
  const out: Record<string, { value?: unknown }> = {};
  for (const el of card.body as { id?: string; value?: unknown }[]) if (el.id) out[el.id] = el;
  return out;
}

describe('message extension: "Escalate to migration helpdesk"', () => {
  it('opens a dialog prefilled with the message as plain text, for its author', async () => {
    const { app } = await setup();
    const payload = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, MESSAGE_HTML);
    const task = taskOf(
      (await runTurn(app, fetchTaskInvoke(ESCALATE, payload, { from: MEGAN }))).invokeResponse,
    );
    const card = dialogCard(task);
    assert.equal(card.version, '1.5');
    const text = textOf(card);
    assert.match(text, /Escalate to the migration helpdesk/);
    assert.match(text, /For\nAlex Wilber/);
    const inputs = inputsOf(card);
    assert.equal(
      inputs.text?.value,
      'After removing Workspace ONE my mail is gone & Company Portal says "enrollment failed".\nHelp?',
    );
    assert.equal(inputs.category?.value, 'other');
    const submit = (card.actions as { type: string; data: unknown }[])[0]!;
    assert.equal(submit.type, 'Action.Submit');
    const ac = new AC.AdaptiveCard();
    const ctx = new AC.SerializationContext();
    ac.parse(card, ctx);
    assert.equal(ctx.eventCount, 0);
  });

  it('opens a ticket for the author, posts it to the helpdesk channel and says where it came from', async () => {
    const { app, store, messenger } = await setup();
    // Alex has a chat with the bot, so he is told too.
    await runTurn(app, personalMessage('hello'));
    messenger.sent.length = 0;
    const payload = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, MESSAGE_HTML);
    const { invokeResponse } = await runTurn(
      app,
      submitActionInvoke(
        ESCALATE,
        { mx: 'escalate', category: 'portal', text: 'Mail gone, enrollment failed' },
        payload,
        {
          from: MEGAN,
        },
      ),
    );
    await settleBackground();
    const task = taskOf(invokeResponse);
    assert.equal(task.type, 'message');
    assert.match(String(task.value), /Ticket #1 is open for Alex Wilber/);

    const ticket = (await store.escalations.get(escalationKey(ALEX.aadObjectId)))!.value;
    assert.equal(ticket.participant.aadObjectId, ALEX.aadObjectId);
    assert.equal(ticket.state, 'open');
    assert.deepEqual(ticket.triggers[0]!.detail, {
      said: 'Mail gone, enrollment failed',
      category: 'portal',
      source: 'message',
      messageId: '1795237341757',
    });
    const posted = channelCards(messenger);
    assert.equal(posted.length, 1);
    assert.match(textOf(posted[0]!.message.card), /Escalation #1: Alex Wilber/);
    assert.match(textOf(posted[0]!.message.card), /Mail gone, enrollment failed/);
    assert.equal(ticket.cardActivityId, 'activity-1');
    const lines = threadLines(messenger, ticket.cardActivityId!);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /Megan Bowen escalated a message by Alex Wilber: “Mail gone, enrollment failed”/);
    assert.match(lines[0]!, /\[Open the message\]\(https:\/\/teams\.microsoft\.com\/l\/message\//);
    const toAlex = messenger.sent.filter((s) => s.to.conversationId === `a:personal-${ALEX.id}`);
    assert.equal(toAlex.length, 1);
    assert.match(
      textOf(toAlex[0]!.message.card),
      /Megan Bowen asked the migration helpdesk to help you .*request #1/,
    );
    const audit = store.audit.values().find((e) => e.action === 'extension.escalate');
    assert.equal(audit?.actorAadObjectId, MEGAN.aadObjectId);
    assert.equal(audit?.target, ticket.ticketId);
  });

  it('works for an author who never talked to the bot: name from the message, UPN from the directory', async () => {
    const { app, store, messenger } = await setup();
    const payload = messagePayload(
      { aadObjectId: ISAIAH.aadObjectId, name: ISAIAH.name },
      'My laptop is stuck',
    );
    const task = taskOf(
      (
        await runTurn(
          app,
          submitActionInvoke(ESCALATE, { category: 'other', text: 'My laptop is stuck' }, payload, {
            from: MEGAN,
          }),
        )
      ).invokeResponse,
    );
    await settleBackground();
    assert.match(String(task.value), /Ticket #1 is open for Isaiah Langer/);
    const ticket = (await store.escalations.get(escalationKey(ISAIAH.aadObjectId)))!.value;
    assert.equal(ticket.participant.userPrincipalName, ISAIAH.upn);
    assert.equal(ticket.participant.locale, 'sv-SE');
    assert.equal(
      await store.participants.get(participantKey(ISAIAH.aadObjectId)),
      undefined,
      'no participant invented',
    );
    const posted = channelCards(messenger);
    assert.equal(posted.length, 1);
    assert.equal(
      posted[0]!.to.serviceUrl,
      'https://smba.trafficmanager.net/emea/',
      'through the action’s connector',
    );
    assert.equal(posted[0]!.to.botId, '28:bot-id');
  });

  it('adds a second message to the open ticket, and the same message twice changes nothing', async () => {
    const { app, store, messenger } = await setup();
    const first = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'one');
    const submit = (payload: unknown, text: string) =>
      runTurn(app, submitActionInvoke(ESCALATE, { category: 'other', text }, payload, { from: MEGAN }));
    await submit(first, 'Mail is gone');
    await settleBackground();
    const again = taskOf((await submit(first, 'Mail is gone')).invokeResponse);
    assert.match(String(again.value), /already holds this message, so nothing changed/);
    const second = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'two', {
      id: '1795237349999',
    });
    const appended = taskOf((await submit(second, 'Now Wi-Fi too')).invokeResponse);
    await settleBackground();
    assert.match(String(appended.value), /already has ticket #1 open; this message was added/);
    const ticket = (await store.escalations.get(escalationKey(ALEX.aadObjectId)))!.value;
    assert.equal(ticket.triggers.length, 2);
    assert.equal(channelCards(messenger).length, 1, 'one card per ticket');
    assert.equal(messenger.updated.length, 1, 'updated in place');
  });

  it('shows the dialog again with the reason when the input is refused, and stores nothing', async () => {
    const { app, store } = await setup();
    const payload = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'x');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ category: 'other', text: '   ' }, /Write what the helpdesk should know first/],
      [{ category: 'other', text: 'x'.repeat(501) }, /That is 501 characters; a ticket takes at most 500/],
      [{ category: 'free-ipad', text: 'please' }, /Choose what the problem is/],
      [{ category: 'other', text: 42 }, /incomplete or damaged.*: text/],
    ];
    for (const [data, reason] of cases) {
      const card = dialogCard(
        taskOf(
          (await runTurn(app, submitActionInvoke(ESCALATE, data, payload, { from: MEGAN }))).invokeResponse,
        ),
      );
      assert.match(textOf(card), reason, JSON.stringify(data));
    }
    const kept = dialogCard(
      taskOf(
        (
          await runTurn(
            app,
            submitActionInvoke(ESCALATE, { category: 'x', text: 'my words' }, payload, { from: MEGAN }),
          )
        ).invokeResponse,
      ),
    );
    assert.equal(inputsOf(kept).text?.value, 'my words', 'what was written is kept');
    assert.equal(store.escalations.values().length, 0);
  });

  it('refuses messages from bots, from people outside the organisation, and without a message', async () => {
    const { app, store } = await setup();
    const bot = taskOf(
      (await runTurn(app, fetchTaskInvoke(ESCALATE, messagePayload(null, 'I am a bot'), { from: MEGAN })))
        .invokeResponse,
    );
    assert.equal(bot.type, 'message');
    assert.match(String(bot.value), /not messages from apps or bots/);
    const external = messagePayload({ aadObjectId: 'ext-1', name: 'Guest Person' }, 'hi');
    (external.from as { user: { userIdentityType: string } }).user.userIdentityType = 'federatedUser';
    const ext = taskOf(
      (
        await runTurn(
          app,
          submitActionInvoke(ESCALATE, { category: 'other', text: 'hi' }, external, { from: MEGAN }),
        )
      ).invokeResponse,
    );
    assert.match(String(ext.value), /Guest Person is not in your organisation/);
    const none = taskOf(
      (
        await runTurn(
          app,
          submitActionInvoke(ESCALATE, { category: 'other', text: 'hi' }, undefined, { from: MEGAN }),
        )
      ).invokeResponse,
    );
    assert.match(String(none.value), /couldn't read the message/);
    const forged = messagePayload({ aadObjectId: 'not a valid id!', name: 'X' }, 'hi');
    const bad = taskOf(
      (
        await runTurn(
          app,
          submitActionInvoke(ESCALATE, { category: 'other', text: 'hi' }, forged, { from: MEGAN }),
        )
      ).invokeResponse,
    );
    assert.match(String(bad.value), /couldn't read the message/);
    assert.equal(store.escalations.values().length, 0);
  });

  it('says so when no helpdesk channel is set up, before anyone writes anything', async () => {
    const { app } = await setup({ helpdesk: false });
    const payload = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'hi');
    const task = taskOf(
      (await runTurn(app, fetchTaskInvoke(ESCALATE, payload, { from: MEGAN }))).invokeResponse,
    );
    assert.match(String(task.value), /helpdesk channel is not set up yet/);
  });

  it('tells the sender when the helpdesk channel cannot be reached, and posts on the next try', async () => {
    const { app, store, messenger } = await setup();
    const send = messenger.send.bind(messenger);
    let down = true;
    messenger.send = async (to, message) => {
      if (down) throw new Error('connector 503');
      return send(to, message);
    };
    const payload = messagePayload({ aadObjectId: ALEX.aadObjectId, name: ALEX.name }, 'hi');
    const submit = () =>
      runTurn(
        app,
        submitActionInvoke(ESCALATE, { category: 'other', text: 'Mail is gone' }, payload, { from: MEGAN }),
      );
    const failed = taskOf((await submit()).invokeResponse);
    await settleBackground();
    assert.match(String(failed.value), /Ticket #1 is open .* could not be reached just now/);
    assert.equal(
      (await store.escalations.get(escalationKey(ALEX.aadObjectId)))!.value.cardActivityId,
      undefined,
    );
    down = false;
    await submit();
    await settleBackground();
    assert.equal(channelCards(messenger).length, 1);
    assert.ok((await store.escalations.get(escalationKey(ALEX.aadObjectId)))!.value.cardActivityId);
  });

  it('keeps the words within the ticket’s detail limit, so the helpdesk card can still show them', () => {
    const detail = detailOf({ text: `"${'ö'.repeat(499)}`, category: 'other', messageId: '1'.repeat(300) });
    assert.ok(JSON.stringify(detail).length <= MAX_DETAIL_CHARS);
    assert.ok(detail.said.length > 100);
    assert.ok(detail.said.endsWith('…'));
  });
});
