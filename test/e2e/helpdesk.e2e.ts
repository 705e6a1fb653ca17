import assert from 'node:assert/strict';
import { usePlaygroundStack } from './stack';

/**
 * The helpdesk loop in the Agents Playground, where Alex is both a migrating user and a member of
 * the helpdesk team: "I'm stuck" → a card in "Migration escalations" → Assign to me → Alex's chat
 * says who is on it → Resolve with a note → channel card and chat both say so.
 */
describe('browser: helpdesk escalations in the Agents Playground', function () {
  this.timeout(240_000);
  const harness = usePlaygroundStack(this);

  it('takes Alex from "I\'m stuck" to a resolved ticket, on both sides', async () => {
    const ui = harness.ui();
    await ui.sendMessage("I'm stuck, the Workspace ONE profile won't go away");
    await ui.waitForCardContaining("Sorry you're stuck");

    await ui.switchToChannel('Migration escalations');
    const posted = ui.page.locator('.ac-adaptiveCard', { hasText: 'Escalation #1: Alex Wilber' }).last();
    await posted.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await posted.textContent()) ?? '', /nobody assigned yet/);
    assert.match((await posted.textContent()) ?? '', /the Workspace ONE profile won't go away/);
    await ui.screenshot('helpdesk-1-posted');

    await ui.clickCardButton('Assign to me', posted);
    const assigned = await ui.waitForCardContaining('Assigned to Alex Wilber');
    await ui.screenshot('helpdesk-2-assigned');

    await ui.openChat('Personal Chat');
    const onIt = ui.page
      .locator('.ac-adaptiveCard', { hasText: 'Alex Wilber from the helpdesk is on it' })
      .last();
    await onIt.waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('helpdesk-3-user-told');

    await ui.switchToChannel('Migration escalations');
    const card = ui.page.locator('.ac-adaptiveCard', { hasText: 'Assigned to Alex Wilber' }).last();
    await card.waitFor({ state: 'visible' });
    const note = card.getByRole('textbox').first();
    await note.click();
    await note.pressSequentially('Removed the old profile remotely');
    await ui.clickCardButton('Resolve', card);
    await ui.waitForCardContaining('Resolved by Alex Wilber');
    await ui.screenshot('helpdesk-4-resolved');
    void assigned;

    await ui.openChat('Personal Chat');
    const resolved = ui.page
      .locator('.ac-adaptiveCard', { hasText: 'resolved your request: Removed the old profile remotely' })
      .last();
    await resolved.waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('helpdesk-5-user-resolved');
  });
});
