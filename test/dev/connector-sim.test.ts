import assert from 'node:assert/strict';
import { type ConnectorSim, startConnectorSim } from '../../src/dev/connector-sim';

const T0 = Date.parse('2026-11-23T09:00:00Z');

async function call(sim: ConnectorSim, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, sim.url), {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const message = { type: 'message', text: 'hello' };
const post = (sim: ConnectorSim, conversation: string) =>
  call(sim, 'POST', `/v3/conversations/${encodeURIComponent(conversation)}/activities`, message);

describe('dev: connector simulator (Teams limits)', () => {
  let sim: ConnectorSim;
  let now = T0;
  beforeEach(async () => {
    now = T0;
    sim = await startConnectorSim({ now: () => now });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('speaks the v3 wire format: send, reply and update, recording every accepted message', async () => {
    const sent = await post(sim, 'a:chat-1');
    assert.equal(sent.status, 201);
    const id = String(sent.json.id);
    const reply = await call(sim, 'POST', `/v3/conversations/a%3Achat-1/activities/${id}`, message);
    assert.equal(reply.status, 201);
    const updated = await call(sim, 'PUT', `/v3/conversations/a%3Achat-1/activities/${id}`, message);
    assert.deepEqual([updated.status, updated.json.id], [200, id]);
    assert.equal(
      (await call(sim, 'PUT', '/v3/conversations/a%3Achat-1/activities/nope', message)).status,
      404,
    );
    assert.equal(
      (await call(sim, 'POST', '/v3/conversations/a%3Achat-1/activities', { text: 'no type' })).status,
      400,
    );
    assert.equal((await call(sim, 'GET', '/v3/conversations/a%3Achat-1/activities')).status, 405);

    assert.deepEqual(
      sim.messages.map((m) => [m.conversationId, m.activity?.text]),
      [
        ['a:chat-1', 'hello'],
        ['a:chat-1', 'hello'],
      ],
    );
    const stats = await call(sim, 'GET', '/_sim/stats');
    assert.equal(stats.json.accepted, 2);
    assert.equal(stats.json.updates, 1);
    const listed = await call(sim, 'GET', '/_sim/messages');
    assert.equal((listed.json as unknown as unknown[]).length, 2);
  });

  it('opens one personal chat per member, and a new post for a channel conversation', async () => {
    const first = await call(sim, 'POST', '/v3/conversations', {
      isGroup: false,
      members: [{ id: 'aad-1' }],
    });
    const again = await call(sim, 'POST', '/v3/conversations', {
      isGroup: false,
      members: [{ id: 'aad-1' }],
    });
    const other = await call(sim, 'POST', '/v3/conversations', {
      isGroup: false,
      members: [{ id: 'aad-2' }],
    });
    assert.equal(first.status, 201);
    assert.equal(first.json.id, again.json.id);
    assert.notEqual(first.json.id, other.json.id);
    assert.equal(sim.conversations.get('aad-1'), first.json.id);
    const channel = await call(sim, 'POST', '/v3/conversations', {
      isGroup: true,
      channelData: { channel: { id: '19:news@thread.tacv2' } },
      activity: message,
    });
    assert.equal(channel.status, 201);
    assert.match(String(channel.json.id), /^19:news@thread\.tacv2;messageid=/);
    assert.equal((await call(sim, 'POST', '/v3/conversations', { isGroup: false, members: [] })).status, 400);
  });

  it('allows 50 requests per sliding second for the tenant and answers the rest 429 with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post(sim, `a:user-${i}`)));
    assert.equal(answers.filter((a) => a.status === 201).length, 50);
    const throttled = answers.filter((a) => a.status === 429);
    assert.equal(throttled.length, 10);
    assert.ok(throttled.every((a) => a.retryAfter === '1' && a.json.error !== undefined));
    now += 999;
    assert.equal((await post(sim, 'a:user-x')).status, 429, 'the window slides: still full 999 ms later');
    now += 1;
    assert.equal((await post(sim, 'a:user-x')).status, 201);
    const stats = sim.stats();
    assert.equal(stats.peakTenantWindow, 50);
    assert.equal(stats.throttled, 11);
    assert.equal(sim.messages.length, 51, 'refused requests are not recorded');
  });

  it('enforces the per-thread windows: 7 per second, 8 per 2 s, 60 per 30 s', async () => {
    const burst = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await post(sim, 'a:one-thread')).status);
      return out;
    };
    assert.deepEqual(await burst(8), [201, 201, 201, 201, 201, 201, 201, 429]);
    now += 1_000;
    assert.deepEqual(await burst(2), [201, 429], 'the 2 s window allows one more');
    now += 1_000;
    // 60 per 30 s: 8 already; bursts of 7 every 2.1 s reach 60 in the 8th burst.
    let accepted = 8;
    for (let round = 0; round < 8; round++) {
      now += 2_100;
      accepted += (await burst(7)).filter((s) => s === 201).length;
    }
    assert.equal(accepted, 60);
    const refused = await post(sim, 'a:one-thread');
    assert.equal(refused.status, 429);
    assert.ok(
      Number(refused.retryAfter) >= 10,
      `Retry-After ${refused.retryAfter} s waits for the 30 s window`,
    );
    assert.equal((await post(sim, 'a:another-thread')).status, 201, 'other threads are not affected');
  });

  it('fails a configured share of requests with a 5xx and records none of them', async () => {
    await sim.close();
    sim = await startConnectorSim({ failureRate: 1, failureStatuses: [502, 503] });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(sim, `a:u${i}`)));
    assert.ok(answers.every((a) => a.status === 502 || a.status === 503));
    assert.equal(sim.messages.length, 0);
    assert.equal(sim.stats().failed, 10);
  });

  it('injects a given answer for the next matching requests', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 3, code: 'Throttled', times: 2 });
    sim.failNext({ status: 403, code: 'BotBlocked', match: /^POST \/v3\/conversations$/ });
    const a = await post(sim, 'a:x');
    const b = await post(sim, 'a:x');
    assert.deepEqual(
      [a.status, a.retryAfter, (a.json.error as { code: string }).code],
      [429, '3', 'Throttled'],
    );
    assert.equal(b.status, 429);
    assert.equal((await post(sim, 'a:x')).status, 201);
    const created = await call(sim, 'POST', '/v3/conversations', { members: [{ id: 'aad-9' }] });
    assert.equal(created.status, 403);
    assert.equal(sim.stats().injected, 3);
  });
});
