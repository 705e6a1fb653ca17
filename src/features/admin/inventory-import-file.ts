/**
 * A file an admin sends in the 1:1 chat, downloaded once and sent where its header row says: a wave
 * member list to the member import (unchanged), an old MDM's device export, a layout mapping or a
 * user-name mapping to a preview here. Nothing is stored until the admin confirms
 * (inventory-import-confirm.ts); the preview is kept as a draft for 24 hours.
 */
import type { Attachment } from 'botbuilder';
import {
  devicePreviewView,
  type ImportSection,
  type InventoryImportView,
  importMessageView,
  layoutPreviewView,
  PREVIEW_GONE,
  renderInventoryImportCard,
  userNamePreviewView,
} from '../../cards/inventory-import-card';
import type { CardJson } from '../../cards/render';
import { inventoryPartitions } from '../../domain/inventory';
import { LAYOUTS } from '../../domain/inventory-file/layouts';
import {
  isBlockingInventory,
  MAX_INVENTORY_BYTES,
  MAX_INVENTORY_ROWS,
  type OverrideMapping,
  parseInventoryText,
  parseOverrideMapping,
} from '../../domain/inventory-file/parse-inventory';
import type { MessageKey } from '../../i18n';
import type { Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { ADMIN_VERBS } from '../../verbs/admin';
import { FILE_SOURCE, mappingChange, readLayoutMapping } from '../old-mdm/file-import-mapping';
import type { AdminTurn } from './admin-turn';
import { download, isCsvAttachment, memberImportPreview, TEAMS_FILE_DOWNLOAD, urlOf } from './import-file';
import {
  BLOCKING_USER_NAME_PROBLEMS,
  classifyAdminFile,
  MAX_LAYOUT_MAPPING_CHARS,
  mappedColumns,
  parseUserNameMapping,
} from './inventory-import-classify';
import { MAX_KEPT_PROBLEMS, type OldMdmUpload, saveUpload } from './inventory-import-drafts';

const OTHER_FILE_TYPES = ['json', 'xlsx', 'xls'];
/** Inventory partitions scanned at once for the devices a file would mark gone. */
const SCAN_CONCURRENCY = 8;
/** Row-level problems of an export that drop the row (the others only drop a value). */
const DROPPED_ROW = new Set(['no-identifier', 'duplicate']);

/** A file the admin chat takes: CSV or text, a JSON layout mapping, or a workbook (refused with help). */
export function isAdminFileAttachment(a: Attachment): boolean {
  if (isCsvAttachment(a)) return true;
  const name = (a.name ?? '').toLowerCase();
  const byName = OTHER_FILE_TYPES.some((ext) => name.endsWith(`.${ext}`));
  if (a.contentType === TEAMS_FILE_DOWNLOAD) {
    const fileType = String((a.content as { fileType?: unknown } | undefined)?.fileType ?? '').toLowerCase();
    return OTHER_FILE_TYPES.includes(fileType) || byName;
  }
  return byName && !!a.contentUrl;
}

export function importCard(
  turn: AdminTurn,
  view: (r: AdminTurn['audience']) => InventoryImportView,
): CardJson {
  return renderInventoryImportCard(view(turn.audience));
}

/** A plain answer: what happened, or why the file cannot be used. */
export function importMessage(
  turn: AdminTurn,
  title: string,
  text: string,
  style: InventoryImportView['style'] = 'attention',
  sections: ImportSection[] = [],
): CardJson {
  return importCard(turn, (r) =>
    importMessageView(r, { title, text, style, sections, homeVerb: ADMIN_VERBS.home }),
  );
}

export async function adminFileFromMessage(turn: AdminTurn): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const attachment = (turn.context.activity.attachments ?? []).find(isAdminFileAttachment);
  const fileName = attachment?.name ?? 'file.csv';
  const url = attachment ? urlOf(attachment) : undefined;
  const unreadable = (reason: string) =>
    importMessage(turn, a.t('admin.import.csvUnreadable', { file: fileName, reason }), '');
  if (!url) return unreadable(a.t('admin.import.csvNoLink'));
  let bytes: Uint8Array;
  try {
    bytes = await download(url, MAX_INVENTORY_BYTES);
  } catch (err) {
    deps.logger.warn({ err }, 'could not download a file an admin sent');
    return unreadable(err instanceof Error ? err.message : String(err));
  }
  const layout = await readLayoutMapping(deps.store);
  const file = classifyAdminFile(bytes, fileName, layout?.mapping);
  const refuse = (key: MessageKey, vars: Record<string, string | number> = {}) =>
    importMessage(turn, a.t('inventory.file.refused', { file: fileName }), a.t(key, vars));
  switch (file.kind) {
    case 'members':
      return memberImportPreview(turn, fileName, bytes);
    case 'empty':
      return refuse('inventory.file.empty');
    case 'workbook':
      return refuse('inventory.file.workbook');
    case 'not-text':
      return refuse('inventory.file.notText');
    case 'too-large':
      return refuse('inventory.file.tooLarge', { maxMb: MAX_INVENTORY_BYTES / (1024 * 1024) });
    case 'ambiguous':
      return refuse('inventory.file.ambiguous', { header: file.header });
    case 'unknown':
      return importMessage(
        turn,
        a.t('inventory.file.refused', { file: fileName }),
        a.t('inventory.file.unknown', { header: file.header }),
        'attention',
        [layoutsNeeded(turn)],
      );
    case 'layout-mapping':
      return layoutPreview(turn, fileName, file.json);
    case 'user-names':
      return userNamePreview(turn, fileName, file.text);
    case 'inventory':
      return devicePreview(turn, fileName, file.text, file.override ? layout?.mapping : undefined);
  }
}

