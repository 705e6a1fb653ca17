import assert from 'node:assert/strict';
import { escalationKey, resolve } from '../../../src/domain/escalation';
import type { Escalation, EscalationParticipant, TriggerInput } from '../../../src/domain/escalation-model';
import { type Participant, participantKey, recordSighting } from '../../../src/domain/participant';
import {
  drainPendingEscalations,
  type PendingEscalation,
  raiseEscalation,
} from '../../../src/features/helpdesk/escalation-service';
import type { Repository, Store } from '../../../src/ports/store';
import { FakeClock, InMemoryStore } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

const T0 = new Date('2026-11-23T09:00:00Z');
const AGENT = { aadObjectId: 'agent-1', name: 'Isaiah Langer' };

const userId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const person = (i: number): EscalationParticipant => ({
  aadObjectId: userId(i),
  userPrincipalName: `user${i}@example.com`,
  displayName: `User ${i}`,
  waveId: 'pilot',
  locale: i % 2 ? 'sv-SE' : 'en-US',
});

/** The three triggers of the race: what the journey, the refresher and the user raise about one person. */
const threeTriggers = (i: number): TriggerInput[] => [
  { reason: 'user-stuck', deviceKey: `dev-${i}`, detail: { said: 'The Company Portal hangs' } },
  {
    reason: 'enrollment-failed',
    deviceKey: `dev-${i}`,
    detail: { category: 'authentication', reason: 'MFA required', at: '2026-11-23T08:55:00.000Z' },
  },
  { reason: 'no-progress', deviceKey: `dev-${i}`, detail: { stage: 'unenrolling', hours: 26 } },
];

function triggerEntries(e: Escalation) {
  return e.timeline.filter((t) => t.kind === 'trigger');
}

async function allTickets(repo: Repository<Escalation>, ids: string[]): Promise<Escalation[]> {
  const partitions = new Set(ids.map((id) => escalationKey(id).partitionKey));
  const rows: Escalation[] = [];
  for (const p of partitions) for await (const row of repo.listPartition(p)) rows.push(row.value);
  return rows;
}

async function participantWith(
  store: Pick<Store, 'participants'>,
  i: number,
  pending: PendingEscalation[],
): Promise<Participant> {
  const p: Participant = {
    ...recordSighting(undefined, { ...person(i), at: T0 }),
    waveId: 'pilot',
    pendingEscalations: pending,
  };
  await store.participants.insert(participantKey(p.aadObjectId), p);
  return p;
}

const pendingStuck: PendingEscalation = {
  reason: 'user-stuck',
  deviceKey: 'dev-1',
  detail: { said: 'stuck' },
  at: '2026-11-23T08:58:00.000Z',
};
const pendingFailed: PendingEscalation = {
  reason: 'enrollment-failed',
  deviceKey: 'dev-1',
  detail: { category: 'authentication', at: '2026-11-23T08:57:00.000Z' },
  at: '2026-11-23T08:59:00.000Z',
};

