import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../../src/domain/audit';
import { type Wave, type WaveState, waveKey, waveMemberKey } from '../../../src/domain/campaign';
import { parseCsvImport } from '../../../src/domain/member-import';
import { participantKey } from '../../../src/domain/participant';
import { decideMembership, type MemberToSave } from '../../../src/domain/wave-membership';
import {
  deleteImportDraft,
  type ImportDraft,
  importProblemText,
  loadImportDraft,
  removeMembers,
  resolveImport,
  saveImportDraft,
  saveMembers,
} from '../../../src/features/admin/member-import-service';
import type { AzureStorage } from '../../../src/integrations/storage/azure-storage';
import type { DirectoryUser } from '../../../src/ports/device-directory';
import type { Store } from '../../../src/ports/store';
import { testDeps } from '../../helpers/activities';
import { FakeDirectory } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const AT = '2026-11-20T10:00:00.000Z';
const ADMIN = { aadObjectId: 'admin-1', name: 'Ada Admin' };
const OTHER_ADMIN = { aadObjectId: 'admin-2', name: 'Bo Admin' };

function wave(id: string, state: WaveState, order = 1): Wave {
  return {
    id,
    name: id.toUpperCase(),
    order,
    state,
    conditionalAccess: { kind: 'none' },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: AT,
  };
}

const member = (id: string, extra: Partial<MemberToSave> = {}): MemberToSave => ({
  aadObjectId: id,
  userPrincipalName: `${id}@contoso.com`,
  displayName: `User ${id}`,
  ...extra,
});

/** Counts look-ups in flight, to check the bound. */
class CountingDirectory extends FakeDirectory {
  inFlight = 0;
  maxInFlight = 0;
  override async findUser(idOrUpn: string) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 5));
      if (idOrUpn.startsWith('flaky')) throw new Error('Graph kept answering 503');
      return await super.findUser(idOrUpn);
    } finally {
      this.inFlight--;
    }
  }
}

async function indexRows(store: Store, waveId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of store.waveMembers.listPartition(waveMemberKey(waveId, '').partitionKey)) {
    out.push(row.key.rowKey);
  }
  return out.sort();
}

async function audits(store: Store, action: string): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const { value } of store.audit.listPartition('2026-11-23'))
    if (value.action === action) out.push(value);
  return out;
}

