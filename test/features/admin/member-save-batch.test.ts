import assert from 'node:assert/strict';
import { waveMemberKey } from '../../../src/domain/campaign';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { resolveImport } from '../../../src/features/admin/member-resolve';
import { saveMembers } from '../../../src/features/admin/member-save';
import { type Repository, type Store, TransactionError } from '../../../src/ports/store';
import { atEveryCrashPoint } from '../../crash/crash-point';
import { ADMIN, AT, audits, indexRows, member, seededImportWorld } from './member-fixtures';

/** `n` object ids that share one participant partition, so that they share transactions. */
function idsInOnePartition(n: number, prefix = 'user'): string[] {
  const out: string[] = [];
  const pk = participantKey(`${prefix}-0`).partitionKey;
  for (let i = 0; out.length < n; i++) {
    if (participantKey(`${prefix}-${i}`).partitionKey === pk) out.push(`${prefix}-${i}`);
  }
  return out;
}

function seen(id: string, extra: Partial<Participant> = {}): Participant {
  return { aadObjectId: id, firstSeenAt: AT, lastSeenAt: AT, version: 3, ...extra };
}

async function seed(store: Store, ids: readonly string[], extra: Partial<Participant> = {}) {
  for (const id of ids) await store.participants.insert(participantKey(id), seen(id, extra));
}

