import type { TurnContext } from 'botbuilder';
import { CardFactory } from 'botbuilder';
import { z } from 'zod';
import { renderMessageCard } from '../../cards/message-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { addressOf } from '../../integrations/bot/teams-context';
import { turnLogger } from '../../logging';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { actionVerbOf } from '../safe-invoke';
import { type Audience, audienceOf } from '../user-context';
import { isAdmin } from './admin-access';
import {
  announcePreview,
  broadcastProgressCard,
  cancelBroadcastAction,
  confirmBroadcastAction,
  remindStragglersPreview,
} from './announce-service';
import { campaignHome, waveHome } from './dashboards';
import { overrideGate } from './gate-service';
import { ADMIN_INPUTS, ADMIN_VERBS } from './ids';
import { csvImportFromMessage } from './import-file';
import { exportLinks, nudgeUser, retireReport, stragglersPanel, ticketPanel } from './reports';
import { editWaveCard, previewWave, saveWave } from './wave-service';

/** Who is acting: the sender's Entra identity as the channel reports it (checked against the admin list). */
export interface AdminActor {
  aadObjectId: string;
  name?: string;
}

export interface AdminTurn {
  deps: Deps;
  actor: AdminActor;
  audience: Audience;
  now: Date;
  /** The card the action came from (its activity id), for in-place progress updates. */
  cardActivityId?: string;
  context: TurnContext;
}

/** Card data is untrusted: shapes are checked here, and every id is re-read from storage by the action. */
const id = z.string().trim().min(1).max(200);
const schemas = {
  waveId: z.object({ waveId: id }),
  optionalWaveId: z.object({ waveId: z.string().trim().max(200).optional() }),
  user: z.object({ aadObjectId: id }),
  draft: z.object({ draftId: id }),
  broadcast: z.object({ broadcastId: id }),
  confirm: z.object({
    broadcastId: id,
    recipientCount: z.coerce.number().int().nonnegative(),
    [ADMIN_INPUTS.scheduleAt]: z.string().max(40).optional(),
    scheduleTime: z.string().max(40).optional(),
    [ADMIN_INPUTS.alsoChannel]: z.string().max(10).optional(),
  }),
  override: z.object({
    waveId: id,
    returnTo: z.string().trim().max(200).optional(),
    [ADMIN_INPUTS.reason]: z.string().max(5_000).optional(),
  }),
  exportCsv: z.object({
    kind: z.enum(['participants', 'deliveries']),
    waveId: z.string().max(200).optional(),
    broadcastId: z.string().max(200).optional(),
  }),
};

function actorOf(context: TurnContext): AdminActor | undefined {
  const from = context.activity.from;
  const aadObjectId = from?.aadObjectId?.toLowerCase();
  return aadObjectId ? { aadObjectId, name: from?.name } : undefined;
}

/** The refusal everyone who is not an admin gets; it says who to ask, not what exists. */
export function notAnAdminCard(a: Audience): CardJson {
  return renderMessageCard({
    title: a.t('admin.refused.title'),
    text: a.t('admin.refused.text'),
    style: 'attention',
  });
}

function invalidCard(a: Audience, what: string): CardJson {
  return renderMessageCard({
    title: a.t('admin.invalid.title'),
    text: a.t('admin.invalid.text', { what }),
    style: 'attention',
  });
}

async function adminTurn(
  context: TurnContext,
  deps: Deps,
): Promise<{ ok: true; turn: AdminTurn } | { ok: false; card: CardJson }> {
  const audience = audienceOf(context, deps);
  const actor = actorOf(context);
  if (!actor || !(await isAdmin(deps, actor))) {
    turnLogger(context, deps.logger).warn(
      { verb: actionVerbOf(context), user: actor?.aadObjectId },
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
      context,
    },
  };
}

