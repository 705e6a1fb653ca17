import assert from 'node:assert/strict';
import { participantKey, recordSighting } from '../../../src/domain/participant';
import { ConcurrencyError, TransactionError } from '../../../src/ports/store';
import { freshStorage } from '../../helpers/storage';

const at = new Date('2026-11-23T09:00:00Z');

describe('integration: table repository (Azurite)', () => {
  it('round-trips a participant and reports absent rows as undefined', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-1');
    assert.equal(await store.participants.get(key), undefined);
    const p = recordSighting(undefined, { aadObjectId: 'user-1', displayName: 'Alex', locale: 'sv-SE', at });
    await store.participants.insert(key, p);
    const got = await store.participants.get(key);
    assert.deepEqual(got?.value, JSON.parse(JSON.stringify(p)));
    assert.ok(got?.etag);
  });

  it('refuses a write with a stale ETag and a second insert of the same key', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-2');
    const p = recordSighting(undefined, { aadObjectId: 'user-2', at });
    const first = await store.participants.insert(key, p);
    await store.participants.replace(key, { ...p, version: 2 }, first.etag);
    await assert.rejects(
      store.participants.replace(key, { ...p, version: 3 }, first.etag),
      (err: unknown) => {
        return err instanceof ConcurrencyError && err.kind === 'etag-mismatch';
      },
    );
    await assert.rejects(store.participants.insert(key, p), (err: unknown) => {
      return err instanceof ConcurrencyError && err.kind === 'already-exists';
    });
  });

  it('keeps both of two concurrent updates to one participant', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-3');
    await store.participants.insert(key, recordSighting(undefined, { aadObjectId: 'user-3', at }));
    // Both writers read the same version, then race; ETags force the loser to redo its change.
    await Promise.all([
      store.participants.update(key, (cur) => cur && { ...cur, locale: 'sv-SE', version: cur.version + 1 }),
      store.participants.update(
        key,
        (cur) => cur && { ...cur, timeZone: 'Europe/Stockholm', version: cur.version + 1 },
      ),
    ]);
    const final = (await store.participants.get(key))!.value;
    assert.equal(final.locale, 'sv-SE');
    assert.equal(final.timeZone, 'Europe/Stockholm');
    assert.equal(final.version, 3);
  });

  it('loses no increment when twenty writers race on one row', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-4');
    await store.participants.insert(key, recordSighting(undefined, { aadObjectId: 'user-4', at }));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.participants.update(key, (cur) => cur && { ...cur, version: cur.version + 1 }),
      ),
    );
    assert.equal((await store.participants.get(key))!.value.version, 21);
  });

  it('creates a row through update when none exists, exactly once under a race', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-5');
    await Promise.all(
      Array.from({ length: 5 }, () =>
        store.participants.update(key, (cur) =>
          cur
            ? { ...cur, version: cur.version + 1 }
            : recordSighting(undefined, { aadObjectId: 'user-5', at }),
        ),
      ),
    );
    assert.equal((await store.participants.get(key))!.value.version, 5);
  });

  it('refuses an entity too large for a table row instead of truncating it', async () => {
    const { store } = await freshStorage();
    const key = participantKey('user-6');
    const p = {
      ...recordSighting(undefined, { aadObjectId: 'user-6', at }),
      displayName: 'x'.repeat(40_000),
    };
    await assert.rejects(store.participants.insert(key, p), /over the 32000 a table row holds/);
    assert.equal(await store.participants.get(key), undefined);
  });

  it('lists a partition', async () => {
    const { store } = await freshStorage();
    const ids = Array.from({ length: 300 }, (_, i) => `bulk-${i}`);
    await Promise.all(
      ids.map((id) =>
        store.participants.insert(participantKey(id), recordSighting(undefined, { aadObjectId: id, at })),
      ),
    );
    const pk = participantKey('bulk-0').partitionKey;
    const expected = ids.filter((id) => participantKey(id).partitionKey === pk).sort();
    const seen: string[] = [];
    for await (const row of store.participants.listPartition(pk)) seen.push(row.value.aadObjectId);
    assert.deepEqual(seen.sort(), expected);
  });

  it('writes a transaction whole, or nothing of it when one write conflicts, and the retry lands whole', async () => {
    const { store } = await freshStorage();
    const repo = store.waveMembers;
    const member = (id: string) => ({ aadObjectId: id, waveId: 'w1', addedAt: at.toISOString() });
    const etags = await repo.transact('w1', [
      { kind: 'insert', rowKey: 'a', value: member('a') as never },
      { kind: 'insert', rowKey: 'b', value: member('b') as never },
    ]);
    assert.equal(etags.length, 2);
    assert.ok(etags.every((e) => e.length > 0));
    // The second write's ETag is stale: the first write must not land either.
    await repo.replace({ partitionKey: 'w1', rowKey: 'b' }, member('b2') as never, etags[1]!);
    await assert.rejects(
      repo.transact('w1', [
        { kind: 'insert', rowKey: 'c', value: member('c') as never },
        { kind: 'replace', rowKey: 'b', value: member('b3') as never, etag: etags[1]! },
      ]),
      (err: unknown) => err instanceof TransactionError && err.kind === 'etag-mismatch' && err.index === 1,
    );
    assert.equal(await repo.get({ partitionKey: 'w1', rowKey: 'c' }), undefined);
    const fresh = await repo.get({ partitionKey: 'w1', rowKey: 'b' });
    await repo.transact('w1', [
      { kind: 'insert', rowKey: 'c', value: member('c') as never },
      { kind: 'replace', rowKey: 'b', value: member('b3') as never, etag: fresh!.etag },
      { kind: 'delete', rowKey: 'a' },
    ]);
    const rows: string[] = [];
    for await (const row of repo.listPartition('w1'))
      rows.push(`${row.key.rowKey}:${(row.value as { aadObjectId: string }).aadObjectId}`);
    assert.deepEqual(rows, ['b:b3', 'c:c']);
    await assert.rejects(
      repo.transact('w1', [{ kind: 'insert', rowKey: 'c', value: member('c') as never }]),
      (err: unknown) => err instanceof ConcurrencyError && err.kind === 'already-exists',
    );
  });

  it('lists a range of row keys within a partition', async () => {
    const { store } = await freshStorage();
    const keys = ['0001', '0002', '0003', '0010', '0100'];
    await store.waveMembers.transact(
      'w2',
      keys.map((k) => ({ kind: 'upsert' as const, rowKey: k, value: { aadObjectId: k } as never })),
    );
    const seen: string[] = [];
    for await (const row of store.waveMembers.listPartition('w2', { from: '0002', to: '0100' }))
      seen.push(row.key.rowKey);
    assert.deepEqual(seen, ['0002', '0003', '0010']);
  });
});
