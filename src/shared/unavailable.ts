/** What a turn depends on that can be out of reach for a while. */
export type Dependency = 'storage' | 'graph' | 'connector';

/**
 * A dependency did not answer within its bounded wait (or refused connections). Thrown by the
 * integrations, recognised by the one error policy, which tells the user to try again shortly
 * instead of showing a generic error. The message names the operation, never personal data.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: Dependency,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

export function isUnavailable(err: unknown, dependency?: Dependency): err is DependencyUnavailableError {
  return err instanceof DependencyUnavailableError && (!dependency || err.dependency === dependency);
}
