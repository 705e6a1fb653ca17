import assert from 'node:assert/strict';
import { usePlaygroundStack } from './stack';

/**
 * First contact, as Alex Wilber in the Agents Playground: "hello" gets the welcome card, and its
 * "Check my devices" button gets the devices the tenant simulator reports for Alex (an iPhone
 * among them). Everything is real: bot process, Azurite, simulator over HTTP, playground, Chromium.
 */
describe('browser: welcome and device check in the Agents Playground', function () {
  // Starting the stack compiles the bot and the simulator with tsx: allow it, but bounded.
  this.timeout(180_000);
  const harness = usePlaygroundStack(this);

  it('answers "hello" with the welcome card, then lists Alex\'s devices with an iPhone', async () => {
    const page = harness.ui();
    await page.sendMessage('hello');
    const welcome = await page.waitForCardContaining('Migration Companion');
    assert.equal(
      await welcome.getByRole('button', { name: 'Check my devices', exact: true }).count(),
      1,
      'the welcome card offers "Check my devices"',
    );
    await page.screenshot('welcome-card');

    await page.clickCardButton('Check my devices', welcome);
    const devices = await page.waitForCardContaining('iPhone');
    const text = (await devices.textContent()) ?? '';
    assert.match(text, /iPhone/, "the device list names Alex's iPhone");
    assert.match(text, /Workspace ONE/, 'and says Workspace ONE still manages it');
    await devices.scrollIntoViewIfNeeded();
    await page.screenshot('device-list');
  });
});
