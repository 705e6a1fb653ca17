/**
 * The connector simulator as a process of its own, for bench:broadcast: Teams' clock is not the
 * benchmark's, so the work the benchmark process does (seeding, queueing 100,000 rows, scoring)
 * must not stall the simulator and bunch the arrival times it judges the 50-a-second limit by.
 *
 * Environment: BENCH_CONNECTOR_PORT (required), BENCH_5XX_RATE (share of requests answered with a
 * random 5xx), BENCH_CONNECTOR_LATENCY ("min,max" ms), BENCH_CONNECTOR_UNLIMITED=1 (no tenant limit:
 * pipeline mode). What it accepted is read back with GET /_sim/record.
 */
import { startConnectorSim } from '../src/dev/connector-sim';
import { runSimulatorMain } from '../src/dev/simulator-main';

const [min, max] = (process.env.BENCH_CONNECTOR_LATENCY ?? '0,0').split(',').map(Number);

runSimulatorMain({
  name: 'connector simulator',
  portVariable: 'BENCH_CONNECTOR_PORT',
  defaultPort: 0,
  async start(port) {
    const sim = await startConnectorSim({
      port,
      failureRate: Number(process.env.BENCH_5XX_RATE ?? '0'),
      latencyMs: [min ?? 0, max ?? 0],
      keepActivities: false,
      ...(process.env.BENCH_CONNECTOR_UNLIMITED === '1'
        ? { tenantWindow: { count: Number.MAX_SAFE_INTEGER, windowMs: 1_000 } }
        : {}),
    });
    return { banner: `connector simulator listening on ${sim.url}\n`, stop: sim.close };
  },
});
