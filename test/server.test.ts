import assert from 'node:assert/strict';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import sinon from 'sinon';
import { readConfig } from '../src/config';
import { participantKey } from '../src/domain/participant';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { type RunningBot, startBot } from '../src/runtime';
import { ALEX, cardAction, personalMessage, textOf } from './helpers/activities';
import { eventually } from './helpers/eventually';
import { startFakeConnector } from './helpers/fake-connector';
import { silentLogger } from './helpers/fakes';
import { testConnectionString } from './helpers/storage';

/** A Graph stand-in that answers every request slowly with 404, to hold a turn in flight. */
async function slowGraph(delayMs: number) {
  const requested = sinon.spy();
  const server = http.createServer((req, res) => {
    requested(req.url);
    setTimeout(() => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'Request_ResourceNotFound', message: 'not found' } }));
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requested,
    close: () => server.close(),
  };
}

async function post(port: number, body: string, contentType = 'application/json') {
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
  return { status: res.status, text: await res.text() };
}

describe('integration: HTTP server (real adapter, Azurite, connector over HTTP)', () => {
  let bot: RunningBot;
  let connector: Awaited<ReturnType<typeof startFakeConnector>>;
  let graph: Awaited<ReturnType<typeof slowGraph>>;
  const prefix = `srv${Date.now().toString(36)}`;

  before(async () => {
    connector = await startFakeConnector();
    graph = await slowGraph(1500);
    const config = readConfig({
      PORT: '0',
      STORAGE_CONNECTION_STRING: testConnectionString(),
      STORAGE_PREFIX: prefix,
      GRAPH_BASE_URL: graph.url,
      SOURCE_MDM: 'workspace-one',
    });
    bot = await startBot(config, silentLogger, { host: '127.0.0.1' });
  });
  after(async () => {
    await bot.stop();
    await connector.close();
    graph.close();
  });

  it('GET /healthz answers 200 and /readyz reports storage reachable', async () => {
    const health = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('a message posted to /api/messages is answered through the connector and the user is stored', async () => {
    const activity = { ...personalMessage('hello'), id: 'msg-1', serviceUrl: connector.url };
    const res = await post(bot.port, JSON.stringify(activity));
    assert.equal(res.status, 200);
    const reply = connector.calls.find(
      (c) => c.conversationId === `a:personal-${ALEX.id}` && c.method === 'POST',
    );
    assert.ok(reply, 'the welcome card was posted to the connector');
    const attachments = reply.body.attachments as { contentType: string; content: unknown }[];
    assert.equal(attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.match(textOf(attachments[0]!.content), /Hi Alex!/);

    const storage = createAzureStorage({ connectionString: testConnectionString(), prefix });
    const stored = await storage.store.participants.get(participantKey(ALEX.aadObjectId));
    assert.equal(stored?.value.conversation?.serviceUrl, connector.url);
  });

  it('rejects malformed JSON and activities without a type with 400, storing nothing', async () => {
    assert.equal((await post(bot.port, '{"type": "message", ')).status, 400);
    const noType = await post(bot.port, JSON.stringify({ text: 'no type' }));
    assert.equal(noType.status, 400);
    assert.equal(JSON.parse(noType.text).error, `malformed activity: "type" is missing`);
    const noConversation = await post(
      bot.port,
      JSON.stringify({ ...personalMessage('hi'), conversation: undefined }),
    );
    assert.match(noConversation.text, /conversation.id/);
    assert.equal(connector.calls.length, 1, 'only the earlier welcome card reached the connector');
  });

  it('rejects an oversized request body with 413', async () => {
    const res = await post(
      bot.port,
      JSON.stringify({ ...personalMessage('x'.repeat(600 * 1024)), serviceUrl: connector.url }),
    );
    assert.equal(res.status, 413);
  });

  it('refuses form-encoded, text and compressed bodies with 415 without reading them', async () => {
    const form = await post(bot.port, 'type=message&text=hi', 'application/x-www-form-urlencoded');
    assert.equal(form.status, 415);
    assert.equal(JSON.parse(form.text).error, 'the activity must be sent as application/json');
    assert.equal((await post(bot.port, '{}', 'text/plain')).status, 415);
    const gzip = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify(personalMessage('hi'))),
    });
    assert.equal(gzip.status, 415);
  });

  it('counts the bytes that arrive, not the declared length: a chunked body over the limit gets 413', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"message","text":"'));
        for (let i = 0; i < 16; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });

  it('answers malformed JSON without the parser’s message', async () => {
    const res = await post(bot.port, '{"type": "message", ');
    assert.deepEqual(JSON.parse(res.text), {
      error: 'malformed activity: the body is not JSON',
      correlationId: JSON.parse(res.text).correlationId,
    });
  });

  it('answers an unknown path with 404, nosniff and without echoing the path', async () => {
    const res = await fetch(`http://127.0.0.1:${bot.port}/%3Cscript%3Ealert(1)%3C/script%3E`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const text = await res.text();
    assert.doesNotMatch(text, /script|alert/i);
    const wrongMethod = await fetch(`http://127.0.0.1:${bot.port}/api/messages`);
    assert.equal(wrongMethod.status, 405);
    assert.doesNotMatch(await wrongMethod.text(), /GET|api\/messages/);
  });

  it('on stop, finishes the turn in flight, then refuses new requests', async () => {
    // Graph answers after 1.5 s, so once the invoke has asked it, the turn is in flight when stop() is called.
    const asked = graph.requested.callCount;
    const invoke = post(
      bot.port,
      JSON.stringify({ ...cardAction('devices.check'), serviceUrl: connector.url }),
    );
    await eventually(() => graph.requested.callCount > asked);
    const stopped = bot.stop();
    const res = await invoke;
    assert.equal(res.status, 200);
    assert.match(res.text, /couldn't find your account/);
    await stopped;
    await assert.rejects(fetch(`http://127.0.0.1:${bot.port}/healthz`));
  });
});