describe('integration: member import service (Azurite)', function () {
  this.timeout(60_000);
  let storage: AzureStorage;
  let store: Store;
  let directory: CountingDirectory;
  let deps: ReturnType<typeof testDeps>['deps'];
  let clock: ReturnType<typeof testDeps>['clock'];

  beforeEach(async () => {
    storage = await freshStorage();
    store = storage.store;
    directory = new CountingDirectory();
    ({ deps, clock } = testDeps({ store, directory }));
    for (const w of [
      wave('pilot', 'active', 0),
      wave('wave-1', 'draft', 1),
      wave('wave-2', 'draft', 2),
      wave('wave-3', 'scheduled', 3),
      wave('old', 'closed', 9),
    ]) {
      await store.waves.insert(waveKey(w.id), w);
    }
  });

  it('concurrent adds of one user to two waves end with exactly one membership, and the loser is told', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    // Half of them the bot has seen already (a participant row exists), half not (the row is created).
    for (const id of ids.slice(0, 6)) {
      await store.participants.insert(participantKey(id), {
        aadObjectId: id,
        firstSeenAt: AT,
        lastSeenAt: AT,
        version: 4,
        locale: 'sv-SE',
      });
    }
    const [ra, rb] = await Promise.all([
      saveMembers(
        deps,
        'wave-1',
        ids.map((id) => member(id)),
        ADMIN,
      ),
      saveMembers(
        deps,
        'wave-2',
        ids.map((id) => member(id)),
        OTHER_ADMIN,
      ),
    ]);
    if (!ra.ok || !rb.ok) throw new Error('both waves take members');
    const [a, b] = [ra, rb];
    const one = await indexRows(store, 'wave-1');
    const two = await indexRows(store, 'wave-2');
    for (const id of ids) {
      const p = (await store.participants.get(participantKey(id)))!.value;
      assert.ok(p.waveId === 'wave-1' || p.waveId === 'wave-2', `${id} is in a wave`);
      // The index lists the user in exactly the wave the participant row names.
      assert.equal(one.includes(id), p.waveId === 'wave-1', `${id} index wave-1`);
      assert.equal(two.includes(id), p.waveId === 'wave-2', `${id} index wave-2`);
      const won = p.waveId === 'wave-1' ? a : b;
      const lost = p.waveId === 'wave-1' ? b : a;
      assert.ok(won.added.some((m) => m.aadObjectId === id));
      const conflict = lost.conflicts.find((c) => c.member.aadObjectId === id);
      assert.ok(conflict, `${id} reported to the loser`);
      assert.equal(conflict.waveId, p.waveId);
      assert.equal(conflict.reason, 'in-another-wave');
    }
    assert.equal(a.added.length + b.added.length, ids.length);
    assert.equal(a.conflicts.length + b.conflicts.length, ids.length);
    // What the bot knew about the seen users is kept.
    const seen = (await store.participants.get(participantKey('user-0')))!.value;
    assert.equal(seen.locale, 'sv-SE');
    assert.equal(seen.version, 5);
  });

  it('creates a minimal participant row, is idempotent, and audits counts (not the list)', async () => {
    const first = await saveMembers(deps, 'wave-1', [member('alex'), member('megan')], ADMIN, {
      source: 'csv',
    });
    assert.ok(first.ok);
    assert.deepEqual(first.added.map((m) => m.aadObjectId).sort(), ['alex', 'megan']);
    const alex = (await store.participants.get(participantKey('alex')))!.value;
    assert.deepEqual(alex, {
      aadObjectId: 'alex',
      userPrincipalName: 'alex@contoso.com',
      displayName: 'User alex',
      firstSeenAt: '2026-11-23T09:00:00.000Z',
      lastSeenAt: '2026-11-23T09:00:00.000Z',
      version: 1,
      waveId: 'wave-1',
    });
    const row = (await store.waveMembers.get(waveMemberKey('wave-1', 'alex')))!.value;
    assert.deepEqual(row, {
      waveId: 'wave-1',
      aadObjectId: 'alex',
      userPrincipalName: 'alex@contoso.com',
      addedAt: '2026-11-23T09:00:00.000Z',
    });

    // A lost index row (a crash after the participant write) is repaired by saving again.
    await store.waveMembers.delete(waveMemberKey('wave-1', 'megan'));
    const again = await saveMembers(deps, 'wave-1', [member('alex'), member('MEGAN')], ADMIN);
    assert.ok(again.ok);
    assert.deepEqual(again.added, []);
    assert.equal(again.already.length, 2);
    assert.deepEqual(await indexRows(store, 'wave-1'), ['alex', 'megan']);
    assert.equal((await store.participants.get(participantKey('alex')))!.value.version, 1);

    const events = await audits(store, 'wave.members.add');
    assert.equal(events.length, 2);
    const firstEvent = events.find((e) => (e.after as { added: number }).added === 2)!;
    assert.equal(firstEvent.actorAadObjectId, ADMIN.aadObjectId);
    assert.equal(firstEvent.actorName, ADMIN.name);
    assert.equal(firstEvent.target, 'wave-1');
    assert.deepEqual(firstEvent.after, {
      requested: 2,
      added: 2,
      moved: 0,
      already: 0,
      conflicts: 0,
      failed: 0,
      source: 'csv',
    });
    assert.doesNotMatch(JSON.stringify(events), /alex@contoso/);
  });

  it('moves a user only when asked, only out of the wave named, and only before it is announced', async () => {
    await saveMembers(deps, 'wave-1', [member('alex')], ADMIN);
    await saveMembers(deps, 'pilot', [member('megan')], ADMIN);

    const notAsked = await saveMembers(deps, 'wave-2', [member('alex')], ADMIN);
    assert.ok(notAsked.ok);
    assert.equal(notAsked.conflicts[0]?.reason, 'in-another-wave');
    assert.equal((await store.participants.get(participantKey('alex')))!.value.waveId, 'wave-1');

    const wrongWave = await saveMembers(deps, 'wave-2', [member('alex', { moveFrom: 'wave-3' })], ADMIN);
    assert.ok(wrongWave.ok && wrongWave.conflicts.length === 1);

    const moved = await saveMembers(
      deps,
      'wave-2',
      [member('alex', { moveFrom: 'wave-1' }), member('megan', { moveFrom: 'pilot' })],
      ADMIN,
    );
    assert.ok(moved.ok);
    assert.deepEqual(
      moved.moved.map((m) => [m.aadObjectId, m.from]),
      [['alex', 'wave-1']],
    );
    assert.deepEqual(
      moved.conflicts.map((c) => [c.member.aadObjectId, c.waveId, c.reason]),
      [['megan', 'pilot', 'in-announced-wave']],
    );
    assert.equal((await store.participants.get(participantKey('alex')))!.value.waveId, 'wave-2');
    assert.deepEqual(await indexRows(store, 'wave-1'), [], 'the old index row is gone');
    assert.deepEqual(await indexRows(store, 'wave-2'), ['alex']);
    assert.deepEqual(await indexRows(store, 'pilot'), ['megan']);
  });

  it('refuses unknown waves and waves being evaluated or closed, writing nothing', async () => {
    assert.deepEqual(await saveMembers(deps, 'nope', [member('alex')], ADMIN), {
      ok: false,
      reason: 'wave-not-found',
    });
    assert.deepEqual(await saveMembers(deps, 'old', [member('alex')], ADMIN), {
      ok: false,
      reason: 'wave-not-open',
    });
    assert.equal(await store.participants.get(participantKey('alex')), undefined);
    assert.deepEqual(await indexRows(store, 'old'), []);
  });

  it('removes members: the participant leaves the wave and the index row goes; others are untouched', async () => {
    await saveMembers(deps, 'wave-1', [member('alex'), member('megan')], ADMIN);
    await saveMembers(deps, 'wave-2', [member('adele')], ADMIN);
    const r = await removeMembers(deps, 'wave-1', ['ALEX', 'adele', 'ghost'], ADMIN);
    assert.ok(r.ok);
    assert.deepEqual(r.removed, ['alex']);
    assert.deepEqual(r.notMembers.sort(), ['adele', 'ghost']);
    const alex = (await store.participants.get(participantKey('alex')))!.value;
    assert.equal(alex.waveId, undefined);
    assert.equal(alex.version, 2);
    assert.deepEqual(await indexRows(store, 'wave-1'), ['megan']);
    assert.equal((await store.participants.get(participantKey('adele')))!.value.waveId, 'wave-2');
    assert.deepEqual(await removeMembers(deps, 'old', ['alex'], ADMIN), {
      ok: false,
      reason: 'wave-not-open',
    });
    const [event] = await audits(store, 'wave.members.remove');
    assert.deepEqual(event!.after, { requested: 3, removed: 1, notMembers: 2, failed: 0 });
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

  describe('drafts', () => {
    const draftOf = (members: MemberToSave[]): ImportDraft<{ name: string }> => ({
      actorAadObjectId: ADMIN.aadObjectId,
      waveId: 'wave-1',
      isNew: false,
      settings: { name: 'Wave 1' },
      source: { kind: 'csv', fileName: 'people.csv', count: members.length },
      resolved: decideMembership({
        wave: { id: 'wave-1', name: 'Wave 1', state: 'draft' },
        entries: members.map((m, i) => ({
          line: i + 2,
          upn: m.userPrincipalName,
          user: { id: m.aadObjectId, userPrincipalName: m.userPrincipalName, displayName: m.displayName },
        })),
        currentWaveOf: new Map(),
        waves: [],
      }),
      parseProblems: [{ line: 9, value: 'x', reason: 'not-a-upn' }],
      createdAt: AT,
    });

    it('nothing is imported until confirmed: the draft round-trips for its admin only, and expires after 24 h', async () => {
      const draft = draftOf([member('alex'), member('megan')]);
      const saved = await saveImportDraft(deps, draft);
      assert.ok(saved.ok);
      assert.equal(saved.expiresAt, '2026-11-24T09:00:00.000Z');
      assert.deepEqual(await indexRows(store, 'wave-1'), [], 'a draft writes no members');

      const loaded = await loadImportDraft<{ name: string }>(deps, saved.draftId, 'ADMIN-1');
      assert.ok(loaded.ok);
      assert.deepEqual(loaded.draft, draft);

      assert.deepEqual(await loadImportDraft(deps, saved.draftId, OTHER_ADMIN.aadObjectId), {
        ok: false,
        reason: 'not-yours',
      });
      assert.deepEqual(await loadImportDraft(deps, 'not-a-draft-id', ADMIN.aadObjectId), {
        ok: false,
        reason: 'not-found',
      });
      assert.deepEqual(await loadImportDraft(deps, randomUUID(), ADMIN.aadObjectId), {
        ok: false,
        reason: 'not-found',
      });

      clock.advance(24 * 3_600_000);
      assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
        ok: false,
        reason: 'expired',
      });
      assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
        ok: false,
        reason: 'not-found',
      });
      let left = 0;
      for await (const _ of store.jobState.listPartition(`import-draft-${saved.draftId}`)) left++;
      assert.equal(left, 0, 'an expired draft leaves no rows');
    });

    it('a full-size import (50,000 users) fits, chunked under the table row limit', async () => {
      const members = Array.from({ length: 50_000 }, (_, i) =>
        member(randomUUID(), {
          userPrincipalName: `firstname.lastname${i}@contoso.com`,
          displayName: `Firstname Lastname ${i}`,
        }),
      );
      const saved = await saveImportDraft(deps, draftOf(members));
      assert.ok(saved.ok, JSON.stringify(saved));
      let chunks = 0;
      for await (const _ of store.jobState.listPartition(`import-draft-${saved.draftId}`)) chunks++;
      assert.ok(chunks > 1, `${chunks} chunk rows`);
      const loaded = await loadImportDraft<{ name: string }>(deps, saved.draftId, ADMIN.aadObjectId);
      assert.ok(loaded.ok);
      assert.equal(loaded.draft.resolved!.add.length, 50_000);
      assert.equal(
        loaded.draft.resolved!.add[49_999]!.userPrincipalName,
        'firstname.lastname49999@contoso.com',
      );
      await deleteImportDraft(deps, saved.draftId);
      assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
        ok: false,
        reason: 'not-found',
      });
    });

    it('refuses a draft too large to keep, and reports a draft with a missing part as damaged', async () => {
      const incompressible = (n: number) => randomUUID().repeat(1) + String(n) + Math.random().toString(36);
      const huge = draftOf([]);
      (huge.settings as { name: string; noise?: string[] }).noise = Array.from({ length: 200_000 }, (_, i) =>
        incompressible(i),
      );
      const refused = await saveImportDraft(deps, huge);
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.reason, 'too-large');

      const big = draftOf(Array.from({ length: 2_000 }, () => member(randomUUID())));
      const saved = await saveImportDraft(deps, big);
      assert.ok(saved.ok);
      await store.jobState.delete({ partitionKey: `import-draft-${saved.draftId}`, rowKey: '0000' });
      assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
        ok: false,
        reason: 'damaged',
      });
    });
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
