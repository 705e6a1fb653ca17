/**
 * A CSV file an admin sends in the 1:1 chat: parsed at once (every bad row named with its line
 * number), kept as a draft, and imported into the wave the admin picks only after the preview.
 */
import type { Attachment } from 'botbuilder';
import { renderAdminPanel } from '../../cards/admin-panel-card';
import type { CardJson } from '../../cards/render';
import type { Wave } from '../../domain/campaign';
import { type ImportEntry, MAX_IMPORT_BYTES } from '../../domain/member-import';
import { parseImportFile } from '../../domain/member-import-csv';
import { canAddMembers } from '../../domain/wave-membership';
import type { MessageKey } from '../../i18n';
import { ADMIN_VERBS } from '../../verbs/admin';
import { listWaves } from '../waves';
import type { AdminTurn } from './admin-turn';
import { loadImportDraft, saveImportDraft } from './import-drafts';
import { importProblemText } from './member-resolve';

export const TEAMS_FILE_DOWNLOAD = 'application/vnd.microsoft.teams.file.download.info';
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel']);
const DOWNLOAD_TIMEOUT_MS = 10_000;
const MAX_LISTED_PROBLEMS = 20;

/** The parsed file, kept until the admin picks a wave (an import draft without wave settings). */
export interface CsvUpload {
  fileName: string;
  entries: ImportEntry[];
}

export function isCsvAttachment(a: Attachment): boolean {
  const name = (a.name ?? '').toLowerCase();
  if (a.contentType === TEAMS_FILE_DOWNLOAD) {
    const fileType = String((a.content as { fileType?: unknown } | undefined)?.fileType ?? '').toLowerCase();
    return fileType === 'csv' || fileType === 'txt' || name.endsWith('.csv') || name.endsWith('.txt');
  }
  return CSV_TYPES.has(a.contentType) && (name.endsWith('.csv') || name.endsWith('.txt') || !!a.contentUrl);
}

export function urlOf(a: Attachment): string | undefined {
  if (a.contentType === TEAMS_FILE_DOWNLOAD) {
    const url = (a.content as { downloadUrl?: unknown } | undefined)?.downloadUrl;
    return typeof url === 'string' ? url : undefined;
  }
  return a.contentUrl;
}

/** Reads at most `maxBytes` + 1 bytes, so that an oversized file is reported, not buffered whole. */
export async function download(url: string, maxBytes: number = MAX_IMPORT_BYTES): Promise<Uint8Array> {
  const parsed = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new Error(`refusing to download from ${parsed.protocol}//${parsed.host}`);
  }
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok || !res.body) throw new Error(`the download answered ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/** The waves an upload may go into, in campaign order. */
async function openWaves(turn: AdminTurn): Promise<Wave[]> {
  return (await listWaves(turn.deps.store)).filter((w) => canAddMembers(w.state));
}

export async function csvImportFromMessage(turn: AdminTurn): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const attachment = (turn.context.activity.attachments ?? []).find(isCsvAttachment);
  const fileName = attachment?.name ?? 'members.csv';
  const url = attachment ? urlOf(attachment) : undefined;
  const fail = (reason: string) =>
    renderAdminPanel({
      appName: a.t('app.name'),
      title: a.t('admin.import.csvUnreadable', { file: fileName, reason }),
      style: 'attention',
      actions: [{ title: a.t('admin.home'), verb: ADMIN_VERBS.home }],
    });
  if (!url) return fail(a.t('admin.import.csvNoLink'));
  let bytes: Uint8Array;
  try {
    bytes = await download(url);
  } catch (err) {
    // The file's name is the admin's to choose and may name people: not logged.
    deps.logger.warn({ err }, 'could not download an uploaded member file');
    return fail(err instanceof Error ? err.message : String(err));
  }
  return memberImportPreview(turn, fileName, bytes);
}

/** A member list already downloaded: its preview, and the waves it may go into. */
export async function memberImportPreview(
  turn: AdminTurn,
  fileName: string,
  bytes: Uint8Array,
): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const parsed = parseImportFile(bytes);
  const nf = new Intl.NumberFormat(a.locale);
  const problems = parsed.problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => importProblemText(p, a.language));
  const waves = await openWaves(turn);
  const saved =
    parsed.entries.length > 0
      ? await saveImportDraft<CsvUpload>(deps, {
          actorAadObjectId: turn.actor.aadObjectId,
          waveId: '',
          isNew: false,
          settings: { fileName, entries: parsed.entries },
          parseProblems: parsed.problems,
          createdAt: turn.now.toISOString(),
        })
      : undefined;
  return renderAdminPanel({
    appName: a.t('app.name'),
    title: a.t('admin.import.csvTitle', { file: fileName }),
    notice: a.t('admin.import.nothingYet'),
    noticeStyle: 'warning',
    facts: [
      { title: a.t('admin.import.csvRows', { count: '' }).trim(), value: nf.format(parsed.entries.length) },
      { title: a.t('admin.import.problems', { count: '' }).trim(), value: nf.format(parsed.problems.length) },
    ],
    sections: [
      ...(problems.length > 0
        ? [
            {
              heading: a.t('admin.import.problems', { count: nf.format(parsed.problems.length) }),
              lines: problems,
              more:
                parsed.problems.length > MAX_LISTED_PROBLEMS
                  ? a.t('admin.more', { count: parsed.problems.length - MAX_LISTED_PROBLEMS })
                  : undefined,
            },
          ]
        : []),
      ...(saved?.ok
        ? [
            {
              heading: waves.length > 0 ? a.t('admin.import.csvPickWave') : a.t('admin.import.csvNoWaves'),
              rows: waves.map((w) => ({
                text: w.name,
                detail: a.t(`dashboard.state.${w.state}` as MessageKey),
                buttons: [
                  {
                    title: a.t('admin.import.csvInto'),
                    verb: ADMIN_VERBS.previewWave,
                    data: { waveId: w.id, uploadId: saved.draftId },
                  },
                ],
              })),
            },
          ]
        : []),
    ],
    actions: [{ title: a.t('admin.home'), verb: ADMIN_VERBS.home }],
  });
}

/** The entries of an upload the admin made (undefined when it expired or is someone else's). */
export async function loadUpload(turn: AdminTurn, uploadId: string) {
  const loaded = await loadImportDraft<CsvUpload>(turn.deps, uploadId, turn.actor.aadObjectId);
  return loaded.ok ? loaded.draft : undefined;
}
