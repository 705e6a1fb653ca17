import assert from 'node:assert/strict';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import type { Wave } from '../../src/domain/campaign';
import { escalationKey, resolve } from '../../src/domain/escalation';
import type { Escalation } from '../../src/domain/escalation-model';
import { timeTriggers } from '../../src/domain/escalation-triggers';
import type { DeviceJourney, JourneyStage } from '../../src/domain/journey';
import { participantKey } from '../../src/domain/participant';
import { EscalationTriggerJob } from '../../src/workers/escalation-triggers';
import { ALEX, testDeps } from '../helpers/activities';

const HOUR = 3_600_000;
const CHANNEL = '19:mc-migration-escalations@thread.tacv2';
const HOURS = { startMinute: 480, endMinute: 1020, days: [1, 2, 3, 4, 5] };

function journey(stage: JourneyStage, since: string, key = 'p1'): DeviceJourney {
  return {
    deviceKey: key,
    name: `Device ${key}`,
    platform: 'ios',
    stage,
    stageSince: since,
    history: [{ stage, at: since, cause: 'created' }],
    flags: { dualEnrollment: false },
  };
}

/** Alex in the Pilot wave (grace period ends 14 days after `seededAt`), zone Stockholm, channel configured. */
async function setup(now: string, journeys: DeviceJourney[], seededAt = '2026-11-20T09:00:00Z') {
  const t = testDeps();
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL } };
  t.clock.current = new Date(now);
  await seedDemoCampaign(t.store, new Date(seededAt));
  await t.store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
    ...cur!,
    displayName: ALEX.name,
    timeZone: 'Europe/Stockholm',
    journeys,
    conversation: {
      serviceUrl: 'https://smba.example/',
      channelId: 'msteams',
      conversationId: 'a:alex',
      botId: '28:bot',
      userId: ALEX.id,
    },
  }));
  const ticket = async () => (await t.store.escalations.get(escalationKey(ALEX.aadObjectId)))?.value;
  return { ...t, job: new EscalationTriggerJob(t.deps), ticket };
}

const reasons = (e: Escalation | undefined) => (e?.triggers ?? []).map((x) => x.reason);

