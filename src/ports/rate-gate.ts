/**
 * A send rate shared by every instance of the app: Teams allows 50 bot messages per second per app
 * per tenant, counted across all of our instances, so pacing has to be decided in one shared place.
 */
/** Who is asking: a person waiting on an answer goes before a broadcast (default `bulk`). */
export type Priority = 'interactive' | 'bulk';

export interface RateGate {
  /**
   * Resolves when the caller may make one connector call, right now. Waits for the caller's turn in
   * the shared schedule and for any pause; rejects (AbortError) when `signal` aborts first.
   */
  take(signal?: AbortSignal, priority?: Priority): Promise<void>;
  /** Stops every caller on every instance until `until` (the connector's Retry-After). Only ever extends a pause. */
  pauseUntil(until: Date): Promise<void>;
  /** The pause this instance knows of, if one is running. */
  pausedUntil(): Date | undefined;
}

/** Rejection of a wait that was abandoned (stop, shutdown). */
export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortError';
  }
}
