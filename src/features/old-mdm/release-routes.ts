/**
 * The release card actions. "Remove from Workspace ONE" on a ticket, a status card or the straggler
 * list answers with a confirmation card that says what the device loses; "Remove" on it sends the
 * command. Who may do it is decided here from the sender's Entra id — a helpdesk member (the roster)
 * or a migration admin — never from the card; the device is found from storage by the two ids.
 */
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { renderMessageCard } from '../../cards/message-card';
import { renderReleaseConfirmCard } from '../../cards/release-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { escalationKey } from '../../domain/escalation';
import { languageOf } from '../../i18n';
import { turnLogger } from '../../logging';
import { RELEASE_ORIGINS, RELEASE_VERBS } from '../../verbs/release';
import { isAdmin } from '../admin/admin-access';
import { adminAction } from '../admin/admin-action';
import { answerWithinBudget } from '../answer-in-time';
import { type AuditActor, actorOf, recordAudit } from '../audit';
import { channelAudience, escalationCardFor } from '../helpdesk/helpdesk-service';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { actionVerbOf, safeInvoke } from '../safe-invoke';
import { type Audience, audienceOf } from '../user-context';
import { BulkData, BulkStartData, bulkPreview, bulkProgress, startBulk } from './release-bulk';
import { findReleaseTarget, type ReleaseTarget, requestRelease } from './release-service';
import { answerText, refusalText } from './release-texts';

/** Untrusted: the device is looked up from storage by these ids, the ticket checked against the stored one. */
const ReleaseData = z.object({
  person: z.string().min(1).max(100),
  device: z.string().min(1).max(300),
  from: z.enum(RELEASE_ORIGINS),
  ticket: z.string().max(300).optional(),
  v: z.coerce.number().int().nonnegative().optional(),
});
type ReleaseData = z.infer<typeof ReleaseData>;

type Access = { ok: true; actor: AuditActor } | { ok: false; text: string };

/** A helpdesk member (the team's roster) or a migration admin; anything else, or no answer in time, is "no". */
export async function mayRelease(deps: Deps, context: TurnContext): Promise<Access> {
  const log = turnLogger(context, deps.logger).child({ feature: 'old-mdm-release' });
  const a = audienceOf(context, deps);
  const actor = actorOf(context.activity);
  if (!actor.aadObjectId) return { ok: false, text: a.t('error.noIdentity') };
  let member = false;
  try {
    if (deps.helpdeskRoster) {
      const listed = await withinBudget(
        deps.helpdeskRoster.members(context.activity.serviceUrl ?? ''),
        deps.invokeBudgetMs / 2,
      );
      member =
        listed !== OVER_BUDGET && listed.some((m) => m.aadObjectId.toLowerCase() === actor.aadObjectId);
    }
  } catch (err) {
    log.warn({ err }, 'helpdesk roster unavailable; trying the admin list');
  }
  if (member || (await isAdmin(deps, actor))) return { ok: true, actor };
  log.warn(
    { verb: actionVerbOf(context), user: actor.aadObjectId },
    'release refused: not helpdesk or admin',
  );
  await recordAudit(
    deps.store,
    { at: deps.clock.now(), actor, action: 'old-mdm.release.refused', reason: 'not-helpdesk-or-admin' },
    (err) => log.error({ err }, 'audit write failed'),
  );
  return { ok: false, text: a.t('release.refuse.notAllowed') };
}

/** The card the action answers with: the ticket's card with a notice when it came from a ticket. */
async function answerCard(
  deps: Deps,
  a: Audience,
  data: ReleaseData,
  notice: { text: string; style: 'good' | 'warning' | 'attention' | 'accent' },
  target?: ReleaseTarget,
): Promise<CardJson> {
  if (data.from === 'ticket') {
    const ticket = (await deps.store.escalations.get(escalationKey(data.person)))?.value;
    if (ticket) return escalationCardFor(deps, ticket, notice);
  }
  if (!target)
    return renderMessageCard({ title: a.t('release.result.plain'), text: notice.text, style: 'default' });
  return confirmCard(a, data, target, notice);
}

