/**
 * The cards of the old-MDM files an admin sends in the chat: the preview of a device export (layout,
 * rows, devices per platform, bad rows, devices that would be gone), of a user-name mapping and of a
 * layout mapping, each with Confirm / Cancel; the pages of all bad rows; the result; and the answers
 * for files that cannot be used.
 */
import template from '../../adaptiveCards/inventory-import.json';
import type { InventoryProblem } from '../domain/inventory-file/parse-inventory';
import type { MessageKey, Translate } from '../i18n';
import { OLD_MDM_IMPORT_VERBS } from '../verbs/old-mdm-import';
import { type CardJson, renderCard } from './render';

export interface ImportButton {
  title: string;
  verb: string;
  data: Record<string, unknown>;
  style?: 'default' | 'positive' | 'destructive';
}

export interface ImportSection {
  heading: string;
  lines: string[];
  more?: string;
  buttons?: ImportButton[];
}

export interface InventoryImportView {
  appName: string;
  title: string;
  subtitle: string;
  style: 'default' | 'emphasis' | 'good' | 'attention' | 'warning';
  notice: string;
  noticeStyle: 'good' | 'attention' | 'warning' | 'accent' | 'emphasis';
  facts: { title: string; value: string }[];
  sections: Required<ImportSection>[];
  actions: Required<ImportButton>[];
}

/** Who reads the card: their translations and locale (for numbers). */
export interface Reader {
  t: Translate;
  locale: string;
}

/** Bad rows on the preview; the rest are a button away. */
export const PREVIEW_PROBLEMS = 20;
/** Bad rows per page of the full list. */
export const PROBLEMS_PER_PAGE = 50;
/** Devices named in "would be gone". */
export const PREVIEW_GONE = 10;

export interface DevicePreviewData {
  fileName: string;
  layoutLabel: string;
  rows: number;
  devices: number;
  perPlatform: Record<string, number>;
  problems: InventoryProblem[];
  problemCount: number;
  goneCount: number;
  goneNames: string[];
}

export interface UserNamePreviewData {
  fileName: string;
  rows: number;
  entries: { userName: string; upn: string }[];
  problems: { line: number; reason: string; value: string; firstLine?: number }[];
  problemCount: number;
  change: { added: number; changed: number; removed: number; unchanged: number };
}

export interface LayoutPreviewData {
  fileName: string;
  columns: { column: string; field: string }[];
  platform?: string;
  vendor?: string;
}

export function renderInventoryImportCard(view: InventoryImportView): CardJson {
  return renderCard(template, view);
}

function base(r: Reader, title: string, subtitle = ''): InventoryImportView {
  return {
    appName: r.t('app.name'),
    title,
    subtitle,
    style: 'emphasis',
    notice: '',
    noticeStyle: 'warning',
    facts: [],
    sections: [],
    actions: [],
  };
}

const section = (s: ImportSection): Required<ImportSection> => ({
  heading: s.heading,
  lines: s.lines,
  more: s.more ?? '',
  buttons: s.buttons ?? [],
});
const button = (b: ImportButton): Required<ImportButton> => ({ ...b, style: b.style ?? 'default' });

function confirmCancel(r: Reader, draftId: string, confirm: MessageKey): Required<ImportButton>[] {
  return [
    button({ title: r.t(confirm), verb: OLD_MDM_IMPORT_VERBS.confirm, data: { draftId }, style: 'positive' }),
    button({ title: r.t('inventory.cancel'), verb: OLD_MDM_IMPORT_VERBS.cancel, data: { draftId } }),
  ];
}

/** "Line 7 (IMEI): 3.56938E+14 — …" */
export function inventoryProblemText(t: Translate, p: InventoryProblem): string {
  const reason = t(`inventory.reason.${p.reason}` as MessageKey, { firstLine: p.firstLine ?? '' });
  if (p.line === 0) return t('import.problemFile', { reason });
  const line = p.column ? t('inventory.lineColumn', { line: p.line, column: p.column }) : String(p.line);
  return t('inventory.problemLine', { line, value: p.value ?? '', reason });
}

export function userNameProblemText(t: Translate, p: UserNamePreviewData['problems'][number]): string {
  const reason = t(`inventory.userNames.reason.${p.reason}` as MessageKey, { firstLine: p.firstLine ?? '' });
  return t('inventory.problemLine', { line: String(p.line), value: p.value, reason });
}

/**
 * The problems section: the first PREVIEW_PROBLEMS with a button to all of them on the preview
 * (`page` undefined), or one page of PROBLEMS_PER_PAGE with previous / next.
 */
function problemsSection<P>(
  r: Reader,
  draftId: string,
  all: { kept: P[]; count: number },
  text: (p: P) => string,
  page: number | undefined,
): Required<ImportSection>[] {
  if (all.count === 0) return [];
  const nf = new Intl.NumberFormat(r.locale);
  const pageButton = (title: MessageKey, to: number) =>
    button({ title: r.t(title), verb: OLD_MDM_IMPORT_VERBS.badRows, data: { draftId, page: to } });
  if (page === undefined) {
    const shown = all.kept.slice(0, PREVIEW_PROBLEMS);
    return [
      section({
        heading: r.t('inventory.badRows', { count: nf.format(all.count) }),
        lines: shown.map(text),
        more:
          all.count > shown.length ? r.t('admin.more', { count: nf.format(all.count - shown.length) }) : '',
        buttons: all.count > shown.length ? [pageButton('inventory.allBadRows', 0)] : [],
      }),
    ];
  }
  const pages = Math.max(1, Math.ceil(all.kept.length / PROBLEMS_PER_PAGE));
  const at = Math.min(Math.max(0, page), pages - 1);
  const from = at * PROBLEMS_PER_PAGE;
  const shown = all.kept.slice(from, from + PROBLEMS_PER_PAGE);
  return [
    section({
      heading: r.t('inventory.badRowsPage', {
        from: nf.format(from + 1),
        to: nf.format(from + shown.length),
        count: nf.format(all.count),
      }),
      lines: shown.map(text),
      more:
        all.count > all.kept.length ? r.t('inventory.badRowsKept', { kept: nf.format(all.kept.length) }) : '',
      buttons: [
        ...(at > 0 ? [pageButton('inventory.previous', at - 1)] : []),
        ...(at < pages - 1 ? [pageButton('inventory.next', at + 1)] : []),
      ],
    }),
  ];
}

