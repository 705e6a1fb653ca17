import assert from 'node:assert/strict';
import { type Campaign, campaignKey, type Wave, waveKey, waveMemberKey } from '../../../src/domain/campaign';
import type { DeviceJourney, JourneyStage } from '../../../src/domain/journey';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { waveScope } from '../../../src/domain/wave-counters';
import { waveStats } from '../../../src/domain/wave-stats';
import { statsOfWave } from '../../../src/features/admin/dashboard-service';
import { readScope } from '../../../src/features/counters/counter-table';
import { withCounters } from '../../../src/features/counters/counting-store';
import { rebuildCounters } from '../../../src/features/counters/recount';
import { waveMembersOf } from '../../../src/features/waves';
import type { Store } from '../../../src/ports/store';
import { CounterRepairJob } from '../../../src/workers/counter-repair';
import { testDeps } from '../../helpers/activities';
import { InMemoryStore, silentLogger } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const NOW = new Date('2026-11-30T09:00:00Z');
const HOUR = 3_600_000;
const WAVE: Wave = {
  id: 'pilot',
  name: 'Pilot',
  order: 0,
  state: 'active',
  caMode: 'none',
  createdAt: '2026-11-01T00:00:00Z',
  createdBy: 'admin',
} as unknown as Wave;

function member(id: string, stages: JourneyStage[], hoursInStage = 1): Participant {
  return {
    aadObjectId: id,
    displayName: `Person ${id}`,
    firstSeenAt: NOW.toISOString(),
    lastSeenAt: NOW.toISOString(),
    version: 1,
    waveId: WAVE.id,
    journeys: stages.map(
      (stage, i): DeviceJourney => ({
        deviceKey: `${id}-d${i}`,
        name: `Device ${i}`,
        platform: i % 2 ? 'ios' : 'windows',
        stage,
        stageSince: new Date(NOW.getTime() - hoursInStage * HOUR).toISOString(),
        history: [],
        flags: { dualEnrollment: false } as DeviceJourney['flags'],
      }),
    ),
  };
}

async function seedWave(store: Store, ids: string[]): Promise<void> {
  await store.campaigns.insert(campaignKey(), { name: 'Move' } as Campaign);
  await store.waves.insert(waveKey(WAVE.id), WAVE);
  for (const id of ids) {
    await store.waveMembers.insert(waveMemberKey(WAVE.id, id), {
      waveId: WAVE.id,
      aadObjectId: id,
      userPrincipalName: `${id}@example.com`,
      addedAt: NOW.toISOString(),
    });
  }
}

/** The numbers a full recount of every row gives (what the dashboards showed before counters). */
async function recounted(store: Store): Promise<ReturnType<typeof waveStats>> {
  const rows: Participant[] = [];
  for await (const { value } of store.participants.listPartition(participantKey('a').partitionKey))
    rows.push(value);
  for (const pk of new Set(['a', 'b', 'c', 'd'].map((id) => participantKey(id).partitionKey)))
    if (pk !== participantKey('a').partitionKey)
      for await (const { value } of store.participants.listPartition(pk)) rows.push(value);
  // Listed in the index without a row: a member with no devices, as the dashboards always counted them.
  for await (const value of waveMembersOf(store, WAVE.id)) {
    if (rows.some((p) => p.aadObjectId === value.aadObjectId)) continue;
    rows.push({
      aadObjectId: value.aadObjectId,
      firstSeenAt: '',
      lastSeenAt: '',
      version: 0,
      waveId: WAVE.id,
    });
  }
  return waveStats(rows, [], WAVE.id, NOW, { stuckAfterMs: 72 * HOUR });
}

function comparable(s: ReturnType<typeof waveStats>) {
  const { helpdesk: _h, stuck, ...rest } = s;
  return { ...rest, stuck: { users: stuck.users, devices: stuck.devices } };
}

