import assert from 'node:assert/strict';
import { usePlaygroundStack } from './stack';

/**
 * The admin loop in the Agents Playground, where Alex is a migration admin: "admin" → the home with
 * the Pilot wave and its charts → a new wave from a pasted list → the Pilot's gate overridden with a
 * reason → the announcement refused until the old MDM's conditional-access change is recorded in the
 * wave's runbook → recorded there → the announcement previewed and sent → the recipients' messages
 * delivered through the playground's connector (three new chats, and the post in the announcements
 * channel) → the wave's dashboard counts them.
 */
describe('browser: a migration admin in the Agents Playground', function () {
  this.timeout(300_000);
  const harness = usePlaygroundStack(this);

  it('creates a wave from a pasted list, announces it and sees the deliveries counted', async () => {
    const ui = harness.ui();
    await ui.sendMessage('admin');
    const home = await ui.waitForCardContaining('New wave');
    assert.match((await home.textContent()) ?? '', /Pilot/);
    assert.ok((await home.locator('canvas, svg').count()) > 0, 'the home draws its charts');
    await ui.screenshot('admin-1-home');

    await ui.clickCardButton('New wave', home);
    const editor = await ui.waitForCardContaining('Nothing is saved until you have seen the preview');
    const name = editor.getByRole('textbox', { name: 'Name', exact: true });
    await name.click();
    await name.pressSequentially('Wave 1');
    const list = editor.getByPlaceholder('one per line, or separated by commas');
    await list.click();
    await list.pressSequentially('isaiah@example.com, pattif@example.com, lynner@example.com, not-a-upn');
    await ui.screenshot('admin-2-editor');
    await ui.clickCardButton('Preview', editor);

    const preview = await ui.waitForCardContaining('Nothing has been saved yet');
    const previewText = (await preview.textContent()) ?? '';
    assert.match(previewText, /Line 1: not-a-upn — not a user principal name/);
    await ui.screenshot('admin-3-import-preview');
    await ui.clickCardButton('Save the wave with 3 new members', preview);

    const wave = await ui.waitForCardContaining('3 people were added to the wave');
    assert.match((await wave.textContent()) ?? '', /Not ready to announce: Pilot has not passed the gate/);
    await ui.clickCardButton('Override the gate', wave);
    const reason = wave.getByRole('textbox').last();
    await reason.click();
    await reason.pressSequentially('The pilot is too small to measure; the helpdesk has extra staff.');
    await ui.clickCardButton('Override and record the reason', wave);

    const open = await ui.waitForCardContaining('Gate overridden for "Pilot"');
    await ui.clickCardButton('Announce…', open);
    // The runbook comes first: the old MDM's conditional access must be off for the wave's members.
    const refused = await ui.waitForCardContaining(
      "Not ready to announce: record first that the old MDM's conditional access no longer covers Wave 1",
    );
    await ui.clickCardButton('Runbook', refused);
    const runbook = await ui.waitForCardContaining('Conditional access in Entra');
    await ui.clickCardButton('Record the old-MDM change…', runbook);
    const note = runbook.getByRole('textbox').last();
    await note.click();
    await note.pressSequentially('Workspace ONE compliance policy unassigned from the Wave 1 smart group');
    await ui.clickCardButton('Record', runbook);
    const recorded = await ui.waitForCardContaining('Recorded: the old MDM');
    await ui.screenshot('admin-4-runbook-recorded');
    await ui.clickCardButton('Back', recorded);

    const ready = await ui.waitForCardContaining('figures as of');
    await ui.clickCardButton('Announce…', ready);
    const confirm = await ui.waitForCardContaining('Send to 3 people');
    assert.match((await confirm.textContent()) ?? '', /Nothing has been sent yet/);
    await confirm.getByRole('checkbox').first().check();
    await ui.screenshot('admin-5-announce-preview');
    await ui.clickCardButton('Send to 3 people', confirm);

    await ui.waitForCardContaining('3 delivered', 120_000);
    await ui.screenshot('admin-6-delivered');

    // The recipients' messages went out through the playground's connector; the channel post shows.
    await ui.switchToChannel('General');
    const post = ui.page.locator('.ac-adaptiveCard', { hasText: 'Wave 1: time to move your devices' }).last();
    await post.waitFor({ state: 'visible', timeout: 60_000 });
    await ui.screenshot('admin-7-channel-post');

    await ui.openChat('Personal Chat');
    await ui.sendMessage('admin');
    const home2 = await ui.waitForCardContaining('Wave 1');
    // Waves are listed by order, then name: "Wave 1" (order 1) comes after "Early volunteers".
    await ui.clickCardButton('Open', home2);
    const dashboard = await ui.waitForCardContaining('Latest message to this wave');
    const text = (await dashboard.textContent()) ?? '';
    assert.match(text, /Delivered\D*3/);
    await ui.screenshot('admin-8-wave-dashboard');
  });
});
