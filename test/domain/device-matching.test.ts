import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Platform } from '../../src/domain/device';
import {
  type DeviceMatchResult,
  findPerson,
  indexPeople,
  type MatchCandidate,
  matchDevices,
  type Person,
} from '../../src/domain/device-matching';
import { normaliseIdentifier, type OldMdmDevice } from '../../src/domain/old-mdm';

const PEOPLE: Person[] = Array.from({ length: 8 }, (_, i) => ({
  id: `p${i}`,
  userPrincipalName: `user${i}@example.com`,
  mail: `first.last${i}@example.com`,
}));
/** Old-MDM user names an admin mapped (legacy0 → user0, …). */
const MAPPING = Object.fromEntries(PEOPLE.map((p, i) => [`legacy${i}`, p.userPrincipalName]));
const people = indexPeople(PEOPLE, MAPPING);

const old = (vendorId: string, fields: Partial<OldMdmDevice> = {}): OldMdmDevice => ({
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId,
  platform: 'ios',
  ownership: 'corporate',
  enrollment: 'enrolled',
  ...fields,
});
const candidate = (key: string, fields: Partial<MatchCandidate> = {}): MatchCandidate => ({
  key,
  platform: 'ios',
  ...fields,
});
const resultOf = (olds: OldMdmDevice[], cands: MatchCandidate[]) =>
  matchDevices(olds, cands, people).matches.map((m) => m.result);

describe('device matching: rules', () => {
  it('tries serial, then IMEI/MEID, then UDID / Entra device id, each normalised', () => {
    const r = resultOf(
      [
        old('a', { serialNumber: 'dmpx-k2ab q1gc' }),
        old('b', { imei: '35 391811 071239 4' }),
        old('c', { imei: 'A1000031212345' }),
        old('d', { udid: '00008103-001a2d3e0c38801e' }),
        old('e', { entraDeviceId: '{AAAAAAAA-0000-4000-8000-000000000001}' }),
      ],
      [
        candidate('A', { serialNumber: 'DMPXK2ABQ1GC' }),
        // The same IMEI without its check digit.
        candidate('B', { imei: '35391811071239' }),
        candidate('C', { meid: 'a1000031212345' }),
        candidate('D', { udid: '00008103001A2D3E0C38801E' }),
        candidate('E', { entraDeviceId: 'aaaaaaaa-0000-4000-8000-000000000001' }),
      ],
    );
    assert.deepEqual(r, [
      { kind: 'matched', candidateKey: 'A', by: 'serial', confidence: 1 },
      { kind: 'matched', candidateKey: 'B', by: 'imei', confidence: 1 },
      { kind: 'matched', candidateKey: 'C', by: 'imei', confidence: 1 },
      { kind: 'matched', candidateKey: 'D', by: 'udid', confidence: 1 },
      { kind: 'matched', candidateKey: 'E', by: 'entra-device-id', confidence: 1 },
    ]);
  });

  it('matches by person + platform + name with a stated confidence; iPad and iOS are one family', () => {
    const r = resultOf(
      [
        old('a', { name: "Alex's iPad", platform: 'ios', userPrincipalName: 'USER0@example.com' }),
        old('b', { name: 'alexs ipad', platform: 'ios', userEmail: 'first.last1@example.com' }),
        old('c', { name: 'Work phone', platform: 'android', userPrincipalName: 'legacy2' }),
        old('d', { name: 'Work phone', platform: 'ios', userPrincipalName: 'legacy3' }),
      ],
      [
        candidate('A', { name: "Alex's iPad", platform: 'ipados', userPrincipalName: 'user0@example.com' }),
        candidate('B', { name: 'Alex’s iPad', platform: 'ipados', ownerId: 'p1' }),
        candidate('C', { name: 'Work phone', platform: 'android', userPrincipalName: 'user2@example.com' }),
        candidate('D', { name: 'Work phone', platform: 'android', userPrincipalName: 'user3@example.com' }),
      ],
    );
    assert.deepEqual(r, [
      { kind: 'matched', candidateKey: 'A', by: 'user-platform-name', confidence: 0.8 },
      { kind: 'matched', candidateKey: 'B', by: 'user-platform-name', confidence: 0.6 },
      { kind: 'matched', candidateKey: 'C', by: 'user-platform-name', confidence: 0.8 },
      { kind: 'unmatched' },
    ]);
  });

  it('never lets a weaker rule override a stronger identifier that disagrees', () => {
    const r = resultOf(
      [
        old('a', { serialNumber: 'S1', imei: '353918110712394' }),
        old('b', { serialNumber: 'S2', name: 'Phone', userPrincipalName: 'user0@example.com' }),
      ],
      [
        candidate('A', { serialNumber: 'S9', imei: '353918110712394' }),
        candidate('B', { serialNumber: 'S8', name: 'Phone', userPrincipalName: 'user0@example.com' }),
      ],
    );
    assert.deepEqual(r, [{ kind: 'unmatched' }, { kind: 'unmatched' }]);
  });

  it('lists a key shared on either side as ambiguous, and never gives one candidate to two old devices', () => {
    const r = resultOf(
      [
        old('a', { serialNumber: 'S1' }),
        old('b', { serialNumber: 'S2' }),
        old('c', { serialNumber: 'S2' }),
        old('d', { serialNumber: 'S3' }),
        old('e', { imei: '353918110712394', name: 'Phone', userPrincipalName: 'user0@example.com' }),
      ],
      [
        candidate('A1', { serialNumber: 'S1' }),
        candidate('A2', { serialNumber: 's1' }),
        candidate('B', { serialNumber: 'S2' }),
        candidate('D', { serialNumber: 'S3', name: 'Phone', userPrincipalName: 'user0@example.com' }),
      ],
    );
    assert.deepEqual(r, [
      { kind: 'ambiguous', candidates: ['A1', 'A2'], by: 'serial', reason: 'several-candidates' },
      { kind: 'ambiguous', candidates: ['B'], by: 'serial', reason: 'several-old-devices' },
      { kind: 'ambiguous', candidates: ['B'], by: 'serial', reason: 'several-old-devices' },
      { kind: 'matched', candidateKey: 'D', by: 'serial', confidence: 1 },
      { kind: 'ambiguous', candidates: ['D'], by: 'user-platform-name', reason: 'candidate-taken' },
    ]);
  });

  it('counts the outcome per kind and per rule', () => {
    const outcome = matchDevices(
      [old('a', { serialNumber: 'S1' }), old('b', { udid: 'U1' }), old('c')],
      [candidate('A', { serialNumber: 'S1' }), candidate('B', { udid: 'u1' })],
      people,
    );
    assert.deepEqual(outcome.counts, {
      matched: 2,
      ambiguous: 0,
      unmatched: 1,
      byRule: { serial: 1, imei: 0, udid: 1, 'entra-device-id': 0, 'user-platform-name': 0 },
    });
  });
});

