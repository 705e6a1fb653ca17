/**
 * The buttons of the old-MDM file previews: Confirm stores what the preview showed (a device export
 * as a new full snapshot of the `file` source, a user-name mapping, a layout mapping) and audits it;
 * Cancel drops the preview; "all bad rows" pages through them. Each is an `adminAction` (admins only,
 * payload checked); the draft is claimed once, so nothing is stored twice. A long import answers
 * within the invoke budget and replaces the card when done (adminAction's budget rule).
 */
import { z } from 'zod';
import { devicePreviewView, importMessageView, userNamePreviewView } from '../../cards/inventory-import-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import type { MessageKey } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import { OLD_MDM_IMPORT_VERBS, type OldMdmImportVerb } from '../../verbs/old-mdm-import';
import { recordAudit } from '../audit';
import { replaceUserNameMapping, saveLayoutMapping } from '../old-mdm/file-import-mapping';
import { applyFileSnapshot } from '../old-mdm/inventory-sync';
import { type AdminRoute, adminAction } from './admin-action';
import type { AdminTurn } from './admin-turn';
import {
  claimUpload,
  deleteUpload,
  finishClaim,
  loadDevices,
  loadUpload,
  type OldMdmUpload,
  readClaim,
  releaseClaim,
  type UploadClaim,
} from './inventory-import-drafts';
import { importCard, importMessage } from './inventory-import-file';

const DRAFT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Card data is untrusted: the id is only a key to look up, checked again before any read. */
const UploadData = z.object({ draftId: z.string().trim().max(100) }).describe('import');
const PageData = z
  .object({ draftId: z.string().trim().max(100), page: z.coerce.number().int().min(0).max(100_000) })
  .describe('import');

export const OLD_MDM_IMPORT_ROUTES: Record<OldMdmImportVerb, (deps: Deps) => AdminRoute> = {
  [OLD_MDM_IMPORT_VERBS.confirm]: adminAction(UploadData, (turn, d) => confirmUpload(turn, d.draftId)),
  [OLD_MDM_IMPORT_VERBS.cancel]: adminAction(UploadData, (turn, d) => cancelUpload(turn, d.draftId)),
  [OLD_MDM_IMPORT_VERBS.badRows]: adminAction(PageData, (turn, d) => badRowsPage(turn, d.draftId, d.page)),
};

/** The counts a confirmation keeps on its claim, shown again to a late click. */
type UploadResult =
  | { kind: 'inventory'; listed: number; inserted: number; updated: number; revived: number; gone: number }
  | { kind: 'user-names'; entries: number; added: number; changed: number; removed: number }
  | { kind: 'layout'; columns: number };

type Loaded = { ok: true; upload: OldMdmUpload } | { ok: false; card: CardJson };

/** The draft, or the card saying why it cannot be used (already used, expired, someone else's, forged). */
async function usable(turn: AdminTurn, draftId: string): Promise<Loaded> {
  const { deps } = turn;
  if (!DRAFT_ID.test(draftId)) return { ok: false, card: staleCard(turn, 'not-found') };
  const claim = await readClaim(deps, draftId);
  if (claim) return { ok: false, card: claimedCard(turn, claim) };
  const loaded = await loadUpload(deps, draftId, turn.actor.aadObjectId);
  if (!loaded.ok) {
    deps.logger.info({ draftId, reason: loaded.reason }, 'an old MDM file preview could not be used');
    return { ok: false, card: staleCard(turn, loaded.reason) };
  }
  return { ok: true, upload: loaded.draft.settings };
}

function staleCard(turn: AdminTurn, reason: 'not-found' | 'expired' | 'not-yours' | 'damaged'): CardJson {
  const a = turn.audience;
  return importMessage(turn, a.t('inventory.stale.title'), a.t(`inventory.stale.${reason}` as MessageKey));
}

function claimedCard(turn: AdminTurn, claim: UploadClaim): CardJson {
  const a = turn.audience;
  if (claim.state === 'cancelled')
    return importMessage(
      turn,
      a.t('inventory.claimed.cancelledTitle'),
      a.t('inventory.claimed.cancelled'),
      'default',
    );
  if (claim.state === 'working')
    return importMessage(
      turn,
      a.t('inventory.claimed.workingTitle'),
      a.t('inventory.claimed.working'),
      'warning',
    );
  const result = claim.result ? (JSON.parse(claim.result) as UploadResult) : undefined;
  return importCard(turn, (r) =>
    importMessageView(r, {
      title: a.t('inventory.claimed.doneTitle'),
      text: a.t('inventory.claimed.done'),
      style: 'good',
      facts: result ? resultFacts(turn, result) : [],
      homeVerb: ADMIN_VERBS.home,
    }),
  );
}

