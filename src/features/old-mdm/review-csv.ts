/**
 * The whole "devices to review" list as CSV, for GET /exports/old-mdm-review.csv: streamed partition
 * by partition from the inventory, so its size does not depend on memory. Cells go through the
 * exports' CSV writer (formula injection neutralised), and the reasons are the card's own words.
 */
import { reviewReasons } from '../../cards/old-mdm-review-card';
import { sourceName } from '../../cards/old-mdm-section';
import type { SourceMdm } from '../../domain/source-mdm';
import { csvLines, delimiterFor } from '../../exports/csv';
import { type Language, type MessageKey, translator } from '../../i18n';
import type { Store } from '../../ports/store';
import { devicesToReview, vendorOfSource } from './match-views';

export const REVIEW_COLUMNS = [
  'source',
  'vendorId',
  'name',
  'platform',
  'user',
  'match',
  'reasons',
  'candidates',
] as const;

export function reviewCsv(
  store: Pick<Store, 'oldMdmDevices'>,
  campaignVendor: SourceMdm,
  language: Language = 'en',
  onRow?: () => void,
): AsyncGenerator<string> {
  const t = translator(language);
  return csvLines(
    REVIEW_COLUMNS.map((c) => t(`dashboard.review.csv.${c}` as MessageKey)),
    devicesToReview(store),
    (d) => [
      sourceName(t, { source: d.source, vendor: vendorOfSource(d.source, campaignVendor) }),
      d.vendorId,
      d.name,
      t(`platform.${d.platform}` as MessageKey),
      d.user,
      t(`dashboard.review.match.${d.match}` as MessageKey),
      reviewReasons(t, d).join('; '),
      d.candidateKeys ?? [],
    ],
    { delimiter: delimiterFor(language), onRow },
  );
}
