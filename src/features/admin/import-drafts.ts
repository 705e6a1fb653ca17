/**
 * Import drafts: nothing is imported until the admin confirms. The preview's resolved import (or a
 * parsed upload waiting for its wave) is kept for 24 hours, for the admin who made it only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Deps } from '../../deps';
import type { WaveSource } from '../../domain/campaign';
import type { ImportProblem } from '../../domain/member-import';
import type { JobState } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import type { ResolvedImport } from './member-resolve';
import { STORAGE_IN_FLIGHT } from './member-save';
import type { WaveSettings } from './wave-form';

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
  deps: Pick<Deps, 'store' | 'clock' | 'logger'>,
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
    await forEachBounded(chunks, STORAGE_IN_FLIGHT, (data, index) =>
      deps.store.jobState.insert(chunkKey(draftId, index), { data }),
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
  deps: Pick<Deps, 'store' | 'clock' | 'logger'>,
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
export async function deleteImportDraft(deps: Pick<Deps, 'store'>, draftId: string): Promise<void> {
  if (typeof draftId !== 'string' || !DRAFT_ID.test(draftId)) return;
  await deps.store.jobState.delete(draftKey(draftId));
  const keys: { partitionKey: string; rowKey: string }[] = [];
  for await (const row of deps.store.jobState.listPartition(chunkPartition(draftId))) keys.push(row.key);
  await forEachBounded(keys, STORAGE_IN_FLIGHT, (key) => deps.store.jobState.delete(key));
}

async function sweepExpiredDrafts(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  const now = deps.clock.now().getTime();
  const expired: string[] = [];
  for await (const row of deps.store.jobState.listPartition(DRAFT_PARTITION)) {
    const header: JobState = row.value;
    if (!(Date.parse(String(header.expiresAt)) > now)) expired.push(row.key.rowKey);
    if (expired.length >= SWEEP_PER_SAVE) break;
  }
  for (const id of expired) await deleteImportDraft(deps, id);
}
