/**
 * The one place wave membership is written: an admin's import and a volunteer's opt-in alike.
 *
 * The participant row's `waveId` is the truth about who sits in which wave: it changes only through
 * an ETag-checked write that applies the one-wave rule to the row as read, so two writers adding one
 * user to two waves at once end with the user in exactly one wave (the other is told, `conflict`).
 * The `waveMembers` index follows it: its row is written before the participant commits and written
 * again after (so a concurrent clean-up cannot leave a member without an index row), and rows that
 * lost, or that a move left behind, are deleted with the ETag read. An index row may therefore
 * outlive a failed or crashed write, never the other way round; readers of the index keep only the
 * rows whose participant row names that wave.
 *
 * One user at a time (`placeInWave`, here) the writes are single-row; many at a time
 * (`placeManyInWave`, ./membership-batch.ts) the same protocol runs in entity-group transactions.
 */
import type { Deps } from '../deps';
import { legacyWaveMemberKey, type Wave, type WaveMember, waveMemberKey } from '../domain/campaign';
import { type Participant, participantKey } from '../domain/participant';
import { canAddMembers, canMoveFrom, type MemberToSave } from '../domain/wave-membership';
import { ConcurrencyError, type EntityKey, type Store } from '../ports/store';
import { forEachBounded } from '../shared/bounded';
import {
  PARTITIONS_IN_FLIGHT,
  readIndexRows,
  readLegacyIndexRows,
  readParticipants,
} from './partition-reads';
import { wavesById } from './waves';

type MembershipDeps = Pick<Deps, 'store' | 'clock'>;

export interface WaveConflict {
  /** The wave the user sits in, where they stay. */
  waveId: string;
  waveName: string;
  reason: 'in-another-wave' | 'in-announced-wave';
}

export type PlaceOutcome =
  | { kind: 'added' }
  | { kind: 'moved'; from: string }
  | { kind: 'already' }
  | { kind: 'conflict'; conflict: WaveConflict }
  /** Erased at their request: stays out until an admin restores them. */
  | { kind: 'erased' };

/**
 * Puts one user into `wave` (`waves`: every stored wave by id). Idempotent, and repairs a missing
 * index row. A user in another wave is moved only when their `moveFrom` names that wave and it is not
 * announced yet; otherwise the outcome is a conflict and nothing changes. A user the bot has not seen
 * yet gets a minimal participant row.
 */
export async function placeInWave(
  deps: MembershipDeps,
  wave: Wave,
  waves: ReadonlyMap<string, Wave>,
  member: MemberToSave,
): Promise<PlaceOutcome> {
  const { store, clock } = deps;
  const id = member.aadObjectId.toLowerCase();
  // Most users have no index row in this wave yet: insert first, read only if it is there.
  const firstRow = indexRow(wave.id, member, clock.now());
  let firstWritten: WaveMember = firstRow;
  const written = await writeIndexRow(
    store,
    wave.id,
    id,
    (cur) => {
      firstWritten = cur ?? firstRow;
      return firstWritten;
    },
    { absent: true },
  );

  let outcome: PlaceOutcome | undefined;
  await store.participants.update(participantKey(id), (cur) => {
    // Runs again after every lost ETag race, on the fresh row: only the last run decides.
    const decided = decide(cur, { ...member, aadObjectId: id }, wave, waves, clock.now());
    outcome = decided.outcome;
    return decided.next;
  });
  if (!outcome) throw new Error('participants.update did not call its mutate function');

  if (outcome.kind === 'added' || outcome.kind === 'moved') {
    // Written again after the commit: a loser's clean-up may have removed the row in between.
    const row = indexRow(wave.id, member, clock.now());
    await writeIndexRow(store, wave.id, id, () => row, { etag: written, value: firstWritten });
    if (outcome.kind === 'moved') await dropIndexRows(store, outcome.from, [{ id }]);
  } else if (outcome.kind === 'already' && firstWritten === firstRow) {
    // A member with no bucket row was indexed in the earlier one-partition layout: one row is enough.
    await store.waveMembers.delete(legacyWaveMemberKey(wave.id, id));
  } else if (outcome.kind === 'conflict' || outcome.kind === 'erased') {
    await dropIndexRows(store, wave.id, [{ id, etag: written }]);
  }
  return outcome;
}

/** The one-wave rule on the participant row as read: the outcome, and the row to write (if any). */
export function decide(
  cur: Participant | undefined,
  member: MemberToSave,
  wave: Wave,
  waves: ReadonlyMap<string, Wave>,
  now: Date,
): { outcome: PlaceOutcome; next?: Participant } {
  if (cur?.erasedAt) return { outcome: { kind: 'erased' } };
  const current = cur?.waveId && waves.has(cur.waveId) ? cur.waveId : undefined;
  if (current === wave.id) return { outcome: { kind: 'already' } };
  if (!current) return { outcome: { kind: 'added' }, next: withWave(cur, member, wave.id, now) };
  const from = waves.get(current)!;
  if (member.moveFrom !== current || !canMoveFrom(from.state)) {
    const reason = canMoveFrom(from.state) ? 'in-another-wave' : 'in-announced-wave';
    return { outcome: { kind: 'conflict', conflict: { waveId: from.id, waveName: from.name, reason } } };
  }
  return { outcome: { kind: 'moved', from: current }, next: withWave(cur, member, wave.id, now) };
}

