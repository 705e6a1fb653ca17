import { CardFactory, type TurnContext } from 'botbuilder';
import type { CardJson } from '../cards/render';
import type { Deps } from '../deps';
import { addressOf } from '../integrations/bot/teams-context';
import { turnLogger } from '../logging';
import { inBackground } from '../shared/background';
import { OVER_BUDGET, withinBudget } from './invoke-budget';

/** How a slow answer reaches the user once the invoke budget has passed. */
export interface LateAnswer {
  /** What the work is, for the logs (never personal data). */
  what: string;
  /** The card shown at once while the work goes on; replaced in place by its answer. */
  pending: CardJson;
  /** The card for a failure (logged with `what`), within the budget or after it. */
  failed: (err: unknown) => CardJson;
  /** The notification text of the updated card. */
  summary: string;
}

/**
 * The one rule for slow work behind a card action: Teams waits 5 s for an invoke's answer. The
 * answer is returned when `work` finishes within the invoke budget; otherwise the pending card is
 * returned now and replaced in place (on the card the action came from) when the work ends — with
 * its answer, or with the failure card. Never both, never neither.
 */
export async function answerWithinBudget(
  context: TurnContext,
  deps: Deps,
  work: Promise<CardJson>,
  late: LateAnswer,
): Promise<CardJson> {
  const log = turnLogger(context, deps.logger);
  const settled = settle(work, late, (err) => log.error({ err, what: late.what }, 'slow work failed'));
  const first = await withinBudget(settled, deps.invokeBudgetMs);
  if (first !== OVER_BUDGET) return first;
  replaceLater(deps, context, settled, late, context.activity.replyToId);
  return late.pending;
}

/**
 * The same rule for a message turn (a word typed, a file sent): the answer is sent as a new card
 * when it is ready within the budget; otherwise the pending card is sent now and replaced in place.
 */
export async function replyWithinBudget(
  context: TurnContext,
  deps: Deps,
  work: Promise<CardJson>,
  late: LateAnswer,
): Promise<void> {
  const log = turnLogger(context, deps.logger);
  const settled = settle(work, late, (err) => log.error({ err, what: late.what }, 'slow work failed'));
  const first = await withinBudget(settled, deps.invokeBudgetMs);
  if (first !== OVER_BUDGET) {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(first)] });
    return;
  }
  const sent = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(late.pending)] });
  replaceLater(deps, context, settled, late, sent?.id);
}

function settle(work: Promise<CardJson>, late: LateAnswer, logFailure: (err: unknown) => void) {
  return work.catch((err: unknown) => {
    logFailure(err);
    return late.failed(err);
  });
}

function replaceLater(
  deps: Deps,
  context: TurnContext,
  settled: Promise<CardJson>,
  late: LateAnswer,
  cardActivityId: string | undefined,
): void {
  const log = turnLogger(context, deps.logger);
  // The turn's context is revoked when the turn ends: keep only the address.
  const address = addressOf(context.activity);
  log.info({ what: late.what, budgetMs: deps.invokeBudgetMs }, 'slow work passed the invoke budget');
  inBackground(
    settled.then(async (card) => {
      if (!address || !cardActivityId) throw new Error('the card to replace has no address');
      await deps.messenger.update(address, cardActivityId, { card, summary: late.summary });
    }),
    (err) => log.error({ err, what: late.what }, 'could not replace the pending card with the answer'),
  );
}
