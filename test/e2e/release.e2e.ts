import assert from 'node:assert/strict';
import { DEMO_MEGAN_IPHONE_KEY, DEMO_PILOT_MEMBERS } from '../../src/dev/demo-campaign';
import { escalationKey } from '../../src/domain/escalation';
import { participantKey } from '../../src/domain/participant';
import { createAzureStorage } from '../../src/integrations/storage/azure-storage';
import { eventually } from '../helpers/eventually';
import { type Stack, sendAsUser, usePlaygroundStack } from './stack';

const MEGAN_ID = DEMO_PILOT_MEMBERS[1]!.aadObjectId;
/** Megan as the playground's config names her. */
const MEGAN = { id: 'user-id-1', name: 'Megan Bowen', aadObjectId: MEGAN_ID };
const IPHONE = "Megan's iPhone";

async function commandsSent(stack: Stack): Promise<number> {
  const res = await fetch(`${stack.oldMdmSimUrl}/_sim/stats`);
  return ((await res.json()) as { command: number }).command;
}

/**
 * Megan has a real 1:1 chat with the bot, as after her first message (the playground shows only Alex's
 * chat; it opens Megan's through its connector, as Teams would, and delivers to it without showing it).
 */
async function giveMeganAChat(stack: Stack): Promise<string> {
  const connector = `${stack.playgroundUrl}_connector`;
  const res = await fetch(`${connector}/v3/conversations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ isGroup: false, members: [{ id: MEGAN.id }], bot: { id: 'bot' } }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, body);
  const { id } = JSON.parse(body) as { id: string };
  const storage = createAzureStorage({ connectionString: stack.storageConnectionString, prefix: 'mc' });
  const saved = await storage.store.participants.update(participantKey(MEGAN_ID), (cur) =>
    cur?.conversation ? { ...cur, conversation: { ...cur.conversation, conversationId: id } } : undefined,
  );
  assert.equal(saved?.conversation?.conversationId, id);
  return id;
}

/**
 * Releasing a device from the old MDM in the Agents Playground: the demo starts with Megan's open "needs
 * IT" ticket about her corporate, supervised iPhone in "Migration escalations". Alex (helpdesk member and
 * admin) presses "Remove from Workspace ONE", reads what the device loses, confirms; Workspace ONE gets
 * exactly one Enterprise Wipe, Megan's journey moves on, she is told, and the ticket's thread says so.
 */
describe('browser: removing a corporate iPhone from Workspace ONE in the Agents Playground', function () {
  this.timeout(240_000);
  const harness = usePlaygroundStack(this);

  it("takes Megan's iPhone out of Workspace ONE from her ticket, after confirming", async () => {
    const stack = harness.stack();
    const storage = createAzureStorage({ connectionString: stack.storageConnectionString, prefix: 'mc' });
    const journey = async () =>
      (await storage.store.participants.get(participantKey(MEGAN_ID)))?.value.journeys?.find(
        (j) => j.deviceKey === DEMO_MEGAN_IPHONE_KEY,
      );
    // The bot's first old-MDM sync puts the iPhone in Megan's view (the release looks it up there).
    await eventually(
      async () => {
        const rows = [];
        for await (const row of storage.store.oldMdmByPerson.listPartition(MEGAN_ID)) rows.push(row.value);
        assert.ok(
          rows.some((d) => d.name === IPHONE),
          "the iPhone is not in Megan's view yet",
        );
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal((await journey())?.stage, 'needs-it');
    const meganChat = await giveMeganAChat(stack);
    // The helpdesk job posts the seeded ticket's card on its first round, before this page was open, and the
    // playground shows only what arrives while a page is open. So, with the channel open, the card is
    // forgotten as if its post had been lost, and Megan's next message to the bot brings the ticket back.
    await eventually(
      async () =>
        assert.ok((await storage.store.escalations.get(escalationKey(MEGAN_ID)))?.value.cardActivityId),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const ui = harness.ui();
    await ui.switchToChannel('Migration escalations');
    await storage.store.escalations.update(escalationKey(MEGAN_ID), (cur) => {
      if (!cur?.cardActivityId) return undefined;
      const { cardActivityId: _card, cardChannelId: _channel, ...rest } = cur;
      return rest;
    });
    await sendAsUser(stack, MEGAN, meganChat, "I'm stuck");
    const ticket = await ui.waitForCardContaining('Megan Bowen');
    assert.match((await ticket.textContent()) ?? '', /cannot be removed on the device/);
    await ui.screenshot('release-1-ticket');

    await ui.clickCardButton('Remove from Workspace ONE', ticket);
    const ask = await ui.waitForCardContaining(`Remove ${IPHONE} from Workspace ONE?`);
    const asked = (await ask.textContent()) ?? '';
    assert.match(asked, /Enterprise Wipe/);
    assert.match(asked, /corporate, supervised/);
    assert.equal(await commandsSent(stack), 0, 'asking sends nothing');
    await ui.screenshot('release-2-confirm');

    await ui.clickCardButton('Remove from Workspace ONE', ask);
    await ui.waitForCardContaining(`Workspace ONE confirmed: ${IPHONE} is no longer managed`);
    await ui.screenshot('release-3-done');
    assert.equal(await commandsSent(stack), 1, 'exactly one Enterprise Wipe');

    assert.equal((await journey())?.stage, 'unenrolled', 'the journey moved on to enrolling');
    const told = ui.page
      .locator('.ac-adaptiveCard', { hasText: "Megan Bowen's journey moved on and Megan Bowen was told" })
      .last();
    await told.waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('release-4-thread');
  });
});