function confirmCard(
  a: Audience,
  data: ReleaseData,
  target: ReleaseTarget,
  outcome?: { text: string; style: 'good' | 'warning' | 'attention' | 'accent' },
): CardJson {
  const { participant: p, journey, entry } = target;
  return renderReleaseConfirmCard({
    t: a.t,
    vendor: entry.vendor,
    vendorName: a.t(`vendor.${entry.vendor}`),
    person: {
      aadObjectId: p.aadObjectId,
      name: p.displayName ?? p.userPrincipalName ?? p.aadObjectId,
      ...(p.userPrincipalName ? { upn: p.userPrincipalName } : {}),
    },
    device: {
      key: journey.deviceKey,
      name: journey.name || a.t('release.device.unnamed'),
      platform: journey.platform,
      supervised: entry.device.supervised === true,
      ownership: entry.device.ownership,
    },
    from: data.from,
    ...(data.ticket && data.v !== undefined ? { ticket: { id: data.ticket, v: data.v } } : {}),
    ...(outcome ? { outcome } : {}),
  });
}

/** Channel cards speak the campaign's language; chats the sender's. */
function audienceFor(deps: Deps, context: TurnContext, data: ReleaseData): Audience {
  if (data.from !== 'ticket') return audienceOf(context, deps);
  const ch = channelAudience(deps);
  return { ...ch, language: languageOf(ch.locale) };
}

type Step = (deps: Deps, context: TurnContext, data: ReleaseData, actor: AuditActor) => Promise<CardJson>;

function releaseAction(step: Step) {
  return (deps: Deps) =>
    safeInvoke<CardJson | string>(deps, async (context) => {
      const access = await mayRelease(deps, context);
      if (!access.ok) return access.text;
      const parsed = ReleaseData.safeParse(
        (context.activity.value as { action?: { data?: unknown } } | undefined)?.action?.data ?? {},
      );
      if (!parsed.success) {
        const a = audienceOf(context, deps);
        return a.t('error.malformed', {
          detail: parsed.error.issues.map((i) => i.path.join('.')).join(', '),
        });
      }
      return step(deps, context, parsed.data, access.actor);
    });
}

const ask: Step = async (deps, context, data) => {
  const a = audienceFor(deps, context, data);
  const found = await findReleaseTarget(deps, data.person, data.device);
  if (!found.ok) return answerCard(deps, a, data, refusalText(deps, a.t, found));
  return confirmCard(a, data, found.target);
};

const confirm: Step = async (deps, context, data, actor) => {
  const a = audienceFor(deps, context, data);
  const found = await findReleaseTarget(deps, data.person, data.device);
  if (!found.ok) return answerCard(deps, a, data, refusalText(deps, a.t, found));
  const target = found.target;
  const vendor = a.t(`vendor.${target.entry.vendor}`);
  const work = (async () => {
    const answer = await requestRelease(deps, target, actor);
    return answerCard(
      deps,
      a,
      data,
      answerText(a.t, vendor, answer, target, deps.config.oldMdm.releaseConfirmMinutes),
      target,
    );
  })();
  return answerWithinBudget(context, deps, work, {
    what: 'old-mdm release',
    pending: renderMessageCard({
      title: a.t('release.pending.title', { vendor }),
      text: a.t('release.pending.text', { vendor }),
      style: 'warning',
    }),
    failed: () =>
      renderMessageCard({ title: a.t('error.title'), text: a.t('error.generic'), style: 'attention' }),
    summary: a.t('app.name'),
  });
};

const cancel: Step = async (deps, context, data) => {
  const a = audienceFor(deps, context, data);
  return answerCard(deps, a, data, { text: a.t('release.cancelled'), style: 'accent' });
};

export function register(app: Application<TurnState>, deps: Deps): void {
  app.adaptiveCards.actionExecute(RELEASE_VERBS.ask, releaseAction(ask)(deps));
  app.adaptiveCards.actionExecute(RELEASE_VERBS.confirm, releaseAction(confirm)(deps));
  app.adaptiveCards.actionExecute(RELEASE_VERBS.cancel, releaseAction(cancel)(deps));
  app.adaptiveCards.actionExecute(RELEASE_VERBS.bulkAsk, adminAction(BulkData, bulkPreview)(deps));
  app.adaptiveCards.actionExecute(RELEASE_VERBS.bulkStart, adminAction(BulkStartData, startBulk)(deps));
  app.adaptiveCards.actionExecute(RELEASE_VERBS.bulkProgress, adminAction(BulkData, bulkProgress)(deps));
}
