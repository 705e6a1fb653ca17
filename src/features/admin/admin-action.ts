import { CardFactory, type TurnContext } from 'botbuilder';
import type { z } from 'zod';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { answerWithinBudget, type LateAnswer, replyWithinBudget } from '../answer-in-time';
import { actionVerbOf, safeInvoke } from '../safe-invoke';
import type { Audience } from '../user-context';
import { type AdminTurn, adminTurn } from './admin-turn';

/** What an admin use case answers: a card that replaces the admin's card, or a banner that leaves it. */
export type AdminAnswer = CardJson | string;

export type AdminRoute = (context: TurnContext) => Promise<AdminAnswer>;

/**
 * One admin card action, declared at its route: who may call it (admins only: everyone else gets
 * the refusal and nothing is read or written), what its data must be (`schema`; anything else gets
 * a card naming what could not be used), and the use case. The answer comes within the invoke
 * budget; slower work answers with a "still working" card that its answer replaces in place.
 */
export function adminAction<S extends z.ZodTypeAny>(
  schema: S,
  handler: (turn: AdminTurn, data: z.infer<S>) => Promise<AdminAnswer>,
): (deps: Deps) => AdminRoute {
  return (deps) =>
    safeInvoke<AdminAnswer>(deps, async (context) => {
      const access = await adminTurn(context, deps);
      if (!access.ok) return access.card;
      const { turn } = access;
      const parsed = schema.safeParse(actionDataOf(context));
      if (!parsed.success) return invalidCard(turn.audience, schema.description ?? 'data');
      return answerInTime(context, turn, actionVerbOf(context) ?? 'admin action', handler(turn, parsed.data));
    });
}

/** A message from an admin in the 1:1 chat (the word "admin", a CSV file): answered like a card action. */
export function adminMessage(
  what: string,
  handler: (turn: AdminTurn) => Promise<CardJson>,
): (deps: Deps) => (context: TurnContext) => Promise<void> {
  return (deps) => async (context) => {
    const access = await adminTurn(context, deps);
    if (!access.ok) {
      await context.sendActivity({ attachments: [CardFactory.adaptiveCard(access.card)] });
      return;
    }
    await replyWithinBudget(context, deps, handler(access.turn), lateAnswer(access.turn.audience, what));
  };
}

function actionDataOf(context: TurnContext): unknown {
  return (context.activity.value as { action?: { data?: unknown } } | undefined)?.action?.data ?? {};
}

async function answerInTime(
  context: TurnContext,
  turn: AdminTurn,
  what: string,
  work: Promise<AdminAnswer>,
): Promise<AdminAnswer> {
  const a = turn.audience;
  const late = lateAnswer(a, what);
  let banner: string | undefined;
  const asCard = work.then((answer) => {
    if (typeof answer !== 'string') return answer;
    banner = answer;
    return renderMessageCard({ title: a.t('admin.working.done'), text: answer, style: 'default' });
  });
  const card = await answerWithinBudget(context, turn.deps, asCard, late);
  // A banner in time stays a banner (the card is left as it is); a late one can only replace the card.
  return card !== late.pending && banner !== undefined ? banner : card;
}

function lateAnswer(a: Audience, what: string): LateAnswer {
  return {
    what,
    pending: renderMessageCard({
      title: a.t('admin.working.title'),
      text: a.t('admin.working.text'),
      style: 'warning',
    }),
    failed: () =>
      renderMessageCard({ title: a.t('error.title'), text: a.t('error.generic'), style: 'attention' }),
    summary: a.t('admin.home'),
  };
}

function invalidCard(a: Audience, what: string): CardJson {
  return renderMessageCard({
    title: a.t('admin.invalid.title'),
    text: a.t('admin.invalid.text', { what }),
    style: 'attention',
  });
}
