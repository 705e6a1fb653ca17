import type { Deps } from '../deps';
import { purgeDue, purgeRound, readRetentionState } from '../features/privacy/purge';
import type { Job } from './scheduler';

/**
 * The retention purge as a leased scheduled job (one instance at a time): every check it resumes a
 * round under way, or starts one when a day has passed since the last; counts are logged, never who.
 */
export class RetentionJob implements Job {
  readonly name = 'retention';
  constructor(
    private readonly deps: Deps,
    readonly intervalMs = 15 * 60 * 1000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const state = await readRetentionState(this.deps);
    if (!purgeDue(state, this.deps.clock.now())) return;
    const { done, counts } = await purgeRound(this.deps, signal);
    this.deps.logger.info(
      { job: this.name, done, ...counts },
      done ? 'retention purge done' : 'retention purge paused',
    );
  }
}
