import assert from 'node:assert/strict';
import { Application, type TurnState } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { CardJson } from '../../../src/cards/render';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { type AdminAnswer, adminAction } from '../../../src/features/admin/admin-action';
import { settleBackground } from '../../../src/shared/background';
import { ALEX, cardAction, runTurn, testDeps, textOf } from '../../helpers/activities';
import { MEGAN } from '../../helpers/demo';

const VERB = 'admin.test';
const NumberData = z.object({ n: z.number() }).describe('number');

/** An app with one admin route whose use case answers `answer` after `delayMs`. */
function setup(answer: (n: number) => AdminAnswer, delayMs = 0) {
  clearAdminCache();
  const t = testDeps();
  t.deps.config = { ...t.deps.config, admins: { upns: [ALEX.upn] } };
  for (const u of [ALEX, MEGAN]) {
    t.directory.users.set(u.aadObjectId, {
      id: u.aadObjectId,
      userPrincipalName: u.upn,
      displayName: u.name,
    });
  }
  const calls: number[] = [];
  const app = new Application<TurnState>({ startTypingTimer: false });
  app.adaptiveCards.actionExecute(
    VERB,
    adminAction(NumberData, async (_turn, data) => {
      calls.push(data.n);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return answer(data.n);
    })(t.deps),
  );
  const invoke = async (data: Record<string, unknown>, from = ALEX) => {
    const { invokeResponse } = await runTurn(app, cardAction(VERB, data, { from }));
    return (invokeResponse?.body as { value?: unknown }).value;
  };
  return { ...t, calls, invoke };
}

const card = (text: string): CardJson => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text }],
});

describe('admin: adminAction', () => {
  it('refuses someone who is not an admin without running the use case', async () => {
    const h = setup((n) => card(`n=${n}`));
    assert.match(textOf(await h.invoke({ n: 1 }, MEGAN)), /This is for migration admins/);
    assert.deepEqual(h.calls, []);
  });

  it('answers data that does not fit the schema with a card naming what it could not use', async () => {
    const h = setup((n) => card(`n=${n}`));
    assert.match(textOf(await h.invoke({ n: 'one' })), /cannot use \(number\)/);
    assert.deepEqual(h.calls, []);
    assert.match(textOf(await h.invoke({ n: 2 })), /n=2/);
    assert.deepEqual(h.calls, [2]);
  });

  it('keeps a banner a banner within the budget, and replaces the working card with it after the budget', async () => {
    const quick = setup((n) => `banner ${n}`);
    assert.equal(await quick.invoke({ n: 3 }), 'banner 3');

    const slow = setup((n) => `banner ${n}`, 500); // longer than the whole budget (300 ms here)
    assert.match(textOf(await slow.invoke({ n: 4 })), /Still working on it/);
    await settleBackground(5_000);
    const [update] = slow.messenger.updated;
    assert.ok(update, 'the working card was replaced');
    assert.match(textOf(update.message.card), /banner 4/);
  });

  it('answers a failure with an error card', async () => {
    const h = setup(() => {
      throw new Error('boom');
    });
    assert.match(textOf(await h.invoke({ n: 5 })), /Something went wrong/);
  });
});
