/** Time source; injected so that schedules, SLAs and reminders are testable with a fake clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
