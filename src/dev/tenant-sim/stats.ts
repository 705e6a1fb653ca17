/** Counts of Graph requests served, so tests and benchmarks can assert how many calls the product made. */

export interface RequestStatsSnapshot {
  /** Top-level Graph HTTP requests (a $batch counts once here). */
  total: number;
  /** By route, e.g. "GET /deviceManagement/managedDevices", "GET /users/{user}/managedDevices", "POST /$batch". */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** Requests carried inside $batch calls. */
  batchInner: { total: number; byRoute: Record<string, number>; byStatus: Record<string, number> };
  /** Responses that were injected faults (top level and inner). */
  faultsInjected: number;
  /** Most top-level requests being served at the same time. */
  maxInFlight: number;
  since: string;
}

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export class RequestStats {
  total = 0;
  byRoute: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  batchInner: RequestStatsSnapshot['batchInner'] = { total: 0, byRoute: {}, byStatus: {} };
  faultsInjected = 0;
  maxInFlight = 0;
  since = new Date().toISOString();
  private inFlight = 0;

  /** Called when a request arrives (route = "METHOD /pattern"). */
  begin(route: string, inBatch: boolean): void {
    if (inBatch) {
      this.batchInner.total++;
      bump(this.batchInner.byRoute, route);
      return;
    }
    this.total++;
    bump(this.byRoute, route);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  /** Called when its response is ready. */
  end(status: number, inBatch: boolean, faulted: boolean): void {
    if (faulted) this.faultsInjected++;
    if (inBatch) {
      bump(this.batchInner.byStatus, String(status));
      return;
    }
    bump(this.byStatus, String(status));
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
    this.byStatus = {};
    this.batchInner = { total: 0, byRoute: {}, byStatus: {} };
    this.faultsInjected = 0;
    this.maxInFlight = this.inFlight;
    this.since = new Date().toISOString();
  }

  snapshot(): RequestStatsSnapshot {
    return {
      total: this.total,
      byRoute: { ...this.byRoute },
      byStatus: { ...this.byStatus },
      batchInner: {
        total: this.batchInner.total,
        byRoute: { ...this.batchInner.byRoute },
        byStatus: { ...this.batchInner.byStatus },
      },
      faultsInjected: this.faultsInjected,
      maxInFlight: this.maxInFlight,
      since: this.since,
    };
  }

  toJSON(): RequestStatsSnapshot {
    return this.snapshot();
  }
}
