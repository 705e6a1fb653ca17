import assert from 'node:assert/strict';
import { parseCsvImport } from '../../../src/domain/member-import-csv';
import { importProblemText, resolveImport } from '../../../src/features/admin/member-resolve';
import { saveMembers } from '../../../src/features/admin/member-save';
import type { DirectoryUser } from '../../../src/ports/device-directory';
import { testDeps } from '../../helpers/activities';
import { FakeDirectory } from '../../helpers/fakes';
import { ADMIN, type CountingDirectory, member, seededImportWorld } from './member-fixtures';

describe('integration: resolving an import (Azurite)', function () {
  this.timeout(60_000);
  let directory: CountingDirectory;
  let deps: ReturnType<typeof testDeps>['deps'];

  beforeEach(async () => {
    ({ directory, deps } = await seededImportWorld());
  });

  it('resolves a CSV import against the directory (at most 8 look-ups at once) and the current waves', async () => {
    const users: DirectoryUser[] = [
      'alex',
      'megan',
      'adele',
      'isaiah',
      ...Array.from({ length: 30 }, (_, i) => `u${i}`),
    ].map((n) => ({ id: `id-${n}`, userPrincipalName: `${n}@contoso.com`, displayName: n }));
    for (const u of users) directory.users.set(u.id, u);
    await saveMembers(deps, 'pilot', [member('id-megan', { userPrincipalName: 'megan@contoso.com' })], ADMIN);
    await saveMembers(
      deps,
      'wave-2',
      [member('id-adele', { userPrincipalName: 'adele@contoso.com' })],
      ADMIN,
    );
    await saveMembers(
      deps,
      'wave-1',
      [member('id-isaiah', { userPrincipalName: 'isaiah@contoso.com' })],
      ADMIN,
    );

    const csv = [
      'upn',
      'alex@contoso.com',
      'megan@contoso.com',
      'adele@contoso.com',
      'isaiah@contoso.com',
      'ghost@contoso.com',
      'flaky@contoso.com',
      'not an address',
      ...Array.from({ length: 30 }, (_, i) => `u${i}@contoso.com`),
    ].join('\n');
    const parsed = parseCsvImport(csv);
    const plan = await resolveImport(deps, parsed.entries, 'wave-1', { parseProblems: parsed.problems });
    assert.ok(
      directory.maxInFlight <= 8 && directory.maxInFlight > 1,
      `max in flight ${directory.maxInFlight}`,
    );
    assert.equal(plan.add.length, 31);
    assert.deepEqual(
      plan.alreadyInWave.map((m) => m.userPrincipalName),
      ['isaiah@contoso.com'],
    );
    assert.deepEqual(
      plan.inOtherWave.map((m) => [m.userPrincipalName, m.otherWaveName, m.movable]),
      [
        ['megan@contoso.com', 'PILOT', false],
        ['adele@contoso.com', 'WAVE-2', true],
      ],
    );
    assert.deepEqual(
      plan.summary.problems.map((p) => [p.line, p.reason]),
      [
        [3, 'in-announced-wave'],
        [4, 'in-another-wave'],
        [6, 'not-in-directory'],
        [7, 'lookup-failed'],
        [8, 'not-a-upn'],
      ],
    );

    // Users a group already returned are not looked up again.
    directory.calls = 0;
    const fromGroup = await resolveImport(
      deps,
      [{ line: 1, upn: 'alex@contoso.com', user: users[0] }],
      'wave-1',
    );
    assert.equal(directory.calls, 0);
    assert.equal(fromGroup.add.length, 1);

    // The move the admin chooses goes through saveMembers.
    const withMove = await resolveImport(deps, parsed.entries, 'wave-1', { move: true });
    assert.deepEqual(
      withMove.move.map((m) => [m.userPrincipalName, m.moveFrom]),
      [['adele@contoso.com', 'wave-2']],
    );
    const saved = await saveMembers(deps, 'wave-1', [...withMove.add, ...withMove.move], ADMIN);
    assert.ok(saved.ok);
    assert.equal(saved.added.length, 31);
    assert.equal(saved.moved.length, 1);
  });

  it('problem texts name the line, the value and the reason, in English and Swedish', () => {
    assert.equal(
      importProblemText({ line: 7, value: 'alex@contoso', reason: 'not-a-upn' }, 'en'),
      'Line 7: alex@contoso — not a user principal name (name@domain)',
    );
    assert.equal(
      importProblemText({ line: 8, value: 'alex@contoso.com', reason: 'duplicate', firstLine: 2 }, 'sv'),
      'Rad 8: alex@contoso.com — finns två gånger (först på rad 2)',
    );
    assert.equal(
      importProblemText(
        {
          line: 3,
          value: 'megan@contoso.com',
          reason: 'in-announced-wave',
          wave: { id: 'pilot', name: 'Pilot' },
        },
        'en',
      ),
      'Line 3: megan@contoso.com — already in wave Pilot, which has been announced; they stay there',
    );
    assert.equal(
      importProblemText({ line: 0, value: '9000000', reason: 'file-too-large' }, 'en'),
      'The file: larger than 5 MB; split it into several files',
    );
  });
});

