import assert from 'node:assert/strict';
import { type WaveMember, waveMemberKey } from '../../../src/domain/campaign';
import { assign, type Escalation, escalationKey, raise, resolve } from '../../../src/domain/escalation';
import type { DeviceJourney } from '../../../src/domain/journey';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { readWaveHelpdeskMetrics } from '../../../src/features/helpdesk/wave-metrics';
import { InMemoryStore } from '../../helpers/fakes';

const T0 = new Date('2026-11-23T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const AGENT = { aadObjectId: 'agent-1', name: 'Isaiah Langer' };

const verified: DeviceJourney = {
  deviceKey: 'dev-1',
  name: 'Laptop',
  platform: 'windows',
  stage: 'verified',
  stageSince: T0.toISOString(),
  history: [{ stage: 'verified', at: T0.toISOString(), cause: 'created' }],
  flags: { dualEnrollment: false },
};

async function addParticipant(store: InMemoryStore, id: string, waveId: string, migrated: boolean) {
  const p: Participant = {
    aadObjectId: id,
    firstSeenAt: T0.toISOString(),
    lastSeenAt: T0.toISOString(),
    version: 1,
    waveId,
    journeys: migrated ? [verified] : [{ ...verified, stage: 'notified' }],
  };
  await store.participants.insert(participantKey(id), p);
}

async function addMember(store: InMemoryStore, id: string, waveId: string) {
  const m: WaveMember = {
    waveId,
    aadObjectId: id,
    userPrincipalName: `${id}@example.com`,
    addedAt: T0.toISOString(),
  };
  await store.waveMembers.insert(waveMemberKey(waveId, id), m);
}

function opened(id: string, waveId: string, when: Date, current?: Escalation): Escalation {
  const r = raise(
    current,
    { participant: { aadObjectId: id, waveId }, trigger: { reason: 'user-stuck', deviceKey: 'dev-1' } },
    when,
  );
  assert.ok(r.ok);
  return r.escalation;
}

function ok(r: ReturnType<typeof assign>): Escalation {
  assert.ok(r.ok, 'domain action rejected');
  return r.escalation;
}

describe('readWaveHelpdeskMetrics', () => {
  it('reads the wave’s members, their participants and tickets, and computes the metrics', async () => {
    const store = new InMemoryStore();
    for (const id of ['alex', 'bea', 'cai']) await addMember(store, id, 'pilot');
    await addParticipant(store, 'alex', 'pilot', true);
    await addParticipant(store, 'bea', 'pilot', true);
    await addParticipant(store, 'cai', 'pilot', false);
    await addParticipant(store, 'dan', 'ring-1', true); // not a member of the pilot
    await addMember(store, 'dan', 'ring-1');

    // alex: ticket 1 assigned after 20 min, resolved after 60; ticket 2 (days later) still open
    let alex = opened('alex', 'pilot', at(0));
    alex = ok(assign(alex, AGENT, AGENT, at(20)));
    alex = ok(resolve(alex, AGENT, 'Re-enrolled', at(60)));
    alex = opened('alex', 'pilot', at(7 * 24 * 60), alex);
    assert.equal(alex.ticketNumber, 2);
    assert.equal(alex.earlier.length, 1);
    await store.escalations.insert(escalationKey('alex'), alex);

    // bea: assigned after 40 min, still being worked on
    await store.escalations.insert(
      escalationKey('bea'),
      ok(assign(opened('bea', 'pilot', at(0)), AGENT, AGENT, at(40))),
    );
    // dan (ring-1): must not count for the pilot
    await store.escalations.insert(escalationKey('dan'), opened('dan', 'ring-1', at(0)));

    const now = at(8 * 24 * 60);
    const m = await readWaveHelpdeskMetrics(store, 'pilot', now);
    assert.deepEqual(m, {
      waveId: 'pilot',
      computedAt: now.toISOString(),
      tickets: 3,
      open: 1,
      assigned: 1,
      waitingOnUser: 0,
      resolved: 1,
      medianMinutesToAssign: 30, // 20 and 40
      medianMinutesToResolve: 60,
      p90MinutesToResolve: 60,
      migratedUsers: 2,
      escalationsPer100Migrated: 150,
    });
  });

  it('skips a member whose participant row names another wave, and members without rows', async () => {
    const store = new InMemoryStore();
    await addMember(store, 'alex', 'pilot');
    await addMember(store, 'moved', 'pilot'); // stale index entry: the user moved to ring-1
    await addMember(store, 'ghost', 'pilot'); // no participant row at all
    await addParticipant(store, 'alex', 'pilot', true);
    await addParticipant(store, 'moved', 'ring-1', true);
    await store.escalations.insert(escalationKey('moved'), opened('moved', 'ring-1', at(0)));

    const m = await readWaveHelpdeskMetrics(store, 'pilot', at(60));
    assert.equal(m.tickets, 0);
    assert.equal(m.migratedUsers, 1);
    assert.equal(m.escalationsPer100Migrated, 0);
  });

  it('returns empty metrics for a wave without members', async () => {
    const m = await readWaveHelpdeskMetrics(new InMemoryStore(), 'nobody', at(0));
    assert.equal(m.tickets, 0);
    assert.equal(m.migratedUsers, 0);
    assert.equal(m.escalationsPer100Migrated, undefined);
  });

  it('reads every member of a large wave', async () => {
    const store = new InMemoryStore();
    for (let i = 0; i < 100; i++) {
      const id = `user-${i}`;
      await addMember(store, id, 'big');
      await addParticipant(store, id, 'big', i % 2 === 0);
      if (i % 4 === 0) await store.escalations.insert(escalationKey(id), opened(id, 'big', at(i)));
    }
    const m = await readWaveHelpdeskMetrics(store, 'big', at(1000));
    assert.equal(m.tickets, 25);
    assert.equal(m.open, 25);
    assert.equal(m.migratedUsers, 50);
    assert.equal(m.escalationsPer100Migrated, 50);
  });
});
