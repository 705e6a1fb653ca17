import type { Deps } from '../../deps';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../../domain/participant';
import { stragglersOf } from '../../domain/retirement';
import { mapBounded } from '../../shared/bounded';
import type { Recipient } from '../broadcast/broadcast-service';
import { waveMembersOf } from '../waves';

/** Participant rows read at once: quick on a large wave without flooding the table. */
const READS_IN_FLIGHT = 16;

/** Reads participant rows with bounded concurrency (a wave can hold tens of thousands of people). */
export async function participantsOf(
  deps: Pick<Deps, 'store'>,
  ids: string[],
): Promise<Map<string, Participant>> {
  const rows = await mapBounded(ids, READS_IN_FLIGHT, (id) =>
    deps.store.participants.get(participantKey(id)),
  );
  const out = new Map<string, Participant>();
  ids.forEach((id, i) => {
    const p = rows[i]?.value;
    if (p) out.set(id.toLowerCase(), p);
  });
  return out;
}

/**
 * The participant rows of everyone in the wave, as the membership index lists them. The participant
 * row is the truth about wave membership: an index row left behind by a move is skipped.
 */
export async function waveParticipantsOf(deps: Pick<Deps, 'store'>, waveId: string): Promise<Participant[]> {
  const ids: string[] = [];
  for await (const member of waveMembersOf(deps.store, waveId)) ids.push(member.aadObjectId.toLowerCase());
  const known = await participantsOf(deps, ids);
  return ids.flatMap((id) => {
    const p = known.get(id);
    return p?.waveId === waveId ? [p] : [];
  });
}

/** Every participant row of the campaign, in or out of a wave. */
export async function everyParticipant(deps: Pick<Deps, 'store'>): Promise<Participant[]> {
  const all: Participant[] = [];
  for (const partition of PARTICIPANT_PARTITIONS) {
    for await (const { value } of deps.store.participants.listPartition(partition)) all.push(value);
  }
  return all;
}

function recipientOf(p: Participant): Recipient {
  return {
    aadObjectId: p.aadObjectId.toLowerCase(),
    userPrincipalName: p.userPrincipalName,
    ...(p.displayName ? { displayName: p.displayName } : {}),
  };
}

/** Everyone in the wave, with names where the bot knows them. */
export async function waveRecipients(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  return (await waveParticipantsOf(deps, waveId)).map(recipientOf);
}

/** Wave members who have not finished yet (see src/domain/retirement.ts for what "finished" means). */
export async function stragglerRecipients(deps: Pick<Deps, 'store'>, waveId: string): Promise<Recipient[]> {
  return stragglersOf(await waveParticipantsOf(deps, waveId), waveId).map(recipientOf);
}
