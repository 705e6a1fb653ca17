/**
 * Enterprise Wipes in flight: the device shows EnterpriseWipePending at once and Unenrolled after a
 * configurable delay, as a real device does once it receives and acknowledges the command (W3 enum).
 * A delay of 0 (the default, what tests use) unenrolls it at once.
 */
import type { Ws1SimInventory } from './inventory';

export class Ws1SimReleases {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly inventory: Ws1SimInventory,
    public delayMs: number,
  ) {}

  /** Devices whose wipe is queued and not yet acknowledged. */
  get pending(): number[] {
    return [...this.timers.keys()];
  }

  start(id: number): void {
    this.inventory.setStatus({ id }, 'EnterpriseWipePending');
    if (this.delayMs <= 0) {
      this.finish(id);
      return;
    }
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => this.finish(id), this.delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  /** Stops every pending wipe (the simulator is stopping or being reset). */
  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private finish(id: number): void {
    this.timers.delete(id);
    // An admin may have deleted the record meanwhile.
    if (this.inventory.find({ id })) this.inventory.setStatus({ id }, 'Unenrolled');
  }
}
