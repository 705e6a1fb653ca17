/**
 * Runs the tenant simulator on its own: `npx tsx src/dev/tenant-sim-main.ts`.
 * SIM_PORT (default 5055), SIM_HOST (default 127.0.0.1); SIM_USERS=<n> seeds a generated tenant of
 * n users (deterministic, SIM_DEVICES_PER_USER default 1.5) instead of the demo tenant.
 * OLD_MDM_SIM_URL (with OLD_MDM_SIM workspace-one|jamf) shows that old-MDM simulator's view on the
 * control page.
 */
import { type OldMdmSimTarget, oldMdmSimFromEnv } from './old-mdm-sim-client';
import { generateTenant, startTenantSimulator, type TenantSeed } from './tenant-sim';

function readOptions(env: NodeJS.ProcessEnv): {
  port: number;
  host: string;
  seed: TenantSeed | 'demo';
  oldMdm?: OldMdmSimTarget;
} {
  const port = Number(env.SIM_PORT ?? '5055');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIM_PORT: "${env.SIM_PORT}" is not a port number (0-65535).`);
  }
  const users = env.SIM_USERS === undefined ? undefined : Number(env.SIM_USERS);
  if (users !== undefined && (!Number.isInteger(users) || users < 1)) {
    throw new Error(`SIM_USERS: "${env.SIM_USERS}" must be a positive whole number.`);
  }
  const devicesPerUser = Number(env.SIM_DEVICES_PER_USER ?? '1.5');
  if (!Number.isFinite(devicesPerUser) || devicesPerUser < 0) {
    throw new Error(`SIM_DEVICES_PER_USER: "${env.SIM_DEVICES_PER_USER}" must be a non-negative number.`);
  }
  return {
    port,
    host: env.SIM_HOST ?? '127.0.0.1',
    seed: users ? generateTenant({ users, devicesPerUser }) : 'demo',
    ...(env.OLD_MDM_SIM_URL ? { oldMdm: oldMdmSimFromEnv(env) } : {}),
  };
}

async function main(): Promise<void> {
  const options = readOptions(process.env);
  const sim = await startTenantSimulator(options);
  const what = options.seed === 'demo' ? 'demo tenant' : 'generated tenant';
  process.stdout.write(
    `Tenant simulator (${what}: ${sim.tenant.userCount} users, ${sim.tenant.deviceCount} devices) at ${sim.url}\n` +
      `  Graph base URL:  ${sim.url}   (GRAPH_BASE_URL; requests go to ${sim.url}/v1.0/...)\n` +
      `  Control page:    ${sim.url}/\n` +
      `  Move a device:   SIM_URL=${sim.url} npm run sim -- enroll alexw@example.com\n`,
  );
  const stop = (): void => {
    sim.close().then(
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
      ? `Port ${process.env.SIM_PORT ?? '5055'} is in use (another simulator running?); set SIM_PORT to a free port.`
      : err instanceof Error
        ? err.message
        : String(err);
  process.stderr.write(`tenant simulator: ${message}\n`);
  process.exit(1);
});
