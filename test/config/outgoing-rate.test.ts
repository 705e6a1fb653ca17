import assert from 'node:assert/strict';
import { ConfigError, readConfig, TEAMS_TENANT_RATE_LIMIT } from '../../src/config';

const local = {
  STORAGE_CONNECTION_STRING:
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;',
  GRAPH_BASE_URL: 'http://127.0.0.1:5055',
};

describe('config: the outgoing budget’s rate (BROADCAST_RATE_PER_SECOND)', () => {
  it('defaults to one below Teams’ limit: 49 of 50 requests per second', () => {
    const rate = readConfig(local).broadcast.ratePerSecond;
    assert.equal(rate, 49);
    assert.equal(rate, TEAMS_TENANT_RATE_LIMIT - 1);
    // The broadcast benchmark's aim is 95 % of the limit; the default leaves room for that.
    assert.ok(rate / TEAMS_TENANT_RATE_LIMIT >= 0.95);
  });

  it('takes a lower rate, and refuses one at or above the limit with what to set', () => {
    assert.equal(readConfig({ ...local, BROADCAST_RATE_PER_SECOND: '30' }).broadcast.ratePerSecond, 30);
    for (const raw of ['50', '0', 'fast']) {
      assert.throws(
        () => readConfig({ ...local, BROADCAST_RATE_PER_SECOND: raw }),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.problems.some(
            (p) => p.startsWith(`BROADCAST_RATE_PER_SECOND: "${raw}"`) && /default 49/.test(p),
          ),
      );
    }
  });
});