async function saved(
  turn: AdminTurn,
  upload: OldMdmUpload,
  devices = [] as Parameters<typeof saveUpload>[3],
) {
  const result = await saveUpload(turn.deps, turn.actor.aadObjectId, upload, devices);
  if (!result.ok) {
    turn.deps.logger.warn({ kind: upload.kind }, 'an old MDM file preview was too large to keep');
  }
  return result;
}

async function devicePreview(
  turn: AdminTurn,
  fileName: string,
  text: string,
  override: OverrideMapping | undefined,
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const parsed = parseInventoryText(text, {
    source: FILE_SOURCE,
    vendor: deps.config.sourceMdm,
    ...(override ? { override } : {}),
  });
  if (isBlockingInventory(parsed.problems) || !parsed.layout) {
    const problem = parsed.problems.find((p) => p.reason !== 'no-devices') ?? parsed.problems[0];
    const reason = problem?.reason ?? 'unknown-layout';
    const nf = new Intl.NumberFormat(a.locale);
    return importMessage(
      turn,
      a.t('inventory.file.refused', { file: fileName }),
      a.t(`inventory.blocking.${reason}` as MessageKey, {
        value: problem?.value ?? '',
        line: problem?.line ?? 0,
        max: nf.format(MAX_INVENTORY_ROWS),
        maxMb: MAX_INVENTORY_BYTES / (1024 * 1024),
      }),
      'attention',
      reason === 'unknown-layout' ? [layoutsNeeded(turn)] : [],
    );
  }
  const listed = new Set(parsed.devices.map((d) => d.vendorId));
  const gone = await goneFromFile(deps.store, FILE_SOURCE, listed);
  const perPlatform: Record<string, number> = {};
  for (const d of parsed.devices) perPlatform[d.platform] = (perPlatform[d.platform] ?? 0) + 1;
  const upload: OldMdmUpload = {
    kind: 'inventory',
    fileName,
    layout: parsed.layout,
    layoutLabel: a.t(`inventory.layoutName.${parsed.layout}` as MessageKey),
    source: FILE_SOURCE,
    rows: parsed.devices.length + parsed.problems.filter((p) => DROPPED_ROW.has(p.reason)).length,
    devices: parsed.devices.length,
    perPlatform,
    problems: parsed.problems.slice(0, MAX_KEPT_PROBLEMS),
    problemCount: parsed.problems.length,
    goneCount: gone.count,
    goneNames: gone.names,
    parts: [],
  };
  const draft = await saved(turn, upload, parsed.devices);
  if (!draft.ok)
    return importMessage(
      turn,
      a.t('inventory.file.refused', { file: fileName }),
      a.t('inventory.file.tooLargeToKeep'),
    );
  deps.logger.info(
    {
      draftId: draft.draftId,
      layout: parsed.layout,
      devices: upload.devices,
      problems: upload.problemCount,
      gone: gone.count,
    },
    'old MDM export previewed',
  );
  return importCard(turn, (r) => devicePreviewView(r, upload, draft.draftId));
}