describe('helpdesk: escalation service (Azurite)', () => {
  describe('raiseEscalation', () => {
    it("creates the ticket in the user's own row: participant partition, object id as row key", async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const r = await raiseEscalation(store, clock, {
        participant: person(1),
        trigger: threeTriggers(1)[0]!,
      });
      assert.ok(r.ok);
      assert.equal(r.outcome, 'created');
      assert.equal(r.attempts, 1);
      assert.equal(r.escalation.ticketId, `${userId(1)}-1`);
      const key = escalationKey(userId(1));
      assert.deepEqual(key, participantKey(userId(1)));
      const stored = await store.escalations.get(key);
      assert.deepEqual(stored?.value, JSON.parse(JSON.stringify(r.escalation)));
      assert.equal(stored?.value.participant.displayName, 'User 1');
    });

    it('appends new triggers, suppresses repeats, and does not write at all for a re-delivered one', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const [stuck, failed] = threeTriggers(2);
      const key = escalationKey(userId(2));
      await raiseEscalation(store, clock, {
        participant: person(2),
        trigger: { ...stuck!, at: T0.toISOString() },
      });
      clock.advance(60_000);
      const appended = await raiseEscalation(store, clock, { participant: person(2), trigger: failed! });
      assert.equal(appended.ok && appended.outcome, 'appended');
      clock.advance(60_000);
      const repeat = await raiseEscalation(store, clock, { participant: person(2), trigger: failed! });
      assert.equal(repeat.ok && repeat.outcome, 'duplicate');

      const before = await store.escalations.get(key);
      const redelivered = await raiseEscalation(store, clock, {
        participant: person(2),
        trigger: { ...stuck!, at: T0.toISOString() },
      });
      assert.equal(redelivered.ok && redelivered.outcome, 'duplicate');
      const after = await store.escalations.get(key);
      assert.equal(after?.etag, before?.etag, 'no write for a trigger the ticket already has a receipt for');
      assert.deepEqual(
        triggerEntries(after!.value).map((t) => t.reason),
        ['user-stuck', 'enrollment-failed'],
      );
    });

    it('refuses an unknown reason or a missing participant and stores nothing', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const bad = await raiseEscalation(store, clock, {
        participant: person(3),
        trigger: { reason: 'bored' },
      });
      assert.deepEqual(bad, { ok: false, reason: 'invalid-trigger', attempts: 1 });
      const nobody = await raiseEscalation(store, clock, {
        participant: { aadObjectId: '' },
        trigger: threeTriggers(3)[0]!,
      });
      assert.deepEqual(nobody, { ok: false, reason: 'participant-required', attempts: 0 });
      assert.equal(await store.escalations.get(escalationKey(userId(3))), undefined);
    });

    it('3 concurrent triggers × 50 users: exactly 50 tickets, each with its 3 triggers once', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const users = Array.from({ length: 50 }, (_, i) => i + 100);
      const results = await Promise.all(
        users.flatMap((i) =>
          threeTriggers(i).map((trigger) =>
            raiseEscalation(store, clock, { participant: person(i), trigger }),
          ),
        ),
      );
      const outcomes = results.map((r) => (r.ok ? r.outcome : r.reason));
      assert.equal(outcomes.filter((o) => o === 'created').length, 50);
      assert.equal(outcomes.filter((o) => o === 'appended').length, 100);
      const tickets = await allTickets(store.escalations, users.map(userId));
      assert.equal(tickets.length, 50);
      assert.equal(new Set(tickets.map((t) => t.ticketId)).size, 50);
      for (const t of tickets) {
        assert.equal(t.ticketNumber, 1);
        assert.equal(t.state, 'open');
        const entries = triggerEntries(t);
        assert.equal(entries.length, 3, t.ticketId);
        assert.equal(new Set(entries.map((e) => e.triggerId)).size, 3);
        assert.deepEqual(entries.map((e) => e.outcome).sort(), ['appended', 'appended', 'created']);
      }
      // The race really happened: some writers lost an ETag round and redid their change.
      assert.ok(results.some((r) => r.attempts > 1));
    });

    it('two instances firing the same triggers at once (own clocks) still record each trigger once', async () => {
      const { store } = await freshStorage();
      const clocks = [new FakeClock(T0), new FakeClock(new Date(T0.getTime() + 1_500))];
      const users = Array.from({ length: 20 }, (_, i) => i + 200);
      const results = await Promise.all(
        clocks.flatMap((clock) =>
          users.flatMap((i) =>
            threeTriggers(i).map((trigger) =>
              raiseEscalation(store, clock, { participant: person(i), trigger }),
            ),
          ),
        ),
      );
      const outcomes = results.map((r) => (r.ok ? r.outcome : r.reason));
      assert.equal(outcomes.filter((o) => o === 'created').length, 20);
      assert.equal(outcomes.filter((o) => o === 'appended').length, 40);
      assert.equal(outcomes.filter((o) => o === 'duplicate').length, 60);
      const tickets = await allTickets(store.escalations, users.map(userId));
      assert.equal(tickets.length, 20);
      for (const t of tickets) assert.equal(triggerEntries(t).length, 3);
    });

    it('reopens a recently resolved ticket and starts ticket 2 after the reopen window', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const [stuck, failed, slow] = threeTriggers(4);
      const key = escalationKey(userId(4));
      await raiseEscalation(store, clock, { participant: person(4), trigger: stuck! });
      clock.advance(10 * 60_000);
      await store.escalations.update(key, (cur) => {
        const r = resolve(cur!, AGENT, 'Reset the enrollment', clock.now());
        return r.ok ? r.escalation : undefined;
      });
      clock.advance(60 * 60_000);
      const back = await raiseEscalation(store, clock, { participant: person(4), trigger: failed! });
      assert.ok(back.ok);
      assert.equal(back.outcome, 'reopened');
      assert.equal(back.escalation.ticketId, `${userId(4)}-1`);
      assert.equal(back.escalation.state, 'open');

      await store.escalations.update(key, (cur) => {
        const r = resolve(cur!, AGENT, 'Done', clock.now());
        return r.ok ? r.escalation : undefined;
      });
      clock.advance(4 * 24 * 3_600_000);
      const next = await raiseEscalation(store, clock, { participant: person(4), trigger: slow! });
      assert.ok(next.ok);
      assert.equal(next.outcome, 'created');
      assert.equal(next.escalation.ticketId, `${userId(4)}-2`);
      assert.deepEqual(
        next.escalation.earlier.map((t) => t.ticketId),
        [`${userId(4)}-1`],
      );
      assert.equal(
        (await allTickets(store.escalations, [userId(4)])).length,
        1,
        'still one row for the user',
      );
    });
  });

  describe('drainPendingEscalations', () => {
    it("moves the participant's pending escalations into the ticket, then removes them", async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      const invalid: PendingEscalation = {
        reason: 'bored',
        deviceKey: '',
        detail: null,
        at: T0.toISOString(),
      };
      await participantWith(store, 10, [pendingStuck, invalid, pendingFailed]);
      const r = await drainPendingEscalations(store, clock, userId(10).toUpperCase());
      assert.equal(r.outcome, 'created');
      assert.equal(r.moved, 2);
      assert.deepEqual(r.invalid, [invalid]);
      assert.equal(r.attempts, 1);
      const ticket = (await store.escalations.get(escalationKey(userId(10))))!.value;
      assert.deepEqual(
        ticket.triggers.map((t) => [t.reason, t.at]),
        [
          ['user-stuck', pendingStuck.at],
          ['enrollment-failed', pendingFailed.at],
        ],
      );
      assert.deepEqual(ticket.participant, person(10));
      const p = (await store.participants.get(participantKey(userId(10))))!.value;
      assert.equal(p.pendingEscalations, undefined);
      assert.equal(p.version, 2);

      const again = await drainPendingEscalations(store, clock, userId(10));
      assert.deepEqual(again, { outcome: 'nothing', moved: 0, invalid: [], attempts: 0 });
    });

    it('does nothing for an unknown user or an empty list', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      assert.equal((await drainPendingEscalations(store, clock, userId(11))).outcome, 'nothing');
      await participantWith(store, 12, []);
      assert.equal((await drainPendingEscalations(store, clock, userId(12))).outcome, 'nothing');
      assert.equal(await store.escalations.get(escalationKey(userId(12))), undefined);
    });

    it('keeps an entry queued while the drain was writing the ticket', async () => {
      const storage = await freshStorage();
      const clock = new FakeClock(T0);
      await participantWith(storage.store, 13, [pendingStuck]);
      const late: PendingEscalation = { ...pendingFailed, at: '2026-11-23T09:00:30.000Z' };
      // Another instance queues an escalation right after the ticket write, before the removal.
      const escalations: Repository<Escalation> = Object.create(storage.store.escalations);
      escalations.update = async (key, mutate) => {
        const written = await storage.store.escalations.update(key, mutate);
        await storage.store.participants.update(participantKey(userId(13)), (cur) =>
          cur ? { ...cur, pendingEscalations: [...(cur.pendingEscalations ?? []), late] } : undefined,
        );
        return written;
      };
      const r = await drainPendingEscalations(
        { participants: storage.store.participants, escalations },
        clock,
        userId(13),
      );
      assert.equal(r.outcome, 'created');
      const p = (await storage.store.participants.get(participantKey(userId(13))))!.value;
      assert.deepEqual(p.pendingEscalations, [late]);
      const next = await drainPendingEscalations(storage.store, clock, userId(13));
      assert.equal(next.outcome, 'appended');
      const ticket = (await storage.store.escalations.get(escalationKey(userId(13))))!.value;
      assert.equal(triggerEntries(ticket).length, 2);
    });

    it('after a crash between the ticket write and the removal, a later drain only removes (even once resolved)', async () => {
      const storage = await freshStorage();
      const clock = new FakeClock(T0);
      await participantWith(storage.store, 14, [pendingStuck, pendingFailed]);
      const participants: Repository<Participant> = Object.create(storage.store.participants);
      participants.update = async () => {
        throw new Error('instance stopped');
      };
      await assert.rejects(
        drainPendingEscalations({ participants, escalations: storage.store.escalations }, clock, userId(14)),
        /instance stopped/,
      );
      const key = escalationKey(userId(14));
      assert.equal((await storage.store.escalations.get(key))?.value.triggers.length, 2);
      assert.equal(
        (await storage.store.participants.get(participantKey(userId(14))))?.value.pendingEscalations?.length,
        2,
        'nothing was removed before the ticket held it',
      );

      clock.advance(5 * 60_000);
      await storage.store.escalations.update(key, (cur) => {
        const r = resolve(cur!, AGENT, 'Sorted on the phone', clock.now());
        return r.ok ? r.escalation : undefined;
      });
      const before = await storage.store.escalations.get(key);
      clock.advance(60_000);
      const retry = await drainPendingEscalations(storage.store, clock, userId(14));
      assert.equal(retry.outcome, 'duplicate');
      const after = await storage.store.escalations.get(key);
      assert.equal(after?.etag, before?.etag, 'the resolved ticket was not touched');
      assert.equal(after?.value.state, 'resolved');
      assert.equal(
        (await storage.store.participants.get(participantKey(userId(14))))?.value.pendingEscalations,
        undefined,
      );
    });

    it('two instances draining at once record each entry once', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      await participantWith(store, 15, [pendingStuck, pendingFailed]);
      const [a, b] = await Promise.all([
        drainPendingEscalations(store, clock, userId(15)),
        drainPendingEscalations(store, clock, userId(15)),
      ]);
      assert.ok([a.outcome, b.outcome].includes('created'));
      const ticket = (await store.escalations.get(escalationKey(userId(15))))!.value;
      assert.equal(triggerEntries(ticket).length, 2);
      assert.equal(
        (await store.participants.get(participantKey(userId(15))))?.value.pendingEscalations,
        undefined,
      );
    });

    it('reports the strongest outcome: a drain that reopens and appends says reopened', async () => {
      const { store } = await freshStorage();
      const clock = new FakeClock(T0);
      await raiseEscalation(store, clock, { participant: person(16), trigger: threeTriggers(16)[2]! });
      await store.escalations.update(escalationKey(userId(16)), (cur) => {
        const r = resolve(cur!, AGENT, 'fixed', clock.now());
        return r.ok ? r.escalation : undefined;
      });
      clock.advance(60 * 60_000);
      const later = (e: PendingEscalation) => ({ ...e, at: clock.now().toISOString() });
      await participantWith(store, 16, [later(pendingStuck), later(pendingFailed)]);
      const r = await drainPendingEscalations(store, clock, userId(16));
      assert.equal(r.outcome, 'reopened');
      assert.equal(r.escalation?.state, 'open');
      assert.deepEqual(r.escalation && triggerEntries(r.escalation).map((t) => t.outcome), [
        'created',
        'reopened',
        'appended',
      ]);
    });

    it('works the same on the in-memory store the unit tests use', async () => {
      const store = new InMemoryStore();
      const clock = new FakeClock(T0);
      await participantWith(store, 17, [pendingStuck]);
      const r = await drainPendingEscalations(store, clock, userId(17));
      assert.equal(r.outcome, 'created');
      assert.equal(store.escalations.values().length, 1);
      assert.equal(store.participants.values()[0]?.pendingEscalations, undefined);
    });
  });
});