describe('device matching: people', () => {
  const twins = indexPeople(
    [...PEOPLE, { id: 'p9', userPrincipalName: 'other@example.com', mail: 'first.last0@example.com' }],
    { ghost: 'nobody@example.com', legacy1: 'user1@example.com' },
  );

  it('finds a person by UPN, then mail, then the admin mapping, and says why when not', () => {
    assert.deepEqual(findPerson({ userPrincipalName: 'User2@Example.com' }, people), {
      match: { person: PEOPLE[2], by: 'upn' },
    });
    assert.deepEqual(findPerson({ userEmail: 'first.last3@example.com' }, people), {
      match: { person: PEOPLE[3], by: 'mail' },
    });
    assert.deepEqual(findPerson({ userPrincipalName: 'first.last4@example.com' }, people), {
      match: { person: PEOPLE[4], by: 'mail' },
    });
    assert.deepEqual(findPerson({ userPrincipalName: 'LEGACY5' }, people), {
      match: { person: PEOPLE[5], by: 'mapping' },
    });
    // The old MDM's own account name (not a UPN) is resolved through the admin's mapping.
    assert.deepEqual(findPerson({ userName: 'legacy5' }, people), {
      match: { person: PEOPLE[5], by: 'mapping' },
    });
    assert.deepEqual(findPerson({ userName: 'nobody-mapped' }, people), { missing: 'not-found' });
    assert.deepEqual(findPerson({}, people), { missing: 'no-user' });
    assert.deepEqual(findPerson({ userPrincipalName: 'stranger' }, people), { missing: 'not-found' });
    assert.deepEqual(findPerson({ userEmail: 'first.last0@example.com' }, twins), {
      missing: 'ambiguous-mail',
    });
    assert.deepEqual(findPerson({ userPrincipalName: 'ghost' }, twins), {
      missing: 'mapping-target-unknown',
    });
  });

  it('reports the person with every device, matched or not', () => {
    const [m] = matchDevices([old('a', { userPrincipalName: 'legacy1' })], [], people).matches;
    assert.deepEqual(m!.result, { kind: 'unmatched' });
    assert.deepEqual(m!.person, { person: PEOPLE[1], by: 'mapping' });
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests against a generator that knows the truth

type UserForm = 'upn' | 'mail' | 'mapping' | 'unknown' | 'none';
type Presence = 'both' | 'old' | 'intune';

interface PhysicalSpec {
  person: number;
  platform: Platform;
  presence: Presence;
  userForm: UserForm;
  /** Which identifiers each side still carries (serial, IMEI, UDID, Entra id). */
  oldIds: [boolean, boolean, boolean, boolean];
  candIds: [boolean, boolean, boolean, boolean];
  nameVariant: 'same' | 'case' | 'punctuation';
  /** A stale Intune record of the same device (same serial and name, another key). */
  stale: boolean;
  /** Another device of the same person and platform with the same name, on both sides. */
  twin: boolean;
}

const ids = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean());
const spec: fc.Arbitrary<PhysicalSpec> = fc.record({
  person: fc.nat({ max: PEOPLE.length - 1 }),
  platform: fc.constantFrom<Platform>('ios', 'ipados', 'android', 'windows', 'macos'),
  presence: fc.constantFrom<Presence>('both', 'both', 'old', 'intune'),
  userForm: fc.constantFrom<UserForm>('upn', 'mail', 'mapping', 'unknown', 'none'),
  oldIds: ids,
  candIds: ids,
  nameVariant: fc.constantFrom('same', 'case', 'punctuation'),
  stale: fc.boolean(),
  twin: fc.boolean(),
});

interface Scenario {
  olds: OldMdmDevice[];
  cands: MatchCandidate[];
  /** Old vendorId → the candidate key of the same physical device. */
  truth: Map<string, string | undefined>;
  /** Old vendorId → the person's id, when the old MDM names them in a findable way. */
  personTruth: Map<string, string | undefined>;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function scenario(specs: PhysicalSpec[]): Scenario {
  const olds: OldMdmDevice[] = [];
  const cands: MatchCandidate[] = [];
  const truth = new Map<string, string | undefined>();
  const personTruth = new Map<string, string | undefined>();
  const physical: (PhysicalSpec & { name: string })[] = [];
  specs.forEach((s, i) => {
    physical.push({ ...s, name: `Device ${i}` });
    // Twins share person, platform and name; both are on both sides so the name can never decide.
    if (s.twin) physical.push({ ...s, presence: 'both', stale: false, twin: false, name: `Device ${i}` });
  });
  physical.forEach((s, i) => {
    if (s.twin) s.presence = 'both';
    const person = PEOPLE[s.person]!;
    const serial = `SER${i}X`;
    const imei = `35${String(i).padStart(12, '0')}7`;
    const udid = `0000${hex(i, 4)}-00${hex(i, 14)}`;
    const entra = `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`;
    const candKey = `cand-${i}`;
    const vendorId = `old-${i}`;
    if (s.presence !== 'old') {
      cands.push({
        key: candKey,
        name: s.name,
        platform: s.platform,
        // A stale record shares the serial, so the serial alone can never pick between the two.
        ...(s.candIds[0] || s.stale ? { serialNumber: serial } : {}),
        ...(s.candIds[1] ? { imei } : {}),
        ...(s.candIds[2] ? { udid } : {}),
        ...(s.candIds[3] ? { entraDeviceId: entra } : {}),
        ...(i % 3 === 0 ? { ownerId: person.id } : { userPrincipalName: person.userPrincipalName }),
      });
      if (s.stale) {
        cands.push({
          key: `stale-${i}`,
          name: s.name,
          platform: s.platform,
          serialNumber: serial,
          userPrincipalName: person.userPrincipalName,
        });
      }
    }
    if (s.presence !== 'intune') {
      const name =
        s.nameVariant === 'case'
          ? s.name.toUpperCase()
          : s.nameVariant === 'punctuation'
            ? s.name.replace(' ', '-')
            : s.name;
      const user: Partial<OldMdmDevice> =
        s.userForm === 'upn'
          ? { userPrincipalName: person.userPrincipalName.toUpperCase() }
          : s.userForm === 'mail'
            ? { userEmail: person.mail! }
            : s.userForm === 'mapping'
              ? { userPrincipalName: `legacy${s.person}` }
              : s.userForm === 'unknown'
                ? { userPrincipalName: `stranger${i}` }
                : {};
      olds.push(
        old(vendorId, {
          name,
          platform: s.platform,
          ...(s.oldIds[0] ? { serialNumber: serial.toLowerCase().replace('ser', 'ser-') } : {}),
          ...(s.oldIds[1] ? { imei: `${imei.slice(0, 2)} ${imei.slice(2, 8)} ${imei.slice(8)}` } : {}),
          ...(s.oldIds[2] ? { udid: udid.toLowerCase() } : {}),
          ...(s.oldIds[3] ? { entraDeviceId: `{${entra.toUpperCase()}}` } : {}),
          ...user,
        }),
      );
      truth.set(vendorId, s.presence === 'both' ? candKey : undefined);
      personTruth.set(vendorId, s.userForm === 'unknown' || s.userForm === 'none' ? undefined : person.id);
    }
  });
  return { olds, cands, truth, personTruth };
}

const scenarios = fc.array(spec, { minLength: 1, maxLength: 30 }).map(scenario);

describe('device matching: properties', () => {
  it('never matches a device to the wrong Intune device or person', () => {
    fc.assert(
      fc.property(scenarios, ({ olds, cands, truth, personTruth }) => {
        for (const m of matchDevices(olds, cands, people).matches) {
          if (m.result.kind === 'matched') assert.equal(m.result.candidateKey, truth.get(m.device.vendorId));
          assert.equal(m.person?.person.id, personTruth.get(m.device.vendorId));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches by serial every device whose serial is unique on both sides', () => {
    fc.assert(
      fc.property(scenarios, ({ olds, cands }) => {
        const count = (values: (string | undefined)[]) => {
          const n = new Map<string, number>();
          for (const v of values) if (v) n.set(v, (n.get(v) ?? 0) + 1);
          return n;
        };
        const oldSerials = count(olds.map((d) => normaliseIdentifier(d.serialNumber)));
        const candSerials = count(cands.map((c) => normaliseIdentifier(c.serialNumber)));
        for (const m of matchDevices(olds, cands, people).matches) {
          const serial = normaliseIdentifier(m.device.serialNumber);
          if (serial && oldSerials.get(serial) === 1 && candSerials.get(serial) === 1) {
            assert.equal(m.result.kind, 'matched');
            assert.equal(m.result.kind === 'matched' && m.result.by, 'serial');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reports ambiguity, listing both, when two candidates share the deciding key', () => {
    fc.assert(
      fc.property(scenarios, fc.nat(), ({ olds, cands }, pick) => {
        const withSerial = olds.filter((d) => d.serialNumber);
        fc.pre(withSerial.length > 0);
        const target = withSerial[pick % withSerial.length]!;
        const doubles = [
          candidate('double-1', { serialNumber: target.serialNumber!.toUpperCase() }),
          candidate('double-2', { serialNumber: target.serialNumber! }),
        ];
        const m = matchDevices(olds, [...cands, ...doubles], people).matches.find(
          (x) => x.device === target,
        )!;
        assert.equal(m.result.kind, 'ambiguous');
        assert.equal(m.result.kind === 'ambiguous' && m.result.by, 'serial');
        const listed = m.result.kind === 'ambiguous' ? m.result.candidates : [];
        assert.ok(listed.includes('double-1') && listed.includes('double-2'));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same answers whatever the order of either side', () => {
    fc.assert(
      fc.property(
        scenarios.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.shuffledSubarray(s.olds, { minLength: s.olds.length }),
            fc.shuffledSubarray(s.cands, { minLength: s.cands.length }),
          ),
        ),
        ([{ olds, cands }, shuffledOlds, shuffledCands]) => {
          const answers = (o: OldMdmDevice[], c: MatchCandidate[]) =>
            new Map<string, [DeviceMatchResult, string | undefined]>(
              matchDevices(o, c, people).matches.map((m) => [
                m.device.vendorId,
                [m.result, m.person?.person.id],
              ]),
            );
          assert.deepEqual(answers(shuffledOlds, shuffledCands), answers(olds, cands));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('device matching: size', () => {
  it('matches 100,000 old devices against 60,000 candidates in about a second', () => {
    const bigPeople = indexPeople(
      Array.from({ length: 20_000 }, (_, i) => ({
        id: `p${i}`,
        userPrincipalName: `u${i}@example.com`,
        mail: `m${i}@example.com`,
      })),
    );
    const olds: OldMdmDevice[] = [];
    const cands: MatchCandidate[] = [];
    for (let i = 0; i < 100_000; i++) {
      const both = i < 60_000;
      const nameOnly = i % 50 === 0;
      olds.push(
        old(`o${i}`, {
          name: `Device ${i}`,
          ...(nameOnly ? {} : { serialNumber: `S${i}` }),
          ...(i % 7 === 0 ? { imei: `35${String(i).padStart(12, '0')}` } : {}),
          userPrincipalName: `u${i % 20_000}@example.com`,
        }),
      );
      if (both) {
        cands.push(
          candidate(`c${i}`, {
            name: `Device ${i}`,
            ...(nameOnly ? {} : { serialNumber: `S${i}` }),
            userPrincipalName: `u${i % 20_000}@example.com`,
          }),
        );
      }
    }
    // CPU time, not wall time: a shared test machine's load must not decide the outcome.
    const started = process.cpuUsage();
    const outcome = matchDevices(olds, cands, bigPeople);
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    assert.equal(outcome.counts.matched, 60_000);
    assert.equal(outcome.counts.byRule['user-platform-name'], 1_200);
    assert.equal(outcome.counts.unmatched, 40_000);
    // About 1 s of CPU on a busy two-core VM; anything quadratic would take minutes.
    assert.ok(ms < 3_000, `took ${Math.round(ms)} ms of CPU`);
  });
});
