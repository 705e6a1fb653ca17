/**
 * Runs the Workspace ONE UEM simulator on its own with the demo's devices:
 * `npx tsx src/dev/workspace-one-sim/main.ts`. WS1_SIM_PORT (default 5056), WS1_SIM_HOST (default
 * 127.0.0.1). WS1_SIM_SEED_FILE=<path> takes the devices from a JSON array of Ws1DeviceSeed instead
 * of the demo's (a benchmark's generated inventory, kept out of the benchmark's own memory).
 */
import { readFileSync } from 'node:fs';
import { runSimulatorMain } from '../simulator-main';
import { ALEX_IPAD, demoDevices } from './demo';
import type { Ws1DeviceSeed } from './model';
import { startWorkspaceOneSimulator } from './server';

runSimulatorMain({
  name: 'Workspace ONE simulator',
  portVariable: 'WS1_SIM_PORT',
  defaultPort: 5056,
  async start(port) {
    const seedFile = process.env.WS1_SIM_SEED_FILE;
    const devices = seedFile
      ? (JSON.parse(readFileSync(seedFile, 'utf8')) as Ws1DeviceSeed[])
      : demoDevices();
    const sim = await startWorkspaceOneSimulator({
      port,
      host: process.env.WS1_SIM_HOST ?? '127.0.0.1',
      devices,
    });
    return {
      banner:
        `Workspace ONE UEM simulator (${devices.length} devices) at ${sim.url}\n` +
        `  WORKSPACE_ONE_API_URL=${sim.url}  WORKSPACE_ONE_TOKEN_URL=${sim.tokenUrl}\n` +
        `  Devices:   curl ${sim.url}/_sim/devices\n` +
        `  Unenroll:  curl -X POST ${sim.url}/_sim/devices/unenroll -d '{"serialNumber":"${ALEX_IPAD.serialNumber}"}'\n`,
      stop: () => sim.stop(),
    };
  },
});
