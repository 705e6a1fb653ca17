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

/**
 * The participant rows of everyone in the wave, as the membership index lists them. The participant
 * row is the truth about wave membership: an index row left behind by a move is skipped.
 */
export async function waveParticipantsOf(deps: Pick<Deps, 'store'>, waveId: string): Promise<Participant[]> {
  const ids: string[] = [];
  for await (const { value } of deps.store.waveMembers.listPartition(
    waveMemberKey(waveId, '').partitionKey,
  )) {
    ids.push(value.aadObjectId.toLowerCase());
  }
  const known = await participantsOf(deps, ids);
  return ids.flatMap((id) => {
    const p = known.get(id);
    return p?.waveId === waveId ? [p] : [];
  });
}

function recipientOf(p: Participant): Recipient {
  return {
    aadObjectId: p.aadObjectId.toLowerCase(),
    userPrincipalName: p.userPrincipalName,
    ...(p.displayName ? { displayName: p.displayName } : {}),
  };
}

/** Everyone in the wave, with names where the bot knows them. */
export async function waveMembersOf(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  return (await waveParticipantsOf(deps, waveId)).map(recipientOf);
}

/** Wave members who have not finished yet (see src/domain/retirement.ts for what "finished" means). */
export async function stragglerRecipients(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  return stragglersOf(await waveParticipantsOf(deps, waveId), waveId).map(recipientOf);
}

export function reminderCardFor(deps: Deps, p: Participant, wave: Wave): OutgoingCard {
  return reminderCard(deps, p, wave);
}
