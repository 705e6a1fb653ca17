import assert from 'node:assert/strict';
import { waveKey } from '../../src/domain/campaign';
import { createAzureStorage } from '../../src/integrations/storage/azure-storage';
import { usePlaygroundStack } from './stack';

/**
 * The runbook in the Agents Playground, where Alex is a migration admin: the Pilot wave's runbook
 * shows conditional access as the tenant simulator's policy says (report-only, covering the Pilot's
 * three members); Alex records the old-MDM change; the wave's grace end is moved to today and the
 * grace-end job sends him "Turn on conditional access for Pilot".
 */
describe("browser: the Pilot wave's runbook", function () {
  this.timeout(300_000);
  const harness = usePlaygroundStack(this);

  it('shows the report-only policy, records the old-MDM change and prompts on the grace-end day', async () => {
    const ui = harness.ui();
    await ui.sendMessage('admin');
    const home = await ui.waitForCardContaining('New wave');
    await ui.clickCardButton('Runbook', home);
    const campaign = await ui.waitForCardContaining('Where each wave is');
    assert.match((await campaign.textContent()) ?? '', /Pilot: step 2/);
    await ui.clickCardButton('Runbook: Pilot', campaign);

    const runbook = await ui.waitForCardContaining('Conditional access in Entra');
    const text = (await runbook.textContent()) ?? '';
    assert.match(text, /Require compliant device for Office 365: report-only, includes 3 of 3 members/);
    await ui.screenshot('runbook-1-pilot');

    await ui.clickCardButton('Record the old-MDM change…', runbook);
    const note = runbook.getByRole('textbox').last();
    await note.click();
    await note.pressSequentially(
      'Workspace ONE compliance policy no longer assigned to the Pilot smart group',
    );
    await ui.clickCardButton('Record', runbook);
    const recorded = await ui.waitForCardContaining('Recorded: the old MDM');
    assert.match((await recorded.textContent()) ?? '', /Recorded by Alex Wilber/);
    await ui.screenshot('runbook-2-recorded');

    // The grace period ends today: the leased grace-end job prompts the admins within a minute or two.
    const storage = createAzureStorage({
      connectionString: harness.stack().storageConnectionString,
      prefix: 'mc',
    });
    await storage.store.waves.update(waveKey('pilot'), (w) =>
      w ? { ...w, conditionalAccess: { kind: 'grace', endsAt: new Date().toISOString() } } : undefined,
    );
    const prompt = await ui.waitForCardContaining('Turn on conditional access for Pilot today', 180_000);
    assert.match((await prompt.textContent()) ?? '', /report-only/);
    await ui.screenshot('runbook-3-grace-end');
  });
});
