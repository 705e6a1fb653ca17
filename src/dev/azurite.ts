/**
 * Azurite (the Azure Storage emulator) as a child process on ports of its choosing, for the local
 * stack, the test run and the benchmarks.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ManagedProcess,
  processError,
  REPO_ROOT,
  spawnManaged,
  waitForPort,
  withLoopbackNoProxy,
} from './processes';

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface AzuriteOptions {
  /** Keep everything in memory (tests, DEV_IN_MEMORY=1); otherwise data lives under `location`. */
  inMemory: boolean;
  /** Workspace folder for persisted data (default .data/azurite). */
  location?: string;
  /** Ports to listen on; 0 or missing lets the OS choose. */
  ports?: Partial<AzuritePorts>;
  echo?: boolean;
  /** Cap for in-memory blob/queue content (Azurite's default is half of the machine's memory). */
  extentMemoryLimitMb?: number;
}

export interface RunningAzurite {
  connectionString: string;
  ports: AzuritePorts;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=http://${host}:${ports.blob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT}`,
  ].join(';');
}

export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const script = path.join(
    path.dirname(require.resolve('azurite/package.json')),
    'dist',
    'src',
    'azurite.js',
  );
  const args = [script, '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose'];
  args.push('--blobPort', String(options.ports?.blob ?? 0));
  args.push('--queuePort', String(options.ports?.queue ?? 0));
  args.push('--tablePort', String(options.ports?.table ?? 0));
  let cwd: string;
  if (options.inMemory) {
    args.push('--inMemoryPersistence', '--extentMemoryLimit', String(options.extentMemoryLimitMb ?? 1024));
    cwd = os.tmpdir(); // nothing is written, but never litter the repository if a version does
  } else {
    cwd = path.resolve(options.location ?? path.join(REPO_ROOT, '.data', 'azurite'));
    mkdirSync(cwd, { recursive: true });
    args.push('--location', cwd);
  }
  const proc = spawnManaged('azurite', process.execPath, args, withLoopbackNoProxy({ ...process.env }), {
    cwd,
    echo: options.echo ?? false,
    color: 'blue',
  });
  try {
    // Azurite prints the port it actually got, which is how port 0 becomes a connection string.
    const listening = (service: string) =>
      proc
        .waitForLine(
          new RegExp(`Azurite ${service} service is successfully listening at http://[^:]+:(\\d+)`),
          30_000,
        )
        .then((m) => Number(m[1]));
    const [blob, queue, table] = await Promise.all([
      listening('Blob'),
      listening('Queue'),
      listening('Table'),
    ]);
    const ports = { blob, queue, table };
    for (const port of [blob, queue, table]) await waitForPort(port, 10_000, { whileRunning: proc });
    return {
      connectionString: azuriteConnectionString(ports),
      ports,
      process: proc,
      stop: () => proc.stop(5_000),
    };
  } catch (err) {
    await proc.stop(2_000);
    throw processError(proc, `did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
}
