import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { TeamsHelpdeskRoster } from '../../../src/integrations/bot/teams-helpdesk-roster';
import type { Priority, RateGate } from '../../../src/ports/rate-gate';
import { FakeClock } from '../../helpers/fakes';

describe('integration: the helpdesk roster’s connector calls pass the outgoing budget', () => {
  it('takes one interactive turn right before each page of /pagedmembers', async () => {
    const requests: string[] = [];
    // Teams' paged members answer: two pages, joined by a continuation token.
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const second = (req.url ?? '').includes('continuationToken=page-2');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          second
            ? { members: [{ id: '29:b', aadObjectId: 'AAD-B' }] }
            : { members: [{ id: '29:a', aadObjectId: 'AAD-A' }], continuationToken: 'page-2' },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const turns: { priority: Priority; requestsBefore: number }[] = [];
    const gate: RateGate = {
      async take(_signal, priority = 'bulk') {
        turns.push({ priority, requestsBefore: requests.length });
      },
      async pauseUntil() {},
      pausedUntil: () => undefined,
    };
    try {
      const roster = new TeamsHelpdeskRoster(
        new TeamsAdapter({}),
        '',
        '19:team',
        new FakeClock(),
        60_000,
        gate,
      );
      const members = await roster.members(url);
      assert.deepEqual(
        members.map((m) => m.aadObjectId),
        ['aad-a', 'aad-b'],
      );
      assert.equal(requests.length, 2);
      assert.deepEqual(turns, [
        { priority: 'interactive', requestsBefore: 0 },
        { priority: 'interactive', requestsBefore: 1 },
      ]);
      await roster.members(url);
      assert.equal(turns.length, 2, 'a cached roster makes no call and takes no turn');
    } finally {
      server.close();
    }
  });
});
