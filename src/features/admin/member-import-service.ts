/**
 * Storage side of wave membership: resolving an import against the directory and the current
 * waves, holding the previewed import as a draft until the admin confirms it, and writing members.
 *
 * The participant row's `waveId` is the truth about who sits in which wave: it changes only through
 * an ETag read-modify-write that checks the one-wave rule on the fresh row, so two admins adding one
 * user to two waves at once end with the user in exactly one wave (the other is told, `conflicts`).
 * The `waveMembers` index follows it: its row is written before the participant commits and written
 * again after (so a concurrent clean-up cannot leave a member without an index row), and rows that
 * lost, or that a move left behind, are deleted with the ETag read. An index row may therefore
 * outlive a failed or crashed write, never the other way round; readers of the index keep only the
 * rows whose participant row names that wave.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Deps } from '../../deps';
import { auditKey } from '../../domain/audit';
import { type Wave, type WaveMember, type WaveSource, waveKey, waveMemberKey } from '../../domain/campaign';
import {
  type ImportEntry,
  type ImportProblem,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
} from '../../domain/member-import';
import { type Participant, participantKey } from '../../domain/participant';
import {
  canAddMembers,
  canMoveFrom,
  decideMembership,
  type MembershipPlan,
  type MemberToSave,
  type ResolvedEntry,
  type SummaryProblem,
  type WaveRef,
} from '../../domain/wave-membership';
import type { Language } from '../../i18n';
import importEn from '../../i18n/import.en.json';
import importSv from '../../i18n/import.sv.json';
import type { DirectoryUser } from '../../ports/device-directory';
import { ConcurrencyError, type JobState, type Store } from '../../ports/store';
import type { WaveSettings } from './wave-form';

/** Directory look-ups in flight at once (Graph throttling is handled, with retries, by the Graph layer). */
export const LOOKUPS_IN_FLIGHT = 8;
/** Table reads and writes in flight at once. */
export const STORAGE_IN_FLIGHT = 8;

export type ResolvedImport = MembershipPlan;

export interface ImportActor {
  aadObjectId: string;
  name?: string;
}

type ServiceDeps = Pick<Deps, 'store' | 'directory' | 'clock' | 'logger'>;

// ---------------------------------------------------------------------------------------------
// Resolving

/**
 * Looks every entry up in the directory (entries that already carry their `user`, such as a group's
 * members, are not looked up again) and reads the wave each user sits in, then applies the one-wave
 * rule for `waveId` (which may be a wave not stored yet; `waveName` names it then). Read-only.
 */
export async function resolveImport(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'logger'>,
  entries: readonly (ImportEntry & { user?: DirectoryUser })[],
  waveId: string,
  options: { move?: boolean; parseProblems?: readonly ImportProblem[]; waveName?: string } = {},
): Promise<ResolvedImport> {
  const waves = await allWaves(deps.store);
  const stored = waves.find((w) => w.id === waveId);
  const wave: WaveRef = stored
    ? { id: stored.id, name: stored.name, state: stored.state }
    : { id: waveId, name: options.waveName ?? waveId };

  const found = await lookUpUsers(
    deps,
    entries.flatMap((e) => (e.user ? [] : [e.upn])),
  );
  let failures = 0;
  const resolved = entries.map((entry): ResolvedEntry => {
    if (entry.user) return { line: entry.line, upn: entry.upn, user: entry.user };
    const user = found.get(entry.upn);
    if (user instanceof Error || user === undefined) {
      if (failures++ === 0)
        deps.logger.warn({ err: user, upn: entry.upn }, 'directory look-up failed during an import');
      return { line: entry.line, upn: entry.upn, lookupFailed: true };
    }
    return user ? { line: entry.line, upn: entry.upn, user } : { line: entry.line, upn: entry.upn };
  });
  if (failures > 1) deps.logger.warn({ failures }, 'directory look-ups failed during an import');

  const ids = [...new Set(resolved.flatMap((r) => (r.user ? [r.user.id.toLowerCase()] : [])))];
  const currentWaveOf = new Map<string, string>();
  await inParallel(ids, STORAGE_IN_FLIGHT, async (id) => {
    const p = await deps.store.participants.get(participantKey(id));
    if (p?.value.waveId) currentWaveOf.set(id, p.value.waveId);
  });

  return decideMembership({
    wave,
    entries: resolved,
    currentWaveOf,
    waves: waves.map((w) => ({ id: w.id, name: w.name, state: w.state })),
    move: options.move,
    parseProblems: options.parseProblems,
  });
}

