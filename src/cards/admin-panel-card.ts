import template from '../../adaptiveCards/admin-panel.json';
import { ADMIN_INPUTS } from '../verbs/admin';
import { type CardJson, renderCard } from './render';

export interface PanelButton {
  title: string;
  verb: string;
  data?: Record<string, unknown>;
  style?: 'default' | 'positive' | 'destructive';
}

export interface PanelSection {
  heading: string;
  lines?: string[];
  rows?: { text: string; detail?: string; buttons?: PanelButton[] }[];
  more?: string;
}

/** A general admin card: header, notice, facts, sections of lines and rows with buttons, optional inputs. */
export interface AdminPanel {
  appName: string;
  title: string;
  subtitle?: string;
  style?: 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
  notice?: string;
  noticeStyle?: 'good' | 'attention' | 'warning' | 'accent' | 'emphasis';
  facts?: { title: string; value: string }[];
  sections?: PanelSection[];
  /** Body elements of another card, shown as a preview (e.g. the announcement a member will get). */
  preview?: { heading: string; body: unknown[] };
  schedule?: { dateLabel: string; timeLabel: string };
  channelToggle?: { label: string };
  reason?: { label: string };
  /** Download links (Action.OpenUrl), with a note on how long they work. */
  links?: { title: string; url: string }[];
  linksNote?: string;
  actions: PanelButton[];
}

/** Rows shown on a list card; the CSV export has everyone. */
export const MAX_LIST_ROWS = 25;

export function adminPanelView(p: AdminPanel) {
  const button = (b: PanelButton) => ({
    title: b.title,
    verb: b.verb,
    data: b.data ?? {},
    style: b.style ?? 'default',
  });
  return {
    appName: p.appName,
    title: p.title,
    subtitle: p.subtitle ?? '',
    style: p.style ?? 'emphasis',
    notice: p.notice ?? '',
    noticeStyle: p.noticeStyle ?? 'accent',
    facts: p.facts ?? [],
    sections: (p.sections ?? []).map((s) => ({
      heading: s.heading,
      lines: s.lines ?? [],
      rows: (s.rows ?? []).map((r) => ({
        text: r.text,
        detail: r.detail ?? '',
        buttons: (r.buttons ?? []).map(button),
      })),
      more: s.more ?? '',
    })),
    links: p.links ?? [],
    linksNote: p.linksNote ?? '',
    hasPreview: p.preview !== undefined,
    previewHeading: p.preview?.heading ?? '',
    previewBody: p.preview?.body ?? [],
    hasSchedule: p.schedule !== undefined,
    scheduleInputId: ADMIN_INPUTS.scheduleAt,
    scheduleLabel: p.schedule?.dateLabel ?? '',
    scheduleTimeInputId: ADMIN_INPUTS.scheduleTime,
    scheduleTimeLabel: p.schedule?.timeLabel ?? '',
    hasChannelToggle: p.channelToggle !== undefined,
    channelInputId: ADMIN_INPUTS.alsoChannel,
    channelLabel: p.channelToggle?.label ?? '',
    hasReason: p.reason !== undefined,
    reasonInputId: ADMIN_INPUTS.reason,
    reasonLabel: p.reason?.label ?? '',
    actions: p.actions.map(button),
  };
}

export const renderAdminPanel = (p: AdminPanel): CardJson => renderCard(template, adminPanelView(p));
