import { CardFactory, type TurnContext } from 'botbuilder';
import type { CardJson } from '../cards/render';
import type { Deps } from '../deps';
import type { Translate } from '../i18n';
import { addressOf } from '../integrations/bot/teams-context';
import { turnLogger } from '../logging';
import { ConnectorError } from '../ports/messenger';
import { hurrySignal, inBackground } from '../shared/background';
import { isUnavailable } from '../shared/unavailable';
import { OVER_BUDGET, withinBudget } from './invoke-budget';
import { errorCardFor } from './safe-invoke';
import { audienceOf } from './user-context';

/**
 * A late answer waits at most this long; then the pending card is replaced by the failure card, so
 * a "still working" card never stays as it is.
 */
export const LATE_ANSWER_MAX_MS = 60_000;
/** Attempts to put the answer on the card when Teams is throttling or failing for a moment. */
const UPDATE_ATTEMPTS = 3;
const MAX_UPDATE_DELAY_MS = 5_000;

/** Why a late answer became its failure card without the work's own answer. */
export class LateAnswerError extends Error {
  constructor(readonly reason: 'timed-out' | 'interrupted') {
    super(reason === 'timed-out' ? 'the work took too long' : 'shutting down before the work ended');
    this.name = 'LateAnswerError';
  }
}

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
  /** How long the work may take in all before its failure card goes up; LATE_ANSWER_MAX_MS if not given. */
  maxWaitMs?: number;
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
  const settled = settle(context, deps, work, late);
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
): Promise<{ activityId?: string; answer: Promise<CardJson> }> {
  const settled = settle(context, deps, work, late);
  const first = await withinBudget(settled, deps.invokeBudgetMs);
  if (first !== OVER_BUDGET) {
    const sent = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(first)] });
    return { activityId: sent?.id, answer: settled };
  }
  const sent = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(late.pending)] });
  replaceLater(deps, context, settled, late, sent?.id);
  // The card the user sees becomes the answer: its id is the one to remember once the answer lands.
  return { activityId: sent?.id, answer: settled };
}

/**
 * The work's answer, or its failure card; an outage of storage, Graph or Teams gets the card that
 * says so (try again in a few minutes) whatever the feature's own failure card is.
 */
function settle(context: TurnContext, deps: Deps, work: Promise<CardJson>, late: LateAnswer) {
  const log = turnLogger(context, deps.logger);
  const { t } = audienceOf(context, deps);
  return work.catch((err: unknown) => {
    log.error({ err, what: late.what }, 'slow work failed');
    return safeFailure(late, err, t);
  });
}

function safeFailure(late: LateAnswer, err: unknown, t: Translate): CardJson {
  if (isUnavailable(err)) return errorCardFor(t, err);
  try {
    return late.failed(err);
  } catch {
    return errorCardFor(t, err);
  }
}

function replaceLater(
  deps: Deps,
  context: TurnContext,
  settled: Promise<CardJson>,
  late: LateAnswer,
  cardActivityId: string | undefined,
): void {
  const log = turnLogger(context, deps.logger);
  const { t } = audienceOf(context, deps);
  // The turn's context is revoked when the turn ends: keep only the address.
  const address = addressOf(context.activity);
  log.info({ what: late.what, budgetMs: deps.invokeBudgetMs }, 'slow work passed the invoke budget');
  const hurry = hurrySignal();
  const answer = firstOf(settled, late.maxWaitMs ?? LATE_ANSWER_MAX_MS, hurry).then((outcome) => {
    if (outcome === 'timed-out' || outcome === 'interrupted') {
      log.warn({ what: late.what, outcome }, 'slow work did not end in time; the card shows the failure');
      return safeFailure(late, new LateAnswerError(outcome), t);
    }
    return outcome;
  });
  inBackground(
    answer.then(async (card) => {
      if (!address || !cardActivityId) throw new Error('the card to replace has no address');
      await updateWithRetries(deps, () =>
        deps.messenger.update(address, cardActivityId, { card, summary: late.summary }),
      );
    }),
    (err) => log.error({ err, what: late.what }, 'could not replace the pending card with the answer'),
  );
}

/** The answer, or why there is none: the late deadline passed, or shutdown asked to hurry. */
function firstOf(
  settled: Promise<CardJson>,
  maxMs: number,
  hurry: AbortSignal,
): Promise<CardJson | 'timed-out' | 'interrupted'> {
  let timer: NodeJS.Timeout | undefined;
  let onHurry: (() => void) | undefined;
  const cut = new Promise<'timed-out' | 'interrupted'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), maxMs);
    onHurry = () => resolve('interrupted');
    if (hurry.aborted) onHurry();
    else hurry.addEventListener('abort', onHurry, { once: true });
  });
  return Promise.race([settled, cut]).finally(() => {
    clearTimeout(timer);
    if (onHurry) hurry.removeEventListener('abort', onHurry);
  });
}

/**
 * Teams may throttle (429) or fail for a moment (5xx) exactly when Graph is slow: the update is
 * tried again a few times, honouring Retry-After (capped); shutdown cuts the waits short.
 */
async function updateWithRetries(deps: Deps, update: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await update();
      return;
    } catch (err) {
      const retryable =
        err instanceof ConnectorError && (err.status === 429 || err.status >= 500 || err.status === 0);
      if (!retryable || attempt >= UPDATE_ATTEMPTS) throw err;
      const delayMs = Math.min(
        MAX_UPDATE_DELAY_MS,
        err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : 250 * 2 ** attempt,
      );
      deps.logger.warn({ attempt, status: err.status, delayMs }, 'card update refused for now; retrying');
      await pause(delayMs, hurrySignal());
    }
  }
}

function pause(ms: number, hurry: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (hurry.aborted) return resolve();
    const timer = setTimeout(done, ms);
    hurry.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      hurry.removeEventListener('abort', done);
      resolve();
    }
  });
}
