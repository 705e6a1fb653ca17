/**
 * "Devices to review", opened from the admin home's old-MDM section: one page of the devices the
 * matching pass could not settle, read with one scan of the inventory (`matchSummary`, its memory
 * bounded by the page asked for). Pages reach the first REVIEW_LIMIT devices; the CSV has them all.
 */
import { z } from 'zod';
import { type ReviewDevice, renderReviewCard, reviewCardView } from '../../cards/old-mdm-review-card';
import type { CardJson } from '../../cards/render';
import type { AdminTurn } from '../admin/admin-turn';
import { matchSummary, REVIEW_LIMIT, vendorOfSource } from './match-views';

/** Devices per page: 20 rows stay far below the card budget even with the longest names. */
export const REVIEW_PAGE_SIZE = 20;
const LAST_PAGE = Math.ceil(REVIEW_LIMIT / REVIEW_PAGE_SIZE) - 1;

export const ReviewData = z
  .object({ page: z.coerce.number().int().min(0).max(LAST_PAGE).optional() })
  .describe('review');
export type ReviewData = z.infer<typeof ReviewData>;

export async function devicesToReviewCard(turn: AdminTurn, data: ReviewData): Promise<CardJson> {
  const { deps, audience: a } = turn;
  const page = data.page ?? 0;
  const summary = await matchSummary(deps.store, (page + 1) * REVIEW_PAGE_SIZE);
  const counts = { ambiguous: 0, unmatched: 0, personMissing: 0 };
  for (const c of Object.values(summary.bySource)) {
    counts.ambiguous += c.ambiguous;
    counts.unmatched += c.unmatched;
    counts.personMissing += c.personMissing;
  }
  const devices: ReviewDevice[] = summary.review
    .slice(page * REVIEW_PAGE_SIZE)
    .map((d) => ({ ...d, vendor: vendorOfSource(d.source, deps.config.sourceMdm) }));
  deps.logger.info({ page, devices: devices.length }, 'old MDM devices to review shown');
  return renderReviewCard(
    reviewCardView({
      t: a.t,
      locale: a.locale,
      timeZone: a.timeZone,
      now: turn.now,
      devices,
      page,
      pageSize: REVIEW_PAGE_SIZE,
      total: summary.review.length + summary.reviewLeftOff,
      cap: REVIEW_LIMIT,
      counts,
    }),
  );
}
