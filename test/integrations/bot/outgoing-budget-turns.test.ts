import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { type ConnectorSim, startConnectorSim } from '../../../src/dev/connector-sim';
import { BotAdapter, reachesConnector } from '../../../src/integrations/bot/bot-adapter';
import { BotMessenger } from '../../../src/integrations/bot/bot-messenger';
import type { Priority, RateGate } from '../../../src/ports/rate-gate';
import { cardAction, personalMessage } from '../../helpers/activities';

/** A gate that lets every call through and records each turn with the connector requests seen so far. */
class CountingGate implements RateGate {
  readonly turns: { priority: Priority; requestsBefore: number }[] = [];
  constructor(private readonly requests: () => number) {}
  async take(_signal?: AbortSignal, priority: Priority = 'bulk'): Promise<void> {
    this.turns.push({ priority, requestsBefore: this.requests() });
  }
  async pauseUntil(): Promise<void> {}
  pausedUntil(): Date | undefined {
    return undefined;
  }
}

const CARD = { type: 'AdaptiveCard', version: '1.5', body: [] };

describe('integration: connector calls of a turn pass the outgoing budget (BotAdapter and the connector simulator)', () => {
  let sim: ConnectorSim;
  let adapter: BotAdapter;
  let gate: CountingGate;

  beforeEach(async () => {
    sim = await startConnectorSim();
    adapter = new BotAdapter({ appType: 'local', appId: '' });
    gate = new CountingGate(() => sim.stats().requests);
    adapter.useOutgoingBudget(gate);
  });
  afterEach(async () => {
    await sim.close();
  });

  const at = (a: Partial<Activity>) => ({ ...a, serviceUrl: sim.url }) as Activity;

  it('a message turn: one interactive turn before each reply, update and delete, in order', async () => {
    let deleteStatus: number | undefined;
    const outcome = await adapter.handle(at(personalMessage('hello')), '', async (ctx) => {
      await ctx.sendActivities([
        { type: 'typing' },
        { type: 'message', text: 'one' },
        { type: 'message', text: 'two' },
      ]);
      const sent = await ctx.sendActivity({
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: CARD }],
      });
      await ctx.updateActivity({ type: 'message', id: sent!.id, text: 'changed' });
      // The simulator has no delete route (405, not counted in its stats); the request still went out.
      deleteStatus = await ctx.deleteActivity(sent!.id).then(
        () => 200,
        (err: { statusCode?: number }) => err.statusCode,
      );
    });
    assert.equal(outcome.kind, 'done');
    assert.equal(deleteStatus, 405, 'the delete reached the connector');
    const requests = sim.stats().requests + 1;
    assert.equal(requests, 6);
    assert.equal(gate.turns.length, requests, 'exactly one turn per connector call');
    assert.ok(gate.turns.every((t) => t.priority === 'interactive'));
    // Each turn was taken right before its own call, not all of them up front.
    assert.deepEqual(
      gate.turns.map((t) => t.requestsBefore),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('an invoke: the invoke response travels in the HTTP answer and takes no turn; a reply it sends does', async () => {
    const outcome = await adapter.handle(at(cardAction('anything')), '', async (ctx) => {
      await ctx.sendActivity({ type: 'message', text: 'working on it' });
      await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200 } } });
    });
    assert.equal(outcome.kind, 'done');
    assert.equal(outcome.kind === 'done' && outcome.status, 200);
    assert.equal(sim.stats().requests, 1);
    assert.equal(gate.turns.length, 1);
  });

  it('an expectReplies request: replies are buffered into the HTTP answer, no connector call, no turn', async () => {
    const outcome = await adapter.handle(
      at({ ...cardAction('anything'), deliveryMode: 'expectReplies' }),
      '',
      async (ctx) => {
        await ctx.sendActivity({ type: 'message', text: 'buffered' });
        await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: {} } });
      },
    );
    assert.equal(outcome.kind, 'done');
    assert.equal(sim.stats().requests, 0);
    assert.deepEqual(gate.turns, []);
  });

  it('proactive calls are not turns: the messenger passes the budget where it is made, not twice', async () => {
    const messenger = new BotMessenger(adapter, '', { serviceUrl: sim.url });
    const address = {
      serviceUrl: sim.url,
      channelId: 'msteams',
      conversationId: 'a:chat-alex',
      conversationType: 'personal' as const,
      botId: 'bot',
      userId: '29:alex',
    };
    await messenger.send(address, { card: CARD, summary: 'Hi' });
    assert.equal(sim.stats().requests, 1);
    assert.deepEqual(gate.turns, [], 'the raw messenger takes no turn of its own through the adapter');
  });

  it('knows which activities reach the connector', () => {
    assert.equal(reachesConnector({ type: 'message' }), true);
    assert.equal(reachesConnector({ type: 'typing' }), true);
    assert.equal(reachesConnector({ type: 'invokeResponse' }), false);
    assert.equal(reachesConnector({ type: 'delay', value: 100 }), false);
    assert.equal(reachesConnector({ type: 'trace', channelId: 'msteams' }), false);
    assert.equal(reachesConnector({ type: 'trace', channelId: 'emulator' }), true);
  });
});
