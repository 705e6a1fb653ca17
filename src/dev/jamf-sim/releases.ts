/**
 * Release commands in flight: Jamf answers 200 `{ deviceId, commandUuid }` when it queues a
 * remove-MDM-profile or unmanage command, and the device leaves management once it receives it. Here
 * that happens after a configurable delay (default 0: at once); the record stays, unmanaged.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceKind, JamfStore } from './store';

export class JamfSimReleases {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: JamfStore,
    public delayMs: number,
  ) {}

  /** Devices (`computer:12`, `mobile-device:3`) whose command is queued and not yet received. */
  get pending(): string[] {
    return [...this.timers.keys()];
  }

  /** Queues the command; returns Jamf's answer body. */
  queue(kind: DeviceKind, id: string): { deviceId: string; commandUuid: string } {
    const key = `${kind}:${id}`;
    const answer = { deviceId: id, commandUuid: randomUUID() };
    if (this.delayMs <= 0) {
      this.finish(kind, id);
      return answer;
    }
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.finish(kind, id);
    }, this.delayMs);
    timer.unref();
    this.timers.set(key, timer);
    return answer;
  }

  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private finish(kind: DeviceKind, id: string): void {
    const records = kind === 'computer' ? this.store.computers : this.store.mobileDevices;
    // An admin may have deleted the record meanwhile.
    if (records.has(id)) this.store.setManaged({ kind, id }, false);
  }
}
