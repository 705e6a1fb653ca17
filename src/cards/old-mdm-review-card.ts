/**
 * "Devices to review": the old MDM's devices an admin should look at — matched to several Intune or
 * Entra devices, to none, or to nobody — one page at a time, each with why in words.
 */
import reviewTemplate from '../../adaptiveCards/old-mdm-review.json';
import type { AmbiguityReason, MatchRule, PersonMissReason } from '../domain/device-matching';
import { MAX_STORED_CANDIDATES } from '../domain/inventory';
import type { OldMdmDevice } from '../domain/old-mdm';
import type { SourceMdm } from '../domain/source-mdm';
import type { MessageKey, Translate } from '../i18n';
import { ADMIN_VERBS } from '../verbs/admin';
import { type Button, type DashboardFormat, type Fact, formats } from './dashboard-format';
import { sourceName } from './old-mdm-section';
import { type CardJson, renderCard } from './render';

/** One device to review, as the matching pass left it. */
export interface ReviewDevice {
  source: string;
  vendor: SourceMdm;
  vendorId: string;
  name?: string;
  platform: OldMdmDevice['platform'];
  /** The old MDM's user of the device (UPN, mail or user name). */
  user?: string;
  match: 'ambiguous' | 'unmatched' | 'matched';
  by?: MatchRule;
  reason?: AmbiguityReason;
  candidateKeys?: string[];
  personMissing?: PersonMissReason;
}

export interface ReviewCardInput extends DashboardFormat {
  /** The devices of this page. */
  devices: ReviewDevice[];
  /** Zero-based page, and the devices per page. */
  page: number;
  pageSize: number;
  /** Every device to review, listed or not. */
  total: number;
  /** Devices reachable by paging; the rest are in the CSV. */
  cap: number;
  counts: { ambiguous: number; unmatched: number; personMissing: number };
}

/** Longest name or user shown: the row must stay small whatever the old MDM holds. */
const MAX_TEXT = 80;
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

/** Why a device needs a look, in words: its match, then its owner. */
export function reviewReasons(
  t: Translate,
  d: Pick<ReviewDevice, 'match' | 'by' | 'reason' | 'candidateKeys' | 'personMissing'>,
): string[] {
  const reasons: string[] = [];
  const key = d.by ? t(`dashboard.review.key.${d.by}` as MessageKey) : '';
  if (d.match === 'unmatched') reasons.push(t('dashboard.review.reason.unmatched'));
  if (d.match === 'ambiguous') {
    const n = d.candidateKeys?.length ?? 0;
    reasons.push(
      t(`dashboard.review.reason.${d.reason ?? 'several-candidates'}` as MessageKey, {
        key,
        count: n >= MAX_STORED_CANDIDATES ? `${n}+` : String(Math.max(n, 2)),
      }),
    );
  }
  if (d.personMissing) reasons.push(t(`dashboard.review.person.${d.personMissing}` as MessageKey));
  return reasons;
}

export function reviewCardView(input: ReviewCardInput) {
  const { t } = input;
  const f = formats(input);
  const reachable = Math.min(input.total, input.cap);
  const from = input.page * input.pageSize;
  const rows = input.devices.map((d) => ({
    title: clip(d.name || t('dashboard.review.noName')),
    detail: [
      t(`platform.${d.platform}` as MessageKey),
      sourceName(t, d),
      d.user ? t('dashboard.review.user', { user: clip(d.user) }) : t('dashboard.review.noUser'),
    ].join(' · '),
    reasons: reviewReasons(t, d).join(' · '),
  }));
  const paging: Button[] = [];
  if (input.page > 0)
    paging.push({
      title: t('dashboard.review.previous'),
      verb: ADMIN_VERBS.oldMdmReview,
      data: { page: input.page - 1 },
    });
  if (from + input.pageSize < reachable)
    paging.push({
      title: t('dashboard.review.next'),
      verb: ADMIN_VERBS.oldMdmReview,
      data: { page: input.page + 1 },
    });
  const lastPage = from + input.pageSize >= reachable;
  return {
    appName: t('app.name'),
    title: t('dashboard.review.title'),
    subtitle: t('dashboard.updated', { at: f.date(input.now) }),
    facts: [
      { title: t('dashboard.review.total'), value: f.int(input.total) },
      { title: t('dashboard.oldMdm.ambiguous'), value: f.int(input.counts.ambiguous) },
      { title: t('dashboard.oldMdm.unmatched'), value: f.int(input.counts.unmatched) },
      { title: t('dashboard.oldMdm.personMissing'), value: f.int(input.counts.personMissing) },
    ] satisfies Fact[],
    empty: input.total === 0 ? t('dashboard.review.none') : '',
    showing:
      rows.length > 0
        ? t('dashboard.review.showing', {
            from: f.int(from + 1),
            to: f.int(from + rows.length),
            total: f.int(input.total),
          })
        : '',
    rows,
    rest:
      lastPage && input.total > reachable
        ? t('dashboard.review.rest', { count: f.int(input.total - reachable) })
        : '',
    paging,
    actions: [
      ...(input.total > 0
        ? [
            {
              title: t('dashboard.review.download'),
              verb: ADMIN_VERBS.exportCsv,
              data: { kind: 'old-mdm-review' },
            },
          ]
        : []),
      { title: t('dashboard.action.back'), verb: ADMIN_VERBS.home, data: {} },
    ] satisfies Button[],
  };
}

export type ReviewCardView = ReturnType<typeof reviewCardView>;

export const renderReviewCard = (view: ReviewCardView): CardJson => renderCard(reviewTemplate, view);