/** "admin" in the 1:1 chat: the admin home (campaign overview), or a refusal. */
export const onAdminMessage = (deps: Deps) => async (context: TurnContext) => {
  const access = await adminTurn(context, deps);
  if (!access.ok) {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(access.card)] });
    return;
  }
  const turn: AdminTurn = { ...access.turn, context: detachedContext(context) };
  await replyInTime(context, turn, 'admin.home', campaignHome(turn));
};

/** A CSV file sent in the 1:1 chat by an admin: the import preview (nothing is imported yet). */
export const onAdminFile = (deps: Deps) => async (context: TurnContext) => {
  const access = await adminTurn(context, deps);
  if (!access.ok) {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(access.card)] });
    return;
  }
  const turn: AdminTurn = { ...access.turn, context: detachedContext(context) };
  await replyInTime(context, turn, 'admin.file', csvImportFromMessage(turn));
};

/**
 * Answers a message with the card `work` makes. Teams expects the bot to take a message within
 * seconds; when the work is slower than the invoke budget (a large file, a large campaign), a
 * "still working" card goes out now and is replaced in place by the answer when it is ready.
 */
async function replyInTime(context: TurnContext, turn: AdminTurn, what: string, work: Promise<CardJson>) {
  const { deps, audience: a } = turn;
  const answer = await withinBudget(work, deps.invokeBudgetMs);
  if (answer !== OVER_BUDGET) {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(answer)] });
    return;
  }
  const sent = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(workingCard(a))] });
  finishLater(deps, turnLogger(context, deps.logger), a, what, work, addressOf(context.activity), sent?.id);
}

/** When slow work ends, its card (or an error card) replaces the "still working" card in place. */
function finishLater(
  deps: Deps,
  log: ReturnType<typeof turnLogger>,
  a: Audience,
  what: string,
  work: Promise<CardJson | string>,
  address: ReturnType<typeof addressOf>,
  cardActivityId: string | undefined,
): void {
  log.info(
    { what, budgetMs: deps.invokeBudgetMs },
    'admin work exceeded the invoke budget; the card will be updated',
  );
  void work
    .then(
      (result) =>
        typeof result === 'string'
          ? renderMessageCard({ title: a.t('admin.working.done'), text: result, style: 'default' })
          : result,
      (err: unknown) => {
        log.error({ err, what }, 'admin work failed after the invoke budget');
        return renderMessageCard({
          title: a.t('error.title'),
          text: a.t('error.generic'),
          style: 'attention',
        });
      },
    )
    .then(async (card) => {
      if (!address || !cardActivityId) return;
      try {
        await deps.messenger.update(address, cardActivityId, { card, summary: a.t('admin.home') });
      } catch (err) {
        log.error({ err, what }, 'could not update the admin card after slow work');
      }
    });
}

/**
 * Every button on the admin cards. The answer replaces the card (navigation in place). Teams waits
 * 5 s for it; large waves (directory look-ups for thousands of rows, tens of thousands of members to
 * write or count) take longer. Past the invoke budget the admin gets a "still working" card at once,
 * the work goes on, and its answer replaces that card in place when it is ready.
 */
export const onAdminAction =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson | string> => {
    const access = await adminTurn(context, deps);
    if (!access.ok) return access.card;
    const verb = actionVerbOf(context);
    const raw = ((context.activity.value as { action?: { data?: unknown } } | undefined)?.action?.data ??
      {}) as Record<string, unknown>;
    // The work may outlive the turn, and the turn's context is revoked when the turn ends: the work
    // gets a copy of the activity instead.
    const turn: AdminTurn = { ...access.turn, context: detachedContext(context) };
    const work = adminAction(turn, verb, raw);
    const answer = await withinBudget(work, deps.invokeBudgetMs);
    if (answer !== OVER_BUDGET) return answer;

    const a = turn.audience;
    const log = turnLogger(context, deps.logger);
    finishLater(
      deps,
      log,
      a,
      verb ?? 'admin action',
      work,
      addressOf(context.activity),
      context.activity.replyToId,
    );
    return workingCard(a);
  };

