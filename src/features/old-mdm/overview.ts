/**
 * The old MDM as the admin home shows it: per source (each configured API, and `file` once an export
 * was applied), what it still lists, how much of that Graph also sees, and its last sync. The counts
 * are those the last matching pass stored (one row; the pass runs right after a sync that changed
 * anything); only before the first pass is the inventory table scanned for them. Every source's sync
 * state comes in one partition read. A failure leaves the section out rather than the whole dashboard.
 */
import type { OldMdmSourceOverview } from '../../cards/old-mdm-section';
import type { Deps } from '../../deps';
import type { SourceMatchCounts } from '../../domain/inventory';
import type { Store } from '../../ports/store';
import { type MatchPassState, passCounts, readMatchPassState } from './match-pass';
import { matchSummary, vendorOfSource } from './match-views';
import { type InventorySyncState, listSyncStates } from './sync-state';

export async function oldMdmOverview(
  deps: Pick<Deps, 'store' | 'config' | 'logger'>,
): Promise<OldMdmSourceOverview[]> {
  try {
    const [pass, syncs] = await Promise.all([readMatchPassState(deps.store), listSyncStates(deps.store)]);
    const bySource = await sourceCounts(deps.store, pass, syncs);
    const sources = [
      ...new Set([...deps.config.oldMdm.sources.map((s) => s.source), ...Object.keys(bySource)]),
    ];
    return sources.map((source): OldMdmSourceOverview => {
      const counts = bySource[source];
      return {
        source,
        vendor: vendorOfSource(source, deps.config.sourceMdm),
        listed: counts?.listed ?? 0,
        matched: counts?.matched ?? 0,
        ambiguous: counts?.ambiguous ?? 0,
        unmatched: counts?.unmatched ?? 0,
        pending: counts?.pending ?? 0,
        personMissing: counts?.personMissing ?? 0,
        ...lastSyncFrom(syncs.get(source) ?? {}),
      };
    });
  } catch (err) {
    deps.logger.warn({ err }, 'could not read the old MDM overview');
    return [];
  }
}

/**
 * The last pass's counts; before any pass, counted from the inventory if a source (or an export
 * file) has been read into it — otherwise there is nothing to count and nothing is read.
 */
async function sourceCounts(
  store: Store,
  pass: MatchPassState,
  syncs: ReadonlyMap<string, InventorySyncState>,
): Promise<Record<string, SourceMatchCounts>> {
  const stored = passCounts(pass);
  if (stored) return stored;
  return [...syncs.values()].some((s) => s.lastRunAt) ? (await matchSummary(store)).bySource : {};
}

/** A source's last sync as the dashboards show it: when, what kind, or why it failed and what to fix. */
export function lastSyncFrom(sync: InventorySyncState): Pick<OldMdmSourceOverview, 'lastSync'> {
  if (!sync.lastRunAt) return {};
  const failed = sync.lastRunOk === false;
  return {
    lastSync: {
      at: failed ? (sync.lastErrorAt ?? sync.lastRunAt) : sync.lastRunAt,
      ok: !failed,
      ...(sync.lastRunKind ? { kind: sync.lastRunKind } : {}),
      ...(sync.lastErrorKind && failed ? { failure: sync.lastErrorKind } : {}),
      ...(sync.lastErrorMissing && failed ? { missing: sync.lastErrorMissing } : {}),
    },
  };
}
