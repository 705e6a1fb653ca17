import template from '../../adaptiveCards/broadcast-progress.json';
import type { Broadcast, DeliveryCounts, DeliveryFailure, DeliveryState } from '../domain/broadcast';
import { finishedShare, progressBar } from '../domain/broadcast-pacing';
import { formatDateTime, type MessageKey, type Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { type CardJson, renderCard } from './render';

export interface BroadcastProgressInput {
  t: Translate;
  locale: string;
  broadcast: Broadcast;
  counts: DeliveryCounts;
  /** Failed deliveries by reason, when known. */
  failures?: Partial<Record<DeliveryFailure, number>>;
  /** For dates on the card (default UTC). */
  timeZone?: string;
  /** The wave's display name; the broadcast only holds its id. */
  waveName?: string;
  /** When the card was rendered, shown as "Updated …". */
  now?: Date;
}

const STATE_STYLE: Record<Broadcast['state'], string> = {
  draft: 'default',
  scheduled: 'accent',
  queueing: 'accent',
  sending: 'accent',
  done: 'good',
  cancelled: 'warning',
};

const COUNT_ORDER: readonly DeliveryState[] = ['queued', 'sending', 'sent', 'failed', 'uncertain'];
const FAILURE_ORDER: readonly DeliveryFailure[] = [
  'app-install-blocked',
  'user-not-found',
  'retries-exhausted',
  'rejected',
  'cancelled',
];

/** Broadcasts the admin can still stop: the card offers Refresh and Cancel while one of these. */
const ACTIVE: readonly Broadcast['state'][] = ['scheduled', 'queueing', 'sending'];

export function broadcastProgressView(input: BroadcastProgressInput) {
  const { t, broadcast: b, counts } = input;
  const nf = new Intl.NumberFormat(input.locale);
  const zone = input.timeZone ?? 'UTC';
  const date = (iso: string | undefined) => (iso ? formatDateTime(new Date(iso), input.locale, zone) : '');
  const recorded = COUNT_ORDER.reduce((n, s) => n + counts[s], 0);
  const total = Math.max(b.recipientCount, recorded);
  const finished = counts.sent + counts.failed + counts.uncertain;
  const share = b.state === 'done' ? 1 : finishedShare(counts, b.recipientCount);
  const title = t(`broadcast.title.${b.kind}`, { wave: input.waveName ?? b.waveId });

  let stateLine: string;
  switch (b.state) {
    case 'draft':
      stateLine = t('broadcast.state.draft');
      break;
    case 'scheduled':
      stateLine = t('broadcast.state.scheduled', { date: date(b.scheduledAt) });
      break;
    case 'queueing':
      stateLine = t('broadcast.state.queueing', {
        queued: nf.format(Math.max(b.queuedCount ?? 0, recorded)),
        total: nf.format(total),
      });
      break;
    case 'sending':
      stateLine = t('broadcast.state.sending', { finished: nf.format(finished), total: nf.format(total) });
      break;
    case 'done':
      stateLine = t('broadcast.state.done', { date: date(b.finishedAt), sent: nf.format(counts.sent) });
      break;
    case 'cancelled':
      stateLine = t('broadcast.state.cancelled', { date: date(b.cancelledAt) });
      break;
  }

  const failures = FAILURE_ORDER.filter((r) => (input.failures?.[r] ?? 0) > 0).map((r) => ({
    text: t('broadcast.failureLine', {
      reason: t(`broadcast.failure.${r}` as MessageKey),
      count: nf.format(input.failures![r]!),
    }),
  }));

  return {
    appName: t('app.name'),
    title,
    stateLine,
    stateStyle: STATE_STYLE[b.state],
    bar: progressBar(share),
    percentText: t('broadcast.percent', { percent: Math.floor(share * 100) }),
    counts: COUNT_ORDER.map((s) => ({
      title: t(`broadcast.count.${s}` as MessageKey),
      value: nf.format(counts[s]),
    })),
    failuresHeading: t('broadcast.failuresHeading'),
    failures,
    uncertainNote: counts.uncertain > 0 ? t('broadcast.uncertainNote') : '',
    channelLine: b.alsoPostToChannelId ? t('broadcast.channelLine') : '',
    noteLine: b.note ? t('broadcast.noteLine', { note: b.note }) : '',
    updatedLine: input.now ? t('broadcast.updated', { time: date(input.now.toISOString()) }) : '',
    active: ACTIVE.includes(b.state),
    refreshTitle: t('broadcast.action.refresh'),
    cancelTitle: t('broadcast.action.cancel'),
    verbs: { refresh: ADMIN_VERBS.broadcastProgress, cancel: ADMIN_VERBS.cancelBroadcast },
    broadcastId: b.id,
    summary: t('broadcast.summary', { title, finished: nf.format(finished), total: nf.format(total) }),
  };
}

export type BroadcastProgressView = ReturnType<typeof broadcastProgressView>;

/** The admin's live progress card: counts by state, a progress line, failures by reason, Refresh / Cancel. */
export function renderBroadcastProgressCard(input: BroadcastProgressInput): CardJson {
  return renderCard(template, broadcastProgressView(input));
}

/** The card with the notification text Teams shows for it, for sending or updating in place. */
export function broadcastProgressMessage(input: BroadcastProgressInput): { card: CardJson; summary: string } {
  const view = broadcastProgressView(input);
  return { card: renderCard(template, view), summary: view.summary };
}
