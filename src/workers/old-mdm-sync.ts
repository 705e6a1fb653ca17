/**
 * Background sync of the old MDMs' inventories, run by the leased scheduler every
 * OLD_MDM_SYNC_MINUTES. Per configured source: a full read when the last complete one is older than
 * OLD_MDM_FULL_SYNC_HOURS (or there is none, or the API cannot filter by time), otherwise an
 * incremental read from a little before the previous one. A vendor failure is recorded on that
 * source's sync state and never leaves the job: the next source, the Graph refresh and the chat go
 * on. The whole run is bounded by a time budget.
 */
import type { ConfiguredInventory } from '../deps';
import { type InventorySyncDeps, type SyncReport, syncSource } from '../features/old-mdm/inventory-sync';
import { readSyncState } from '../features/old-mdm/sync-state';
import type { Job } from '../ports/job';

export const OLD_MDM_SYNC_JOB = 'old-mdm-sync';

export interface OldMdmSyncOptions {
  syncMinutes: number;
  fullSyncHours: number;
  /** How long one run may take before it stops (recording `time-budget`). Default 30 minutes. */
  budgetMs?: number;
  /** An incremental read starts this long before the previous one started. Default 15 minutes. */
  overlapMs?: number;
}

const DEFAULT_BUDGET_MS = 30 * 60_000;
/** Clocks differ (ours, the vendor's) and check-ins are reported late: re-reading is harmless. */
const DEFAULT_OVERLAP_MS = 15 * 60_000;

export class OldMdmSyncJob implements Job {
  readonly name = OLD_MDM_SYNC_JOB;
  readonly intervalMs: number;

  constructor(
    private readonly deps: InventorySyncDeps,
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
    return reports;
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