export function devicePreviewView(
  r: Reader,
  p: DevicePreviewData,
  draftId: string,
  page?: number,
): InventoryImportView {
  const nf = new Intl.NumberFormat(r.locale);
  const platforms = Object.entries(p.perPlatform).sort((a, b) => b[1] - a[1]);
  return {
    ...base(
      r,
      r.t('inventory.preview.title', { file: p.fileName }),
      r.t('inventory.preview.layout', { layout: p.layoutLabel }),
    ),
    notice: r.t('inventory.preview.notice'),
    facts: [
      { title: r.t('inventory.rows'), value: nf.format(p.rows) },
      { title: r.t('inventory.devices'), value: nf.format(p.devices) },
      ...platforms.map(([platform, count]) => ({
        title: r.t(`platform.${platform}` as MessageKey),
        value: nf.format(count),
      })),
      { title: r.t('inventory.badRowsFact'), value: nf.format(p.problemCount) },
      { title: r.t('inventory.goneFact'), value: nf.format(p.goneCount) },
    ],
    sections: [
      ...problemsSection(
        r,
        draftId,
        { kept: p.problems, count: p.problemCount },
        (x) => inventoryProblemText(r.t, x),
        page,
      ),
      ...(p.goneCount > 0 && page === undefined
        ? [
            section({
              heading: r.t('inventory.gone', { count: nf.format(p.goneCount) }),
              lines: p.goneNames.slice(0, PREVIEW_GONE),
              more:
                p.goneCount > PREVIEW_GONE
                  ? r.t('admin.more', { count: nf.format(p.goneCount - PREVIEW_GONE) })
                  : '',
            }),
          ]
        : []),
    ],
    actions: confirmCancel(r, draftId, 'inventory.confirm'),
  };
}

export function userNamePreviewView(
  r: Reader,
  p: UserNamePreviewData,
  draftId: string,
  page?: number,
): InventoryImportView {
  const nf = new Intl.NumberFormat(r.locale);
  return {
    ...base(r, r.t('inventory.userNames.title', { file: p.fileName })),
    notice: r.t('inventory.userNames.notice'),
    facts: [
      { title: r.t('inventory.rows'), value: nf.format(p.rows) },
      { title: r.t('inventory.userNames.entries'), value: nf.format(p.entries.length) },
      { title: r.t('inventory.userNames.added'), value: nf.format(p.change.added) },
      { title: r.t('inventory.userNames.changed'), value: nf.format(p.change.changed) },
      { title: r.t('inventory.userNames.removed'), value: nf.format(p.change.removed) },
      { title: r.t('inventory.badRowsFact'), value: nf.format(p.problemCount) },
    ],
    sections: [
      ...problemsSection(
        r,
        draftId,
        { kept: p.problems, count: p.problemCount },
        (x) => userNameProblemText(r.t, x),
        page,
      ),
      ...(page === undefined
        ? [
            section({
              heading: r.t('inventory.userNames.sample'),
              lines: p.entries.slice(0, 5).map((e) => `${e.userName} → ${e.upn}`),
            }),
          ]
        : []),
    ],
    actions: confirmCancel(r, draftId, 'inventory.userNames.confirm'),
  };
}

export function layoutPreviewView(r: Reader, p: LayoutPreviewData, draftId: string): InventoryImportView {
  return {
    ...base(r, r.t('inventory.layout.title', { file: p.fileName })),
    notice: r.t('inventory.layout.notice'),
    facts: [
      ...(p.platform
        ? [{ title: r.t('inventory.layout.platform'), value: r.t(`platform.${p.platform}` as MessageKey) }]
        : []),
      ...(p.vendor
        ? [{ title: r.t('inventory.layout.vendor'), value: r.t(`vendor.${p.vendor}` as MessageKey) }]
        : []),
    ],
    sections: [
      section({
        heading: r.t('inventory.layout.columns'),
        lines: p.columns.map((c) =>
          r.t('inventory.layout.column', {
            column: c.column,
            field: r.t(`inventory.field.${c.field}` as MessageKey),
          }),
        ),
      }),
    ],
    actions: confirmCancel(r, draftId, 'inventory.layout.confirm'),
  };
}

/** An answer without buttons other than "Admin home": a result, a refusal, a file that cannot be used. */
export function importMessageView(
  r: Reader,
  m: {
    title: string;
    text?: string;
    style?: InventoryImportView['style'];
    facts?: { title: string; value: string }[];
    sections?: ImportSection[];
    homeVerb: string;
  },
): InventoryImportView {
  return {
    ...base(r, m.title),
    style: m.style ?? 'emphasis',
    notice: m.text ?? '',
    noticeStyle: m.style === 'attention' ? 'attention' : m.style === 'good' ? 'good' : 'accent',
    facts: m.facts ?? [],
    sections: (m.sections ?? []).map(section),
    actions: [button({ title: r.t('admin.home'), verb: m.homeVerb, data: {} })],
  };
}
