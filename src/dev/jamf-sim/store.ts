/**
 * The simulated Jamf Pro inventory: computers and mobile devices in memory, served in Jamf's pages
 * (`page`, `page-size`, `sort`, RSQL `filter`, `section`), and moved by the control API as a user or
 * an admin would move them (unmanaged, removed, re-enrolled, checked in).
 */
import {
  buildComputer,
  buildMobileDevice,
  COMPUTER_SECTIONS,
  computerDate,
  type JamfComputer,
  type JamfComputerSeed,
  type JamfMobileDevice,
  type JamfMobileDeviceSeed,
  MOBILE_SECTIONS,
} from './model';
import { type FilterField, parseRsql, RsqlError } from './rsql';

export type DeviceKind = 'computer' | 'mobile-device';

/** A device in control-API answers: ids, names and state only. */
export interface DeviceRef {
  kind: DeviceKind;
  id: string;
  name: string;
  serialNumber: string;
  username: string | null;
  managed: boolean;
  lastUpdate: string;
}

/** How the control API names a device: by id, by serial number, or by its user and name. */
export type DeviceSelector =
  | { kind?: DeviceKind; id: string }
  | { serialNumber: string }
  | { user: string; name: string };

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field = 'id',
  ) {
    super(message);
  }
}

export interface PageQuery {
  page: number;
  pageSize: number;
  sort: string;
  filter: string;
  sections: string[];
}

export interface Page {
  totalCount: number;
  results: Record<string, unknown>[];
}

/** Jamf's silent clamp on page-size (J9): a larger request gets this many rows and no error. */
export const MAX_PAGE_SIZE = 2000;

type Record_ = JamfComputer | JamfMobileDevice;

interface KindSpec<T extends Record_> {
  sections: Readonly<Record<string, string>>;
  sortable: Readonly<Record<string, (r: T) => string | boolean | null>>;
  filterable: Readonly<Record<string, FilterField<T>>>;
  idOf: (r: T) => string;
  /** Keys every result carries whatever sections were asked for. */
  base: (r: T) => Record<string, unknown>;
}

const COMPUTER: KindSpec<JamfComputer> = {
  sections: COMPUTER_SECTIONS,
  sortable: {
    id: (r) => r.id,
    udid: (r) => r.udid,
    'general.name': (r) => r.general.name,
    'general.reportDate': (r) => r.general.reportDate,
    'general.lastContact': (r) => r.general.lastContact,
    'general.lastEnrolledDate': (r) => r.general.lastEnrolledDate,
    'hardware.model': (r) => r.hardware.model,
    'operatingSystem.version': (r) => r.operatingSystem.version,
  },
  filterable: {
    id: { type: 'string', get: (r) => r.id },
    udid: { type: 'string', get: (r) => r.udid },
    'general.name': { type: 'string', get: (r) => r.general.name },
    'general.reportDate': { type: 'date', get: (r) => r.general.reportDate },
    'general.lastContact': { type: 'date', get: (r) => r.general.lastContact },
    'general.remoteManagement.managed': { type: 'boolean', get: (r) => r.general.remoteManagement.managed },
    'hardware.serialNumber': { type: 'string', get: (r) => r.hardware.serialNumber },
    'userAndLocation.username': { type: 'string', get: (r) => r.userAndLocation.username },
    'userAndLocation.email': { type: 'string', get: (r) => r.userAndLocation.email },
  },
  idOf: (r) => r.id,
  base: (r) => ({ id: r.id, udid: r.udid }),
};

const MOBILE: KindSpec<JamfMobileDevice> = {
  sections: MOBILE_SECTIONS,
  sortable: {
    mobileDeviceId: (r) => r.mobileDeviceId,
    displayName: (r) => r.general.displayName,
    serialNumber: (r) => r.hardware.serialNumber,
    udid: (r) => r.general.udid,
    lastInventoryUpdateDate: (r) => r.general.lastInventoryUpdateDate,
    lastContactDate: (r) => r.general.lastContactDate,
    username: (r) => r.userAndLocation.username,
  },
  filterable: {
    mobileDeviceId: { type: 'string', get: (r) => r.mobileDeviceId },
    displayName: { type: 'string', get: (r) => r.general.displayName },
    serialNumber: { type: 'string', get: (r) => r.hardware.serialNumber },
    udid: { type: 'string', get: (r) => r.general.udid },
    managed: { type: 'boolean', get: (r) => r.general.managed },
    supervised: { type: 'boolean', get: (r) => r.general.supervised },
    lastInventoryUpdateDate: { type: 'date', get: (r) => r.general.lastInventoryUpdateDate },
    lastContactDate: { type: 'date', get: (r) => r.general.lastContactDate },
    username: { type: 'string', get: (r) => r.userAndLocation.username },
    emailAddress: { type: 'string', get: (r) => r.userAndLocation.emailAddress },
    imei: { type: 'string', get: (r) => r.network.imei },
  },
  idOf: (r) => r.mobileDeviceId,
  base: (r) => ({ mobileDeviceId: r.mobileDeviceId, deviceType: r.deviceType }),
};

