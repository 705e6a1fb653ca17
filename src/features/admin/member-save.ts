/**
 * Writing an import's members into a wave, or taking them out, many at a time; the users are written
 * through the membership protocol (../membership.ts, in transactions by ../membership-batch.ts) and
 * the admin's change is audited as counts.
 */
import type { Deps } from '../../deps';
import { type WaveSource, waveKey } from '../../domain/campaign';
import { canAddMembers, type MemberToSave } from '../../domain/wave-membership';
import { forEachBounded } from '../../shared/bounded';
import { type AuditActor, recordAudit } from '../audit';
import { leaveWave, type WaveConflict } from '../membership';
import { placeManyInWave } from '../membership-batch';
import { wavesById } from '../waves';

/** Table reads and writes in flight at once (draft rows, removals). */
export const STORAGE_IN_FLIGHT = 8;

type SaveDeps = Pick<Deps, 'store' | 'clock' | 'logger'>;

export interface MemberConflict extends WaveConflict {
  member: MemberToSave;
}

export type SaveMembersResult =
  | {
      ok: true;
      added: MemberToSave[];
      moved: (MemberToSave & { from: string })[];
      already: MemberToSave[];
      /** Users found in another wave when written (e.g. another admin was quicker); they were not moved. */
      conflicts: MemberConflict[];
      /** Users whose rows could not be written (storage errors, logged); nothing changed for them. */
      failed: MemberToSave[];
    }
  | { ok: false; reason: 'wave-not-found' | 'wave-not-open' };

/**
 * Puts users into a stored wave. Idempotent (saving twice changes nothing more, and repairs a missing
 * index row) and safe against concurrent writers. A user in another wave is moved only when their
 * `moveFrom` names that wave and it is not announced yet; otherwise they are reported in `conflicts`.
 * Users are written in transactions of up to 100 per table partition (a conflict retries one whole,
 * from fresh reads). One audit event records who saved how many (not who).
 */
export async function saveMembers(
  deps: SaveDeps,
  waveId: string,
  users: readonly MemberToSave[],
  actor: AuditActor,
  options: { source?: WaveSource['kind'] } = {},
): Promise<SaveMembersResult> {
  const waves = await wavesById(deps.store);
  const wave = waves.get(waveId);
  if (!wave) return { ok: false, reason: 'wave-not-found' };
  if (!canAddMembers(wave.state)) return { ok: false, reason: 'wave-not-open' };

  const result = { added: [], moved: [], already: [], conflicts: [], failed: [] } as Omit<
    Extract<SaveMembersResult, { ok: true }>,
    'ok'
  >;
  const unique = new Map<string, MemberToSave>();
  for (const u of users) {
    const id = typeof u?.aadObjectId === 'string' ? u.aadObjectId.trim().toLowerCase() : '';
    if (id && !unique.has(id)) unique.set(id, { ...u, aadObjectId: id });
  }
  const outcomes = await placeManyInWave(deps, wave, waves, unique.values());
  let failures = 0;
  for (const member of unique.values()) {
    const outcome = outcomes.get(member.aadObjectId) ?? { kind: 'failed', error: undefined };
    if (outcome.kind === 'added') result.added.push(member);
    else if (outcome.kind === 'moved') result.moved.push({ ...member, from: outcome.from });
    else if (outcome.kind === 'already') result.already.push(member);
    else if (outcome.kind === 'erased') result.failed.push(member);
    else if (outcome.kind === 'conflict') result.conflicts.push({ member, ...outcome.conflict });
    else {
      // The first error with its id, then a count: a storage outage fails every user alike.
      if (failures++ === 0)
        deps.logger.warn(
          { err: outcome.error, aadObjectId: member.aadObjectId, waveId },
          'could not add a wave member',
        );
      result.failed.push(member);
    }
  }
  if (failures > 1) deps.logger.warn({ failures, waveId }, 'could not add wave members');

  const movedFrom: Record<string, number> = {};
  for (const m of result.moved) movedFrom[m.from] = (movedFrom[m.from] ?? 0) + 1;
  await audit(deps, actor, 'wave.members.add', waveId, {
    requested: unique.size,
    added: result.added.length,
    moved: result.moved.length,
    ...(result.moved.length > 0 ? { movedFrom } : {}),
    already: result.already.length,
    conflicts: result.conflicts.length,
    failed: result.failed.length,
    ...(options.source ? { source: options.source } : {}),
  });
  return { ok: true, ...result };
}

export type RemoveMembersResult =
  | { ok: true; removed: string[]; notMembers: string[]; failed: string[] }
  | { ok: false; reason: 'wave-not-found' | 'wave-not-open' };

/**
 * Takes users out of a wave (they then sit in none). Only while the wave takes members (not when it
 * is being evaluated or closed: its results are on record); users in another wave are not touched.
 */
export async function removeMembers(
  deps: SaveDeps,
  waveId: string,
  aadObjectIds: readonly string[],
  actor: AuditActor,
): Promise<RemoveMembersResult> {
  const wave = (await deps.store.waves.get(waveKey(waveId)))?.value;
  if (!wave) return { ok: false, reason: 'wave-not-found' };
  if (!canAddMembers(wave.state)) return { ok: false, reason: 'wave-not-open' };
  const ids = [
    ...new Set(
      aadObjectIds.filter((x) => typeof x === 'string' && x.trim()).map((x) => x.trim().toLowerCase()),
    ),
  ];
  const result = { removed: [] as string[], notMembers: [] as string[], failed: [] as string[] };
  await forEachBounded(ids, STORAGE_IN_FLIGHT, async (id) => {
    try {
      const member = await leaveWave(deps.store, waveId, id);
      (member ? result.removed : result.notMembers).push(id);
    } catch (err) {
      deps.logger.warn({ err, aadObjectId: id, waveId }, 'could not remove a wave member');
      result.failed.push(id);
    }
  });
  await audit(deps, actor, 'wave.members.remove', waveId, {
    requested: ids.length,
    removed: result.removed.length,
    notMembers: result.notMembers.length,
    failed: result.failed.length,
  });
  return { ok: true, ...result };
}

/** The members are written; a lost audit line is logged rather than reported as a failed save. */
function audit(
  deps: SaveDeps,
  actor: AuditActor,
  action: string,
  target: string,
  after: Record<string, unknown>,
): Promise<void> {
  return recordAudit(deps.store, { at: deps.clock.now(), actor, action, target, after }, (err) =>
    deps.logger.error({ err, action, target }, 'could not write the audit event'),
  );
}
