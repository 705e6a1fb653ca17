/**
 * Old-MDM file previews kept until the admin confirms, on the member import's drafts
 * (import-drafts.ts: owner, 24-hour lifetime, chunked gzip rows). A device export of 200,000 rows
 * is larger than one draft may be, so its devices go into part drafts of DEVICES_PER_PART each,
 * named by the main draft. A confirmation or cancellation first claims the draft with one insert
 * (`claimUpload`): the row can be inserted once, so a double click or a second admin never stores
 * a file twice, and a late click learns what happened to it.
 */
import type { DevicePreviewData } from '../../cards/inventory-import-card';
import type { Deps } from '../../deps';
import type { OldMdmDevice } from '../../domain/old-mdm';
import { ConcurrencyError, type EntityKey, type JobState } from '../../ports/store';
import { mapBounded } from '../../shared/bounded';
import { deleteImportDraft, type LoadDraftResult, loadImportDraft, saveImportDraft } from './import-drafts';
import type { UserNameEntry, UserNameProblem } from './inventory-import-classify';

type DraftDeps = Pick<Deps, 'store' | 'clock' | 'logger'>;

/** Devices per part draft: about 20 MB of JSON, well under a draft's limit even with random ids. */
export const DEVICES_PER_PART = 20_000;
/** Bad rows kept for the "all bad rows" pages; the count is always exact. */
export const MAX_KEPT_PROBLEMS = 20_000;
const PARTS_IN_FLIGHT = 2;

/** What the preview card shows, plus where the devices wait until the admin confirms. */
export interface InventoryUpload extends DevicePreviewData {
  kind: 'inventory';
  /** The layout id, or `override` for the admin's layout mapping. */
  layout: string;
  source: string;
  parts: string[];
}

export interface UserNameUpload {
  kind: 'user-names';
  fileName: string;
  rows: number;
  entries: UserNameEntry[];
  problems: UserNameProblem[];
  problemCount: number;
  change: { added: number; changed: number; removed: number; unchanged: number };
}

export interface LayoutUpload {
  kind: 'layout';
  fileName: string;
  json: string;
  columns: { column: string; field: string }[];
  platform?: string;
  vendor?: string;
}

export type OldMdmUpload = InventoryUpload | UserNameUpload | LayoutUpload;

const draftOf = <S>(actorAadObjectId: string, settings: S, createdAt: string) => ({
  actorAadObjectId,
  waveId: '',
  isNew: false,
  settings,
  parseProblems: [],
  createdAt,
});

/**
 * Saves the preview (and a device export's devices in parts). `too-large` when a part or the
 * preview itself does not fit a draft; nothing is left behind then.
 */
export async function saveUpload(
  deps: DraftDeps,
  actorAadObjectId: string,
  upload: OldMdmUpload,
  devices: readonly OldMdmDevice[] = [],
): Promise<{ ok: true; draftId: string } | { ok: false; reason: 'too-large' }> {
  const createdAt = deps.clock.now().toISOString();
  const slices: OldMdmDevice[][] = [];
  for (let i = 0; i < devices.length; i += DEVICES_PER_PART)
    slices.push(devices.slice(i, i + DEVICES_PER_PART));
  const saved = await mapBounded(slices, PARTS_IN_FLIGHT, (part) =>
    saveImportDraft(deps, draftOf(actorAadObjectId, { devices: part }, createdAt)),
  );
  const parts = saved.flatMap((s) => (s.ok ? [s.draftId] : []));
  const main =
    parts.length === saved.length
      ? await saveImportDraft(
          deps,
          draftOf(actorAadObjectId, upload.kind === 'inventory' ? { ...upload, parts } : upload, createdAt),
        )
      : undefined;
  if (main?.ok) return { ok: true, draftId: main.draftId };
  await Promise.all(parts.map((id) => deleteImportDraft(deps, id).catch(() => undefined)));
  return { ok: false, reason: 'too-large' };
}

export async function loadUpload(
  deps: DraftDeps,
  draftId: string,
  actorAadObjectId: string,
): Promise<LoadDraftResult<OldMdmUpload>> {
  return loadImportDraft<OldMdmUpload>(deps, draftId, actorAadObjectId);
}

/** A device export's devices, or undefined when a part expired or is damaged. */
export async function loadDevices(
  deps: DraftDeps,
  upload: InventoryUpload,
  actorAadObjectId: string,
): Promise<OldMdmDevice[] | undefined> {
  const parts = await mapBounded(upload.parts, PARTS_IN_FLIGHT, (id) =>
    loadImportDraft<{ devices: OldMdmDevice[] }>(deps, id, actorAadObjectId),
  );
  if (parts.some((p) => !p.ok)) return undefined;
  return parts.flatMap((p) => (p.ok ? p.draft.settings.devices : []));
}

export async function deleteUpload(deps: DraftDeps, draftId: string, upload: OldMdmUpload): Promise<void> {
  await deleteImportDraft(deps, draftId);
  if (upload.kind === 'inventory') await Promise.all(upload.parts.map((id) => deleteImportDraft(deps, id)));
}

// ---------------------------------------------------------------------------------------------
// Claims

const CLAIM_PARTITION = 'old-mdm-import-claim';
const claimKey = (draftId: string): EntityKey => ({ partitionKey: CLAIM_PARTITION, rowKey: draftId });

export interface UploadClaim extends JobState {
  state: 'working' | 'done' | 'cancelled';
  kind: OldMdmUpload['kind'];
  at: string;
  /** The result as JSON (counts only), once done. */
  result?: string;
}

/** What happened to a draft already, if anything. */
export async function readClaim(
  deps: Pick<Deps, 'store'>,
  draftId: string,
): Promise<UploadClaim | undefined> {
  return (await deps.store.jobState.get(claimKey(draftId)))?.value as UploadClaim | undefined;
}

/** Claims the draft for one confirmation or cancellation; the loser gets the winner's claim. */
export async function claimUpload(
  deps: Pick<Deps, 'store'>,
  draftId: string,
  claim: UploadClaim,
): Promise<{ ok: true } | { ok: false; existing: UploadClaim }> {
  try {
    await deps.store.jobState.insert(claimKey(draftId), claim);
    return { ok: true };
  } catch (err) {
    if (!(err instanceof ConcurrencyError) || err.kind !== 'already-exists') throw err;
    return { ok: false, existing: (await readClaim(deps, draftId)) ?? claim };
  }
}

export async function finishClaim(
  deps: Pick<Deps, 'store'>,
  draftId: string,
  result: unknown,
): Promise<void> {
  await deps.store.jobState.update(claimKey(draftId), (current) =>
    current ? { ...current, state: 'done', result: JSON.stringify(result) } : undefined,
  );
}

/** A confirmation that failed gives the draft back, so the admin can press the button again. */
export async function releaseClaim(deps: Pick<Deps, 'store'>, draftId: string): Promise<void> {
  await deps.store.jobState.delete(claimKey(draftId));
}
