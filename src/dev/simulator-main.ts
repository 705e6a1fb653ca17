/**
 * What every simulator's stand-alone entry point shares: the port from the environment, a banner,
 * a clean stop on SIGINT/SIGTERM, and a one-line reason when it cannot start.
 */
export interface SimulatorMain {
  /** Shown in messages, e.g. "Jamf Pro simulator". */
  name: string;
  /** The environment variable holding the port, and its default. */
  portVariable: string;
  defaultPort: number;
  /** Starts the simulator on `port`; returns the banner to print and how to stop it. */
  start(port: number): Promise<{ banner: string; stop(): Promise<void> }>;
}

export function runSimulatorMain(main: SimulatorMain, env: NodeJS.ProcessEnv = process.env): void {
  const raw = env[main.portVariable];
  const port = Number(raw ?? String(main.defaultPort));
  const run = async (): Promise<void> => {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${main.portVariable}: "${raw}" is not a port number (0-65535).`);
    }
    const sim = await main.start(port);
    process.stdout.write(sim.banner);
    const stop = (): void => {
      sim.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  };
  run().catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    const message =
      code === 'EADDRINUSE'
        ? `Port ${port} is in use (another simulator running?); set ${main.portVariable} to a free port.`
        : err instanceof Error
          ? err.message
          : String(err);
    process.stderr.write(`${main.name}: ${message}\n`);
    process.exit(1);
  });
}
