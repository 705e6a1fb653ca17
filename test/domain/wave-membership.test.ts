import assert from 'node:assert/strict';
import type { WaveState } from '../../src/domain/campaign';
import {
  canAddMembers,
  canMoveFrom,
  decideMembership,
  type MembershipInput,
  membersToSave,
  type ResolvedEntry,
} from '../../src/domain/wave-membership';

const user = (id: string, upn = `${id}@contoso.com`) => ({
  id,
  userPrincipalName: upn,
  displayName: id.toUpperCase(),
});
const entry = (line: number, id: string): ResolvedEntry => ({
  line,
  upn: `${id}@contoso.com`,
  user: user(id),
});

const WAVES = [
  { id: 'pilot', name: 'Pilot', state: 'active' as WaveState },
  { id: 'wave-1', name: 'Wave 1', state: 'scheduled' as WaveState },
  { id: 'wave-2', name: 'Wave 2', state: 'draft' as WaveState },
];

function input(overrides: Partial<MembershipInput> = {}): MembershipInput {
  return {
    wave: WAVES[2]!,
    entries: [],
    currentWaveOf: new Map(),
    waves: WAVES,
    ...overrides,
  };
}

describe('wave membership: the one-wave rule', () => {
  it('a user in two waves: someone already in another wave is not added, and the preview names that wave', () => {
    const plan = decideMembership(
      input({
        entries: [entry(2, 'alex'), entry(3, 'megan'), entry(4, 'adele')],
        currentWaveOf: new Map([
          ['megan', 'pilot'],
          ['adele', 'wave-1'],
        ]),
      }),
    );
    assert.deepEqual(
      plan.add.map((m) => m.aadObjectId),
      ['alex'],
    );
    assert.deepEqual(
      plan.inOtherWave.map((m) => [m.aadObjectId, m.otherWaveId, m.otherWaveName, m.movable]),
      [
        ['megan', 'pilot', 'Pilot', false],
        ['adele', 'wave-1', 'Wave 1', true],
      ],
    );
    assert.deepEqual(
      plan.summary.problems.map((p) => [p.line, p.reason, p.wave?.name]),
      [
        [3, 'in-announced-wave', 'Pilot'],
        [4, 'in-another-wave', 'Wave 1'],
      ],
    );
    assert.deepEqual(
      membersToSave(plan).map((m) => m.aadObjectId),
      ['alex'],
    );
  });

  it('moves only on an explicit choice, and only out of a wave nobody was told about yet', () => {
    const plan = decideMembership(
      input({
        move: true,
        entries: [entry(2, 'megan'), entry(3, 'adele')],
        currentWaveOf: new Map([
          ['megan', 'pilot'],
          ['adele', 'wave-1'],
        ]),
      }),
    );
    assert.deepEqual(
      plan.move.map((m) => [m.aadObjectId, m.moveFrom]),
      [['adele', 'wave-1']],
    );
    assert.deepEqual(
      plan.inOtherWave.map((m) => m.aadObjectId),
      ['megan'],
    );
    assert.deepEqual(
      membersToSave(plan).map((m) => [m.aadObjectId, m.moveFrom]),
      [['adele', 'wave-1']],
    );
  });

  it('keeps users already in the wave, and treats a wave id that names no wave as no wave', () => {
    const plan = decideMembership(
      input({
        entries: [entry(2, 'alex'), entry(3, 'megan')],
        currentWaveOf: new Map([
          ['alex', 'wave-2'],
          ['megan', 'deleted-wave'],
        ]),
      }),
    );
    assert.deepEqual(
      plan.alreadyInWave.map((m) => m.aadObjectId),
      ['alex'],
    );
    assert.deepEqual(
      plan.add.map((m) => m.aadObjectId),
      ['megan'],
    );
    assert.deepEqual(plan.summary.problems, []);
  });

  it('reports users missing from the directory, failed look-ups and a second UPN of the same person', () => {
    const plan = decideMembership(
      input({
        entries: [
          entry(2, 'alex'),
          { line: 3, upn: 'ghost@contoso.com' },
          { line: 4, upn: 'flaky@contoso.com', lookupFailed: true },
          { line: 5, upn: 'alex.wilber@contoso.com', user: user('ALEX') },
        ],
      }),
    );
    assert.deepEqual(
      plan.summary.problems.map((p) => [p.line, p.reason, p.value, p.firstLine]),
      [
        [3, 'not-in-directory', 'ghost@contoso.com', undefined],
        [4, 'lookup-failed', 'flaky@contoso.com', undefined],
        [5, 'same-user', 'alex.wilber@contoso.com', 2],
      ],
    );
    assert.deepEqual(plan.summary.counts, {
      entries: 4,
      add: 1,
      move: 0,
      alreadyInWave: 0,
      inOtherWave: 0,
      notFound: 1,
      lookupFailed: 1,
      sameUser: 1,
      invalidRows: 0,
    });
  });

  it('summarises parse and membership problems together by line, listing the first N and counting the rest', () => {
    const parseProblems = Array.from({ length: 30 }, (_, i) => ({
      line: 2 * i + 10,
      value: `bad${i}`,
      reason: 'not-a-upn' as const,
    }));
    const plan = decideMembership(
      input({ entries: [{ line: 11, upn: 'ghost@contoso.com' }], parseProblems, maxProblems: 5 }),
    );
    assert.deepEqual(
      plan.summary.problems.map((p) => [p.line, p.reason]),
      [
        [10, 'not-a-upn'],
        [11, 'not-in-directory'],
        [12, 'not-a-upn'],
        [14, 'not-a-upn'],
        [16, 'not-a-upn'],
      ],
    );
    assert.equal(plan.summary.moreProblems, 26);
    assert.equal(plan.summary.counts.invalidRows, 30);
    assert.equal(plan.summary.blocked, false);
  });

  it('a file-level problem, or a wave being evaluated, blocks saving: nobody is to be saved', () => {
    const blockedByFile = decideMembership(
      input({
        entries: [entry(2, 'alex')],
        parseProblems: [{ line: 50_002, value: '50000', reason: 'too-many-rows' }],
      }),
    );
    assert.equal(blockedByFile.summary.blocked, true);
    assert.equal(blockedByFile.summary.blockedBy, 'too-many-rows');
    assert.deepEqual(membersToSave(blockedByFile), []);

    const closed = decideMembership(
      input({ wave: { id: 'old', name: 'Old', state: 'evaluating' }, entries: [entry(2, 'alex')] }),
    );
    assert.equal(closed.summary.blockedBy, 'wave-not-open');
    assert.deepEqual(membersToSave(closed), []);
  });

  it('states the rules: moves out of draft and scheduled waves only; members join until evaluation', () => {
    const states: WaveState[] = ['draft', 'scheduled', 'announced', 'active', 'evaluating', 'closed'];
    assert.deepEqual(
      states.filter((s) => canMoveFrom(s)),
      ['draft', 'scheduled'],
    );
    assert.deepEqual(
      states.filter((s) => canAddMembers(s)),
      ['draft', 'scheduled', 'announced', 'active'],
    );
    assert.equal(canAddMembers(undefined), true, 'a wave created by this import takes members');
  });
});
