import assert from 'node:assert/strict';
import { TeamsAdapter } from '@microsoft/teams-ai';
import { type ConnectorSim, startConnectorSim } from '../../src/dev/connector-sim';
import { withOutgoingBudget } from '../../src/features/outgoing-budget';
import { BotMessenger } from '../../src/integrations/bot/bot-messenger';
import { ConnectorError, type Messenger } from '../../src/ports/messenger';
import type { Priority, RateGate } from '../../src/ports/rate-gate';
import { RecordingMessenger } from '../helpers/fakes';

/** Records every turn with the connector requests made before it; `hold` keeps callers waiting. */
class CountingGate implements RateGate {
  readonly turns: { priority: Priority; requestsBefore: number }[] = [];
  readonly pauses: Date[] = [];
  hold?: Promise<void>;
  constructor(private readonly requests: () => number) {}
  async take(_signal?: AbortSignal, priority: Priority = 'bulk'): Promise<void> {
    this.turns.push({ priority, requestsBefore: this.requests() });
    await this.hold;
  }
  async pauseUntil(until: Date): Promise<void> {
    this.pauses.push(until);
  }
  pausedUntil(): Date | undefined {
    return this.pauses.at(-1);
  }
}

const CARD = { card: { type: 'AdaptiveCard', version: '1.5', body: [] }, summary: 'Hello' };

describe('withOutgoingBudget: the messenger every feature uses waits for an interactive turn', () => {
  let sim: ConnectorSim;
  beforeEach(async () => {
    sim = await startConnectorSim();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('takes exactly one interactive turn right before each connector call (open chat, send, update)', async () => {
    const gate = new CountingGate(() => sim.stats().requests);
    const messenger = withOutgoingBudget(
      new BotMessenger(new TeamsAdapter({}), '', { serviceUrl: sim.url }),
      gate,
    );
    const address = await messenger.openPersonalChat({ aadObjectId: 'aad-alex', tenantId: 'tenant-1' });
    const { activityId } = await messenger.send(address, CARD);
    await messenger.update(address, activityId, { ...CARD, summary: 'Changed' });
    assert.equal(sim.stats().requests, 3);
    assert.deepEqual(
      gate.turns,
      [0, 1, 2].map((n) => ({ priority: 'interactive', requestsBefore: n })),
    );
  });

  it('makes no call while its turn has not come', async () => {
    const gate = new CountingGate(() => 0);
    let release!: () => void;
    gate.hold = new Promise<void>((r) => {
      release = r;
    });
    const inner = new RecordingMessenger();
    const messenger = withOutgoingBudget(inner, gate);
    const address = await inner.openPersonalChat({ aadObjectId: 'aad-alex' });
    const sending = messenger.send(address, CARD);
    await new Promise((r) => setImmediate(r));
    assert.equal(inner.sent.length, 0);
    release();
    await sending;
    assert.equal(inner.sent.length, 1);
  });

  it('a 429 that comes back pauses every sender for its Retry-After, and the caller still hears of it', async () => {
    const gate = new CountingGate(() => 0);
    const now = Date.parse('2026-11-23T09:00:00Z');
    const throttled: Messenger = {
      openPersonalChat: (user) => new RecordingMessenger().openPersonalChat(user),
      async update() {
        throw new ConnectorError('Bot Connector update failed (429)', 429, 'Throttled', 7);
      },
      async send() {
        throw new ConnectorError('Bot Connector send failed (403)', 403, 'Forbidden');
      },
    };
    const messenger = withOutgoingBudget(throttled, gate, () => now);
    const address = await new RecordingMessenger().openPersonalChat({ aadObjectId: 'aad-alex' });
    await assert.rejects(
      messenger.update(address, 'activity-1', CARD),
      (err) => (err as ConnectorError).status === 429,
    );
    assert.deepEqual(gate.pauses, [new Date(now + 7_000)]);
    await assert.rejects(messenger.send(address, CARD), (err) => (err as ConnectorError).status === 403);
    assert.equal(gate.pauses.length, 1, 'only a 429 pauses');
  });
});
