/**
 * Deterministic large tenants for benchmarks and scale tests: the same options always give the same
 * users, ids and devices, so numbers from two runs can be compared.
 */
import type { DeviceSeed, GroupSeed, TenantSeed, UserSeed } from './seed';

export interface GenerateOptions {
  users: number;
  /** Average devices per user; 1.5 gives 15,000 devices for 10,000 users. Default 1.5. */
  devicesPerUser?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  domain?: string;
  /** Share of devices already moved to Intune only (0-1). Default 0. */
  migratedShare?: number;
  /** Share of devices enrolled in both MDMs (0-1). Default 0. */
  dualShare?: number;
  /** Split users into this many wave groups, nested in "All migration users". Default 0 (one flat group). */
  waves?: number;
  tenantId?: string;
}

/** Id of the group holding every generated user (directly, or through the wave groups). */
export const GENERATED_ALL_USERS_GROUP_ID = 'a11a11a1-0000-4000-8000-000000000000';

/** mulberry32: small, fast, good enough for test data (and deterministic simulations in tests). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guidFrom(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const GIVEN = [
  'Anna',
  'Erik',
  'Maria',
  'Lars',
  'Sara',
  'Johan',
  'Emma',
  'Karl',
  'Linnea',
  'Omar',
  'Priya',
  'Chen',
  'Lucas',
  'Aisha',
  'Noah',
  'Olivia',
];
const FAMILY = [
  'Andersson',
  'Johansson',
  'Karlsson',
  'Nilsson',
  'Smith',
  'Garcia',
  'Okafor',
  'Patel',
  'Nguyen',
  'Müller',
  'Rossi',
  'Kowalski',
];

interface DeviceKind {
  os: DeviceSeed['operatingSystem'];
  versions: string[];
  model: string;
  manufacturer: string;
  companyShare: number;
  weight: number;
}

const KINDS: DeviceKind[] = [
  {
    os: 'iOS',
    versions: ['17.6.1', '18.0.1', '18.1'],
    model: 'iPhone 15',
    manufacturer: 'Apple',
    companyShare: 0.4,
    weight: 40,
  },
  {
    os: 'Android',
    versions: ['13', '14', '15'],
    model: 'Galaxy S23',
    manufacturer: 'Samsung',
    companyShare: 0.3,
    weight: 25,
  },
  {
    os: 'Windows',
    versions: ['10.0.22631.4460', '10.0.19045.5131'],
    model: 'Latitude 7440',
    manufacturer: 'Dell Inc.',
    companyShare: 0.95,
    weight: 25,
  },
  {
    os: 'macOS',
    versions: ['14.6.1', '15.1'],
    model: 'MacBook Air',
    manufacturer: 'Apple',
    companyShare: 0.8,
    weight: 7,
  },
  {
    os: 'iPadOS',
    versions: ['17.6.1', '18.1'],
    model: 'iPad (10th generation)',
    manufacturer: 'Apple',
    companyShare: 0.7,
    weight: 3,
  },
];
const TOTAL_WEIGHT = KINDS.reduce((s, k) => s + k.weight, 0);

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function pickKind(rand: () => number): DeviceKind {
  let r = rand() * TOTAL_WEIGHT;
  for (const k of KINDS) {
    r -= k.weight;
    if (r < 0) return k;
  }
  return KINDS[0];
}

function generateDevice(rand: () => number, user: UserSeed, n: number, options: GenerateOptions): DeviceSeed {
  const kind = pickKind(rand);
  const ownership = rand() < kind.companyShare ? 'company' : 'personal';
  const r = rand();
  const migrated = options.migratedShare ?? 0;
  const management = r < migrated ? 'intune' : r < migrated + (options.dualShare ?? 0) ? 'dual' : 'partner';
  const compliance = rand();
  return {
    id: guidFrom(rand),
    deviceId: guidFrom(rand),
    user: user.id,
    displayName: `${user.givenName ?? 'User'}'s ${kind.model} ${n}`,
    operatingSystem: kind.os,
    osVersion: pick(rand, kind.versions),
    model: kind.model,
    manufacturer: kind.manufacturer,
    ownership,
    management,
    registrationDateTime: `-${30 + Math.floor(rand() * 900)}d`,
    approximateLastSignInDateTime: `-${1 + Math.floor(rand() * 14 * 24)}h`,
    ...(management === 'partner'
      ? {}
      : {
          intune: {
            id: guidFrom(rand),
            complianceState:
              compliance < 0.85 ? 'compliant' : compliance < 0.95 ? 'noncompliant' : 'inGracePeriod',
            enrolledDateTime: `-${1 + Math.floor(rand() * 60)}d`,
            lastSyncDateTime: `-${1 + Math.floor(rand() * 10 * 24)}h`,
          },
        }),
  };
}

function waveGroups(users: UserSeed[], waves: number, rand: () => number): GroupSeed[] {
  if (waves <= 0) {
    return [
      {
        id: GENERATED_ALL_USERS_GROUP_ID,
        displayName: 'All migration users',
        members: users.map((u) => u.id),
      },
    ];
  }
  const groups: GroupSeed[] = [];
  const size = Math.ceil(users.length / waves);
  for (let w = 0; w < waves; w++) {
    groups.push({
      id: guidFrom(rand),
      displayName: `Migration wave ${w + 1}`,
      members: users.slice(w * size, (w + 1) * size).map((u) => u.id),
    });
  }
  return [
    {
      id: GENERATED_ALL_USERS_GROUP_ID,
      displayName: 'All migration users',
      members: groups.map((g) => g.id),
    },
    ...groups,
  ];
}

export function generateTenant(options: GenerateOptions): TenantSeed {
  const rand = prng(options.seed ?? 1);
  const domain = options.domain ?? 'contoso.example';
  const perUser = options.devicesPerUser ?? 1.5;
  const users: UserSeed[] = [];
  const devices: DeviceSeed[] = [];
  for (let i = 0; i < options.users; i++) {
    const given = pick(rand, GIVEN);
    const family = pick(rand, FAMILY);
    const upn = `${given}.${family}.${String(i + 1).padStart(5, '0')}@${domain}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '');
    const user: UserSeed = {
      id: guidFrom(rand),
      userPrincipalName: upn,
      displayName: `${given} ${family}`,
      givenName: given,
      surname: family,
      preferredLanguage: rand() < 0.3 ? 'sv-SE' : 'en-US',
      usageLocation: rand() < 0.3 ? 'SE' : 'US',
    };
    users.push(user);
    // Spread devices so the total is exactly round(users × devicesPerUser).
    const count = Math.floor((i + 1) * perUser) - Math.floor(i * perUser);
    for (let n = 1; n <= count; n++) devices.push(generateDevice(rand, user, n, options));
  }
  return {
    tenantId: options.tenantId ?? 'generated-tenant',
    users,
    groups: waveGroups(users, options.waves ?? 0, rand),
    devices,
  };
}
