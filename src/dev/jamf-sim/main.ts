/**
 * Runs the Jamf Pro simulator on its own with the demo's devices: `npx tsx src/dev/jamf-sim/main.ts`.
 * JAMF_SIM_PORT (default 5057), JAMF_SIM_HOST (default 127.0.0.1); JAMF_SIM_MOBILE=1 also lists the
 * demo tenant's iPhones and iPads in Jamf.
 */
import { DEFAULT_CLIENT } from './auth';
import { ALEX_MAC, demoDevices } from './demo';
import { startJamfSimulator } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.JAMF_SIM_PORT ?? '5057');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`JAMF_SIM_PORT: "${process.env.JAMF_SIM_PORT}" is not a port number (0-65535).`);
  }
  const demo = demoDevices({ mobileDevices: process.env.JAMF_SIM_MOBILE === '1' });
  const sim = await startJamfSimulator({ port, host: process.env.JAMF_SIM_HOST ?? '127.0.0.1', ...demo });
  process.stdout.write(
    `Jamf Pro simulator (${demo.computers.length} computers, ${demo.mobileDevices.length} mobile devices) at ${sim.url}\n` +
      `  JAMF_URL=${sim.url}  JAMF_CLIENT_ID=${DEFAULT_CLIENT.clientId}  JAMF_CLIENT_SECRET=${DEFAULT_CLIENT.clientSecret}\n` +
      `  Devices:   curl ${sim.url}/_sim/devices\n` +
      `  Unmanage:  curl -X POST ${sim.url}/_sim/devices/unmanage -d '{"serialNumber":"${ALEX_MAC.serialNumber}"}'\n`,
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
      ? `Port ${process.env.JAMF_SIM_PORT ?? '5057'} is in use; set JAMF_SIM_PORT to a free port.`
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`Jamf Pro simulator: ${message}\n`);
  process.exit(1);
});
