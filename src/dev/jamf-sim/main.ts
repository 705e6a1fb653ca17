/**
 * Runs the Jamf Pro simulator on its own with the demo's devices: `npx tsx src/dev/jamf-sim/main.ts`.
 * JAMF_SIM_PORT (default 5057), JAMF_SIM_HOST (default 127.0.0.1); JAMF_SIM_MOBILE=1 also lists the
 * demo tenant's iPhones and iPads in Jamf.
 */
import { runSimulatorMain } from '../simulator-main';
import { DEFAULT_CLIENT } from './auth';
import { ALEX_MAC, demoDevices } from './demo';
import { startJamfSimulator } from './server';

runSimulatorMain({
  name: 'Jamf Pro simulator',
  portVariable: 'JAMF_SIM_PORT',
  defaultPort: 5057,
  async start(port) {
    const demo = demoDevices({ mobileDevices: process.env.JAMF_SIM_MOBILE === '1' });
    const sim = await startJamfSimulator({ port, host: process.env.JAMF_SIM_HOST ?? '127.0.0.1', ...demo });
    return {
      banner:
        `Jamf Pro simulator (${demo.computers.length} computers, ${demo.mobileDevices.length} mobile devices) at ${sim.url}\n` +
        `  JAMF_URL=${sim.url}  JAMF_CLIENT_ID=${DEFAULT_CLIENT.clientId}  JAMF_CLIENT_SECRET=${DEFAULT_CLIENT.clientSecret}\n` +
        `  Devices:   curl ${sim.url}/_sim/devices\n` +
        `  Unmanage:  curl -X POST ${sim.url}/_sim/devices/unmanage -d '{"serialNumber":"${ALEX_MAC.serialNumber}"}'\n`,
      stop: () => sim.stop(),
    };
  },
});
