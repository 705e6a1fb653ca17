/**
 * Erasure at the person's request. The participant row becomes a tombstone first (only the object id
 * and when), so every concurrent writer — a late refresh, a reminder round, a broadcast — sees the
 * person as erased from that moment and adds nothing; then everything else about them goes. Running
 * it again finishes what a crash left. Only an admin's re-add clears the tombstone.
 */
import { renderMessageCard } from '../../cards/message-card';
import { type Participant, participantKey } from '../../domain/participant';
import { pseudonymOf } from '../../domain/retention';
import type { Messenger } from '../../ports/messenger';
import { deleteImportDraft } from '../admin/import-drafts';
import { type AuditActor, recordAudit } from '../audit';
import {
  channelAddress,
  channelAudience,
  channelMessenger,
  ticketChannelId,
} from '../helpdesk/helpdesk-service';
import { countsOf, normaliseId, type PersonDeps, personRows, removeDependents } from './person-data';

export type EraseDeps = PersonDeps & { messenger: Messenger };

export interface EraseResult {
  /** False when the person had already been erased (nothing was left but the tombstone). */
  erased: boolean;
  counts: ReturnType<typeof countsOf>;
}

export function tombstoneOf(cur: Participant | undefined, id: string, now: string): Participant {
  return {
    aadObjectId: id,
    firstSeenAt: cur?.erasedAt ?? now,
    lastSeenAt: cur?.erasedAt ?? now,
    version: (cur?.version ?? 0) + 1,
    erasedAt: cur?.erasedAt ?? now,
  };
}

export async function erasePerson(
  deps: EraseDeps,
  aadObjectId: string,
  actor: AuditActor,
): Promise<EraseResult> {
  const id = normaliseId(aadObjectId);
  const now = deps.clock.now();
  const rows = await personRows(deps, id);
  const before = rows.participant?.value;
  let tombstoned = false;
  await deps.store.participants.update(participantKey(id), (cur) => {
    tombstoned = !cur?.erasedAt;
    if (cur?.erasedAt && sameTombstone(cur)) return undefined;
    return tombstoneOf(cur, id, now.toISOString());
  });
  // A refresh that raced the read above may have written device owners or a ticket: read again.
  const after = await personRows(deps, id);
  const all = {
    ...after,
    deviceOwners: [...rows.deviceOwners, ...after.deviceOwners],
    deliveries: [...rows.deliveries, ...after.deliveries],
    deliveryKeys: [...rows.deliveryKeys, ...after.deliveryKeys],
    oldMdmByPerson: [...rows.oldMdmByPerson, ...after.oldMdmByPerson],
    oldMdmDevices: [...rows.oldMdmDevices, ...after.oldMdmDevices],
    ticket: after.ticket ?? rows.ticket,
    releases: [...rows.releases, ...after.releases],
    userNameMappings: [...rows.userNameMappings, ...after.userNameMappings],
  };
  if (all.ticket?.cardActivityId) await replaceTicketCard(deps, all.ticket, before);
  await removeDependents(deps, all, { ...(before?.waveId ? { waveId: before.waveId } : {}), erase: true });
  for (const draftId of new Set([...rows.draftIds, ...after.draftIds]))
    await deleteImportDraft(deps, draftId);
  const counts = countsOf({ ...rows, participant: rows.participant });
  await recordAudit(deps.store, {
    at: now,
    actor,
    action: 'privacy.erase',
    // The audit keeps that it happened and who did it, never who it was about.
    target: pseudonymOf(id, deps.config.pseudonymKey),
    after: counts,
    onceKey: `erase-${pseudonymOf(id, deps.config.pseudonymKey)}`,
  });
  deps.logger.info({ erased: tombstoned, ...counts }, 'privacy: person erased');
  return { erased: tombstoned, counts };
}

const sameTombstone = (p: Participant) =>
  Object.keys(p).every((k) =>
    ['aadObjectId', 'firstSeenAt', 'lastSeenAt', 'version', 'erasedAt'].includes(k),
  );

/** The helpdesk channel card keeps its place in the channel but says only that the ticket was removed. */
async function replaceTicketCard(
  deps: EraseDeps,
  ticket: NonNullable<Awaited<ReturnType<typeof personRows>>['ticket']>,
  person: Participant | undefined,
): Promise<void> {
  const via = person?.conversation ?? {
    serviceUrl: deps.config.broadcast.serviceUrl,
    botId: deps.config.bot.appId,
    ...(deps.config.bot.tenantId ? { tenantId: deps.config.bot.tenantId } : {}),
  };
  const to = channelAddress(deps, via, undefined, ticketChannelId(deps, ticket));
  if (!to || !ticket.cardActivityId) return;
  const ch = channelAudience(deps);
  const text = ch.t('privacy.ticketRemoved.text');
  try {
    await channelMessenger(deps.messenger).update(to, ticket.cardActivityId, {
      card: renderMessageCard({ title: ch.t('privacy.ticketRemoved.title'), text, style: 'default' }),
      summary: text,
    });
  } catch (err) {
    // The ticket row goes regardless; the card would only keep what the helpdesk already saw.
    deps.logger.warn({ err, ticket: ticket.ticketNumber }, 'privacy: the ticket card could not be replaced');
  }
}

/** An admin re-adds an erased person: the tombstone goes, and imports, waves and broadcasts include them again. */
export async function restorePerson(
  deps: PersonDeps,
  aadObjectId: string,
  actor: AuditActor,
): Promise<boolean> {
  const id = normaliseId(aadObjectId);
  const stored = await deps.store.participants.get(participantKey(id));
  if (!stored?.value.erasedAt) return false;
  await deps.store.participants.delete(participantKey(id), stored.etag);
  await recordAudit(deps.store, {
    at: deps.clock.now(),
    actor,
    action: 'privacy.restore',
    target: pseudonymOf(id, deps.config.pseudonymKey),
  });
  return true;
}