describe('wave counters kept by the store', () => {
  it('counts every write as it lands; a lost delta is drift that the repair job finds and repairs', async () => {
    const inner = new InMemoryStore();
    const store = withCounters(inner, { logger: silentLogger, flushMs: 0 });
    const { deps } = testDeps({ store });
    await seedWave(store, ['a', 'b', 'c']);
    await store.counterWriter.flush();
    await rebuildCounters(deps, { waves: [WAVE] });
    await store.participants.insert(participantKey('a'), member('a', ['notified']));
    await store.participants.insert(participantKey('b'), member('b', ['enrolling', 'verified'], 100));
    await store.participants.update(
      participantKey('a'),
      (p) => p && { ...p, journeys: member('a', ['enrolled']).journeys },
    );
    await store.counterWriter.flush();
    assert.deepEqual(comparable(await statsOfWave(deps, WAVE, NOW)), comparable(await recounted(store)));
    assert.equal((await statsOfWave(deps, WAVE, NOW)).stuck.devices, 1);

    // A write that bypasses the counting (an instance that died before its flush): the counters drift.
    await inner.participants.insert(participantKey('c'), member('c', ['compliant']));
    const drifted = await statsOfWave(deps, WAVE, NOW);
    assert.notDeepEqual(comparable(drifted), comparable(await recounted(store)));

    const repaired = await new CounterRepairJob(deps).runOnce();
    assert.equal(repaired.full, true);
    assert.ok(repaired.drift > 0, 'the drift is measured');
    assert.deepEqual(comparable(await statsOfWave(deps, WAVE, NOW)), comparable(await recounted(store)));
  });

  it('a replace whose value before is unknown marks the wave dirty and the job recounts it', async () => {
    const inner = new InMemoryStore();
    const { deps } = testDeps({ store: inner });
    await seedWave(inner, ['a']);
    await inner.participants.insert(participantKey('a'), member('a', ['notified']));
    await rebuildCounters(deps, { waves: [WAVE] });
    const etag = (await inner.participants.get(participantKey('a')))!.etag;
    // Another instance's store: it never read the row, so it cannot know what the replace changed.
    const other = withCounters(inner, { logger: silentLogger, flushMs: 0 });
    await other.participants.replace(participantKey('a'), member('a', ['verified']), etag);
    await other.counterWriter.flush();
    assert.equal(other.counterWriter.misses, 1);
    const job = new CounterRepairJob({ ...deps, store: other }, { fullEveryMs: 1e12 });
    await other.jobState.insert(
      { partitionKey: 'job', rowKey: 'counter-repair' },
      { lastFullAt: new Date().toISOString() },
    );
    const report = await job.runOnce();
    assert.equal(report.full, false);
    assert.equal(report.scopes, 1);
    assert.equal((await statsOfWave(deps, WAVE, NOW)).migratedUsers, 1);
  });

  it('a flush racing a rebuild counts each write once', async () => {
    const inner = new InMemoryStore();
    const store = withCounters(inner, { logger: silentLogger, flushMs: 0 });
    const { deps } = testDeps({ store });
    await seedWave(store, ['a', 'b']);
    await store.counterWriter.flush();
    await rebuildCounters(deps, { waves: [WAVE] });
    // Written and counted in memory, not flushed yet, when the rebuild starts: the rebuild reads the row.
    await store.participants.insert(participantKey('a'), member('a', ['enrolled']));
    await new Promise((r) => setTimeout(r, 2));
    await rebuildCounters(deps, { waves: [WAVE] });
    await store.counterWriter.flush();
    const members = async () => (await readScope(store.counters, waveScope(WAVE.id))).counts.m ?? 0;
    assert.equal(await members(), 2, 'the late flush of a write the rebuild saw is dropped');
    // A write after the rebuild goes on top of it.
    await store.participants.update(participantKey('a'), () => undefined);
    await store.participants.insert(participantKey('b'), member('b', ['verified']));
    await store.counterWriter.flush();
    assert.equal((await statsOfWave(deps, WAVE, NOW)).migratedUsers, 1);
    assert.deepEqual(comparable(await statsOfWave(deps, WAVE, NOW)), comparable(await recounted(store)));
  });

  it('two instances flushing into the same shard of Azure Tables lose nothing (ETags)', async () => {
    const storage = await freshStorage();
    const one = withCounters(storage.store, { logger: silentLogger, flushMs: 0, shard: 3 });
    const two = withCounters(storage.store, { logger: silentLogger, flushMs: 0, shard: 3 });
    const { deps } = testDeps({ store: one });
    await seedWave(
      one,
      Array.from({ length: 40 }, (_, i) => `u${i}`),
    );
    await one.counterWriter.flush();
    await rebuildCounters(deps, { waves: [WAVE] });
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const id = `u${round * 10 + i}`;
          const via = i % 2 ? one : two;
          return via.participants.insert(participantKey(id), member(id, ['enrolled']));
        }),
      );
      await Promise.all([one.counterWriter.flush(), two.counterWriter.flush()]);
    }
    const counts = (await readScope(storage.store.counters, waveScope(WAVE.id))).counts;
    assert.equal(counts.m, 40);
    assert.equal(counts.dev, 40);
    assert.equal(counts['u.enrolled'], 40);
  });
});