export type JoinWaveResult = PlaceOutcome | { kind: 'wave-not-found' } | { kind: 'wave-not-open' };

/** One user joins a stored wave that takes members (a volunteer's opt-in); see `placeInWave`. */
export async function joinWave(
  deps: MembershipDeps,
  waveId: string,
  member: MemberToSave,
): Promise<JoinWaveResult> {
  const waves = await wavesById(deps.store);
  const wave = waves.get(waveId);
  if (!wave) return { kind: 'wave-not-found' };
  if (!canAddMembers(wave.state)) return { kind: 'wave-not-open' };
  return placeInWave(deps, wave, waves, member);
}

/**
 * Takes one user out of a wave (they then sit in none); a user in another wave is not touched.
 * Returns whether they were a member.
 */
export async function leaveWave(
  store: Pick<Store, 'participants' | 'waveMembers'>,
  waveId: string,
  aadObjectId: string,
): Promise<boolean> {
  const id = aadObjectId.toLowerCase();
  let member = false;
  await store.participants.update(participantKey(id), (cur) => {
    member = cur?.waveId === waveId;
    if (!cur || !member) return undefined;
    const { waveId: _left, ...rest } = cur;
    return { ...rest, version: cur.version + 1 };
  });
  await dropIndexRows(store, waveId, [{ id }]);
  return member;
}

export function indexRow(waveId: string, member: MemberToSave, at: Date): WaveMember {
  return {
    waveId,
    aadObjectId: member.aadObjectId.toLowerCase(),
    userPrincipalName: member.userPrincipalName,
    addedAt: at.toISOString(),
  };
}

function withWave(
  cur: Participant | undefined,
  member: MemberToSave,
  waveId: string,
  now: Date,
): Participant {
  if (cur) {
    return {
      ...cur,
      // A volunteer's UPN may be unknown yet (''); the first device look-up fills it in.
      userPrincipalName: cur.userPrincipalName ?? (member.userPrincipalName || undefined),
      displayName: cur.displayName ?? member.displayName,
      waveId,
      version: cur.version + 1,
    };
  }
  // Not seen in Teams yet: a minimal row, filled in when the user first talks to the bot.
  const at = now.toISOString();
  return {
    aadObjectId: member.aadObjectId,
    userPrincipalName: member.userPrincipalName,
    ...(member.displayName ? { displayName: member.displayName } : {}),
    firstSeenAt: at,
    lastSeenAt: at,
    version: 1,
    waveId,
  };
}

/**
 * Inserts or rewrites the index row (a rewrite changes its ETag even with the same content); returns
 * the ETag. `guess` saves the read when it is right: `absent` tries the insert first, an ETag (the
 * row as this writer last left it) tries the replace with it; a wrong guess costs one refused write
 * and falls back to read-then-write.
 */
async function writeIndexRow(
  store: Pick<Store, 'waveMembers'>,
  waveId: string,
  aadObjectId: string,
  next: (current: WaveMember | undefined) => WaveMember,
  guess?: { absent: true } | { etag: string; value: WaveMember },
): Promise<string> {
  const key = waveMemberKey(waveId, aadObjectId);
  if (guess) {
    try {
      const row =
        'absent' in guess
          ? await store.waveMembers.insert(key, next(undefined))
          : await store.waveMembers.replace(key, next(guess.value), guess.etag);
      return row.etag;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  for (let attempt = 1; ; attempt++) {
    const cur = await store.waveMembers.get(key);
    try {
      const row = cur
        ? await store.waveMembers.replace(key, next(cur.value), cur.etag)
        : await store.waveMembers.insert(key, next(undefined));
      return row.etag;
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= 8) throw err;
    }
  }
}

/**
 * Deletes index rows of `waveId` unless their user sits in that wave (the participant row is read
 * after the index row, and the delete carries the index row's ETag). With `etag`, only a row as this
 * writer left it: someone who rewrote it since is adding the user there and keeps it. Without, a row
 * of the earlier one-partition layout goes too (writers no longer write there).
 */
export async function dropIndexRows(
  store: Pick<Store, 'waveMembers' | 'participants'>,
  waveId: string,
  entries: readonly { id: string; etag?: string }[],
): Promise<void> {
  if (entries.length === 0) return;
  const anyRow = entries.filter((e) => e.etag === undefined).map((e) => e.id);
  const [rows, legacy] = await Promise.all([
    readIndexRows(
      store.waveMembers,
      waveId,
      entries.map((e) => e.id),
    ),
    readLegacyIndexRows(store.waveMembers, waveId, anyRow),
  ]);
  const found = entries.flatMap((e) => {
    const row = rows.get(e.id);
    const keys: { key: EntityKey; etag: string }[] = [];
    if (row && (e.etag === undefined || row.etag === e.etag))
      keys.push({ key: waveMemberKey(waveId, e.id), etag: row.etag });
    const old = e.etag === undefined ? legacy.get(e.id) : undefined;
    if (old) keys.push({ key: legacyWaveMemberKey(waveId, e.id), etag: old.etag });
    return keys.map((k) => ({ id: e.id, ...k }));
  });
  const people = await readParticipants(store.participants, new Set(found.map((e) => e.id)));
  await forEachBounded(found, PARTITIONS_IN_FLIGHT, async ({ id, key, etag }) => {
    if (people.get(id)?.value.waveId === waveId) return;
    try {
      await store.waveMembers.delete(key, etag);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  });
}
