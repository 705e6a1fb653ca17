import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createAzureStorage } from '../../src/integrations/storage/azure-storage';
import { eventually } from '../helpers/eventually';
import { type Stack, usePlaygroundStack } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');
const ALEX_ID = '00000000-0000-0000-0000-0000000000020';

/** Moves Alex's iPad on both sides (tenant and Workspace ONE simulators) with the developer's CLI. */
function sim(stack: Stack, action: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve('tsx/cli'), 'src/dev/sim-cli.ts', action, 'alexw@example.com', "Alex's iPad"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SIM_URL: stack.simUrl,
        OLD_MDM_SIM: 'workspace-one',
        OLD_MDM_SIM_URL: stack.oldMdmSimUrl,
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

/**
 * A device only the old MDM knows, in the Agents Playground: Alex's personal iPad is enrolled in
 * Workspace ONE and was never registered in Entra. "start" lists it with its steps; once it leaves
 * Workspace ONE, "Check my device" says Workspace ONE no longer lists it; it enrolls, complies, done.
 */
describe('browser: an iPad only Workspace ONE knows, in the Agents Playground', function () {
  this.timeout(240_000);
  const harness = usePlaygroundStack(this);

  it('walks Alex from Workspace ONE to a verified iPad in Intune', async () => {
    const stack = harness.stack();
    // The bot's first old-MDM sync and matching pass put the iPad in Alex's view.
    const storage = createAzureStorage({ connectionString: stack.storageConnectionString, prefix: 'mc' });
    await eventually(
      async () => {
        const rows = [];
        for await (const row of storage.store.oldMdmByPerson.listPartition(ALEX_ID)) rows.push(row.value);
        assert.ok(
          rows.some((d) => d.name === "Alex's iPad"),
          "the iPad is not in Alex's view yet",
        );
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const page = harness.ui();
    await page.sendMessage('start');
    const first = await page.waitForCardContaining("Step 1: remove Workspace ONE from Alex's iPhone");
    await page.clickCardButton("Alex's iPad", first);
    const ipad = await page.waitForCardContaining("Step 1: remove Workspace ONE from Alex's iPad");
    assert.match((await ipad.textContent()) ?? '', /Workspace ONE still lists this device; last seen/);
    await page.screenshot('old-mdm-1-ipad');

    assert.match(sim(stack, 'unenroll'), /known to Workspace ONE only/);
    await page.clickCardButton('Check my device', ipad);
    const gone = await page.waitForCardContaining("Workspace ONE no longer lists Alex's iPad");
    assert.match((await gone.textContent()) ?? '', /Step 2: enroll Alex's iPad with Company Portal/);
    await page.screenshot('old-mdm-2-gone');

    sim(stack, 'enroll');
    sim(stack, 'comply');
    await page.clickCardButton('Check my device', gone);
    const compliant = await page.waitForCardContaining('Enrolled and compliant');
    const yes = compliant.getByRole('radio', { name: 'Yes', exact: true });
    assert.equal(await yes.count(), 5);
    for (let i = 0; i < 5; i++) await yes.nth(i).check();
    await page.clickCardButton('Send answers', compliant);
    const done = await page.waitForCardContaining('All done!');
    assert.match((await done.textContent()) ?? '', /Alex's iPad is managed by Microsoft Intune/);
    await page.screenshot('old-mdm-3-done');
  });
});