/** Ids are numbers in Jamf: "10" sorts after "9". */
function compareValues(a: string | boolean | null, b: string | boolean | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const sa = String(a);
  const sb = String(b);
  if (/^\d+$/.test(sa) && /^\d+$/.test(sb)) return Number(sa) - Number(sb);
  return sa.toLowerCase() < sb.toLowerCase() ? -1 : sa.toLowerCase() > sb.toLowerCase() ? 1 : 0;
}

export class JamfStore {
  readonly computers = new Map<string, JamfComputer>();
  readonly mobileDevices = new Map<string, JamfMobileDevice>();
  private nextComputerId = 1;
  private nextMobileId = 1;
  private version = 0;
  private sorted = new Map<string, { version: number; records: Record_[] }>();

  constructor(private readonly now: () => Date) {}

  load(computers: JamfComputerSeed[], mobileDevices: JamfMobileDeviceSeed[]): void {
    this.computers.clear();
    this.mobileDevices.clear();
    this.nextComputerId = 1;
    this.nextMobileId = 1;
    for (const c of computers) this.addComputer(c);
    for (const m of mobileDevices) this.addMobileDevice(m);
  }

  addComputer(seed: JamfComputerSeed): JamfComputer {
    const id = seed.id ?? String(this.nextComputerId);
    if (this.computers.has(id)) throw new SimError(409, `Computer ${id} already exists.`);
    this.nextComputerId = Math.max(this.nextComputerId, (Number(id) || 0) + 1);
    const record = buildComputer(seed, id, this.now());
    this.computers.set(id, record);
    this.version++;
    return record;
  }

  addMobileDevice(seed: JamfMobileDeviceSeed): JamfMobileDevice {
    const id = seed.id ?? String(this.nextMobileId);
    if (this.mobileDevices.has(id)) throw new SimError(409, `Mobile device ${id} already exists.`);
    this.nextMobileId = Math.max(this.nextMobileId, (Number(id) || 0) + 1);
    const record = buildMobileDevice(seed, id, this.now());
    this.mobileDevices.set(id, record);
    this.version++;
    return record;
  }

  /** Every device, for the control API and the control page. */
  list(): DeviceRef[] {
    return [
      ...[...this.computers.values()].map((c) => ref('computer', c)),
      ...[...this.mobileDevices.values()].map((m) => ref('mobile-device', m)),
    ];
  }

  find(selector: DeviceSelector): { kind: DeviceKind; record: Record_ } {
    const all = (kind?: DeviceKind): { kind: DeviceKind; record: Record_ }[] => [
      ...(kind !== 'mobile-device'
        ? [...this.computers.values()].map((record) => ({ kind: 'computer' as const, record }))
        : []),
      ...(kind !== 'computer'
        ? [...this.mobileDevices.values()].map((record) => ({ kind: 'mobile-device' as const, record }))
        : []),
    ];
    let found: { kind: DeviceKind; record: Record_ }[];
    let what: string;
    if ('id' in selector) {
      found = all(selector.kind).filter((d) => idOf(d.record) === selector.id);
      what = `id ${selector.id}`;
    } else if ('serialNumber' in selector) {
      const serial = selector.serialNumber.toUpperCase();
      found = all().filter((d) => d.record.hardware.serialNumber.toUpperCase() === serial);
      what = `serial number ${selector.serialNumber}`;
    } else {
      const user = selector.user.toLowerCase();
      const name = selector.name.toLowerCase();
      found = all().filter((d) => {
        const u = userOf(d.record);
        return (
          nameOf(d.record).toLowerCase() === name &&
          (u.username?.toLowerCase() === user || u.email?.toLowerCase() === user)
        );
      });
      what = `"${selector.name}" of ${selector.user}`;
    }
    if (found.length === 0) throw new SimError(404, `No device with ${what} in the Jamf Pro simulator.`);
    if (found.length > 1) throw new SimError(409, `${found.length} devices match ${what}; name one by id.`);
    return found[0];
  }

  describe(selector: DeviceSelector): DeviceRef {
    const { kind, record } = this.find(selector);
    return ref(kind, record);
  }

  /** Jamf stops (or resumes) managing the device; its record stays and its inventory date moves. */
  setManaged(selector: DeviceSelector, managed: boolean): DeviceRef {
    const { kind, record } = this.find(selector);
    if (kind === 'computer') {
      const c = record as JamfComputer;
      c.general.remoteManagement.managed = managed;
      c.general.mdmCapable.capable = managed;
      c.general.mdmProfileExpiration = managed ? c.general.mdmProfileExpiration : null;
    } else {
      (record as JamfMobileDevice).general.managed = managed;
    }
    this.touchRecord(kind, record);
    return ref(kind, record);
  }

  /** The device reports in: its last-contact and inventory dates become `at` (default now). */
  touch(selector: DeviceSelector, at?: Date): DeviceRef {
    const { kind, record } = this.find(selector);
    this.touchRecord(kind, record, at);
    return ref(kind, record);
  }

