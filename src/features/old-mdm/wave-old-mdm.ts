/**
 * One wave's "still in the old MDM" for its dashboard: the counts the last matching pass stored for
 * the wave (one point read, see wave-counts.ts), every source's last sync (one partition read), and
 * when the pass ran. Left
 * out (undefined) when no old MDM is read and no export was applied, as on the admin home; a storage
 * failure leaves the section out rather than the whole dashboard.
 */
import type { WaveOldMdmOverview } from '../../cards/old-mdm-wave-section';
import type { Deps } from '../../deps';
import { passSources, readMatchPassState } from './match-pass';
import { vendorOfSource } from './match-views';
import { lastSyncFrom } from './overview';
import { listSyncStates } from './sync-state';
import { readWaveCounts } from './wave-counts';

export async function waveOldMdmOverview(
  deps: Pick<Deps, 'store' | 'config' | 'logger'>,
  waveId: string,
): Promise<WaveOldMdmOverview | undefined> {
  try {
    const [counts, pass, syncs] = await Promise.all([
      readWaveCounts(deps.store, waveId),
      readMatchPassState(deps.store),
      listSyncStates(deps.store),
    ]);
    const sources = [
      ...new Set([
        ...deps.config.oldMdm.sources.map((s) => s.source),
        ...passSources(pass),
        ...Object.keys(counts.bySource),
      ]),
    ];
    if (sources.length === 0) return undefined;
    return {
      sources: sources.map((source) => {
        const c = counts.bySource[source];
        return {
          source,
          vendor: vendorOfSource(source, deps.config.sourceMdm),
          listed: c?.listed ?? 0,
          matched: c?.matched ?? 0,
          ambiguous: c?.ambiguous ?? 0,
          unmatched: c?.unmatched ?? 0,
          ...lastSyncFrom(syncs.get(source) ?? {}),
        };
      }),
      people: counts.people,
      ...(pass.lastPassAt ? { countedAt: pass.lastPassAt } : {}),
    };
  } catch (err) {
    deps.logger.warn({ err, waveId }, 'could not read the old MDM counts of a wave');
    return undefined;
  }
}
