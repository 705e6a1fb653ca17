/**
 * Proactive cards to the migration admins (ADMIN_UPNS and the members of ADMIN_GROUP_ID, nested groups
 * included), in each admin's 1:1 chat with the bot as their participant row remembers it. An admin
 * the bot has never talked to is skipped and counted: admins open the bot before they run a campaign.
 */
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { type Participant, participantKey } from '../../domain/participant';
import { mapBounded } from '../../shared/bounded';
import { audienceForParticipant } from '../journey/on-progress';
import type { Audience } from '../user-context';

export interface NotifyReport {
  admins: number;
  sent: number;
  noChat: number;
  failed: number;
}

/** Object ids (lower case) of every configured admin the directory knows. */
export async function adminIds(deps: Pick<Deps, 'config' | 'directory'>): Promise<string[]> {
  const ids = new Set<string>();
  const admins = deps.config.admins;
  for (const upn of admins?.upns ?? []) {
    const u = await deps.directory.findUser(upn);
    if (u) ids.add(u.id.toLowerCase());
  }
  if (admins?.groupId) {
    const g = await deps.directory.groupMembers(admins.groupId);
    for (const u of g?.users ?? []) ids.add(u.id.toLowerCase());
  }
  return [...ids];
}

/** Sends each admin the card `build` makes in their language. */
export async function notifyAdmins(
  deps: Deps,
  build: (a: Audience) => { card: CardJson; summary: string },
): Promise<NotifyReport> {
  const ids = await adminIds(deps);
  const report: NotifyReport = { admins: ids.length, sent: 0, noChat: 0, failed: 0 };
  const rows = await mapBounded(
    ids,
    4,
    async (id) => (await deps.store.participants.get(participantKey(id)))?.value,
  );
  for (const p of rows) {
    if (!p?.conversation) {
      report.noChat++;
      continue;
    }
    try {
      await deps.messenger.send(p.conversation, build(audienceForParticipant(deps, p as Participant)));
      report.sent++;
    } catch (err) {
      report.failed++;
      deps.logger.warn({ err, admin: p.aadObjectId }, 'a card to an admin could not be sent');
    }
  }
  return report;
}
