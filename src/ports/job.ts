/** A periodic chore the scheduler runs on one instance at a time (src/workers/scheduler.ts). */
export interface Job {
  name: string;
  intervalMs: number;
  run(signal: AbortSignal): Promise<void>;
}