/** The card shown while a slow admin action goes on; replaced in place by its answer. */
function workingCard(a: Audience): CardJson {
  return renderMessageCard({
    title: a.t('admin.working.title'),
    text: a.t('admin.working.text'),
    style: 'warning',
  });
}

/** What the admin actions read of the turn's context, copied while the turn is alive. */
function detachedContext(context: TurnContext): TurnContext {
  const activity = JSON.parse(JSON.stringify(context.activity)) as TurnContext['activity'];
  return { activity } as TurnContext;
}

async function adminAction(
  turn: AdminTurn,
  verb: string | undefined,
  raw: Record<string, unknown>,
): Promise<CardJson | string> {
  const a = turn.audience;
  const parse = <S extends z.ZodTypeAny>(schema: S): z.infer<S> | undefined => {
    const r = schema.safeParse(raw);
    return r.success ? r.data : undefined;
  };

  switch (verb) {
    case ADMIN_VERBS.home:
      return campaignHome(turn);
    case ADMIN_VERBS.refresh: {
      const d = parse(schemas.optionalWaveId);
      if (!d) return invalidCard(a, 'wave');
      return d.waveId ? waveHome(turn, d.waveId) : campaignHome(turn);
    }
    case ADMIN_VERBS.openWave: {
      const d = parse(schemas.waveId);
      return d ? waveHome(turn, d.waveId) : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.editWave: {
      const d = parse(schemas.optionalWaveId);
      return d ? editWaveCard(turn, d.waveId || undefined) : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.previewWave:
      return previewWave(turn, raw);
    case ADMIN_VERBS.saveWave: {
      const d = parse(schemas.draft);
      return d ? saveWave(turn, d.draftId) : invalidCard(a, 'draft');
    }
    case ADMIN_VERBS.announce: {
      const d = parse(schemas.waveId);
      return d ? announcePreview(turn, d.waveId) : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.remindStragglers: {
      const d = parse(schemas.waveId);
      return d ? remindStragglersPreview(turn, d.waveId) : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.confirmBroadcast: {
      const d = parse(schemas.confirm);
      if (!d) return invalidCard(a, 'broadcast');
      return confirmBroadcastAction(turn, {
        broadcastId: d.broadcastId,
        recipientCount: d.recipientCount,
        scheduleDate: d[ADMIN_INPUTS.scheduleAt],
        scheduleTime: d.scheduleTime,
        alsoChannel: d[ADMIN_INPUTS.alsoChannel] === 'true',
      });
    }
    case ADMIN_VERBS.cancelBroadcast: {
      const d = parse(schemas.broadcast);
      return d ? cancelBroadcastAction(turn, d.broadcastId) : invalidCard(a, 'broadcast');
    }
    case ADMIN_VERBS.broadcastProgress: {
      const d = parse(schemas.broadcast);
      return d ? broadcastProgressCard(turn, d.broadcastId) : invalidCard(a, 'broadcast');
    }
    case ADMIN_VERBS.overrideGate: {
      const d = parse(schemas.override);
      return d
        ? overrideGate(turn, d.waveId, d[ADMIN_INPUTS.reason] ?? '', d.returnTo || undefined)
        : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.stragglers: {
      const d = parse(schemas.optionalWaveId);
      return d ? stragglersPanel(turn, d.waveId || undefined) : invalidCard(a, 'wave');
    }
    case ADMIN_VERBS.nudge: {
      const d = parse(schemas.user);
      return d ? nudgeUser(turn, d.aadObjectId) : invalidCard(a, 'user');
    }
    case ADMIN_VERBS.openTicket: {
      const d = parse(schemas.user);
      return d ? ticketPanel(turn, d.aadObjectId) : invalidCard(a, 'user');
    }
    case ADMIN_VERBS.retireReport:
      return retireReport(turn);
    case ADMIN_VERBS.exportCsv: {
      const d = parse(schemas.exportCsv);
      return d ? exportLinks(turn, d) : invalidCard(a, 'export');
    }
    default:
      return invalidCard(a, String(verb));
  }
}