function resultFacts(turn: AdminTurn, result: UploadResult): { title: string; value: string }[] {
  const { t, locale } = turn.audience;
  const nf = new Intl.NumberFormat(locale);
  const fact = (key: MessageKey, n: number) => ({ title: t(key), value: nf.format(n) });
  if (result.kind === 'inventory') {
    return [
      fact('inventory.result.listed', result.listed),
      fact('inventory.result.new', result.inserted),
      fact('inventory.result.updated', result.updated),
      ...(result.revived > 0 ? [fact('inventory.result.revived', result.revived)] : []),
      fact('inventory.result.gone', result.gone),
    ];
  }
  if (result.kind === 'user-names') {
    return [
      fact('inventory.userNames.entries', result.entries),
      fact('inventory.userNames.added', result.added),
      fact('inventory.userNames.changed', result.changed),
      fact('inventory.userNames.removed', result.removed),
    ];
  }
  return [fact('inventory.layout.columnCount', result.columns)];
}

export async function confirmUpload(turn: AdminTurn, draftId: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const found = await usable(turn, draftId);
  if (!found.ok) return found.card;
  const { upload } = found;
  const won = await claimUpload(deps, draftId, {
    state: 'working',
    kind: upload.kind,
    at: turn.now.toISOString(),
  });
  if (!won.ok) return claimedCard(turn, won.existing);
  let result: UploadResult;
  try {
    const stored = await store(turn, upload);
    if ('card' in stored) {
      await releaseClaim(deps, draftId);
      return stored.card;
    }
    result = stored;
    await recordAudit(deps.store, {
      at: turn.now,
      actor: turn.actor,
      action: AUDIT_ACTIONS[upload.kind],
      target: upload.kind === 'inventory' ? upload.source : upload.kind,
      after: { fileName: upload.fileName, ...result },
      onceKey: `old-mdm-file-${draftId}`,
    });
    await finishClaim(deps, draftId, result);
  } catch (err) {
    // Nothing was half-promised: the admin may press Confirm again (a snapshot applied twice writes nothing new).
    await releaseClaim(deps, draftId).catch(() => undefined);
    throw err;
  }
  await deleteUpload(deps, draftId, upload).catch((err) =>
    deps.logger.warn({ err, draftId }, 'could not delete a confirmed old MDM file preview'),
  );
  deps.logger.info({ draftId, ...result }, 'old MDM file confirmed');
  const title: Record<OldMdmUpload['kind'], MessageKey> = {
    inventory: 'inventory.result.title',
    'user-names': 'inventory.userNames.resultTitle',
    layout: 'inventory.layout.resultTitle',
  };
  const text: Record<OldMdmUpload['kind'], MessageKey> = {
    inventory: 'inventory.result.text',
    'user-names': 'inventory.userNames.resultText',
    layout: 'inventory.layout.resultText',
  };
  return importCard(turn, (r) =>
    importMessageView(r, {
      title: a.t(title[upload.kind], { file: upload.fileName }),
      text: a.t(text[upload.kind]),
      style: 'good',
      facts: resultFacts(turn, result),
      homeVerb: ADMIN_VERBS.home,
    }),
  );
}

const AUDIT_ACTIONS: Record<OldMdmUpload['kind'], string> = {
  inventory: 'old-mdm.file.import',
  'user-names': 'old-mdm.user-names.replace',
  layout: 'old-mdm.layout-mapping.save',
};

async function store(turn: AdminTurn, upload: OldMdmUpload): Promise<UploadResult | { card: CardJson }> {
  const { deps, audience: a } = turn;
  if (upload.kind === 'user-names') {
    const change = await replaceUserNameMapping(deps.store, upload.entries);
    return { kind: 'user-names', entries: upload.entries.length, ...change };
  }
  if (upload.kind === 'layout') {
    await saveLayoutMapping(deps.store, upload.json, turn.now);
    return { kind: 'layout', columns: upload.columns.length };
  }
  const devices = await loadDevices(deps, upload, turn.actor.aadObjectId);
  if (!devices) return { card: staleCard(turn, 'damaged') };
  const report = await applyFileSnapshot(deps, devices, { source: upload.source });
  if (!report.ok) {
    return {
      card: importMessage(turn, a.t('inventory.result.failedTitle'), a.t('inventory.result.failed')),
    };
  }
  const { listed, inserted, updated, revived, gone } = report;
  return { kind: 'inventory', listed, inserted, updated, revived, gone };
}

export async function cancelUpload(turn: AdminTurn, draftId: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const found = await usable(turn, draftId);
  if (!found.ok) return found.card;
  const won = await claimUpload(deps, draftId, {
    state: 'cancelled',
    kind: found.upload.kind,
    at: turn.now.toISOString(),
  });
  if (!won.ok) return claimedCard(turn, won.existing);
  await deleteUpload(deps, draftId, found.upload).catch((err) =>
    deps.logger.warn({ err, draftId }, 'could not delete a cancelled old MDM file preview'),
  );
  return importMessage(
    turn,
    a.t('inventory.claimed.cancelledTitle'),
    a.t('inventory.claimed.cancelled'),
    'default',
  );
}

export async function badRowsPage(turn: AdminTurn, draftId: string, page: number): Promise<CardJson> {
  const found = await usable(turn, draftId);
  if (!found.ok) return found.card;
  const { upload } = found;
  if (upload.kind === 'inventory')
    return importCard(turn, (r) => devicePreviewView(r, upload, draftId, page));
  if (upload.kind === 'user-names')
    return importCard(turn, (r) => userNamePreviewView(r, upload, draftId, page));
  return staleCard(turn, 'not-found');
}
