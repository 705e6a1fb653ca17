/**
 * "Migration status": the helpdesk and migration admins find a participant by name or UPN and
 * insert a card with their wave, devices and ticket. Who may do this is decided here, on every
 * search and again when a result is chosen, from the sender's Entra id: never from the request.
 */

import type { Query, TurnState } from '@microsoft/teams-ai';
import type { MessagingExtensionResult, TurnContext } from 'botbuilder';
import {
  renderParticipantStatusCard,
  type StatusSubject,
  statusSummary,
} from '../../cards/participant-status-card';
import type { Deps } from '../../deps';
import { campaignKey, type Wave, waveKey } from '../../domain/campaign';
import { escalationKey } from '../../domain/escalation';
import { participantKey } from '../../domain/participant';
import { turnLogger } from '../../logging';
import { ITEM_KINDS, MAX_STATUS_RESULTS } from '../../verbs/message-extension';
import { isAdmin } from '../admin/admin-access';
import { actorOf, recordAudit } from '../audit';
import { OVER_BUDGET, withinBudget } from '../invoke-budget';
import { type Audience, audienceOf } from '../user-context';
import { cardResult, messageResult, resultList, searchResult } from './extension-results';
import { pageOf, queryTextOf } from './guide-search';
import { MIN_QUERY_CHARS, participantIndexOf } from './participant-index';

export type StatusAccess = 'allowed' | 'refused' | 'unavailable';

/**
 * Helpdesk team members (the roster the helpdesk cards use) and migration admins may look people
 * up. A roster that cannot be read refuses, unless the sender is an admin anyway.
 */
export async function statusAccess(deps: Deps, context: TurnContext): Promise<StatusAccess> {
  const id = context.activity.from?.aadObjectId?.toLowerCase();
  if (!id) return 'refused';
  let rosterFailed = false;
  if (deps.helpdeskRoster && context.activity.serviceUrl) {
    try {
      const members = await deps.helpdeskRoster.members(context.activity.serviceUrl);
      if (members.some((m) => m.aadObjectId?.toLowerCase() === id)) return 'allowed';
    } catch (err) {
      rosterFailed = true;
      turnLogger(context, deps.logger).warn({ err }, 'helpdesk roster unavailable for a status search');
    }
  }
  if (await isAdmin(deps, { aadObjectId: id })) return 'allowed';
  return rosterFailed ? 'unavailable' : 'refused';
}

export const onSearchStatus =
  (deps: Deps) =>
  async (
    context: TurnContext,
    _state: TurnState,
    query: Query<Record<string, unknown>>,
  ): Promise<MessagingExtensionResult> => {
    const a = audienceOf(context, deps);
    const text = queryTextOf(query);
    const work = (async () => {
      const access = await statusAccess(deps, context);
      if (access !== 'allowed') return refusal(deps, context, a, access, text);
      if (text.length < MIN_QUERY_CHARS)
        return messageResult(a.t('extension.status.hint', { min: MIN_QUERY_CHARS }));
      const { skip, count } = pageOf(query, MAX_STATUS_RESULTS);
      const subjects = await findSubjects(deps, text, skip + count);
      if (subjects.length === 0) return messageResult(a.t('extension.status.none', { query: text }));
      const shown = subjects.slice(skip, skip + count);
      await audit(deps, context, 'extension.status.listed', shown.map(idOf).join(','));
      return resultList(
        subjects.slice(skip, skip + count).map((s) => {
          const { name, upn } = nameOf(s);
          const summary = statusSummary(a.t, s);
          return searchResult(name, upn ? `${upn} · ${summary}` : summary, {
            kind: ITEM_KINDS.status,
            id: idOf(s),
          });
        }),
      );
    })();
    const answer = await withinBudget(work, deps.invokeBudgetMs);
    if (answer === OVER_BUDGET) {
      work.catch((err) =>
        turnLogger(context, deps.logger).warn({ err }, 'status search failed after its budget'),
      );
      return messageResult(a.t('extension.status.slow'));
    }
    return answer;
  };

