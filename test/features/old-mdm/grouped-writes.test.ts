import assert from 'node:assert/strict';
import { type InventoryDevice, inventoryKey, inventoryPartitions } from '../../../src/domain/inventory';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { participantKey } from '../../../src/domain/participant';
import { changePartition } from '../../../src/features/old-mdm/grouped-writes';
import { applyFileSnapshot } from '../../../src/features/old-mdm/inventory-sync';
import { runMatchPass } from '../../../src/features/old-mdm/match-pass';
import { matchSummary, oldMdmDevicesOf } from '../../../src/features/old-mdm/match-views';
import { oldMdmOverview } from '../../../src/features/old-mdm/overview';
import {
  clearPersonChanged,
  forgetPersonChanged,
  markPeopleChanged,
  markPersonChanged,
  peopleChanged,
  personChangedAt,
} from '../../../src/features/old-mdm/person-changes';
import type { JobState, Repository, Store } from '../../../src/ports/store';
import { testConfig } from '../../helpers/config';
import { FakeDirectory } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';
import { NOW, syncDeps } from './old-mdm-fixtures';

const SOURCE = 'workspace-one';

/** Counts each repository call by method, and can run `before` ahead of the first `transact`. */
function counted<T>(repo: Repository<T>, before?: () => Promise<unknown>) {
  const calls: Record<string, number> = {};
  let fired = false;
  const wrapped = Object.create(repo) as Repository<T>;
  for (const method of ['get', 'insert', 'replace', 'delete', 'update', 'transact'] as const) {
    const original = repo[method] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      calls[method] = (calls[method] ?? 0) + 1;
      if (method === 'transact' && before && !fired) {
        fired = true;
        await before();
      }
      return original.apply(repo, args);
    };
  }
  return { repo: wrapped, calls };
}

const people = Array.from({ length: 30 }, (_, i) => ({
  id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
  upn: `person${i}@example.com`,
}));

/** 300 devices, ten per person: every inventory partition gets a few. */
const devices: OldMdmDevice[] = Array.from({ length: 300 }, (_, i) => ({
  source: SOURCE,
  vendor: 'workspace-one',
  vendorId: String(7000 + i),
  name: `Phone ${i}`,
  platform: 'ios',
  serialNumber: `GW${String(i).padStart(6, '0')}`,
  userPrincipalName: people[i % people.length]!.upn,
  ownership: 'corporate',
  enrollment: 'enrolled',
}));

/** The first FOLLOWED people are in a wave: the background refresh follows only them. */
const FOLLOWED = 12;

async function addPeople(store: Store) {
  const at = new Date(NOW).toISOString();
  for (const [i, p] of people.entries()) {
    await store.participants.insert(participantKey(p.id), {
      aadObjectId: p.id,
      userPrincipalName: p.upn,
      firstSeenAt: at,
      lastSeenAt: at,
      version: 1,
      ...(i < FOLLOWED ? { waveId: 'wave-1' } : {}),
    });
  }
}

const marked = async (store: Store) => (await peopleChanged(store)).map((c) => c.aadObjectId).sort();
const followedIds = people.slice(0, FOLLOWED).map((p) => p.id);

async function rowsOf(store: Store): Promise<InventoryDevice[]> {
  const out: InventoryDevice[] = [];
  for (const p of inventoryPartitions())
    for await (const r of store.oldMdmDevices.listPartition(p)) out.push(r.value);
  return out;
}

