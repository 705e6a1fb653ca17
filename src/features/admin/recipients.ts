import type { Deps } from '../../deps';
import { type Wave, waveMemberKey } from '../../domain/campaign';
import { type Participant, participantKey } from '../../domain/participant';
import { stragglersOf } from '../../domain/retirement';
import type { OutgoingCard } from '../../ports/messenger';
import { reminderCard } from '../../workers/reminders';
import type { Recipient } from '../broadcast/broadcast-service';

/** Reads participant rows with bounded concurrency (a wave can hold tens of thousands of people). */
export async function participantsOf(
  deps: Pick<Deps, 'store'>,
  ids: string[],
): Promise<Map<string, Participant>> {
  const out = new Map<string, Participant>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const p = (await deps.store.participants.get(participantKey(id)))?.value;
      if (p) out.set(id.toLowerCase(), p);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, ids.length) }, worker));
  return out;
}

/** Everyone in the wave, as the membership index lists them, with names where the bot knows them. */
export async function waveMembersOf(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  const members: Recipient[] = [];
  for await (const { value } of deps.store.waveMembers.listPartition(
    waveMemberKey(waveId, '').partitionKey,
  )) {
    members.push({
      aadObjectId: value.aadObjectId.toLowerCase(),
      userPrincipalName: value.userPrincipalName,
    });
  }
  const known = await participantsOf(
    deps,
    members.map((m) => m.aadObjectId),
  );
  return members
    .filter((m) => {
      const p = known.get(m.aadObjectId);
      // The participant row is the truth about wave membership; an index row left by a move is skipped.
      return p?.waveId === waveId;
    })
    .map((m) => {
      const name = known.get(m.aadObjectId)?.displayName;
      return name ? { ...m, displayName: name } : m;
    });
}

/** Wave members who have not finished yet (see src/domain/retirement.ts for what "finished" means). */
export async function stragglerRecipients(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  const members = await waveMembersOf(deps, waveId);
  const known = await participantsOf(
    deps,
    members.map((m) => m.aadObjectId),
  );
  const rows: Participant[] = members.map(
    (m) =>
      known.get(m.aadObjectId) ?? {
        aadObjectId: m.aadObjectId,
        userPrincipalName: m.userPrincipalName,
        waveId,
        firstSeenAt: '',
        lastSeenAt: '',
        version: 0,
      },
  );
  return stragglersOf(rows, waveId).map((p) => ({
    aadObjectId: p.aadObjectId,
    userPrincipalName: p.userPrincipalName,
    displayName: p.displayName,
  }));
}

export function reminderCardFor(deps: Deps, p: Participant, wave: Wave): OutgoingCard {
  return reminderCard(deps, p, wave);
}
