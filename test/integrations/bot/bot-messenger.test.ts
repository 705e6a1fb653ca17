import assert from 'node:assert/strict';
import net from 'node:net';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { type ConnectorSim, startConnectorSim } from '../../../src/dev/connector-sim';
import type { ConversationAddress } from '../../../src/domain/participant';
import { BotMessenger } from '../../../src/integrations/bot/bot-messenger';
import { ConnectorError } from '../../../src/ports/messenger';

const CARD = { card: { type: 'AdaptiveCard', version: '1.5', body: [] }, summary: 'Hello' };

function addressAt(url: string, conversationId = 'a:chat-alex'): ConversationAddress {
  return {
    serviceUrl: url,
    channelId: 'msteams',
    conversationId,
    conversationType: 'personal',
    botId: 'bot',
    userId: '29:alex',
  };
}

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectorError, `expected a ConnectorError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('integration: BotMessenger over a credential-less CloudAdapter and the connector simulator', () => {
  let sim: ConnectorSim;
  beforeEach(async () => {
    sim = await startConnectorSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  const messenger = (sdkRetries?: boolean) =>
    new BotMessenger(
      new TeamsAdapter({}),
      '',
      { serviceUrl: sim.url },
      sdkRetries === undefined ? {} : { sdkRetries },
    );

  it('sends a card and updates it in place', async () => {
    const m = messenger();
    const { activityId } = await m.send(addressAt(sim.url), CARD);
    assert.ok(activityId);
    await m.update(addressAt(sim.url), activityId, { ...CARD, summary: 'Changed' });
    assert.equal(sim.messages.length, 1);
    const sent = sim.messages[0]!;
    assert.equal(sent.conversationId, 'a:chat-alex');
    assert.equal(sent.activity?.summary, 'Hello');
    assert.equal(
      (sent.activity?.attachments as { contentType: string }[])[0]!.contentType,
      'application/vnd.microsoft.card.adaptive',
    );
    assert.equal(sim.stats().updates, 1);
  });

  it('by default keeps the SDK’s own retries, so existing callers still ride out a 429', async function () {
    this.timeout(10_000);
    sim.failNext({ status: 429, retryAfterSeconds: 1 });
    const { activityId } = await messenger().send(addressAt(sim.url), CARD);
    assert.ok(activityId);
    assert.equal(sim.stats().requests, 2);
  });

  it('without SDK retries, a 429 comes back at once as ConnectorError with status, code and Retry-After', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 3, code: 'ThrottledTooManyRequests' });
    const err = await rejection(messenger(false).send(addressAt(sim.url), CARD));
    assert.equal(err.status, 429);
    assert.equal(err.code, 'ThrottledTooManyRequests');
    assert.equal(err.retryAfterSeconds, 3);
    assert.match(err.message, /sending to a:chat-alex failed \(429 ThrottledTooManyRequests\)/);
    assert.equal(sim.stats().requests, 1, 'exactly one request: the caller decides about retrying');
  });

  it('turns 5xx and other 4xx into ConnectorError too, also for updates', async () => {
    const m = messenger(false);
    sim.failNext({ status: 503 });
    assert.equal((await rejection(m.send(addressAt(sim.url), CARD))).status, 503);
    sim.failNext({ status: 403, code: 'ConversationBlockedByUser' });
    const blocked = await rejection(m.send(addressAt(sim.url), CARD));
    assert.deepEqual(
      [blocked.status, blocked.code, blocked.retryAfterSeconds],
      [403, 'ConversationBlockedByUser', undefined],
    );
    const notThere = await rejection(m.update(addressAt(sim.url), 'missing', CARD));
    assert.equal(notThere.status, 404);
    assert.equal(sim.stats().requests, 3);
  });

  it('opens a personal chat with a user it has not talked to, with or without SDK retries', async () => {
    for (const sdkRetries of [true, false]) {
      const to = await messenger(sdkRetries).openPersonalChat({
        aadObjectId: 'aad-new-user',
        tenantId: 'tenant-1',
      });
      assert.equal(to.conversationId, sim.conversations.get('aad-new-user'));
      assert.deepEqual(
        [to.serviceUrl, to.conversationType, to.tenantId, to.userId],
        [sim.url, 'personal', 'tenant-1', 'aad-new-user'],
      );
      await messenger(sdkRetries).send(to, CARD);
    }
    assert.equal(sim.messages.length, 2);
  });

  it('reports a throttled chat creation once, as ConnectorError', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 2, match: /^POST \/v3\/conversations$/ });
    const err = await rejection(messenger(false).openPersonalChat({ aadObjectId: 'aad-x' }));
    assert.deepEqual([err.status, err.retryAfterSeconds], [429, 2]);
    assert.equal(sim.stats().requests, 1);
  });

  it('a connector that is not there is a ConnectorError without a status (the outcome is unknown)', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rejection(messenger(false).send(addressAt(`http://127.0.0.1:${port}/`), CARD));
    assert.equal(err.status, 0);
    assert.equal(err.code, 'ECONNREFUSED');
  });
});