describe('integration: old-MDM writes as entity-group transactions (Azurite)', () => {
  it('a group someone wrote into after it was read is refused whole and redone on fresh reads', async () => {
    const { store } = await freshStorage();
    const repo = store.jobState;
    const partition = 'grouped-test';
    await repo.insert({ partitionKey: partition, rowKey: 'a' }, { n: 1 });
    // Another writer bumps `a` between the group's read and its transaction.
    const { repo: racing, calls } = counted<JobState>(repo, () =>
      repo.update({ partitionKey: partition, rowKey: 'a' }, (cur) => ({ n: Number(cur?.n) + 10 })),
    );
    const increment = (rowKey: string) => ({
      rowKey,
      next: (cur: JobState | undefined) => ({ n: Number(cur?.n ?? 0) + 1 }),
    });
    await changePartition(racing, partition, [increment('a'), increment('b')]);
    assert.equal(calls.transact, 2, 'refused once, then landed');
    assert.equal(
      (await repo.get({ partitionKey: partition, rowKey: 'a' }))?.value.n,
      12,
      'both writers count',
    );
    assert.equal(
      (await repo.get({ partitionKey: partition, rowKey: 'b' }))?.value.n,
      1,
      'written once, not twice',
    );
  });

  it('a row believed absent but inserted meanwhile is read and replaced, not lost', async () => {
    const { store } = await freshStorage();
    const repo = store.jobState;
    const key = { partitionKey: 'grouped-test', rowKey: 'late' };
    const { repo: racing } = counted<JobState>(repo, () => repo.insert(key, { by: 'other' }));
    await changePartition(
      racing,
      key.partitionKey,
      [{ rowKey: 'late', next: (cur) => ({ by: 'group', before: String(cur?.by ?? 'none') }) }],
      { known: new Map([['late', null]]) },
    );
    assert.deepEqual((await repo.get(key))?.value, { by: 'group', before: 'other' });
  });

  it('a snapshot and a matching pass write rows, copies and markers only as transactions', async () => {
    const deps = await syncDeps();
    await addPeople(deps.store);
    const inventory = counted(deps.store.oldMdmDevices);
    const index = counted(deps.store.oldMdmByPerson);
    const store: Store = { ...deps.store, oldMdmDevices: inventory.repo, oldMdmByPerson: index.repo };
    const report = await applyFileSnapshot({ ...deps, store }, devices, { source: SOURCE });
    assert.equal(report.inserted, 300);
    const directory = new FakeDirectory();
    directory.candidates = devices
      .filter((_, i) => i % 2 === 0)
      .map((d) => ({ key: `intune-${d.vendorId}`, platform: 'ios' as const, serialNumber: d.serialNumber }));
    const pass = await runMatchPass({ ...deps, store, directory });
    assert.deepEqual(
      [pass.matched, pass.unmatched, pass.rowsWritten, pass.indexWritten],
      [150, 150, 300, 300],
    );

    for (const calls of [inventory.calls, index.calls])
      assert.deepEqual([calls.insert, calls.replace, calls.update], [undefined, undefined, undefined]);
    // 300 rows over 64 partitions: one transaction per partition for the sync and one for the pass.
    assert.ok(inventory.calls.transact! <= 2 * 64, `${inventory.calls.transact} inventory transactions`);
    assert.equal(index.calls.transact, 30, 'one per person');
    assert.equal(pass.peopleMarked, FOLLOWED);
    assert.deepEqual(
      await marked(deps.store),
      followedIds,
      'a marker for each person in a wave, no one else',
    );
    assert.equal((await oldMdmDevicesOf(deps.store, people[0]!.id)).length, 10);

    // The admin home then shows the pass's own counts, equal to a count of every row, without reading the inventory.
    const noScan: Store = {
      ...deps.store,
      oldMdmDevices: Object.assign(Object.create(deps.store.oldMdmDevices), {
        listPartition: () => {
          throw new Error('the overview must not list the inventory after a pass');
        },
      }),
    };
    const overview = await oldMdmOverview({ ...deps, config: testConfig(), store: noScan });
    const counts = (await matchSummary(deps.store)).bySource[SOURCE]!;
    assert.deepEqual(
      overview.map((o) => [o.source, o.listed, o.matched, o.unmatched, o.ambiguous, o.pending]),
      [[SOURCE, counts.listed, counts.matched, counts.unmatched, counts.ambiguous, counts.pending]],
    );
    assert.deepEqual([counts.listed, counts.matched, counts.unmatched], [300, 150, 150]);
  });

  it('a pass stopped after the copies and before the rows is completed by the next pass', async () => {
    const deps = await syncDeps();
    await addPeople(deps.store);
    await applyFileSnapshot(deps, devices, { source: SOURCE });
    const directory = new FakeDirectory();
    directory.candidates = [{ key: 'intune-first', platform: 'ios', serialNumber: devices[0]!.serialNumber }];
    const broken = Object.create(deps.store.oldMdmDevices) as Repository<InventoryDevice>;
    broken.transact = async () => {
      throw new Error('instance stopped');
    };
    await assert.rejects(
      runMatchPass({ ...deps, store: { ...deps.store, oldMdmDevices: broken }, directory }),
      /instance stopped/,
    );
    assert.ok(
      (await rowsOf(deps.store)).every((r) => r.match === undefined),
      'no row written',
    );
    assert.equal((await oldMdmDevicesOf(deps.store, people[0]!.id)).length, 10, 'the copies were');

    const again = await runMatchPass({ ...deps, directory });
    assert.equal(again.rowsWritten, 300);
    const rows = await rowsOf(deps.store);
    assert.ok(rows.every((r) => r.match && r.person && r.indexedUnder));
    const first = rows.find((r) => r.vendorId === devices[0]!.vendorId)!;
    assert.deepEqual(first.match, {
      kind: 'matched',
      candidateKey: 'intune-first',
      by: 'serial',
      confidence: 1,
    });
    assert.deepEqual(await marked(deps.store), followedIds);
    const third = await runMatchPass({ ...deps, directory });
    assert.deepEqual([third.rowsWritten, third.indexWritten], [0, 0], 'then nothing is left to do');
    assert.equal(
      (await deps.store.oldMdmDevices.get(inventoryKey(SOURCE, devices[0]!.vendorId)))?.value.indexedUnder,
      people[0]!.id,
    );
  });

  it('markers are spread over buckets, 100 a transaction; a marker stored in the former single partition is still read, cleared and erased', async () => {
    const { store } = await freshStorage();
    const jobState = counted(store.jobState);
    const s = { jobState: jobState.repo };
    const many = Array.from(
      { length: 500 },
      (_, i) => `10000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    );
    assert.equal(await markPeopleChanged(s, many, 'T1'), 500);
    const buckets = new Set(many.map((id) => participantKey(id).partitionKey)).size;
    assert.ok(buckets > 8, `${buckets} buckets`);
    assert.equal(jobState.calls.transact, buckets, 'one transaction per bucket (each under 100 markers)');
    assert.equal((await peopleChanged(store)).length, 500);
    assert.equal((await peopleChanged(store, 120)).length, 120, 'the refresh takes at most its limit');

    // A marker written before the buckets existed: one row in partition `old-mdm-person-changed`.
    const legacy = '20000000-0000-0000-0000-000000000001';
    const legacyKey = { partitionKey: 'old-mdm-person-changed', rowKey: legacy };
    await store.jobState.insert(legacyKey, { changedAt: 'T0' });
    assert.ok((await peopleChanged(store)).some((c) => c.aadObjectId === legacy && c.changedAt === 'T0'));
    assert.equal(await personChangedAt(store, legacy), 'T0');
    await clearPersonChanged(store, legacy, 'T-other');
    assert.ok(await store.jobState.get(legacyKey), 'set again since it was read: kept');
    await clearPersonChanged(store, legacy, 'T0');
    assert.equal(await store.jobState.get(legacyKey), undefined, 'cleared where it was');

    await store.jobState.insert(legacyKey, { changedAt: 'T0' });
    await markPersonChanged(store, legacy, 'T2');
    assert.equal(await personChangedAt(store, legacy), 'T2', 'the bucket marker is the current one');
    await forgetPersonChanged(store, legacy);
    assert.equal(await personChangedAt(store, legacy), undefined, 'erasure removes both');
    assert.equal(await store.jobState.get(legacyKey), undefined);
  });
});
