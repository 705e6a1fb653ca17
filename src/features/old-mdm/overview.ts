/**
 * The old MDM as the admin home shows it: per source (each configured API, and `file` once an export
 * was applied), what it still lists, how much of that Graph also sees, and its last sync. One scan of
 * the inventory table; a failure leaves the section out rather than the whole dashboard.
 */
import type { OldMdmSourceOverview } from '../../cards/old-mdm-section';
import type { Deps } from '../../deps';
import type { Store } from '../../ports/store';
import { matchSummary, vendorOfSource } from './match-views';
import { readSyncState } from './sync-state';

export async function oldMdmOverview(
  deps: Pick<Deps, 'store' | 'config' | 'logger'>,
): Promise<OldMdmSourceOverview[]> {
  try {
    const summary = await matchSummary(deps.store);
    const sources = [
      ...new Set([...deps.config.oldMdm.sources.map((s) => s.source), ...Object.keys(summary.bySource)]),
    ];
    return await Promise.all(
      sources.map(async (source): Promise<OldMdmSourceOverview> => {
        const counts = summary.bySource[source];
        return {
          source,
          vendor: vendorOfSource(source, deps.config.sourceMdm),
          listed: counts?.listed ?? 0,
          matched: counts?.matched ?? 0,
          ambiguous: counts?.ambiguous ?? 0,
          unmatched: counts?.unmatched ?? 0,
          pending: counts?.pending ?? 0,
          personMissing: counts?.personMissing ?? 0,
          ...(await lastSyncOf(deps.store, source)),
        };
      }),
    );
  } catch (err) {
    deps.logger.warn({ err }, 'could not read the old MDM overview');
    return [];
  }
}

/** A source's last sync as the dashboards show it: when, what kind, or why it failed and what to fix. */
export async function lastSyncOf(
  store: Store,
  source: string,
): Promise<Pick<OldMdmSourceOverview, 'lastSync'>> {
  const sync = await readSyncState(store, source);
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
