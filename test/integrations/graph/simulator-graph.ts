import sinon from 'sinon';
import type { TenantSimulator } from '../../../src/dev/tenant-sim';
import { credentialFor } from '../../../src/integrations/graph/credential';
import { GraphApi, type GraphApiOptions } from '../../../src/integrations/graph/graph-api';

type RetryInfo = Parameters<NonNullable<GraphApiOptions['onRetry']>>[0];

/**
 * A GraphApi on the tenant simulator. Its retries are recorded by a sinon spy; with `fastSleep`
 * its waits are recorded by a sinon fake instead of slept (otherwise it sleeps for real).
 */
export function simulatorGraphApi(
  sim: TenantSimulator,
  opts: { maxAttempts?: number; fastSleep?: boolean } = {},
) {
  const sleep = sinon.fake.resolves<[number], Promise<void>>(undefined);
  const onRetry = sinon.spy((_info: RetryInfo) => {});
  const api = new GraphApi({
    baseUrl: sim.url,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: opts.maxAttempts ?? 5,
    sleep: opts.fastSleep ? sleep : undefined,
    onRetry,
  });
  return {
    api,
    /** The waits asked for so far, in ms. */
    sleeps: (): number[] => sleep.args.map(([ms]) => ms),
    /** Status and wait of each retry so far. */
    retries: () => onRetry.args.map(([i]) => ({ status: i.status, delayMs: i.delayMs })),
  };
}
