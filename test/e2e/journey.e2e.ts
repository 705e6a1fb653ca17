import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Stack, usePlaygroundStack } from './stack';

const ROOT = path.resolve(__dirname, '..', '..');

/** Moves Alex's iPhone in the tenant simulator with the same CLI a developer uses. */
function sim(stack: Stack, action: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve('tsx/cli'), 'src/dev/sim-cli.ts', action, 'alexw@example.com', "Alex's iPhone"],
    { cwd: ROOT, env: { ...process.env, SIM_URL: stack.simUrl }, encoding: 'utf8', timeout: 60_000 },
  );
}

/**
 * The whole journey of the Pilot wave's demo user in the Agents Playground: "start" → the
 * Workspace ONE unenroll guide for the iPhone → the device leaves Workspace ONE, enrolls and
 * becomes compliant in the simulator → "Check my device" says so → post-enrollment check → done.
 */
describe('browser: the device journey in the Agents Playground', function () {
  this.timeout(240_000);
  const harness = usePlaygroundStack(this);

  it('walks Alex from Workspace ONE to a verified iPhone in Intune', async () => {
    const page = harness.ui();
    await page.sendMessage('start');
    const guide = await page.waitForCardContaining("Step 1: remove Workspace ONE from Alex's iPhone");
    assert.match((await guide.textContent()) ?? '', /VPN & Device Management/);
    await page.screenshot('journey-1-unenroll');

    sim(harness.stack(), 'unenroll');
    await page.clickCardButton("I've removed it", guide);
    const enroll = await page.waitForCardContaining("Step 2: enroll Alex's iPhone with Company Portal");
    await page.screenshot('journey-2-enroll');

    sim(harness.stack(), 'enroll');
    sim(harness.stack(), 'comply');
    await page.clickCardButton('Check my device', enroll);
    const compliant = await page.waitForCardContaining('Enrolled and compliant');
    assert.match((await compliant.textContent()) ?? '', /Last step: does everything work\?/);
    await page.screenshot('journey-3-post-check');

    // One yes/no question per item: email, Wi-Fi, VPN, certificates, apps.
    const yes = compliant.getByRole('radio', { name: 'Yes', exact: true });
    assert.equal(await yes.count(), 5);
    for (let i = 0; i < 5; i++) await yes.nth(i).check();
    await page.clickCardButton('Send answers', compliant);
    const done = await page.waitForCardContaining('All done!');
    assert.match((await done.textContent()) ?? '', /Alex's iPhone is managed by Microsoft Intune/);
    await page.screenshot('journey-4-done');
  });
});
