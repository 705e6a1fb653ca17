/**
 * The old-MDM benchmark's data: a Workspace ONE inventory, the tenant that shares part of it, the
 * people, and the truth about every old-MDM device (which Intune/Entra device and which person it
 * is, or why no answer is right), so matching can be scored. Deterministic: same options, same data.
 *
 * The inventory and the tenant are written to seed files, one record at a time, for the simulators'
 * processes to read: the benchmark process never holds them, so its peak RSS is the product's. The
 * truth is one byte per device; the expected Intune key and person follow from the device's number.
 *
 * Every device the two sides share is enrolled in Intune as well (dual enrollment): an Entra-only
 * record in Graph's device list carries neither hardware identifiers nor an owner, so no rule could
 * match it and it would only add unmatched devices the truth cannot call anything else.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { prng } from '../src/dev/tenant-sim/generate';
import type { DeviceSeed, UserSeed } from '../src/dev/tenant-sim/seed';
import type { Ws1DeviceSeed } from '../src/dev/workspace-one-sim';

export interface OldMdmBenchOptions {
  /** Devices in Workspace ONE. */
  devices: number;
  /** Of those, also in the tenant (Intune + Entra). */
  shared: number;
  /** Of the shared, findable only by user + platform + name. */
  nameOnly: number;
  /** Of the shared, deliberately ambiguous. */
  ambiguous: number;
  seed?: number;
}

/** Where the simulators' seeds go: a JSON array of Ws1DeviceSeed, and a JSON TenantSeed. */
export interface OldMdmBenchFiles {
  ws1: string;
  tenant: string;
}

/** What matching must answer for one old-MDM device. */
export type Truth =
  | { kind: 'matched'; candidateKey: string; personId: string }
  | { kind: 'ambiguous'; personId: string }
  | { kind: 'unmatched'; personId: string };

const KIND_CODES = ['unmatched', 'matched', 'ambiguous'] as const;

/** The truth by Workspace ONE device id, one byte per device. */
export class BenchTruth {
  constructor(private readonly kinds: Uint8Array) {}

  get size(): number {
    return this.kinds.length;
  }

  get(vendorId: string): Truth | undefined {
    const d = Number(vendorId) - WS1_ID_BASE;
    if (!Number.isInteger(d) || d < 0 || d >= this.kinds.length) return undefined;
    const personId = benchPerson(Math.floor(d / DEVICES_PER_USER)).id;
    const kind = KIND_CODES[this.kinds[d]!]!;
    // A matched device is never a twin, so its Intune key is its own number's Entra device id.
    return kind === 'matched'
      ? { kind, candidateKey: guid(0xde71, d).toLowerCase(), personId }
      : { kind, personId };
  }

  counts(): Record<Truth['kind'], number> {
    const out = { matched: 0, ambiguous: 0, unmatched: 0 };
    for (const k of this.kinds) out[KIND_CODES[k]!]++;
    return out;
  }
}

export interface OldMdmBenchData {
  truth: BenchTruth;
  /** People (two devices each) and the tenant's device records, for the progress lines. */
  people: number;
  tenantDevices: number;
  /** How each shared device can be found, and the ambiguous kinds. */
  mix: Record<string, number>;
}

/** Workspace ONE device ids start here; new devices of the incremental round start at NEW_ID_BASE. */
export const WS1_ID_BASE = 100_000;
export const NEW_ID_BASE = 900_000;
const DOMAIN = 'contoso.example';
export const DEVICES_PER_USER = 2;

interface Kind {
  os: DeviceSeed['operatingSystem'];
  ws1Platform: string;
  model: string;
  manufacturer: string;
  osVersion: string;
  phone: boolean;
  apple: boolean;
  weight: number;
}

const KINDS: Kind[] = [
  {
    os: 'iOS',
    ws1Platform: 'Apple',
    model: 'iPhone 15',
    manufacturer: 'Apple',
    osVersion: '18.1',
    phone: true,
    apple: true,
    weight: 40,
  },
  {
    os: 'Android',
    ws1Platform: 'Android',
    model: 'Galaxy S23',
    manufacturer: 'Samsung',
    osVersion: '14',
    phone: true,
    apple: false,
    weight: 25,
  },
  {
    os: 'Windows',
    ws1Platform: 'WinRT',
    model: 'Latitude 7440',
    manufacturer: 'Dell Inc.',
    osVersion: '10.0.22631.4460',
    phone: false,
    apple: false,
    weight: 25,
  },
  {
    os: 'macOS',
    ws1Platform: 'AppleOsX',
    model: 'MacBook Air',
    manufacturer: 'Apple',
    osVersion: '15.1',
    phone: false,
    apple: true,
    weight: 7,
  },
  {
    os: 'iPadOS',
    ws1Platform: 'Apple',
    model: 'iPad (10th generation)',
    manufacturer: 'Apple',
    osVersion: '18.1',
    phone: false,
    apple: true,
    weight: 3,
  },
];
const TOTAL_WEIGHT = KINDS.reduce((s, k) => s + k.weight, 0);

