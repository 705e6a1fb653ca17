import assert from 'node:assert/strict';
import { waveMemberKey } from '../../../src/domain/campaign';
import { participantKey } from '../../../src/domain/participant';
import { removeMembers, saveMembers } from '../../../src/features/admin/member-save';
import type { Store } from '../../../src/ports/store';
import type { testDeps } from '../../helpers/activities';
import { ADMIN, AT, audits, indexRows, member, OTHER_ADMIN, seededImportWorld } from './member-fixtures';

describe('integration: saving wave members (Azurite)', function () {
  this.timeout(60_000);
  let store: Store;
  let deps: ReturnType<typeof testDeps>['deps'];

  beforeEach(async () => {
    ({ store, deps } = await seededImportWorld());
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
});