/** The status card of a chosen result, after checking again that the sender may see it. */
export async function statusItemResult(
  deps: Deps,
  context: TurnContext,
  aadObjectId: string,
): Promise<MessagingExtensionResult> {
  const a = audienceOf(context, deps);
  const work = (async () => {
    const access = await statusAccess(deps, context);
    if (access !== 'allowed') return refusal(deps, context, a, access, aadObjectId);
    const subject = await loadSubject(deps, aadObjectId, true);
    if (!subject) return messageResult(a.t('extension.status.gone'));
    const campaign = (await deps.store.campaigns.get(campaignKey()))?.value;
    const card = renderParticipantStatusCard({
      t: a.t,
      locale: a.locale,
      timeZone: a.timeZone,
      now: deps.clock.now(),
      vendor: a.t(`vendor.${campaign?.sourceMdm ?? deps.config.sourceMdm}`),
      subject,
    });
    await audit(deps, context, 'extension.status.viewed', idOf(subject));
    const { name, upn } = nameOf(subject);
    return resultList([
      cardResult(card, a.t('extension.status.title', { name }), upn || statusSummary(a.t, subject)),
    ]);
  })();
  const answer = await withinBudget(work, deps.invokeBudgetMs);
  if (answer === OVER_BUDGET) {
    work.catch((err) =>
      turnLogger(context, deps.logger).warn({ err }, 'status card failed after its budget'),
    );
    return messageResult(a.t('extension.status.slow'));
  }
  return answer;
}

async function refusal(
  deps: Deps,
  context: TurnContext,
  a: Audience,
  access: Exclude<StatusAccess, 'allowed'>,
  target: string,
): Promise<MessagingExtensionResult> {
  turnLogger(context, deps.logger).warn({ access }, 'status search refused');
  await audit(deps, context, 'extension.status.refused', target.slice(0, 200), access);
  return messageResult(
    a.t(access === 'unavailable' ? 'extension.status.rosterUnavailable' : 'extension.status.refused'),
  );
}

/**
 * Participants matching the query; a full UPN nobody in the index has is looked up in the
 * directory, so that someone who never talked to the bot can still be told apart from a typo.
 */
async function findSubjects(deps: Deps, text: string, limit: number): Promise<StatusSubject[]> {
  const ids = await participantIndexOf(deps).search(text, limit);
  if (ids.length === 0 && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text)) {
    const user = await deps.directory.findUser(text).catch(() => undefined);
    if (user) {
      const subject = await loadSubject(deps, user.id, false);
      return [
        subject ?? {
          kind: 'directory-only',
          aadObjectId: user.id.toLowerCase(),
          displayName: user.displayName,
          userPrincipalName: user.userPrincipalName,
        },
      ];
    }
  }
  const waves = new Map<string, Promise<Wave | undefined>>();
  const subjects = await Promise.all(ids.map((id) => loadSubject(deps, id, false, waves)));
  return subjects.filter((s): s is StatusSubject => s !== undefined);
}

/** A participant with their wave and ticket; with `directory`, someone the directory knows instead. */
async function loadSubject(
  deps: Deps,
  aadObjectId: string,
  directory: boolean,
  waves = new Map<string, Promise<Wave | undefined>>(),
): Promise<StatusSubject | undefined> {
  const id = aadObjectId.toLowerCase();
  const [stored, escalation] = await Promise.all([
    deps.store.participants.get(participantKey(id)),
    deps.store.escalations.get(escalationKey(id)),
  ]);
  const participant = stored?.value;
  if (!participant) {
    if (!directory) return undefined;
    const user = await deps.directory.findUser(id).catch(() => undefined);
    return user
      ? {
          kind: 'directory-only',
          aadObjectId: id,
          displayName: user.displayName,
          userPrincipalName: user.userPrincipalName,
        }
      : undefined;
  }
  let wave: Promise<Wave | undefined> | undefined;
  if (participant.waveId) {
    wave = waves.get(participant.waveId);
    if (!wave) {
      wave = deps.store.waves.get(waveKey(participant.waveId)).then((w) => w?.value);
      waves.set(participant.waveId, wave);
    }
  }
  const w = await wave;
  return {
    kind: 'participant',
    participant,
    ...(w ? { wave: w } : {}),
    ...(escalation ? { escalation: escalation.value } : {}),
  };
}

function idOf(s: StatusSubject): string {
  return s.kind === 'participant' ? s.participant.aadObjectId : s.aadObjectId;
}

function nameOf(s: StatusSubject): { name: string; upn: string } {
  if (s.kind === 'directory-only') return { name: s.displayName, upn: s.userPrincipalName ?? '' };
  const p = s.participant;
  return { name: p.displayName ?? p.userPrincipalName ?? p.aadObjectId, upn: p.userPrincipalName ?? '' };
}

/** Looking people up is recorded, refusals included; an audit failure never blocks the answer. */
async function audit(deps: Deps, context: TurnContext, action: string, target: string, reason?: string) {
  await recordAudit(
    deps.store,
    { at: deps.clock.now(), actor: actorOf(context.activity), action, target, reason },
    (err) => turnLogger(context, deps.logger).error({ err, action }, 'audit write failed'),
  );
}
