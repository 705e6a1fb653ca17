import assert from 'node:assert/strict';
import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../../src/cards/message-card';
import type { CardJson } from '../../src/cards/render';
import { answerWithinBudget, type LateAnswer } from '../../src/features/answer-in-time';
import { ConnectorError } from '../../src/ports/messenger';
import { backgroundCount, hurryBackground, settleBackground } from '../../src/shared/background';
import { DependencyUnavailableError } from '../../src/shared/unavailable';
import { cardAction, testDeps, textOf } from '../helpers/activities';
import { eventually } from '../helpers/eventually';

const card = (text: string): CardJson => renderMessageCard({ title: 't', text, style: 'default' });

function late(maxWaitMs?: number): LateAnswer {
  return {
    maxWaitMs,
    what: 'device look-up',
    pending: card('still checking'),
    failed: () => card('could not check'),
    summary: 'Your devices',
  };
}

/** The invoke's turn as a handler sees it: the activity and no more. */
function turnOf(locale = 'en-US'): TurnContext {
  return {
    activity: cardAction('devices.check', {}, { locale, replyToId: 'card-7' }),
    turnState: new Map(),
  } as unknown as TurnContext;
}

describe('answer in time: every "still working" card ends in an answer or an error card', () => {
  afterEach(async () => {
    await settleBackground(5_000);
  });

  it('work that never ends: after the late deadline the pending card is replaced by the failure card', async () => {
    const { deps, messenger } = testDeps({ invokeBudgetMs: 50 });
    const started = Date.now();
    const first = await answerWithinBudget(turnOf(), deps, new Promise<CardJson>(() => undefined), late(700));
    assert.match(textOf(first), /still checking/);
    const update = await eventually(() => messenger.updated[0] ?? false, { timeoutMs: 5_000 });
    assert.ok(Date.now() - started >= 680);
    assert.equal(update.activityId, 'card-7');
    assert.match(textOf(update.message.card), /could not check/);
  });

  it('shutdown hurries it: the failure card goes up at once, and the background work is done', async () => {
    const { deps, messenger } = testDeps({ invokeBudgetMs: 200 });
    await answerWithinBudget(turnOf(), deps, new Promise<CardJson>(() => undefined), late());
    assert.equal(backgroundCount(), 1);
    const started = Date.now();
    hurryBackground();
    assert.equal(await settleBackground(2_000), 0);
    assert.ok(Date.now() - started < 500);
    assert.equal(messenger.updated.length, 1);
    assert.match(textOf(messenger.updated[0]!.message.card), /could not check/);
  });

  it('Teams throttling the update (429 with Retry-After) does not lose the answer', async () => {
    const { deps, messenger } = testDeps({ invokeBudgetMs: 20 });
    let refusals = 2;
    const update = messenger.update.bind(messenger);
    messenger.update = async (...args) => {
      if (refusals-- > 0) throw new ConnectorError('throttled', 429, 'Throttled', 0.05);
      return update(...args);
    };
    const slow = new Promise<CardJson>((resolve) => setTimeout(() => resolve(card('two devices')), 60));
    await answerWithinBudget(turnOf(), deps, slow, late());
    const done = await eventually(() => messenger.updated[0] ?? false, { timeoutMs: 3_000 });
    assert.match(textOf(done.message.card), /two devices/);
  });

  it('an outage behind the late work puts up the "try again in a few minutes" card, in the user\'s language', async () => {
    const { deps, messenger } = testDeps({ invokeBudgetMs: 20 });
    const failing = new Promise<CardJson>((_, reject) =>
      setTimeout(
        () => reject(new DependencyUnavailableError('storage', 'storage is unreachable (read)')),
        50,
      ),
    );
    await answerWithinBudget(turnOf('sv-SE'), deps, failing, late());
    const done = await eventually(() => messenger.updated[0] ?? false, { timeoutMs: 3_000 });
    assert.match(textOf(done.message.card), /Jag når inte mina uppgifter just nu/);
  });
});
