/**
 * Runs the tenant simulator on its own: `npx tsx src/dev/tenant-sim-main.ts`.
 * SIM_PORT (default 5055), SIM_HOST (default 127.0.0.1); SIM_USERS=<n> seeds a generated tenant of
 * n users (deterministic, SIM_DEVICES_PER_USER default 1.5) instead of the demo tenant;
 * SIM_SEED_FILE=<path> seeds the tenant from a JSON TenantSeed file instead (a benchmark's generated
 * tenant, kept out of the benchmark's own memory).
 * OLD_MDM_SIM_URL (with OLD_MDM_SIM workspace-one|jamf) shows that old-MDM simulator's view on the
 * control page.
 */
import { readFileSync } from 'node:fs';
import { type OldMdmSimTarget, oldMdmSimFromEnv } from './old-mdm-sim-client';
import { runSimulatorMain } from './simulator-main';
import { generateTenant, startTenantSimulator, type TenantSeed } from './tenant-sim';

function readOptions(
  env: NodeJS.ProcessEnv,
  port: number,
): {
  port: number;
  host: string;
  seed: TenantSeed | 'demo';
  oldMdm?: OldMdmSimTarget;
} {
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
    seed: env.SIM_SEED_FILE
      ? (JSON.parse(readFileSync(env.SIM_SEED_FILE, 'utf8')) as TenantSeed)
      : users
        ? generateTenant({ users, devicesPerUser })
        : 'demo',
    ...(env.OLD_MDM_SIM_URL ? { oldMdm: oldMdmSimFromEnv(env) } : {}),
  };
}

runSimulatorMain({
  name: 'tenant simulator',
  portVariable: 'SIM_PORT',
  defaultPort: 5055,
  async start(port) {
    const options = readOptions(process.env, port);
    const sim = await startTenantSimulator(options);
    const what =
      options.seed === 'demo' ? 'demo tenant' : process.env.SIM_SEED_FILE ? 'seed file' : 'generated tenant';
    return {
      banner:
        `Tenant simulator (${what}: ${sim.tenant.userCount} users, ${sim.tenant.deviceCount} devices) at ${sim.url}\n` +
        `  Graph base URL:  ${sim.url}   (GRAPH_BASE_URL; requests go to ${sim.url}/v1.0/...)\n` +
        `  Control page:    ${sim.url}/\n` +
        `  Move a device:   SIM_URL=${sim.url} npm run sim -- enroll alexw@example.com\n`,
      stop: () => sim.close(),
    };
  },
});
