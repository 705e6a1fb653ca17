import assert from 'node:assert/strict';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { escalationKey } from '../../src/domain/escalation';
import { participantKey } from '../../src/domain/participant';
import { ALEX, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';

async function app() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  return { ...t, app: createApp(t.deps) };
}

describe('routes: free text in the 1:1 chat', () => {
  for (const [text, locale, expected] of [
    ["I'm stuck", 'en-US', /Sorry you're stuck/],
    ['jag har fastnat', 'sv-SE', /Tråkigt att du har fastnat/],
    ['det funkar inte', 'sv-SE', /Tråkigt att du har fastnat/],
  ] as const) {
    it(`"${text}" is noted for the helpdesk and answered (${locale})`, async () => {
      const { app: a, store } = await app();
      const { replies } = await runTurn(a, personalMessage(text, { locale }));
      assert.match(textOf(cardOf(replies[0])), expected);
      // Queued on the participant, then drained into the user's helpdesk ticket.
      const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
      assert.equal(p.pendingEscalations, undefined);
      const ticket = (await store.escalations.get(escalationKey(ALEX.aadObjectId)))!.value;
      assert.equal(ticket.triggers.at(-1)?.reason, 'user-stuck');
      assert.deepEqual(ticket.triggers.at(-1)?.detail, { said: text });
    });
  }

  it("a platform word lists the campaign vendor's guides for it, with links to the web pages", async () => {
    const { app: a } = await app();
    const { replies } = await runTurn(a, personalMessage('iphone'));
    const card = cardOf(replies[0]);
    assert.match(textOf(card), /Workspace ONE/);
    const links = (card.actions as { type: string; url?: string }[]).filter(
      (x) => x.type === 'Action.OpenUrl',
    );
    assert.ok(links.length > 0);
    assert.ok(
      links.every((l) => l.url?.startsWith('https://bot.example.com/guides/workspace-one/')),
      JSON.stringify(links),
    );
  });

  it('a vendor name overrides the campaign vendor', async () => {
    const { app: a } = await app();
    const { replies } = await runTurn(a, personalMessage('jamf mac'));
    const links = (cardOf(replies[0]).actions as { type: string; url?: string }[]).filter(
      (x) => x.type === 'Action.OpenUrl',
    );
    assert.ok(links[0]?.url?.includes('/guides/jamf/macos'), JSON.stringify(links));
  });

  it('Swedish greetings with å, ä, ö are recognised', async () => {
    const { app: a } = await app();
    for (const word of ['hallå', 'hjälp']) {
      const { replies } = await runTurn(a, personalMessage(word, { locale: 'sv-SE' }));
      const text = textOf(cardOf(replies[0]));
      assert.match(text, /Hej Alex!/);
      assert.doesNotMatch(text, /förstod jag inte/);
    }
  });
});