  /** An admin deletes the record: the device is gone from the inventory. */
  remove(selector: DeviceSelector): DeviceRef {
    const { kind, record } = this.find(selector);
    if (kind === 'computer') this.computers.delete(idOf(record));
    else this.mobileDevices.delete(idOf(record));
    this.version++;
    return ref(kind, record);
  }

  computerPage(q: PageQuery): Page {
    return this.page('computer', COMPUTER, this.computers, q);
  }

  mobileDevicePage(q: PageQuery): Page {
    return this.page('mobile-device', MOBILE, this.mobileDevices, q);
  }

  private touchRecord(kind: DeviceKind, record: Record_, at = this.now()): void {
    const iso = at.toISOString();
    if (kind === 'computer') {
      const g = (record as JamfComputer).general;
      g.reportDate = computerDate(iso);
      g.lastContact = computerDate(iso);
      g.lastCheckIn = computerDate(iso);
    } else {
      const g = (record as JamfMobileDevice).general;
      g.lastInventoryUpdateDate = iso;
      g.lastContactDate = iso;
    }
    this.version++;
  }

  private page<T extends Record_>(
    kind: DeviceKind,
    spec: KindSpec<T>,
    records: Map<string, T>,
    q: PageQuery,
  ): Page {
    for (const s of q.sections) {
      if (!spec.sections[s]) throw new SimError(400, `Unknown section ${s}.`, 'section');
    }
    let predicate: (r: T) => boolean;
    try {
      predicate = parseRsql(q.filter, spec.filterable);
    } catch (err) {
      if (err instanceof RsqlError) throw new SimError(400, err.message, err.field);
      throw err;
    }
    const matching = this.sortedRecords(kind, spec, records, q.sort).filter(predicate);
    const size = Math.min(q.pageSize, MAX_PAGE_SIZE);
    const slice = matching.slice(q.page * size, q.page * size + size);
    const wanted = new Set(q.sections.map((s) => spec.sections[s]));
    return {
      totalCount: matching.length,
      results: slice.map((r) => {
        const out = spec.base(r);
        // Jamf answers every top-level section, the ones not asked for as null.
        for (const key of Object.values(spec.sections)) {
          out[key] = wanted.has(key) ? ((r as unknown as Record<string, unknown>)[key] ?? null) : null;
        }
        return out;
      }),
    };
  }

  private sortedRecords<T extends Record_>(
    kind: DeviceKind,
    spec: KindSpec<T>,
    records: Map<string, T>,
    sort: string,
  ): T[] {
    const key = `${kind}|${sort}`;
    const cached = this.sorted.get(key);
    if (cached && cached.version === this.version) return cached.records as T[];
    const criteria = sort.split(',').map((part) => {
      const [field, dir = 'asc'] = part.trim().split(':');
      const get = spec.sortable[field];
      if (!get || (dir !== 'asc' && dir !== 'desc')) {
        throw new SimError(
          400,
          `Cannot sort by "${part}"; allowed: ${Object.keys(spec.sortable).join(', ')}.`,
          'sort',
        );
      }
      return { get, sign: dir === 'desc' ? -1 : 1 };
    });
    const out = [...records.values()].sort((a, b) => {
      for (const c of criteria) {
        const d = compareValues(c.get(a), c.get(b));
        if (d !== 0) return d * c.sign;
      }
      return compareValues(spec.idOf(a), spec.idOf(b));
    });
    this.sorted.set(key, { version: this.version, records: out });
    return out;
  }
}

function isComputer(r: Record_): r is JamfComputer {
  return 'id' in r;
}

function idOf(r: Record_): string {
  return isComputer(r) ? r.id : r.mobileDeviceId;
}

function nameOf(r: Record_): string {
  return isComputer(r) ? r.general.name : r.general.displayName;
}

function userOf(r: Record_): { username: string | null; email: string | null } {
  return isComputer(r)
    ? { username: r.userAndLocation.username, email: r.userAndLocation.email }
    : { username: r.userAndLocation.username, email: r.userAndLocation.emailAddress };
}

function ref(kind: DeviceKind, r: Record_): DeviceRef {
  return {
    kind,
    id: idOf(r),
    name: nameOf(r),
    serialNumber: r.hardware.serialNumber,
    username: userOf(r).username,
    managed: isComputer(r) ? r.general.remoteManagement.managed : r.general.managed,
    lastUpdate: isComputer(r) ? r.general.reportDate : r.general.lastInventoryUpdateDate,
  };
}

/** The `GET /api/v2/mobile-devices` list shape (no sections, no filter; §2.3). */
export function mobileDeviceListItem(r: JamfMobileDevice): Record<string, unknown> {
  return {
    id: r.mobileDeviceId,
    name: r.general.displayName,
    serialNumber: r.hardware.serialNumber,
    wifiMacAddress: r.hardware.wifiMacAddress,
    udid: r.general.udid,
    phoneNumber: r.network.phoneNumber,
    model: r.hardware.model,
    modelIdentifier: r.hardware.modelIdentifier,
    username: r.userAndLocation.username,
    type: r.deviceType.toLowerCase(),
    managementId: r.general.managementId,
    softwareUpdateDeviceId: null,
  };
}