describe('workers: time-based escalation triggers', () => {
  it('no progress: counts business hours in the user zone (a weekend does not count)', async () => {
    // Started Friday 14:00 Stockholm: 3 business hours on Friday, the other 5 are Monday 08:00-13:00.
    const { job, clock, ticket, messenger } = await setup('2026-11-30T11:00:00Z', [
      journey('started', '2026-11-27T13:00:00Z'),
    ]);
    assert.equal((await job.runOnce()).raised, 0, 'Monday 12:00 local: 7 business hours');
    assert.equal(await ticket(), undefined);
    clock.advance(HOUR + 60_000); // 13:01 local
    assert.equal((await job.runOnce()).raised, 1);
    const e = await ticket();
    assert.deepEqual(reasons(e), ['no-progress']);
    assert.deepEqual(e!.triggers[0]!.detail, { stage: 'started', since: '2026-11-27T13:00:00.000Z' });
    assert.equal(messenger.sent.length, 1, 'one card in the helpdesk channel');
    assert.equal(messenger.sent[0]!.to.conversationId, CHANNEL);
  });

  it('is idempotent across ticks, and does not reopen what an agent resolved', async () => {
    const { job, clock, ticket, store, messenger } = await setup('2026-11-30T15:00:00Z', [
      journey('unenrolling', '2026-11-27T13:00:00Z'),
    ]);
    assert.equal((await job.runOnce()).raised, 1);
    const version = (await ticket())!.version;
    for (let i = 0; i < 3; i++) {
      clock.advance(15 * 60_000);
      assert.equal((await job.runOnce()).raised, 0);
    }
    assert.equal((await ticket())!.version, version);
    assert.equal(messenger.sent.length + messenger.updated.length, 1);
    const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(p.pendingEscalations?.length ?? 0, 0, 'the queue was drained');

    await store.escalations.update(escalationKey(ALEX.aadObjectId), (cur) => {
      const r = resolve(
        cur!,
        { aadObjectId: 'agent-1', name: 'Megan' },
        'Walked them through it',
        clock.now(),
      );
      return r.escalation;
    });
    clock.advance(HOUR);
    assert.equal((await job.runOnce()).raised, 0, 'the same stuck period was resolved');
    assert.equal((await ticket())!.state, 'resolved');
  });

  it('a device that moves on and gets stuck again is a new trigger on the same ticket', async () => {
    const { job, clock, ticket, store } = await setup('2026-11-30T15:00:00Z', [
      journey('started', '2026-11-27T13:00:00Z'),
    ]);
    await job.runOnce();
    await store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
      ...cur!,
      journeys: [journey('unenrolled', '2026-11-30T15:00:00Z')],
    }));
    clock.advance(24 * HOUR); // Tuesday 16:00 local: 1 + 8 business hours
    assert.equal((await job.runOnce()).raised, 1);
    const e = await ticket();
    assert.equal(e!.ticketNumber, 1);
    assert.deepEqual(reasons(e), ['no-progress', 'no-progress']);
  });

  it('noncompliant: enrolled but not compliant past the configured hours (and no "no progress" for it)', async () => {
    const { job, clock, ticket, deps } = await setup('2026-11-30T09:00:00Z', [
      journey('enrolled', '2026-11-30T08:00:00Z'),
    ]);
    deps.config = {
      ...deps.config,
      escalation: { stuckAfterHours: 1, noncompliantAfterHours: 6, slaAssignMinutes: 60 },
    };
    clock.advance(4 * HOUR);
    assert.equal((await job.runOnce()).raised, 0, '5 h enrolled, more than 1 business hour');
    clock.advance(2 * HOUR);
    assert.equal((await job.runOnce()).raised, 1);
    assert.deepEqual(reasons(await ticket()), ['noncompliant']);
    clock.advance(HOUR);
    assert.equal((await job.runOnce()).raised, 0);
  });

  it('deadline passed: once per wave end, only for users with devices not done', async () => {
    // Grace period ends 2026-12-04T09:00Z.
    const { job, clock, ticket } = await setup('2026-12-04T08:59:00Z', [
      journey('notified', '2026-11-20T09:00:00Z'),
      journey('verified', '2026-11-21T09:00:00Z', 'p2'),
    ]);
    assert.equal((await job.runOnce()).raised, 0);
    clock.advance(2 * 60_000);
    assert.equal((await job.runOnce()).raised, 1);
    const e = await ticket();
    assert.deepEqual(reasons(e), ['deadline-passed']);
    assert.equal(e!.triggers[0]!.deviceKey, '');
    assert.deepEqual(e!.triggers[0]!.detail, { waveId: 'pilot', endsAt: '2026-12-04T09:00:00.000Z' });
    clock.advance(HOUR);
    assert.equal((await job.runOnce()).raised, 0);

    const done = await setup('2026-12-05T09:00:00Z', [journey('verified', '2026-11-21T09:00:00Z')]);
    assert.equal((await done.job.runOnce()).raised, 0);
  });

  it('leaves devices not started, waiting for IT or done, and waves that are not active, alone', async () => {
    const { job, store } = await setup('2026-12-02T15:00:00Z', [
      journey('notified', '2026-11-20T09:00:00Z'),
      journey('needs-it', '2026-11-20T09:00:00Z', 'p2'),
      journey('excluded', '2026-11-20T09:00:00Z', 'p3'),
      journey('verified', '2026-11-20T09:00:00Z', 'p4'),
    ]);
    assert.equal((await job.runOnce()).raised, 0);
    await store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
      ...cur!,
      journeys: [journey('started', '2026-11-20T09:00:00Z')],
    }));
    await store.waves.update(
      { partitionKey: 'wave', rowKey: 'pilot' },
      (w) => w && { ...w, state: 'closed' },
    );
    assert.equal((await job.runOnce()).raised, 0);
  });
});

describe('domain: timeTriggers', () => {
  const wave = {
    id: 'w',
    state: 'active',
    conditionalAccess: { kind: 'none' },
    deadline: '2026-12-01T00:00:00Z',
  } as unknown as Wave;
  const opts = { stuckAfterMs: 8 * HOUR, noncompliantAfterMs: 24 * HOUR, zone: 'UTC', hours: HOURS };

  it('is empty for someone else’s wave and stable while the condition holds', () => {
    const p = { waveId: 'w', journeys: [journey('enrolling', '2026-11-23T08:00:00Z')] };
    assert.deepEqual(
      timeTriggers({ ...p, waveId: 'other' }, wave, new Date('2026-12-02T12:00:00Z'), opts),
      [],
    );
    const a = timeTriggers(p, wave, new Date('2026-12-02T12:00:00Z'), opts);
    const b = timeTriggers(p, wave, new Date('2026-12-03T12:00:00Z'), opts);
    assert.deepEqual(
      a.map((t) => t.reason),
      ['no-progress', 'deadline-passed'],
    );
    assert.deepEqual(a, b);
  });
});
