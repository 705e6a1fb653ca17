import assert from 'node:assert/strict';
import {
  legacyWaveMemberKey,
  legacyWaveMembersPartition,
  type WaveMember,
  waveKey,
  waveMemberKey,
} from '../../src/domain/campaign';
import { participantKey } from '../../src/domain/participant';
import { saveMembers } from '../../src/features/admin/member-save';
import { joinWave, leaveWave } from '../../src/features/membership';
import { foldLegacyIndex } from '../../src/features/wave-index-legacy';
import type { Store } from '../../src/ports/store';
import { testDeps } from '../helpers/activities';
import { freshStorage } from '../helpers/storage';
import { ADMIN, AT, indexRows, member, seedWaves, wave } from './admin/member-fixtures';

/** A member as a deployment before the bucketed index wrote them: participant row plus one `wave-<id>` row. */
async function legacyMember(store: Store, waveId: string, id: string): Promise<void> {
  await store.participants.insert(participantKey(id), {
    aadObjectId: id,
    userPrincipalName: `${id}@contoso.com`,
    waveId,
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 1,
  });
  const row: WaveMember = { waveId, aadObjectId: id, userPrincipalName: `${id}@contoso.com`, addedAt: AT };
  await store.waveMembers.insert(legacyWaveMemberKey(waveId, id), row);
}

async function legacyRows(store: Store, waveId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { key } of store.waveMembers.listPartition(legacyWaveMembersPartition(waveId)))
    out.push(key.rowKey);
  return out.sort();
}

describe('integration: the wave index spread over buckets, with rows of the one-partition layout (Azurite)', function () {
  this.timeout(60_000);
  let store: Store;
  let deps: ReturnType<typeof testDeps>['deps'];

  beforeEach(async () => {
    store = (await freshStorage()).store;
    ({ deps } = testDeps({ store }));
    await seedWaves(store);
    await store.waves.insert(waveKey('volunteers'), wave('volunteers', 'active', 0));
  });

  it('a bucket of one wave never shares a partition with the one-partition layout of another', () => {
    // Wave ids are slugs of [a-z0-9-]: a wave named "pilot p03" must not land in wave "pilot"'s bucket p03.
    const bucket = waveMemberKey('pilot', 'alex').partitionKey;
    assert.match(bucket, /^wave-pilot_p\d\d$/);
    assert.notEqual(bucket, legacyWaveMembersPartition(`pilot-${bucket.slice(-3)}`));
  });

  it('listings read old rows next to the buckets, and an import moves them into the buckets once, with no one doubled or lost', async () => {
    for (const id of ['old-1', 'old-2', 'old-3']) await legacyMember(store, 'wave-1', id);
    assert.deepEqual(await indexRows(store, 'wave-1'), ['old-1', 'old-2', 'old-3'], 'listed before any move');

    const r = await saveMembers(deps, 'wave-1', [member('old-2'), member('new-1')], ADMIN);
    assert.ok(r.ok);
    assert.deepEqual(
      r.added.map((m) => m.aadObjectId),
      ['new-1'],
      'the new member only; old-2 was already in',
    );
    assert.deepEqual(await legacyRows(store, 'wave-1'), [], 'the old partition is empty');
    assert.deepEqual(await indexRows(store, 'wave-1'), ['new-1', 'old-1', 'old-2', 'old-3']);
    for (const id of ['old-1', 'old-2', 'old-3'])
      assert.ok(await store.waveMembers.get(waveMemberKey('wave-1', id)), `${id} has a bucket row`);
    assert.equal(await foldLegacyIndex(store, 'wave-1'), 0, 'a second fold finds nothing to move');
  });

  it('the fold keeps a newer bucket row and drops an old row whose user has left the wave', async () => {
    await legacyMember(store, 'wave-1', 'kept');
    await legacyMember(store, 'wave-1', 'gone');
    const newer: WaveMember = {
      waveId: 'wave-1',
      aadObjectId: 'kept',
      userPrincipalName: 'kept@contoso.com',
      addedAt: '2026-12-01T00:00:00.000Z',
    };
    await store.waveMembers.insert(waveMemberKey('wave-1', 'kept'), newer);
    await store.participants.update(participantKey('gone'), (cur) =>
      cur ? { ...cur, waveId: undefined } : undefined,
    );

    assert.equal(await foldLegacyIndex(store, 'wave-1'), 2);
    assert.deepEqual(await indexRows(store, 'wave-1'), ['kept']);
    assert.equal(
      (await store.waveMembers.get(waveMemberKey('wave-1', 'kept')))!.value.addedAt,
      newer.addedAt,
    );
    assert.equal(await store.waveMembers.get(waveMemberKey('wave-1', 'gone')), undefined);
  });

  it('a member of the old layout who joins again ends with one row; one who leaves leaves no row behind', async () => {
    await legacyMember(store, 'volunteers', 'alex');
    await legacyMember(store, 'volunteers', 'megan');
    assert.deepEqual(await joinWave(deps, 'volunteers', member('alex')), { kind: 'already' });
    assert.deepEqual(await legacyRows(store, 'volunteers'), ['megan'], "alex's old row went");
    assert.ok(await store.waveMembers.get(waveMemberKey('volunteers', 'alex')));

    await leaveWave(store, 'volunteers', 'megan');
    assert.deepEqual(await legacyRows(store, 'volunteers'), []);
    assert.deepEqual(await indexRows(store, 'volunteers'), ['alex']);
  });
});
