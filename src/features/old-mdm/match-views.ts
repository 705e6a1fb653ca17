/**
 * Reads of what the matching pass stored: a person's old-MDM devices for the journey (one partition
 * read), and the counts per source with the devices that need a look (the review list; the admin home
 * reads the counts the last pass stored instead, see ./overview.ts).
 */
import type { Deps } from '../../deps';
import type { AmbiguityReason, MatchRule, PersonMissReason } from '../../domain/device-matching';
import {
  type InventoryDevice,
  inventoryPartitions,
  type PersonInventoryDevice,
  type SourceMatchCounts,
  type StoredMatch,
  type StoredPerson,
} from '../../domain/inventory';
import { SOURCE_MDMS, type SourceMdm } from '../../domain/source-mdm';
import type { Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';

/** A person's old-MDM devices, gone ones included for a day (see GONE_RETENTION_MS), sorted. */
export async function oldMdmDevicesOf(
  store: Pick<Store, 'oldMdmByPerson'>,
  aadObjectId: string,
): Promise<PersonInventoryDevice[]> {
  const devices: PersonInventoryDevice[] = [];
  for await (const row of store.oldMdmByPerson.listPartition(aadObjectId.toLowerCase()))
    devices.push(row.value);
  return devices.sort((a, b) =>
    a.source !== b.source ? (a.source < b.source ? -1 : 1) : a.vendorId < b.vendorId ? -1 : 1,
  );
}

/**
 * A person's devices as the old MDM lists them, each with the vendor that lists it (an export file
 * is the campaign's old MDM). A storage failure leaves the list empty rather than failing the turn:
 * the Graph side of the answer still stands.
 */
export async function oldMdmViewOf(
  deps: Pick<Deps, 'store' | 'config' | 'logger'>,
  aadObjectId: string,
): Promise<{ vendor: SourceMdm; device: PersonInventoryDevice }[]> {
  try {
    const devices = await oldMdmDevicesOf(deps.store, aadObjectId);
    return devices.map((device) => ({
      vendor: vendorOfSource(device.source, deps.config.sourceMdm),
      device,
    }));
  } catch (err) {
    deps.logger.warn({ err }, 'could not read the old MDM inventory of a person');
    return [];
  }
}

export function vendorOfSource(source: string, campaignVendor: SourceMdm): SourceMdm {
  return SOURCE_MDMS.find((v) => v === source) ?? campaignVendor;
}

/** A device an admin should look at: no Intune/Entra device, several, or nobody owns it. */
export interface DeviceToReview {
  source: string;
  vendorId: string;
  /** The device as the old MDM names it, and its user there (UPN, else mail, else user name). */
  name?: string;
  platform: InventoryDevice['platform'];
  user?: string;
  match: 'ambiguous' | 'unmatched' | 'matched';
  by?: MatchRule;
  reason?: AmbiguityReason;
  candidateKeys?: string[];
  personMissing?: PersonMissReason;
}

export interface MatchSummary {
  bySource: Record<string, SourceMatchCounts>;
  /** The first `limit` devices to review by source and vendor id. */
  review: DeviceToReview[];
  /** Devices to review beyond `review`. */
  reviewLeftOff: number;
}

export const REVIEW_LIMIT = 200;

/** The row as a device to review, or undefined when it needs no look (or is gone, or not matched yet). */
export function toReview(row: InventoryDevice): DeviceToReview | undefined {
  const match = row.match;
  if (row.goneAt || !match) return undefined;
  const personMissing = row.person && 'missing' in row.person ? row.person.missing : undefined;
  if (match.kind === 'matched' && !personMissing) return undefined;
  const user = row.userPrincipalName || row.userEmail || row.userName;
  const item: DeviceToReview = {
    source: row.source,
    vendorId: row.vendorId,
    ...(row.name ? { name: row.name } : {}),
    platform: row.platform,
    ...(user ? { user } : {}),
    match: match.kind,
  };
  if (match.kind !== 'unmatched') item.by = match.by;
  if (match.kind === 'ambiguous') {
    item.reason = match.reason;
    item.candidateKeys = match.candidateKeys;
  }
  if (personMissing) item.personMissing = personMissing;
  return item;
}

/** Every device to review, partition by partition, for an export of any size (nothing kept in memory). */
export async function* devicesToReview(store: Pick<Store, 'oldMdmDevices'>): AsyncGenerator<DeviceToReview> {
  for (const partition of inventoryPartitions()) {
    for await (const { value } of store.oldMdmDevices.listPartition(partition)) {
      const item = toReview(value);
      if (item) yield item;
    }
  }
}

const byDevice = (a: DeviceToReview, b: DeviceToReview) =>
  a.source !== b.source ? (a.source < b.source ? -1 : 1) : a.vendorId < b.vendorId ? -1 : 1;

/** Adds one listed (not gone) device to its source's counts. */
export function countListed(
  bySource: Record<string, SourceMatchCounts>,
  row: { source: string; match?: StoredMatch; person?: StoredPerson },
): void {
  bySource[row.source] ??= {
    listed: 0,
    matched: 0,
    ambiguous: 0,
    unmatched: 0,
    pending: 0,
    personMissing: 0,
  };
  const counts = bySource[row.source]!;
  counts.listed++;
  if (!row.match) {
    counts.pending++;
    return;
  }
  counts[row.match.kind]++;
  if (row.person && 'missing' in row.person) counts.personMissing++;
}

/**
 * Counts per source and the devices to review, read from every inventory row. Memory stays bounded
 * by `limit`: the list is trimmed to the first `limit` devices whenever it doubles.
 */
export async function matchSummary(store: Store, limit = REVIEW_LIMIT): Promise<MatchSummary> {
  const bySource: Record<string, SourceMatchCounts> = {};
  let review: DeviceToReview[] = [];
  let total = 0;
  const trim = () => {
    review.sort(byDevice);
    review = review.slice(0, limit);
  };
  await forEachBounded(inventoryPartitions(), 8, async (partition) => {
    for await (const { value: row } of store.oldMdmDevices.listPartition(partition)) {
      if (row.goneAt) continue;
      countListed(bySource, row);
      if (!row.match) continue;
      const item = toReview(row);
      if (!item) continue;
      total++;
      review.push(item);
      if (review.length >= 2 * limit) trim();
    }
  });
  trim();
  return { bySource, review, reviewLeftOff: total - review.length };
}