function pickKind(rand: () => number): Kind {
  let r = rand() * TOTAL_WEIGHT;
  for (const k of KINDS) {
    r -= k.weight;
    if (r < 0) return k;
  }
  return KINDS[0]!;
}

/** A GUID-shaped id from a kind tag and a number: readable in a debugger, unique by construction. */
function guid(tag: number, n: number): string {
  return `${tag.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Person `u` of the generated tenant, as the participants table and the simulator know them. */
export function benchPerson(u: number): { id: string; userPrincipalName: string } {
  return { id: guid(0xaccc, u), userPrincipalName: `user.${String(u).padStart(6, '0')}@${DOMAIN}` };
}

const serialOf = (n: number) => `C02${n.toString(36).toUpperCase().padStart(9, '0')}`;
/** 15 digits; matching compares the first 14, so the last digit need not be a real Luhn check. */
const imeiOf = (n: number) => `35${String(n).padStart(12, '0')}0`;
const udidOf = (n: number) => `00008030-${n.toString(16).toUpperCase().padStart(16, '0')}`;

type Category =
  | 'serial'
  | 'imei-only'
  | 'udid-only'
  | 'name-only'
  | 'name-only-similar'
  | 'two-intune-same-serial'
  | 'twin-old-records'
  | 'name-twins'
  | 'old-mdm-only';

/** Shuffles 0..n-1 (Fisher–Yates) so categories spread over users and ids. */
function shuffled(n: number, rand: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function categories(o: OldMdmBenchOptions, kindOf: readonly Kind[], rand: () => number): Category[] {
  const cats: Category[] = new Array(o.devices).fill('old-mdm-only');
  const order = shuffled(o.devices, rand);
  // Ambiguous: half a stale second Intune record with the same serial, 40 % twin old records
  // (pairs, so they sit on neighbouring ids of one user), 10 % two Intune devices with the same name.
  const twinPairs = Math.floor((o.ambiguous * 0.4) / 2);
  const nameTwins = Math.floor(o.ambiguous * 0.1);
  const staleSerial = o.ambiguous - 2 * twinPairs - nameTwins;
  let next = 0;
  const take = (count: number, cat: Category, fits: (d: number) => boolean = () => true) => {
    for (let placed = 0; placed < count && next < order.length; next++) {
      const d = order[next]!;
      if (cats[d] !== 'old-mdm-only' || !fits(d)) continue;
      cats[d] = cat;
      placed++;
    }
  };
  // Twins are the two devices of one user (d even, d + 1), so both are placed together.
  for (let placed = 0; placed < twinPairs && next < order.length; next++) {
    const d = order[next]! & ~1;
    if (cats[d] !== 'old-mdm-only' || cats[d + 1] !== 'old-mdm-only') continue;
    cats[d] = 'twin-old-records';
    cats[d + 1] = 'twin-old-records';
    placed++;
  }
  take(staleSerial, 'two-intune-same-serial');
  take(nameTwins, 'name-twins');
  const similar = Math.floor(o.nameOnly * 0.2);
  take(o.nameOnly - similar, 'name-only');
  take(similar, 'name-only-similar');
  const rest = o.shared - o.ambiguous - o.nameOnly;
  take(Math.floor(rest * 0.1), 'imei-only', (d) => kindOf[d]!.phone);
  take(Math.floor(rest * 0.05), 'udid-only', (d) => kindOf[d]!.apple);
  const placedShared = cats.filter((c) => c !== 'old-mdm-only').length;
  take(o.shared - placedShared, 'serial');
  return cats;
}

/** JSON records appended to a file in large writes; nothing is kept once written. */
class JsonSink {
  private readonly fd: number;
  private chunk: string[] = [];
  private first = true;
  constructor(path: string, opening: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, opening);
  }
  push(value: unknown): void {
    this.chunk.push((this.first ? '' : ',') + JSON.stringify(value));
    this.first = false;
    if (this.chunk.length >= 1_000) this.flush();
  }
  /** Starts a new array section (`],"devices":[`): the next record needs no comma. */
  section(text: string): void {
    this.flush();
    writeSync(this.fd, text);
    this.first = true;
  }
  close(closing: string): void {
    this.flush();
    writeSync(this.fd, closing);
    closeSync(this.fd);
  }
  private flush(): void {
    if (this.chunk.length) writeSync(this.fd, this.chunk.join(''));
    this.chunk = [];
  }
}

/** Writes both simulators' seeds and returns the truth. */
export function writeOldMdmBench(o: OldMdmBenchOptions, files: OldMdmBenchFiles): OldMdmBenchData {
  const rand = prng(o.seed ?? 12);
  const userCount = Math.ceil(o.devices / DEVICES_PER_USER);
  const tenant = new JsonSink(files.tenant, '{"tenantId":"old-mdm-bench","groups":[],"users":[');
  for (let u = 0; u < userCount; u++) {
    const { id, userPrincipalName } = benchPerson(u);
    const user: UserSeed = {
      id,
      userPrincipalName,
      displayName: `User ${u}`,
      givenName: 'User',
      surname: String(u),
    };
    tenant.push(user);
  }
  tenant.section('],"devices":[');
  const ws1 = new JsonSink(files.ws1, '[');
  const kindOf = Array.from({ length: o.devices }, () => pickKind(rand));
  const cats = categories(o, kindOf, rand);

  const kinds = new Uint8Array(o.devices);
  const expect = (d: number, kind: Truth['kind']) => {
    kinds[d] = KIND_CODES.indexOf(kind);
  };
  const mix: Record<string, number> = {};
  let tenantDevices = 0;
  const addDevice = (seed: DeviceSeed) => {
    tenant.push(seed);
    tenantDevices++;
  };
  const now = Date.now();
  let extra = o.devices;
  for (let d = 0; d < o.devices; d++) {
    const cat = cats[d]!;
    mix[cat] = (mix[cat] ?? 0) + 1;
    const u = Math.floor(d / DEVICES_PER_USER);
    const user = benchPerson(u);
    const personId = user.id;
    // Twins are one physical device listed twice: they share the first one's identifiers and name.
    const hw = cat === 'twin-old-records' && d % 2 === 1 ? d - 1 : d;
    const hwKind = kindOf[hw]!;
    const name = `User ${u}'s ${hwKind.model} ${hw}`;
    // A directory account name instead of the UPN for 1 % of devices: the person is then found by mail.
    const byMail = d % 100 === 7;
    const seed: Ws1DeviceSeed = {
      id: WS1_ID_BASE + d,
      friendlyName: name,
      userName: byMail ? user.userPrincipalName.split('@')[0]! : user.userPrincipalName,
      userEmail: user.userPrincipalName,
      platform: hwKind.ws1Platform,
      model: hwKind.model,
      operatingSystem: hwKind.osVersion,
      ownership: rand() < 0.7 ? 'C' : 'E',
      // Days to weeks ago: the incremental read after the full one sees only what changed since.
      lastSeen: new Date(
        now - (2 + Math.floor(rand() * 28)) * 86_400_000 - Math.floor(rand() * 86_400_000),
      ).toISOString(),
    };
    const identifiers = {
      serialNumber: serialOf(hw),
      imei: hwKind.phone ? imeiOf(hw) : undefined,
      udid: hwKind.apple ? udidOf(hw) : undefined,
    };
    if (
      cat === 'serial' ||
      cat === 'two-intune-same-serial' ||
      cat === 'twin-old-records' ||
      cat === 'old-mdm-only'
    ) {
      Object.assign(seed, withoutUndefined(identifiers));
    } else if (cat === 'imei-only') {
      seed.imei = identifiers.imei;
    } else if (cat === 'udid-only') {
      seed.udid = identifiers.udid;
    }
    // name-only, name-only-similar and name-twins: no identifier at all (an Android work profile, a
    // record whose inventory never came back): only the person, the platform and the name remain.
    ws1.push(seed);

    const intuneDevice = (n: number, displayName: string, ids: Partial<DeviceSeed>): DeviceSeed => ({
      id: guid(0xe0b1, n),
      deviceId: guid(0xde71, n),
      user: personId,
      displayName,
      operatingSystem: hwKind.os,
      osVersion: hwKind.osVersion,
      model: hwKind.model,
      manufacturer: hwKind.manufacturer,
      ownership: seed.ownership === 'E' ? 'personal' : 'company',
      management: 'dual',
      intune: { id: guid(0x1e7e, n) },
      ...ids,
    });
    switch (cat) {
      case 'old-mdm-only':
        expect(d, 'unmatched');
        break;
      case 'serial':
      case 'imei-only':
      case 'udid-only':
      case 'name-only':
        addDevice(intuneDevice(hw, name, withoutUndefined(identifiers)));
        expect(d, 'matched');
        break;
      case 'name-only-similar':
        // Case and punctuation differ ("user 12s iphone 15 …"): the weaker, similar-name confidence.
        addDevice(intuneDevice(hw, name.toLowerCase().replace("'", ''), withoutUndefined(identifiers)));
        expect(d, 'matched');
        break;
      case 'two-intune-same-serial':
        // The current record and a stale one from an earlier enrollment, both still in Intune.
        addDevice(intuneDevice(hw, name, withoutUndefined(identifiers)));
        addDevice(intuneDevice(extra++, name, { serialNumber: identifiers.serialNumber }));
        expect(d, 'ambiguous');
        break;
      case 'twin-old-records':
        if (hw === d) addDevice(intuneDevice(hw, name, withoutUndefined(identifiers)));
        expect(d, 'ambiguous');
        break;
      case 'name-twins':
        // Two of the person's Intune devices carry the old record's name and platform.
        addDevice(intuneDevice(hw, name, withoutUndefined(identifiers)));
        addDevice(intuneDevice(extra, name, { serialNumber: serialOf(extra) }));
        extra++;
        expect(d, 'ambiguous');
        break;
    }
  }
  ws1.close(']');
  tenant.close(']}');
  return { truth: new BenchTruth(kinds), people: userCount, tenantDevices, mix };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
