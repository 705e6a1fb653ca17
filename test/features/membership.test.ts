import assert from 'node:assert/strict';
import { waveKey } from '../../src/domain/campaign';
import { participantKey } from '../../src/domain/participant';
import { saveMembers } from '../../src/features/admin/member-save';
import { joinWave, leaveWave } from '../../src/features/membership';
import type { Store } from '../../src/ports/store';
import { testDeps } from '../helpers/activities';
import { freshStorage } from '../helpers/storage';
import { ADMIN, AT, indexRows, member, seedWaves, wave } from './admin/member-fixtures';

describe('integration: wave membership writes (Azurite)', function () {
  this.timeout(60_000);
  let store: Store;
  let deps: ReturnType<typeof testDeps>['deps'];

  beforeEach(async () => {
    store = (await freshStorage()).store;
    ({ deps } = testDeps({ store }));
    await seedWaves(store);
    await store.waves.insert(waveKey('volunteers'), wave('volunteers', 'active', 0));
  });

  const seen = (id: string) =>
    store.participants.insert(participantKey(id), {
      aadObjectId: id,
      firstSeenAt: AT,
      lastSeenAt: AT,
      version: 1,
    });

  it('a volunteer joins a wave: the participant row names it and the index lists them', async () => {
    await seen('alex');
    assert.deepEqual(await joinWave(deps, 'volunteers', member('alex')), { kind: 'added' });
    const p = (await store.participants.get(participantKey('alex')))!.value;
    assert.equal(p.waveId, 'volunteers');
    assert.equal(p.userPrincipalName, 'alex@contoso.com');
    assert.deepEqual(await indexRows(store, 'volunteers'), ['alex']);
    assert.deepEqual(await joinWave(deps, 'volunteers', member('alex')), { kind: 'already' });
  });

  it('a volunteer whose UPN is not known yet gets none written', async () => {
    await seen('megan');
    await joinWave(deps, 'volunteers', member('megan', { userPrincipalName: '' }));
    const p = (await store.participants.get(participantKey('megan')))!.value;
    assert.equal(p.waveId, 'volunteers');
    assert.equal(p.userPrincipalName, undefined);
  });

  it('a user already in a wave stays there, and no index row is left behind', async () => {
    await saveMembers(deps, 'wave-1', [member('alex')], ADMIN);
    const r = await joinWave(deps, 'volunteers', member('alex'));
    assert.deepEqual(r, {
      kind: 'conflict',
      conflict: { waveId: 'wave-1', waveName: 'WAVE-1', reason: 'in-another-wave' },
    });
    assert.equal((await store.participants.get(participantKey('alex')))!.value.waveId, 'wave-1');
    assert.deepEqual(await indexRows(store, 'volunteers'), []);
  });

  it('refuses a wave that is not stored or takes no members, writing nothing', async () => {
    await seen('alex');
    assert.deepEqual(await joinWave(deps, 'nope', member('alex')), { kind: 'wave-not-found' });
    assert.deepEqual(await joinWave(deps, 'old', member('alex')), { kind: 'wave-not-open' });
    assert.equal((await store.participants.get(participantKey('alex')))!.value.waveId, undefined);
    assert.deepEqual(await indexRows(store, 'old'), []);
  });

  it('a volunteer and an admin adding the same users at once: each ends in exactly one wave, indexed there', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    for (const id of ids) await seen(id);
    const [, ...joined] = await Promise.all([
      saveMembers(
        deps,
        'wave-1',
        ids.map((id) => member(id)),
        ADMIN,
      ),
      ...ids.map((id) => joinWave(deps, 'volunteers', member(id))),
    ]);
    const volunteers = await indexRows(store, 'volunteers');
    const wave1 = await indexRows(store, 'wave-1');
    for (const [i, id] of ids.entries()) {
      const p = (await store.participants.get(participantKey(id)))!.value;
      assert.ok(p.waveId === 'volunteers' || p.waveId === 'wave-1', `${id} is in a wave`);
      assert.equal(volunteers.includes(id), p.waveId === 'volunteers', `${id} index volunteers`);
      assert.equal(wave1.includes(id), p.waveId === 'wave-1', `${id} index wave-1`);
      assert.equal(joined[i]!.kind, p.waveId === 'volunteers' ? 'added' : 'conflict');
    }
  });

  it('leaving a wave clears the participant row and the index row; a user elsewhere is untouched', async () => {
    await saveMembers(deps, 'wave-1', [member('alex')], ADMIN);
    await saveMembers(deps, 'wave-2', [member('megan')], ADMIN);
    assert.equal(await leaveWave(store, 'wave-1', 'ALEX'), true);
    assert.equal(await leaveWave(store, 'wave-1', 'megan'), false);
    assert.equal((await store.participants.get(participantKey('alex')))!.value.waveId, undefined);
    assert.deepEqual(await indexRows(store, 'wave-1'), []);
    assert.deepEqual(await indexRows(store, 'wave-2'), ['megan']);
  });
});