/** Which columns each built-in layout needs, for a header row none of them fits. */
function layoutsNeeded(turn: AdminTurn): ImportSection {
  const t = turn.audience.t;
  return {
    heading: t('inventory.layoutsNeeded'),
    lines: LAYOUTS.map((l) =>
      t('inventory.layoutNeeds', {
        layout: t(`inventory.layoutName.${l.id}` as MessageKey),
        columns: l.required.map((f) => l.columns[f]?.[0] ?? f).join(', '),
      }),
    ),
  };
}

/** The stored devices of `source` that the file does not list: how many, and the first names. */
async function goneFromFile(store: Store, source: string, listed: ReadonlySet<string>) {
  const names: string[] = [];
  await forEachBounded(inventoryPartitions(), SCAN_CONCURRENCY, async (partition) => {
    for await (const { value } of store.oldMdmDevices.listPartition(partition)) {
      if (value.source === source && !value.goneAt && !listed.has(value.vendorId))
        names.push(value.name ?? value.vendorId);
    }
  });
  // Partitions are scanned in any order; sorted, the preview names the same devices every time.
  names.sort((x, y) => x.localeCompare(y));
  return { count: names.length, names: names.slice(0, PREVIEW_GONE) };
}

async function userNamePreview(turn: AdminTurn, fileName: string, text: string): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const parsed = parseUserNameMapping(text);
  const blocking = parsed.problems.find((p) => BLOCKING_USER_NAME_PROBLEMS.includes(p.reason));
  if (blocking) {
    return importMessage(
      turn,
      a.t('inventory.file.refused', { file: fileName }),
      a.t(`inventory.userNames.blocking.${blocking.reason}` as MessageKey, {
        line: blocking.line,
        max: new Intl.NumberFormat(a.locale).format(MAX_INVENTORY_ROWS),
      }),
    );
  }
  const upload: OldMdmUpload = {
    kind: 'user-names',
    fileName,
    rows: parsed.entries.length + parsed.problems.length,
    entries: parsed.entries,
    problems: parsed.problems.slice(0, MAX_KEPT_PROBLEMS),
    problemCount: parsed.problems.length,
    change: await mappingChange(deps.store, parsed.entries),
  };
  const draft = await saved(turn, upload);
  if (!draft.ok)
    return importMessage(
      turn,
      a.t('inventory.file.refused', { file: fileName }),
      a.t('inventory.file.tooLargeToKeep'),
    );
  deps.logger.info(
    { draftId: draft.draftId, entries: upload.entries.length, problems: upload.problemCount },
    'user-name mapping previewed',
  );
  return importCard(turn, (r) => userNamePreviewView(r, upload, draft.draftId));
}

async function layoutPreview(turn: AdminTurn, fileName: string, json: string): Promise<CardJson> {
  const { audience: a } = turn;
  const refused = (detail: string) =>
    importMessage(
      turn,
      a.t('inventory.file.refused', { file: fileName }),
      a.t('inventory.layout.invalid', { detail }),
    );
  if (json.length > MAX_LAYOUT_MAPPING_CHARS) return refused(a.t('inventory.layout.tooLong'));
  const parsed = parseOverrideMapping(json);
  if (!parsed.ok) return refused(parsed.reason);
  const upload: OldMdmUpload = {
    kind: 'layout',
    fileName,
    json,
    columns: mappedColumns(parsed.mapping),
    ...(parsed.mapping.platform ? { platform: parsed.mapping.platform } : {}),
    ...(parsed.mapping.vendor ? { vendor: parsed.mapping.vendor } : {}),
  };
  const draft = await saved(turn, upload);
  if (!draft.ok) return refused(a.t('inventory.layout.tooLong'));
  return importCard(turn, (r) => layoutPreviewView(r, upload, draft.draftId));
}
