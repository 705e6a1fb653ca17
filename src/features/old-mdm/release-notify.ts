/**
 * What follows the old MDM's word on a release: the journey moves on (`it-resolved` for a device with
 * IT), the user hears it in their chat, and the ticket's card and thread say so. And, when the word
 * does not come in time, the ticket says that instead.
 */
import { renderMessageCard } from '../../cards/message-card';
import type { Deps } from '../../deps';
import { escalationKey, isOpen } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import type { JourneyEffect } from '../../domain/journey';
import { type Participant, participantKey } from '../../domain/participant';
import type { MessageKey } from '../../i18n';
import {
  channelAddress,
  channelAudience,
  channelMessenger,
  escalationCardFor,
  ticketChannelId,
} from '../helpdesk/helpdesk-service';
import { applyEvent } from '../journey/journey-service';
import { audienceForParticipant, onProgress } from '../journey/on-progress';
import { vendorOfSource } from './match-views';
import type { ReleaseRecord } from './release-record';

/** The old MDM's display name for a record's source, in the given language. */
export function vendorName(deps: Pick<Deps, 'config'>, t: (k: MessageKey) => string, source: string): string {
  return t(`vendor.${vendorOfSource(source, deps.config.sourceMdm)}` as MessageKey);
}

export async function afterConfirmed(deps: Deps, record: ReleaseRecord): Promise<void> {
  const log = deps.logger.child({ feature: 'old-mdm-release', user: record.person, source: record.source });
  let effects: JourneyEffect[] = [];
  let moved = false;
  const stored = await deps.store.participants.update(participantKey(record.person), (cur) => {
    moved = false;
    const journey = cur?.journeys?.find((j) => j.deviceKey === record.deviceKey);
    if (!cur || journey?.stage !== 'needs-it') return undefined;
    const result = applyEvent(cur, record.deviceKey, { kind: 'it-resolved' }, deps.clock.now());
    effects = result.effects;
    moved = result.changed;
    return result.changed ? result.participant : undefined;
  });
  // The store hands back the row unchanged when nothing was written.
  const p = stored ?? (await deps.store.participants.get(participantKey(record.person)))?.value;
  if (!p) return;
  // A journey already past IT (the user or Graph moved it meanwhile) is left alone, and so is its
  // user: their card already shows where they are.
  const told = moved
    ? await tellUser(deps, p, record).catch((err: unknown) => {
        log.warn({ err }, 'the user could not be told about the release');
        return false;
      })
    : false;
  if (moved) {
    await onProgress(deps)(p, effects).catch((err: unknown) =>
      log.warn({ err }, 'journey card not updated after the release'),
    );
  }
  const line = !moved
    ? 'release.thread.confirmedAlready'
    : told
      ? 'release.thread.confirmedTold'
      : 'release.thread.confirmed';
  await tellTicket(deps, p, record, line).catch((err: unknown) =>
    log.warn({ err }, 'ticket not updated after the release'),
  );
  log.info({ told, moved }, 'release confirmed by the old MDM');
}

async function tellUser(deps: Deps, p: Participant, record: ReleaseRecord): Promise<boolean> {
  if (!p.conversation) return false;
  const u = audienceForParticipant(deps, p);
  const text = u.t('release.user.done', {
    vendor: vendorName(deps, u.t, record.source),
    device: record.deviceName ?? u.t('release.device.unnamed'),
  });
  await deps.messenger.send(p.conversation, {
    card: renderMessageCard({ title: u.t('release.user.title'), text, style: 'good' }),
    summary: text,
  });
  return true;
}

/** The person's open ticket, its card brought up to date and a line in its thread. */
export async function tellTicket(
  deps: Deps,
  p: Participant,
  record: ReleaseRecord,
  line:
    | 'release.thread.confirmed'
    | 'release.thread.confirmedTold'
    | 'release.thread.confirmedAlready'
    | 'release.thread.unconfirmed',
  minutes?: number,
): Promise<boolean> {
  const ticket = (await deps.store.escalations.get(escalationKey(record.person)))?.value;
  const via = p.conversation;
  if (!ticket || !isOpen(ticket) || !ticket.cardActivityId || !via) return false;
  const ch = channelAudience(deps);
  const text = ch.t(line, {
    vendor: vendorName(deps, ch.t, record.source),
    device: record.deviceName ?? ch.t('release.device.unnamed'),
    name: p.displayName ?? ch.t('release.user.unnamed'),
    minutes: minutes ?? 0,
  });
  const channelId = ticketChannelId(deps, ticket);
  const thread = channelAddress(deps, via, ticket.cardActivityId, channelId);
  const card = channelAddress(deps, via, undefined, channelId);
  if (!thread || !card) return false;
  await channelMessenger(deps.messenger).send(thread, {
    card: renderMessageCard({
      title: ch.t('helpdesk.appName'),
      text,
      style: line === 'release.thread.unconfirmed' ? 'warning' : 'good',
    }),
    summary: text,
  });
  await updateTicketCard(deps, ticket, card);
  return true;
}

async function updateTicketCard(
  deps: Deps,
  ticket: Escalation,
  address: NonNullable<ReturnType<typeof channelAddress>>,
): Promise<void> {
  const card = await escalationCardFor(deps, ticket);
  await channelMessenger(deps.messenger).update(address, ticket.cardActivityId!, {
    card,
    summary: channelAudience(deps).t('helpdesk.appName'),
  });
}