describe('integration: saving wave members in transactions (Azurite)', function () {
  this.timeout(120_000);

  it('a transaction refused half-way (a row changed after it was read) is retried whole, and every member is saved once', async () => {
    const { store, deps } = await seededImportWorld();
    const ids = idsInOnePartition(30);
    await seed(store, ids);
    const pk = participantKey(ids[0]!).partitionKey;
    const inner = store.participants;
    const calls: { rowKeys: string[]; refused: boolean }[] = [];
    let raced: string | undefined;
    const racing: Repository<Participant> = {
      get: (key) => inner.get(key),
      insert: (key, value) => inner.insert(key, value),
      replace: (key, value, etag) => inner.replace(key, value, etag),
      delete: (key, etag) => inner.delete(key, etag),
      update: (key, mutate) => inner.update(key, mutate),
      listPartition: (p, range) => inner.listPartition(p, range),
      listPartitions: (p, range) => inner.listPartitions(p, range),
      async transact(partitionKey, actions) {
        const rowKeys = actions.map((a) => a.rowKey);
        if (!raced && partitionKey === pk) {
          raced = rowKeys[10]!;
          // Another writer (the user talking to the bot) changes the row of the 11th action.
          await inner.update(participantKey(raced), (cur) => ({
            ...cur!,
            locale: 'sv-SE',
            version: cur!.version + 1,
          }));
        }
        try {
          const etags = await inner.transact(partitionKey, actions);
          calls.push({ rowKeys, refused: false });
          return etags;
        } catch (err) {
          calls.push({ rowKeys, refused: true });
          assert.ok(err instanceof TransactionError, `refused as a transaction: ${err}`);
          if (err.index !== undefined) assert.equal(err.index, 10, 'the service names the changed row');
          // All or nothing: not one row of the refused transaction landed.
          for (const id of rowKeys)
            assert.equal((await inner.get(participantKey(id)))?.value.waveId, undefined);
          throw err;
        }
      },
    };
    const result = await saveMembers(
      { ...deps, store: { ...store, participants: racing } },
      'wave-1',
      ids.map((id) => member(id)),
      ADMIN,
    );
    assert.ok(result.ok);
    assert.equal(result.added.length, 30);
    assert.deepEqual(result.failed, []);
    assert.deepEqual(
      calls.map((c) => c.refused),
      [true, false],
      'one refusal, then the whole transaction again',
    );
    assert.deepEqual([...calls[1]!.rowKeys].sort(), [...calls[0]!.rowKeys].sort());
    for (const id of ids) {
      const p = (await store.participants.get(participantKey(id)))!.value;
      assert.equal(p.waveId, 'wave-1');
      // Written once each, on top of what the other writer wrote.
      assert.equal(p.version, id === raced ? 5 : 4, id);
      if (id === raced) assert.equal(p.locale, 'sv-SE');
    }
    assert.deepEqual(await indexRows(store, 'wave-1'), [...ids].sort());
  });

  it('moves many members at once: each leaves the old wave’s index; members of an announced wave stay', async () => {
    const { store, deps } = await seededImportWorld();
    const movers = idsInOnePartition(120, 'mover');
    const pilots = idsInOnePartition(10, 'pilot');
    const saved = await saveMembers(
      deps,
      'wave-2',
      movers.map((id) => member(id)),
      ADMIN,
    );
    assert.ok(saved.ok && saved.added.length === 120);
    await saveMembers(
      deps,
      'pilot',
      pilots.map((id) => member(id)),
      ADMIN,
    );
    const r = await saveMembers(
      deps,
      'wave-1',
      [...movers.map((id) => member(id, { moveFrom: 'wave-2' })), ...pilots.map((id) => member(id))],
      ADMIN,
    );
    assert.ok(r.ok);
    assert.equal(r.moved.length, 120);
    assert.ok(r.moved.every((m) => m.from === 'wave-2'));
    assert.deepEqual(
      r.conflicts.map((c) => c.reason),
      pilots.map(() => 'in-announced-wave'),
    );
    assert.deepEqual(await indexRows(store, 'wave-2'), [], 'the old index rows are gone');
    assert.deepEqual(await indexRows(store, 'wave-1'), [...movers].sort());
    assert.deepEqual(await indexRows(store, 'pilot'), [...pilots].sort());
    for (const id of movers) {
      const p = (await store.participants.get(participantKey(id)))!.value;
      assert.equal(p.waveId, 'wave-1');
      assert.equal(p.version, 2);
    }
    const move = (await audits(store, 'wave.members.add')).find(
      (e) => (e.after as { moved?: number }).moved === 120,
    );
    assert.deepEqual(move?.after, {
      requested: 130,
      added: 0,
      moved: 120,
      movedFrom: { 'wave-2': 120 },
      already: 0,
      conflicts: 10,
      failed: 0,
    });
  });

  it('never re-admits an erased person: their tombstone stays as it is and no index row is left', async () => {
    const { store, deps } = await seededImportWorld();
    const ids = idsInOnePartition(12);
    const erased = ids.slice(0, 3);
    await seed(store, erased, { erasedAt: AT });
    const r = await saveMembers(
      deps,
      'wave-1',
      ids.map((id) => member(id)),
      ADMIN,
    );
    assert.ok(r.ok);
    assert.deepEqual(r.failed.map((m) => m.aadObjectId).sort(), [...erased].sort());
    assert.equal(r.added.length, 9);
    for (const id of erased) {
      assert.deepEqual((await store.participants.get(participantKey(id)))!.value, seen(id, { erasedAt: AT }));
      assert.equal(await store.waveMembers.get(waveMemberKey('wave-1', id)), undefined);
    }
    assert.deepEqual(await indexRows(store, 'wave-1'), ids.slice(3).sort());
  });

  it('the preview reads in bulk and writes nothing', async () => {
    const { store, deps, directory } = await seededImportWorld();
    const ids = idsInOnePartition(40);
    for (const id of ids) {
      directory.users.set(id, { id, userPrincipalName: `${id}@contoso.com`, displayName: id });
    }
    await saveMembers(
      deps,
      'wave-2',
      ids.slice(0, 10).map((id) => member(id)),
      ADMIN,
    );
    const writes: string[] = [];
    const reads: string[] = [];
    const watched = Object.fromEntries(
      Object.entries(store).map(([name, repo]) => {
        if (!repo || typeof repo !== 'object' || !('transact' in repo)) return [name, repo];
        const r = repo as Repository<unknown>;
        const write =
          (op: string) =>
          (..._args: unknown[]) => {
            writes.push(`${name}.${op}`);
            return Promise.reject(new Error('the preview must not write'));
          };
        return [
          name,
          {
            get: (key: Parameters<typeof r.get>[0]) => {
              reads.push(`${name}.get`);
              return r.get(key);
            },
            listPartition: (pk: string, range?: Parameters<typeof r.listPartition>[1]) => {
              reads.push(`${name}.list`);
              return r.listPartition(pk, range);
            },
            insert: write('insert'),
            replace: write('replace'),
            delete: write('delete'),
            update: write('update'),
            transact: write('transact'),
          },
        ];
      }),
    ) as unknown as Store;
    const plan = await resolveImport(
      { ...deps, store: watched },
      ids.map((id, i) => ({ line: i + 2, upn: `${id}@contoso.com` })),
      'wave-1',
    );
    assert.deepEqual(writes, []);
    assert.equal(plan.add.length, 30);
    assert.equal(plan.inOtherWave.length, 10);
    // The 40 participant rows share a partition: one listing, not 40 reads.
    assert.deepEqual(
      reads.filter((r) => r.startsWith('participants')),
      ['participants.list'],
    );
  });

  it('a crash at any point of a save loses nothing: a rerun finishes with every member once, in one wave', async () => {
    const big = idsInOnePartition(110, 'crowd');
    const spread = ['ana', 'bo', 'cy'];
    const ids = [...big, ...spread, 'mover', 'known'];
    const points = await atEveryCrashPoint(
      async () => {
        const world = await seededImportWorld();
        await saveMembers(world.deps, 'wave-2', [member('mover')], ADMIN);
        await saveMembers(world.deps, 'wave-1', [member('known')], ADMIN);
        return world;
      },
      (w, crash) =>
        saveMembers(
          { ...w.deps, store: crash.store(w.store) },
          'wave-1',
          ids.map((id) => member(id, id === 'mover' ? { moveFrom: 'wave-2' } : {})),
          ADMIN,
        ),
      async (w, crash) => {
        const again = await saveMembers(
          w.deps,
          'wave-1',
          ids.map((id) => member(id, id === 'mover' ? { moveFrom: 'wave-2' } : {})),
          ADMIN,
        );
        const at = `crash at ${crash.at}`;
        assert.ok(again.ok);
        assert.deepEqual(again.failed, [], at);
        assert.deepEqual(again.conflicts, [], at);
        assert.deepEqual(await indexRows(w.store, 'wave-1'), [...ids].sort(), at);
        for (const id of ids) {
          const p = (await w.store.participants.get(participantKey(id)))!.value;
          assert.equal(p.waveId, 'wave-1', `${at}: ${id}`);
          // Written once: version 1 for a new row, one more for the mover; 'known' was not rewritten.
          assert.equal(p.version, id === 'mover' ? 2 : 1, `${at}: ${id}`);
        }
      },
    );
    assert.ok(points > 10, `only ${points} crash points`);
  });
});
