/**
 * Runs the Workspace ONE UEM simulator on its own with the demo's devices:
 * `npx tsx src/dev/workspace-one-sim/main.ts`. WS1_SIM_PORT (default 5056), WS1_SIM_HOST (default
 * 127.0.0.1).
 */
import { ALEX_IPAD, demoDevices } from './demo';
import { startWorkspaceOneSimulator } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.WS1_SIM_PORT ?? '5056');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`WS1_SIM_PORT: "${process.env.WS1_SIM_PORT}" is not a port number (0-65535).`);
  }
  const devices = demoDevices();
  const sim = await startWorkspaceOneSimulator({
    port,
    host: process.env.WS1_SIM_HOST ?? '127.0.0.1',
    devices,
  });
  process.stdout.write(
    `Workspace ONE UEM simulator (${devices.length} devices) at ${sim.url}\n` +
      `  WORKSPACE_ONE_API_URL=${sim.url}  WORKSPACE_ONE_TOKEN_URL=${sim.tokenUrl}\n` +
      `  Devices:   curl ${sim.url}/_sim/devices\n` +
      `  Unenroll:  curl -X POST ${sim.url}/_sim/devices/unenroll -d '{"serialNumber":"${ALEX_IPAD.serialNumber}"}'\n`,
  );
  const stop = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  const message =
    code === 'EADDRINUSE'
      ? `Port ${process.env.WS1_SIM_PORT ?? '5056'} is in use; set WS1_SIM_PORT to a free port.`
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`Workspace ONE simulator: ${message}\n`);
  process.exit(1);
});
