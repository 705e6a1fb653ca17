import type { TurnContext } from 'botbuilder';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { turnLogger } from '../../logging';
import { type AuditActor, actorOf } from '../audit';
import { actionVerbOf } from '../safe-invoke';
import { type Audience, audienceOf } from '../user-context';
import { isAdmin } from './admin-access';

/** Who is acting: the sender's Entra identity as the channel reports it (checked against the admin list). */
export type AdminActor = AuditActor;

/** What every admin use case gets: the checked admin, their language, the time, and the turn. */
export interface AdminTurn {
  deps: Deps;
  actor: AdminActor;
  audience: Audience;
  now: Date;
  /** The card the action came from (its activity id), for in-place progress updates. */
  cardActivityId?: string;
  /** A copy of the turn's activity (see `detachedContext`). */
  context: TurnContext;
}

/** The refusal everyone who is not an admin gets; it says who to ask, not what exists. */
export function notAnAdminCard(a: Audience): CardJson {
  return renderMessageCard({
    title: a.t('admin.refused.title'),
    text: a.t('admin.refused.text'),
    style: 'attention',
  });
}

/**
 * The admin's turn, or the refusal card when the sender is not an admin (nothing else is read or
 * written then). The turn carries a detached copy of the context: the work may outlive the turn.
 */
export async function adminTurn(
  context: TurnContext,
  deps: Deps,
): Promise<{ ok: true; turn: AdminTurn } | { ok: false; card: CardJson }> {
  const audience = audienceOf(context, deps);
  const actor = actorOf(context.activity);
  if (!actor.aadObjectId || !(await isAdmin(deps, actor))) {
    turnLogger(context, deps.logger).warn(
      { verb: actionVerbOf(context), user: actor.aadObjectId || undefined },
      'admin action refused: not an admin',
    );
    return { ok: false, card: notAnAdminCard(audience) };
  }
  return {
    ok: true,
    turn: {
      deps,
      actor,
      audience,
      now: deps.clock.now(),
      cardActivityId: context.activity.replyToId,
      context: detachedContext(context),
    },
  };
}

/**
 * What the admin use cases read of the turn's context, copied while the turn is alive: the turn's
 * context is revoked when the turn ends, and slow work goes on after that.
 */
export function detachedContext(context: TurnContext): TurnContext {
  const activity = JSON.parse(JSON.stringify(context.activity)) as TurnContext['activity'];
  return { activity } as TurnContext;
}
