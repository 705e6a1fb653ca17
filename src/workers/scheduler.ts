import type { Logger } from '../logging';
import type { Job } from '../ports/job';
import type { Lease, Lock } from '../ports/lock';

export type { Job } from '../ports/job';

export interface SchedulerOptions {
  /** How often every instance checks the lease (and the leader renews it). */
  tickMs?: number;
  /** Lease length; another instance takes over at most this long after the leader dies. */
  leaseSeconds?: number;
}

/**
 * Runs periodic jobs on exactly one instance at a time. Every instance competes for one blob lease;
 * the holder is the leader, renews the lease on each tick and runs the jobs that are due.
 */
export class Scheduler {
  private lease?: Lease;
  private timer?: NodeJS.Timeout;
  private readonly lastRun = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private ticking?: Promise<void>;
  private readonly tickMs: number;
  private readonly leaseSeconds: number;

  constructor(
    private readonly lock: Lock,
    private readonly jobs: Job[],
    private readonly logger: Logger,
    options: SchedulerOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 10_000;
    this.leaseSeconds = options.leaseSeconds ?? 30;
  }

  get isLeader(): boolean {
    return this.lease !== undefined;
  }

  start(): void {
    const loop = () => {
      this.ticking = this.tick().finally(() => {
        if (!this.abort.signal.aborted) this.timer = setTimeout(loop, this.tickMs);
      });
    };
    loop();
  }

  /** One round: hold or try to take the lease, then start every due job that is not already running. */
  async tick(): Promise<void> {
    try {
      if (this.lease) {
        try {
          await this.lease.renew();
        } catch (err) {
          this.logger.warn({ err }, 'scheduler lost its lease; another instance will run the jobs');
          this.lease = undefined;
        }
      } else {
        this.lease = await this.lock.tryAcquire('scheduler', this.leaseSeconds);
        if (this.lease) this.logger.info('this instance now runs the scheduled jobs');
      }
      if (!this.lease) return;
      const now = Date.now();
      for (const job of this.jobs) {
        if (this.running.has(job.name) || now - (this.lastRun.get(job.name) ?? 0) < job.intervalMs) continue;
        this.lastRun.set(job.name, now);
        const run = job
          .run(this.abort.signal)
          .catch((err) => this.logger.error({ err, job: job.name }, 'scheduled job failed'))
          .finally(() => this.running.delete(job.name));
        this.running.set(job.name, run);
      }
    } catch (err) {
      this.logger.error({ err }, 'scheduler tick failed');
    }
  }

  /** Stops ticking, lets running jobs see the abort and finish, and hands the lease back at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled(this.running.values());
    if (this.lease) {
      await this.lease.release().catch(() => undefined);
      this.lease = undefined;
    }
  }
}
