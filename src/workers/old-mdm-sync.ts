/**
 * Background sync of the old MDMs' inventories, run by the leased scheduler every
 * OLD_MDM_SYNC_MINUTES. Per configured source: a full read when the last complete one is older than
 * OLD_MDM_FULL_SYNC_HOURS (or there is none, or the API cannot filter by time), otherwise an
 * incremental read from a little before the previous one. A vendor failure is recorded on that
 * source's sync state and never leaves the job: the next source, the Graph refresh and the chat go
 * on. The whole run is bounded by a time budget. When a directory is given, the matching pass
 * (src/features/old-mdm/match-pass.ts) follows a round that changed any row, or one run after the
 * last pass is older than `matchRefreshMinutes` (people start talking to the bot between syncs).
 * It runs without any API source too, for a campaign whose old MDM arrives as export files.
 */
import type { ConfiguredInventory } from '../deps';
import { readUserNameMapping } from '../features/old-mdm/file-import-mapping';
import { type InventorySyncDeps, type SyncReport, syncSource } from '../features/old-mdm/inventory-sync';
import { type MatchPassReport, readMatchPassState, runMatchPass } from '../features/old-mdm/match-pass';
import { readSyncState } from '../features/old-mdm/sync-state';
import type { DeviceDirectory } from '../ports/device-directory';
import type { Job } from '../ports/job';

/** Without `directory` the job only syncs (no matching pass). */
export type OldMdmSyncDeps = InventorySyncDeps & { directory?: DeviceDirectory };

export const OLD_MDM_SYNC_JOB = 'old-mdm-sync';

export interface OldMdmSyncOptions {
  syncMinutes: number;
  fullSyncHours: number;
  /** How long one run may take before it stops (recording `time-budget`). Default 30 minutes. */
  budgetMs?: number;
  /** An incremental read starts this long before the previous one started. Default 15 minutes. */
  overlapMs?: number;
  /** A pass runs even when nothing changed once the last one is this old. Default: `syncMinutes`. */
  matchRefreshMinutes?: number;
}

const DEFAULT_BUDGET_MS = 30 * 60_000;
/** The source id of an admin's export file (see `applyFileSnapshot`). */
const FILE_SOURCE = 'file';
/** Clocks differ (ours, the vendor's) and check-ins are reported late: re-reading is harmless. */
const DEFAULT_OVERLAP_MS = 15 * 60_000;

export class OldMdmSyncJob implements Job {
  readonly name = OLD_MDM_SYNC_JOB;
  readonly intervalMs: number;

  /** What the last run's matching pass did; undefined when it ran none (tests read it). */
  lastMatchPass?: MatchPassReport;

  constructor(
    private readonly deps: OldMdmSyncDeps,
    private readonly sources: readonly ConfiguredInventory[],
    private readonly options: OldMdmSyncOptions,
  ) {
    this.intervalMs = options.syncMinutes * 60_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.runOnce(signal);
  }

  /** One round over every source; the reports are what the run did (tests and the benchmark read them). */
  async runOnce(signal?: AbortSignal): Promise<SyncReport[]> {
    const budget = AbortSignal.timeout(this.options.budgetMs ?? DEFAULT_BUDGET_MS);
    const bounded = signal ? AbortSignal.any([signal, budget]) : budget;
    const reports: SyncReport[] = [];
    for (const configured of this.sources) {
      if (bounded.aborted) break;
      try {
        reports.push(await this.syncOne(configured, bounded));
      } catch (err) {
        // Our own fault (storage, a bug): logged with the source, and the next source still runs.
        this.deps.logger.error({ err, source: configured.inventory.source }, 'old MDM sync failed');
      }
    }
    this.lastMatchPass = undefined;
    if (!bounded.aborted) await this.matchIfDue(reports, bounded);
    return reports;
  }

  private async matchIfDue(reports: readonly SyncReport[], signal: AbortSignal): Promise<void> {
    const { directory } = this.deps;
    if (!directory) return;
    try {
      const last = (await readMatchPassState(this.deps.store)).lastPassAt;
      // An export file an admin confirmed is a source too: matched after it lands, then like the rest.
      const fileAt = (await readSyncState(this.deps.store, FILE_SOURCE)).lastFullSyncAt;
      if (this.sources.length === 0 && !fileAt) return;
      const fileNewer = fileAt !== undefined && (!last || Date.parse(fileAt) > Date.parse(last));
      const changed = fileNewer || reports.some((r) => r.inserted + r.updated + r.revived + r.gone > 0);
      const refreshMs = (this.options.matchRefreshMinutes ?? this.options.syncMinutes) * 60_000;
      const due = !last || this.deps.clock.now().getTime() - Date.parse(last) >= refreshMs;
      if (!changed && !due) return;
      const personMapping = await readUserNameMapping(this.deps.store);
      this.lastMatchPass = await runMatchPass({ ...this.deps, directory }, { signal, personMapping });
    } catch (err) {
      // Graph or storage down: the inventory is stored; the next run tries the pass again.
      this.deps.logger.error({ err }, 'old MDM matching pass failed');
    }
  }

  private async syncOne({ inventory, platforms }: ConfiguredInventory, signal: AbortSignal) {
    const state = await readSyncState(this.deps.store, inventory.source);
    const now = this.deps.clock.now().getTime();
    const lastFull = state.lastFullSyncAt ? Date.parse(state.lastFullSyncAt) : undefined;
    const fullDue =
      lastFull === undefined ||
      now - lastFull >= this.options.fullSyncHours * 3_600_000 ||
      !inventory.listChangedSince;
    if (fullDue) return syncSource(this.deps, inventory, { full: true, platforms, signal });
    const lastIncremental = state.lastIncrementalAt ? Date.parse(state.lastIncrementalAt) : lastFull;
    const from = Math.max(lastFull, lastIncremental) - (this.options.overlapMs ?? DEFAULT_OVERLAP_MS);
    return syncSource(this.deps, inventory, { full: false, since: new Date(from), platforms, signal });
  }
}