describe('features: member import look-ups in batches', () => {
  /** A directory with the many-user look-up ($batch over Graph). */
  class BatchingDirectory extends FakeDirectory {
    batchCalls: number[] = [];
    single = 0;
    override async findUser(idOrUpn: string) {
      this.single++;
      return super.findUser(idOrUpn);
    }
    async findUsers(keys: readonly string[]) {
      this.batchCalls.push(keys.length);
      if (keys.includes('boom@contoso.com')) throw new Error('Graph $batch kept answering 503');
      const out = new Map<string, DirectoryUser | null | Error>();
      for (const k of keys) {
        if (k.startsWith('flaky')) out.set(k, new Error('503 inside the batch'));
        else out.set(k, [...this.users.values()].find((u) => u.userPrincipalName === k) ?? null);
      }
      return out;
    }
  }

  it('looks 250 rows up in chunks of 100 through findUsers, never one by one, and keeps each row’s outcome', async () => {
    const directory = new BatchingDirectory();
    const { deps } = testDeps({ directory });
    const known = Array.from({ length: 200 }, (_, i) => `u${i}@contoso.com`);
    for (const [i, upn] of known.entries())
      directory.users.set(`id-${i}`, { id: `id-${i}`, userPrincipalName: upn, displayName: `U ${i}` });
    const rows = [
      ...known,
      ...Array.from({ length: 47 }, (_, i) => `ghost${i}@contoso.com`),
      'flaky1@contoso.com',
      'flaky2@contoso.com',
      'u0@contoso.com', // the same person twice: looked up once
    ];
    const parsed = parseCsvImport(['upn', ...rows].join('\n'));
    const plan = await resolveImport(deps, parsed.entries, 'wave-9', { waveName: 'Wave 9' });
    assert.deepEqual(directory.batchCalls, [100, 100, 49]);
    assert.equal(directory.single, 0);
    assert.equal(plan.add.length, 200);
    assert.equal(plan.summary.counts.notFound, 47);
    assert.equal(plan.summary.counts.lookupFailed, 2);

    // A chunk whose whole call fails marks its rows failed, and the other chunks still count.
    directory.batchCalls = [];
    const withBoom = parseCsvImport(['upn', ...known.slice(0, 150), 'boom@contoso.com'].join('\n'));
    const partial = await resolveImport(deps, withBoom.entries, 'wave-9', { waveName: 'Wave 9' });
    assert.deepEqual(directory.batchCalls, [100, 51]);
    assert.equal(partial.add.length, 100);
    assert.equal(partial.summary.counts.lookupFailed, 51);
  });
});
