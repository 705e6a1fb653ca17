import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEMO_PILOT_WAVE_ID } from '../../src/dev/demo-campaign';
import { waveKey } from '../../src/domain/campaign';
import { createAzureStorage } from '../../src/integrations/storage/azure-storage';
import { eventually } from '../helpers/eventually';
import { type Stack, usePlaygroundStack } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');
const MAC = "Alex's MacBook Pro";
const DAY = 86_400_000;
const ALEX_ID = '00000000-0000-0000-0000-0000000000020';

/** Moves the Mac on both sides (tenant and Workspace ONE simulators) with the developer's CLI, as Apple's migration would. */
function sim(stack: Stack, action: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve('tsx/cli'), 'src/dev/sim-cli.ts', action, 'alexw@example.com', MAC],
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
 * Apple's managed-device migration in the Agents Playground: the Pilot wave is marked (Macs, a
 * deadline 30 days after its start) and Alex has a company-owned, supervised MacBook Pro that
 * Workspace ONE manages (enrolled with Automated Device Enrollment; the demo's Workspace ONE lists it). Its journey explains the system prompt and the deadline instead of manual
 * unenroll steps; once the Mac leaves Workspace ONE and enrolls, "Check my device" moves it on.
 */
describe("browser: Apple's managed-device migration in the Agents Playground", function () {
  this.timeout(240_000);
  const harness = usePlaygroundStack(this);

  it("shows the Apple path for Alex's company Mac, with the prompt and the deadline", async () => {
    const stack = harness.stack();
    // The bot's first old-MDM sync brings the Mac and its ownership (company-owned, supervised, ADE).
    const storage = createAzureStorage({ connectionString: stack.storageConnectionString, prefix: 'mc' });
    await eventually(
      async () => {
        const rows = [];
        for await (const row of storage.store.oldMdmByPerson.listPartition(ALEX_ID)) rows.push(row.value);
        const mac = rows.find((d) => d.name === MAC);
        assert.ok(mac, "the Mac is not in Alex's view yet");
        assert.equal(mac.ownership, 'corporate');
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    // The admin's setting, stored as the wave editor stores it; the bot reads the wave on every turn.
    const marked = await storage.store.waves.update(waveKey(DEMO_PILOT_WAVE_ID), (w) =>
      w
        ? {
            ...w,
            appleMigration: {
              platforms: ['macos'],
              deadline: new Date(Date.parse(w.startAt!) + 30 * DAY).toISOString(),
            },
          }
        : undefined,
    );
    assert.ok(marked?.appleMigration, 'the Pilot wave is marked');

    const page = harness.ui();
    await page.sendMessage('start');
    const first = await page.waitForCardContaining("Step 1: remove Workspace ONE from Alex's iPhone");
    await page.clickCardButton(MAC, first);
    const apple = await page.waitForCardContaining(`Step 1: ${MAC} moves to Intune by itself`);
    const text = (await apple.textContent()) ?? '';
    assert.match(text, /What you will see on the device/);
    assert.match(text, /start the migration now or postpone it/);
    assert.match(text, /full-screen prompt that cannot be dismissed/);
    assert.match(text, /Deadline: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M \((29|30) days left\)/);
    assert.doesNotMatch(text, /I've removed it/);
    assert.match(text, /Check my device/);
    await page.screenshot('apple-1-prompt');

    // Apple's flow: the Mac leaves Workspace ONE and enrolls in Intune by itself.
    sim(stack, 'unenroll');
    await page.clickCardButton('Check my device', apple);
    const moving = await page.waitForCardContaining(`${MAC} is moving to Intune`);
    await page.screenshot('apple-2-moving');

    sim(stack, 'enroll');
    sim(stack, 'comply');
    await page.clickCardButton('Check my device', moving);
    await page.waitForCardContaining('Enrolled and compliant');
    await page.screenshot('apple-3-compliant');
  });
});