/** UPNs per `findUsers` call (Graph's $batch takes 20; the Graph layer splits larger calls). */
export const LOOKUP_CHUNK = 100;

/**
 * Every UPN looked up: the user, `null` (no such user) or the error. With the directory's many-user
 * look-up ($batch), chunks of LOOKUP_CHUNK run LOOKUPS_IN_FLIGHT at a time; without it, one by one.
 */
async function lookUpUsers(
  deps: Pick<ServiceDeps, 'directory'>,
  upns: readonly string[],
): Promise<Map<string, DirectoryUser | null | Error>> {
  const unique = [...new Set(upns)];
  const out = new Map<string, DirectoryUser | null | Error>();
  const many = deps.directory.findUsers?.bind(deps.directory);
  if (many) {
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) chunks.push(unique.slice(i, i + LOOKUP_CHUNK));
    await inParallel(chunks, LOOKUPS_IN_FLIGHT, async (chunk) => {
      try {
        for (const [k, v] of await many(chunk)) out.set(k, v);
      } catch (err) {
        for (const k of chunk) out.set(k, err instanceof Error ? err : new Error(String(err)));
      }
    });
    return out;
  }
  await inParallel(unique, LOOKUPS_IN_FLIGHT, async (upn) => {
    try {
      out.set(upn, (await deps.directory.findUser(upn)) ?? null);
    } catch (err) {
      out.set(upn, err instanceof Error ? err : new Error(String(err)));
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing members

export interface MemberConflict {
  member: MemberToSave;
  /** The wave the user sits in, where they stay. */
  waveId: string;
  waveName: string;
  reason: 'in-another-wave' | 'in-announced-wave';
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
 * index row) and safe against concurrent writers (see the top of this file). A user in another wave
 * is moved only when their `moveFrom` names that wave and it is not announced yet; otherwise they are
 * reported in `conflicts`. One audit event records who saved how many (not who).
 */
export async function saveMembers(
  deps: ServiceDeps,
  waveId: string,
  users: readonly MemberToSave[],
  actor: ImportActor,
  options: { source?: WaveSource['kind'] } = {},
): Promise<SaveMembersResult> {
  const waves = new Map((await allWaves(deps.store)).map((w) => [w.id, w]));
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
  await inParallel([...unique.values()], STORAGE_IN_FLIGHT, async (member) => {
    try {
      const outcome = await saveOne(deps, wave, waves, member);
      if (outcome.kind === 'added') result.added.push(member);
      else if (outcome.kind === 'moved') result.moved.push({ ...member, from: outcome.from });
      else if (outcome.kind === 'already') result.already.push(member);
      else result.conflicts.push({ member, ...outcome.conflict });
    } catch (err) {
      deps.logger.warn({ err, aadObjectId: member.aadObjectId, waveId }, 'could not add a wave member');
      result.failed.push(member);
    }
  });

  const now = deps.clock.now();
  const movedFrom: Record<string, number> = {};
  for (const m of result.moved) movedFrom[m.from] = (movedFrom[m.from] ?? 0) + 1;
  await audit(deps, now, actor, 'wave.members.add', waveId, {
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

type SaveOutcome =
  | { kind: 'added' }
  | { kind: 'moved'; from: string }
  | { kind: 'already' }
  | { kind: 'conflict'; conflict: Omit<MemberConflict, 'member'> };

async function saveOne(
  deps: ServiceDeps,
  wave: Wave,
  waves: ReadonlyMap<string, Wave>,
  member: MemberToSave,
): Promise<SaveOutcome> {
  const { store, clock } = deps;
  const id = member.aadObjectId;
  const indexRow = (addedAt: string): WaveMember => ({
    waveId: wave.id,
    aadObjectId: id,
    userPrincipalName: member.userPrincipalName,
    addedAt,
  });
  // Most imported users have no index row in this wave yet: insert first, read only if it is there.
  const firstRow = indexRow(clock.now().toISOString());
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

  let outcome: SaveOutcome | undefined;
  await store.participants.update(participantKey(id), (cur) => {
    // Runs again after every lost ETag race, on the fresh row: only the last run decides.
    const current = cur?.waveId && waves.has(cur.waveId) ? cur.waveId : undefined;
    if (current === wave.id) {
      outcome = { kind: 'already' };
      return undefined;
    }
    if (current) {
      const from = waves.get(current)!;
      if (member.moveFrom !== current || !canMoveFrom(from.state)) {
        outcome = {
          kind: 'conflict',
          conflict: {
            waveId: from.id,
            waveName: from.name,
            reason: canMoveFrom(from.state) ? 'in-another-wave' : 'in-announced-wave',
          },
        };
        return undefined;
      }
      outcome = { kind: 'moved', from: current };
    } else {
      outcome = { kind: 'added' };
    }
    return withWave(cur, member, wave.id, clock.now());
  });
  if (!outcome) throw new Error('participants.update did not call its mutate function');

  if (outcome.kind === 'added' || outcome.kind === 'moved') {
    // Written again after the commit: a loser's clean-up may have removed the row in between.
    const at = clock.now().toISOString();
    await writeIndexRow(store, wave.id, id, () => indexRow(at), { etag: written, value: firstWritten });
    if (outcome.kind === 'moved') await deleteIndexRow(store, outcome.from, id);
  } else if (outcome.kind === 'conflict') {
    await deleteIndexRow(store, wave.id, id, written);
  }
  return outcome;
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
      userPrincipalName: cur.userPrincipalName ?? member.userPrincipalName,
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
 * Deletes an index row unless its user sits in that wave. With `etag`, only the row as this writer
 * left it: someone who rewrote it since is adding the user there and keeps it.
 */
async function deleteIndexRow(
  store: Pick<Store, 'waveMembers' | 'participants'>,
  waveId: string,
  aadObjectId: string,
  etag?: string,
): Promise<void> {
  const key = waveMemberKey(waveId, aadObjectId);
  const row = await store.waveMembers.get(key);
  if (!row || (etag !== undefined && row.etag !== etag)) return;
  const p = await store.participants.get(participantKey(aadObjectId));
  if (p?.value.waveId === waveId) return;
  try {
    await store.waveMembers.delete(key, row.etag);
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
  }
}

export type RemoveMembersResult =
  | { ok: true; removed: string[]; notMembers: string[]; failed: string[] }
  | { ok: false; reason: 'wave-not-found' | 'wave-not-open' };

/**
 * Takes users out of a wave (they then sit in none). Only while the wave takes members (not when it
 * is being evaluated or closed: its results are on record); users in another wave are not touched.
 */
export async function removeMembers(
  deps: ServiceDeps,
  waveId: string,
  aadObjectIds: readonly string[],
  actor: ImportActor,
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
  await inParallel(ids, STORAGE_IN_FLIGHT, async (id) => {
    try {
      let member = false;
      await deps.store.participants.update(participantKey(id), (cur) => {
        member = cur?.waveId === waveId;
        if (!cur || !member) return undefined;
        const { waveId: _left, ...rest } = cur;
        return { ...rest, version: cur.version + 1 };
      });
      await deleteIndexRow(deps.store, waveId, id);
      (member ? result.removed : result.notMembers).push(id);
    } catch (err) {
      deps.logger.warn({ err, aadObjectId: id, waveId }, 'could not remove a wave member');
      result.failed.push(id);
    }
  });
  await audit(deps, deps.clock.now(), actor, 'wave.members.remove', waveId, {
    requested: ids.length,
    removed: result.removed.length,
    notMembers: result.notMembers.length,
    failed: result.failed.length,
  });
  return { ok: true, ...result };
}

// ---------------------------------------------------------------------------------------------
// Drafts: nothing is imported until the admin confirms

/** What the preview showed, kept until the admin confirms or it expires. */
export interface ImportDraft<S = WaveSettings> {
  actorAadObjectId: string;
  waveId: string;
  /** The wave is created on confirmation (it did not exist at preview). */
  isNew: boolean;
  /** The wave fields the admin entered. */
  settings: S;
  source?: WaveSource;
  resolved?: ResolvedImport;
  parseProblems: ImportProblem[];
  createdAt: string;
}

export const IMPORT_DRAFT_TTL_MS = 24 * 3_600_000;
/** Base64 characters per table row: the row's JSON stays under MAX_ENTITY_JSON_CHARS (32,000). */
export const DRAFT_CHUNK_CHARS = 30_000;
/**
 * Rows per draft: 3,840,000 base64 characters, about 2.9 MB of gzip. A full import of MAX_IMPORT_ROWS
 * (50,000) users takes about 70 rows (random object ids compress poorly); a larger draft is refused.
 */
export const MAX_DRAFT_CHUNKS = 128;
/** Expired drafts removed per save (the rest go on later saves, or when someone tries to load them). */
const SWEEP_PER_SAVE = 20;
const DRAFT_PARTITION = 'import-draft';
const DRAFT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const draftKey = (draftId: string) => ({ partitionKey: DRAFT_PARTITION, rowKey: draftId });
const chunkPartition = (draftId: string) => `${DRAFT_PARTITION}-${draftId}`;
const chunkKey = (draftId: string, index: number) => ({
  partitionKey: chunkPartition(draftId),
  rowKey: String(index).padStart(4, '0'),
});

export type SaveDraftResult =
  | { ok: true; draftId: string; expiresAt: string }
  | { ok: false; reason: 'too-large'; chars: number; limit: number };

export type LoadDraftResult<S> =
  | { ok: true; draft: ImportDraft<S> }
  /** `damaged`: some rows are missing or do not match the header (a crash while saving). */
  | { ok: false; reason: 'not-found' | 'expired' | 'not-yours' | 'damaged' };

/**
 * Stores a previewed import in `jobState`: the draft as gzip'd JSON in base64 chunk rows (partition
 * `import-draft-<id>`), then a small header row (partition `import-draft`) with the owner, the expiry
 * (24 h) and a digest. The header is written last, so a draft is loadable only once complete.
 */
export async function saveImportDraft<S>(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'logger'>,
  draft: ImportDraft<S>,
): Promise<SaveDraftResult> {
  const packed = gzipSync(Buffer.from(JSON.stringify(draft), 'utf8'), { level: 9 }).toString('base64');
  const limit = DRAFT_CHUNK_CHARS * MAX_DRAFT_CHUNKS;
  if (packed.length > limit) return { ok: false, reason: 'too-large', chars: packed.length, limit };
  await sweepExpiredDrafts(deps).catch((err) => deps.logger.warn({ err }, 'could not sweep expired drafts'));

  const draftId = randomUUID();
  const chunks: string[] = [];
  for (let i = 0; i < packed.length; i += DRAFT_CHUNK_CHARS)
    chunks.push(packed.slice(i, i + DRAFT_CHUNK_CHARS));
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + IMPORT_DRAFT_TTL_MS).toISOString();
  try {
    await inParallel(
      chunks.map((data, index) => ({ data, index })),
      STORAGE_IN_FLIGHT,
      ({ data, index }) => deps.store.jobState.insert(chunkKey(draftId, index), { data }),
    );
    await deps.store.jobState.insert(draftKey(draftId), {
      actor: draft.actorAadObjectId.toLowerCase(),
      createdAt: now.toISOString(),
      expiresAt,
      chunks: chunks.length,
      sha256: createHash('sha256').update(packed).digest('hex'),
    });
  } catch (err) {
    // Without its header the draft can never load; its chunk rows would only take space.
    await deleteImportDraft(deps, draftId).catch(() => undefined);
    throw err;
  }
  return { ok: true, draftId, expiresAt };
}

/** The draft, for the admin who made it and before it expires; an expired draft is deleted. */
export async function loadImportDraft<S = WaveSettings>(
  deps: Pick<ServiceDeps, 'store' | 'clock' | 'logger'>,
  draftId: string,
  actorAadObjectId: string,
): Promise<LoadDraftResult<S>> {
  if (typeof draftId !== 'string' || !DRAFT_ID.test(draftId)) return { ok: false, reason: 'not-found' };
  const header = (await deps.store.jobState.get(draftKey(draftId)))?.value;
  if (!header) return { ok: false, reason: 'not-found' };
  if (String(header.actor) !== String(actorAadObjectId ?? '').toLowerCase()) {
    return { ok: false, reason: 'not-yours' };
  }
  if (!(Date.parse(String(header.expiresAt)) > deps.clock.now().getTime())) {
    await deleteImportDraft(deps, draftId).catch((err) =>
      deps.logger.warn({ err, draftId }, 'could not delete an expired draft'),
    );
    return { ok: false, reason: 'expired' };
  }
  const rows: { rowKey: string; data: string }[] = [];
  for await (const row of deps.store.jobState.listPartition(chunkPartition(draftId))) {
    rows.push({ rowKey: row.key.rowKey, data: String(row.value.data ?? '') });
  }
  rows.sort((a, b) => a.rowKey.localeCompare(b.rowKey));
  const packed = rows.map((r) => r.data).join('');
  if (rows.length !== header.chunks || createHash('sha256').update(packed).digest('hex') !== header.sha256) {
    return { ok: false, reason: 'damaged' };
  }
  try {
    const draft = JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) as ImportDraft<S>;
    return { ok: true, draft };
  } catch (err) {
    deps.logger.warn({ err, draftId }, 'an import draft could not be read');
    return { ok: false, reason: 'damaged' };
  }
}

/** Removes a draft (after it was saved, or when it expired): the header first, so it stops loading at once. */
export async function deleteImportDraft(deps: Pick<ServiceDeps, 'store'>, draftId: string): Promise<void> {
  if (typeof draftId !== 'string' || !DRAFT_ID.test(draftId)) return;
  await deps.store.jobState.delete(draftKey(draftId));
  const keys: { partitionKey: string; rowKey: string }[] = [];
  for await (const row of deps.store.jobState.listPartition(chunkPartition(draftId))) keys.push(row.key);
  await inParallel(keys, STORAGE_IN_FLIGHT, (key) => deps.store.jobState.delete(key));
}

async function sweepExpiredDrafts(deps: Pick<ServiceDeps, 'store' | 'clock'>): Promise<void> {
  const now = deps.clock.now().getTime();
  const expired: string[] = [];
  for await (const row of deps.store.jobState.listPartition(DRAFT_PARTITION)) {
    const header: JobState = row.value;
    if (!(Date.parse(String(header.expiresAt)) > now)) expired.push(row.key.rowKey);
    if (expired.length >= SWEEP_PER_SAVE) break;
  }
  for (const id of expired) await deleteImportDraft(deps, id);
}

// ---------------------------------------------------------------------------------------------
// Problem texts for the preview

const catalogs = { en: importEn, sv: importSv } as const;
type ImportKey = keyof typeof importEn;

/**
 * One problem as the admin reads it: "Line 7: alex@contoso — not a user principal name (name@domain)".
 * Problems with the file as a whole (line 0) read "The file: …".
 */
export function importProblemText(problem: ImportProblem | SummaryProblem, language: Language): string {
  const catalog = catalogs[language] ?? importEn;
  const fill = (key: ImportKey, vars: Record<string, string | number>) =>
    (catalog[key] ?? importEn[key]).replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m));
  const wave = 'wave' in problem && problem.wave ? problem.wave.name : '';
  const reason = fill(`import.reason.${problem.reason}` as ImportKey, {
    firstLine: problem.firstLine ?? '',
    wave,
    max: MAX_IMPORT_ROWS,
    maxMb: Math.round(MAX_IMPORT_BYTES / (1024 * 1024)),
  });
  if (problem.line === 0) return fill('import.problemFile', { reason });
  return fill('import.problemLine', { line: problem.line, value: problem.value, reason });
}

// ---------------------------------------------------------------------------------------------

async function allWaves(store: Pick<Store, 'waves'>): Promise<Wave[]> {
  const waves: Wave[] = [];
  for await (const { value } of store.waves.listPartition(waveKey('').partitionKey)) waves.push(value);
  return waves;
}

async function audit(
  deps: Pick<ServiceDeps, 'store' | 'logger'>,
  at: Date,
  actor: ImportActor,
  action: string,
  target: string,
  after: Record<string, unknown>,
): Promise<void> {
  try {
    await deps.store.audit.insert(auditKey(at, randomUUID()), {
      at: at.toISOString(),
      actorAadObjectId: actor.aadObjectId,
      ...(actor.name ? { actorName: actor.name } : {}),
      action,
      target,
      after,
    });
  } catch (err) {
    // The members are written; a lost audit line is logged rather than reported as a failed save.
    deps.logger.error({ err, action, target }, 'could not write the audit event');
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
