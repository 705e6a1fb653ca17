/**
 * The simulator's device inventory: one array sorted by device id (the search's default order) and
 * an index by id, so a 100,000-device tenant serves each page of 500 by slicing. Filtered views are
 * cached until the inventory changes.
 */
import {
  type Ws1DeviceSeed,
  type Ws1EnrollmentStatus,
  type Ws1WireDevice,
  wireDevice,
  ws1Time,
} from './model';

interface Entry {
  device: Ws1WireDevice;
  lastSeenMs: number;
}

export interface Ws1SearchFilters {
  user?: string;
  platform?: string;
  ownership?: string;
  lgid?: number;
  /** LastSeen at or after. */
  seenSince?: number;
  /** LastSeen at or before (`lastseen`). */
  seenTill?: number;
  orderBy?: 'deviceid' | 'lastseen';
  descending?: boolean;
}

/** Picks one device: by id, serial number, or user + friendly name (what `npm run sim` passes). */
export interface Ws1DeviceRef {
  id?: number;
  serialNumber?: string;
  user?: string;
  name?: string;
}

export class Ws1SimInventory {
  private entries: Entry[] = [];
  private byId = new Map<number, Entry>();
  private version = 0;
  private cache?: { key: string; version: number; list: Entry[] };

  constructor(private readonly now: () => number) {}

  /** Replaces the whole inventory (ids assigned in order where a seed has none). */
  load(seeds: readonly Ws1DeviceSeed[]): void {
    const now = this.now();
    const used = new Set(seeds.flatMap((s) => (s.id === undefined ? [] : [s.id])));
    let next = 1000;
    const entries: Entry[] = [];
    for (const seed of seeds) {
      if (seed.id === undefined) {
        do next++;
        while (used.has(next));
      }
      const device = wireDevice(seed, seed.id ?? next, now);
      entries.push({ device, lastSeenMs: Date.parse(`${device.LastSeen}Z`) });
    }
    entries.sort((a, b) => a.device.Id.Value - b.device.Id.Value);
    this.byId = new Map(entries.map((e) => [e.device.Id.Value, e]));
    if (this.byId.size !== entries.length) throw new RangeError('two seeded devices share an id');
    this.entries = entries;
    this.changed();
  }

  get size(): number {
    return this.entries.length;
  }

  /** Every device, in id order (copies: callers cannot change the inventory behind its back). */
  list(): Ws1WireDevice[] {
    return this.entries.map((e) => structuredClone(e.device));
  }

  /** One page of a search, 0-based, plus the number of devices the filters match. */
  search(
    filters: Ws1SearchFilters,
    page: number,
    pageSize: number,
  ): { devices: Ws1WireDevice[]; total: number } {
    const list = this.filtered(filters);
    return {
      devices: list.slice(page * pageSize, (page + 1) * pageSize).map((e) => e.device),
      total: list.length,
    };
  }

  find(ref: Ws1DeviceRef): Ws1WireDevice | undefined {
    return this.entry(ref)?.device;
  }

  /** Adds a device, or replaces the one with the same id. */
  upsert(seed: Ws1DeviceSeed): Ws1WireDevice {
    const id = seed.id ?? (this.entries.at(-1)?.device.Id.Value ?? 1000) + 1;
    const device = wireDevice(seed, id, this.now());
    const entry = { device, lastSeenMs: Date.parse(`${device.LastSeen}Z`) };
    const existing = this.byId.get(id);
    if (existing) this.entries[this.entries.indexOf(existing)] = entry;
    else this.entries.splice(this.insertionPoint(id), 0, entry);
    this.byId.set(id, entry);
    this.changed();
    return device;
  }

  /** Sets the enrollment status and checks the device in (LastSeen = now), as the device itself would. */
  setStatus(ref: Ws1DeviceRef, status: Ws1EnrollmentStatus): Ws1WireDevice {
    const entry = this.required(ref);
    entry.device.EnrollmentStatus = status;
    if (status === 'Enrolled') entry.device.LastEnrolledOn = ws1Time(this.now());
    this.touchEntry(entry);
    return entry.device;
  }

  /** The device checked in now. */
  touch(ref: Ws1DeviceRef, at?: number): Ws1WireDevice {
    const entry = this.required(ref);
    this.touchEntry(entry, at);
    return entry.device;
  }

  /** Deletes the record, as an admin does after the device is unenrolled (`DELETE /API/mdm/devices/{id}`). */
  remove(ref: Ws1DeviceRef): Ws1WireDevice {
    const entry = this.required(ref);
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.byId.delete(entry.device.Id.Value);
    this.changed();
    return entry.device;
  }

  private touchEntry(entry: Entry, at = this.now()): void {
    entry.lastSeenMs = at;
    entry.device.LastSeen = ws1Time(at);
    this.changed();
  }

  private required(ref: Ws1DeviceRef): Entry {
    const entry = this.entry(ref);
    if (!entry) throw new Ws1SimNotFound(ref);
    return entry;
  }

  private entry(ref: Ws1DeviceRef): Entry | undefined {
    if (ref.id !== undefined) return this.byId.get(ref.id);
    if (ref.serialNumber) {
      const serial = ref.serialNumber.toUpperCase();
      return this.entries.find((e) => e.device.SerialNumber?.toUpperCase() === serial);
    }
    if (ref.user && ref.name) {
      const [user, name] = [ref.user.toLowerCase(), ref.name.toLowerCase()];
      const matches = this.entries.filter(
        (e) =>
          (e.device.UserName.toLowerCase() === user || e.device.UserEmailAddress?.toLowerCase() === user) &&
          e.device.DeviceFriendlyName.toLowerCase() === name,
      );
      return matches.length === 1 ? matches[0] : undefined;
    }
    return undefined;
  }

  private filtered(f: Ws1SearchFilters): Entry[] {
    const key = JSON.stringify(f);
    if (this.cache && this.cache.key === key && this.cache.version === this.version) return this.cache.list;
    const user = f.user?.toLowerCase();
    const platform = f.platform?.toLowerCase();
    const ownership = f.ownership?.toUpperCase();
    const unfiltered = !user && !platform && !ownership && f.lgid === undefined;
    let list =
      unfiltered && f.seenSince === undefined && f.seenTill === undefined
        ? this.entries
        : this.entries.filter(
            (e) =>
              (!user || e.device.UserName.toLowerCase() === user) &&
              (!platform || e.device.Platform.toLowerCase() === platform) &&
              (!ownership || e.device.Ownership === ownership) &&
              (f.lgid === undefined || e.device.LocationGroupId.Id.Value === f.lgid) &&
              (f.seenSince === undefined || e.lastSeenMs >= f.seenSince) &&
              (f.seenTill === undefined || e.lastSeenMs <= f.seenTill),
          );
    if (f.orderBy === 'lastseen') {
      list = [...list].sort((a, b) => a.lastSeenMs - b.lastSeenMs || a.device.Id.Value - b.device.Id.Value);
    }
    if (f.descending) list = [...list].reverse();
    this.cache = { key, version: this.version, list };
    return list;
  }

  private insertionPoint(id: number): number {
    let [lo, hi] = [0, this.entries.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.device.Id.Value < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private changed(): void {
    this.version++;
  }
}

export class Ws1SimNotFound extends Error {
  constructor(ref: Ws1DeviceRef) {
    super(`No single Workspace ONE device matches ${JSON.stringify(ref)}.`);
    this.name = 'Ws1SimNotFound';
  }
}
