import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from '../../src/domain/canonical';
import {
  assign,
  attachCard,
  escalationKey,
  isOpen,
  raise,
  reopen,
  resolve,
  userAddsDetail,
  userWithdraws,
  waitOnUser,
} from '../../src/domain/escalation';
import { triggerFingerprint } from '../../src/domain/escalation-input';
import {
  type ActionResult,
  type Agent,
  DEFAULT_REOPEN_WITHIN_MS,
  type Escalation,
  type EscalationParticipant,
  MAX_DETAIL_CHARS,
  MAX_EARLIER,
  MAX_ESCALATION_JSON,
  MAX_RECEIPTS,
  MAX_TEXT_LENGTH,
  MAX_TIMELINE,
  MAX_TRIGGERS,
  type RaiseOutcome,
  type RaiseResult,
  TRIGGER_REASONS,
  type TriggerInput,
} from '../../src/domain/escalation-model';
import { participantKey } from '../../src/domain/participant';

const T0 = new Date('2026-11-23T09:00:00Z');
const HOUR = 3_600_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const ALEX: EscalationParticipant = {
  aadObjectId: 'A1B2C3D4-0000-4000-8000-000000000001',
  userPrincipalName: 'alexw@example.com',
  displayName: 'Alex Wilber',
  waveId: 'pilot',
  locale: 'sv-SE',
};
const ALEX_ID = ALEX.aadObjectId.toLowerCase();
const MEGAN: EscalationParticipant = { aadObjectId: 'megan-id', displayName: 'Megan Bowen' };
const AGENT: Agent = { aadObjectId: 'agent-1', name: 'Isaiah Langer' };
const OTHER_AGENT: Agent = { aadObjectId: 'agent-2', name: 'Lee Gu' };

const stuck: TriggerInput = { reason: 'user-stuck', deviceKey: 'dev-1', detail: { said: "I'm stuck" } };
const failed: TriggerInput = {
  reason: 'enrollment-failed',
  deviceKey: 'dev-1',
  detail: { category: 'authentication', reason: 'MFA required', at: '2026-11-23T08:55:00.000Z' },
};
const dual: TriggerInput = {
  reason: 'dual-enrollment',
  deviceKey: 'dev-2',
  detail: { partnerMdmAppId: 'ws1' },
};

function ok(r: RaiseResult | ActionResult): Escalation {
  if (!r.ok) assert.fail(`expected success, got ${r.reason}`);
  return r.escalation;
}

function raised(current: Escalation | undefined, trigger: TriggerInput, when: Date, who = ALEX) {
  const r = raise(current, { participant: who, trigger }, when);
  if (!r.ok) assert.fail(`raise rejected: ${r.reason}`);
  return r;
}

/** Alex's first ticket, opened by "I'm stuck" at T0. */
const opened = () => raised(undefined, stuck, T0).escalation;
const assigned = () => ok(assign(opened(), AGENT, AGENT, at(5)));
const waiting = () => ok(waitOnUser(assigned(), AGENT, at(10)));
const resolved = () => ok(resolve(assigned(), AGENT, 'Re-enrolled with the Company Portal', at(30)));

function triggerEntries(e: Escalation) {
  return e.timeline.filter((t) => t.kind === 'trigger');
}

describe('domain: escalation', () => {
  describe('raise', () => {
    it('opens ticket 1 for a user with the participant, the trigger and the SLA clock', () => {
      const r = raised(undefined, stuck, T0);
      assert.equal(r.outcome, 'created');
      const e = r.escalation;
      assert.equal(e.ticketId, `${ALEX_ID}-1`);
      assert.equal(e.ticketNumber, 1);
      assert.equal(e.state, 'open');
      assert.deepEqual(e.participant, { ...ALEX, aadObjectId: ALEX_ID });
      assert.equal(e.createdAt, T0.toISOString());
      assert.equal(e.firstAssignedAt, undefined);
      assert.equal(e.resolvedAt, undefined);
      assert.equal(e.assignee, undefined);
      assert.equal(e.version, 1);
      assert.deepEqual(
        e.triggers.map(({ reason, deviceKey, detail, at }) => ({ reason, deviceKey, detail, at })),
        [{ reason: 'user-stuck', deviceKey: 'dev-1', detail: { said: "I'm stuck" }, at: T0.toISOString() }],
      );
      assert.deepEqual(e.timeline, [
        {
          kind: 'trigger',
          at: T0.toISOString(),
          actor: { kind: 'user' },
          triggerId: e.triggers[0]!.id,
          reason: 'user-stuck',
          deviceKey: 'dev-1',
          outcome: 'created',
        },
      ]);
    });

    for (const reason of TRIGGER_REASONS) {
      it(`accepts the trigger "${reason}" (by ${reason === 'user-stuck' ? 'the user' : 'the system'})`, () => {
        const e = raised(undefined, { reason, deviceKey: 'dev-9', detail: { x: 1 } }, T0).escalation;
        assert.equal(e.triggers[0]!.reason, reason);
        const entry = e.timeline[0]!;
        assert.equal(entry.kind, 'trigger');
        assert.deepEqual(entry.actor, { kind: reason === 'user-stuck' ? 'user' : 'system' });
      });
    }

    it('knows exactly the eight trigger reasons of the helpdesk issue', () => {
      assert.deepEqual([...TRIGGER_REASONS].sort(), [
        'deadline-passed',
        'dual-enrollment',
        'enrollment-failed',
        'needs-it',
        'no-progress',
        'noncompliant',
        'post-check-failed',
        'user-stuck',
      ]);
    });

    it('rejects an unknown reason, a missing participant and another user’s ticket, leaving the ticket as it was', () => {
      const e = opened();
      for (const [current, input, reason] of [
        [e, { participant: ALEX, trigger: { reason: 'bored' } }, 'invalid-trigger'],
        [e, { participant: ALEX, trigger: null }, 'invalid-trigger'],
        [undefined, { participant: ALEX, trigger: { reason: '__proto__' } }, 'invalid-trigger'],
        [e, { participant: { aadObjectId: '  ' }, trigger: stuck }, 'participant-required'],
        [e, { participant: null, trigger: stuck }, 'participant-required'],
        [e, { participant: MEGAN, trigger: stuck }, 'participant-mismatch'],
      ] as const) {
        const r = raise(current, input as unknown as Parameters<typeof raise>[1], at(1));
        assert.equal(r.ok, false);
        assert.equal(!r.ok && r.reason, reason);
        assert.equal(r.escalation, current);
      }
    });

    it('appends a new trigger to the open ticket instead of opening a second one', () => {
      const r = raised(opened(), failed, at(3));
      assert.equal(r.outcome, 'appended');
      assert.equal(r.escalation.ticketId, `${ALEX_ID}-1`);
      assert.equal(r.escalation.state, 'open');
      assert.equal(r.escalation.version, 2);
      assert.deepEqual(
        triggerEntries(r.escalation).map((t) => [t.reason, t.outcome]),
        [
          ['user-stuck', 'created'],
          ['enrollment-failed', 'appended'],
        ],
      );
    });

    it('keeps an assigned ticket assigned, and brings one waiting on the user back to its assignee', () => {
      const a = raised(assigned(), failed, at(20)).escalation;
      assert.equal(a.state, 'assigned');
      assert.deepEqual(a.assignee, AGENT);
      const w = raised(waiting(), failed, at(20)).escalation;
      assert.equal(w.state, 'assigned');
      assert.deepEqual(w.assignee, AGENT);
    });

    it('records the same reason + device + detail once per open ticket, whatever its time or key order', () => {
      const e = opened();
      const again = raise(
        e,
        {
          participant: ALEX,
          trigger: { deviceKey: 'dev-1', detail: { said: "I'm stuck" }, reason: 'user-stuck' },
        },
        at(2),
      );
      assert.equal(again.ok && again.outcome, 'duplicate');
      const d = ok(again);
      assert.deepEqual(d.timeline, e.timeline);
      assert.deepEqual(d.triggers, e.triggers);
      assert.equal(d.version, e.version, 'nothing a card shows changed');

      const reordered = raised(
        e,
        {
          ...failed,
          detail: { at: '2026-11-23T08:55:00.000Z', reason: 'MFA required', category: 'authentication' },
        },
        at(3),
      ).escalation;
      const dup = raised(reordered, failed, at(4));
      assert.equal(dup.outcome, 'duplicate');
      assert.equal(triggerEntries(dup.escalation).length, 2);
    });

    it('treats a different device or detail as a new trigger', () => {
      const e = raised(opened(), { ...stuck, deviceKey: 'dev-2' }, at(1)).escalation;
      const f = raised(e, { ...stuck, detail: { said: 'still stuck' } }, at(2)).escalation;
      assert.equal(triggerEntries(f).length, 3);
    });

    it('ignores the exact same trigger delivered again (same time) without any change', () => {
      const e = raised(undefined, { ...failed, at: '2026-11-23T08:56:00Z' }, T0).escalation;
      const r = raised(e, { ...failed, at: '2026-11-23T08:56:00.000Z' }, at(5));
      assert.equal(r.outcome, 'duplicate');
      assert.equal(r.escalation, e, 'the same object: nothing to write');
    });

    it('reopens a ticket resolved less than 72 hours ago, unassigned and unresolved', () => {
      const done = resolved();
      const r = raised(done, failed, at(30 + 60));
      assert.equal(r.outcome, 'reopened');
      const e = r.escalation;
      assert.equal(e.ticketId, done.ticketId);
      assert.equal(e.state, 'open');
      assert.equal(e.assignee, undefined);
      assert.equal(e.resolvedAt, undefined);
      assert.equal(e.resolution, undefined);
      assert.equal(e.reopenCount, 1);
      assert.equal(
        e.firstAssignedAt,
        done.firstAssignedAt,
        'the SLA clock of the ticket keeps its first assignment',
      );
      assert.deepEqual(
        triggerEntries(e).map((t) => [t.reason, t.outcome]),
        [
          ['user-stuck', 'created'],
          ['enrollment-failed', 'reopened'],
        ],
      );
      assert.equal(DEFAULT_REOPEN_WITHIN_MS, 72 * HOUR);
    });

    it('reopens on the same trigger again when it happened after the resolution (the user is still stuck)', () => {
      const done = resolved();
      const r = raised(done, stuck, at(45));
      assert.equal(r.outcome, 'reopened');
    });

    it('does not reopen for a trigger the resolved ticket already held, dated before the resolution', () => {
      const done = ok(resolve(raised(opened(), failed, at(2)).escalation, AGENT, 'fixed', at(30)));
      const late = raised(done, { ...failed, at: at(1).toISOString() }, at(40));
      assert.equal(late.outcome, 'duplicate');
      assert.equal(late.escalation.state, 'resolved');
    });

    it('starts ticket n+1 more than 72 hours after the resolution, keeping a summary of ticket n', () => {
      const done = ok(attachCard(resolved(), 'card-1'));
      const later = new Date(Date.parse(done.resolvedAt!) + DEFAULT_REOPEN_WITHIN_MS + 1);
      const r = raised(done, dual, later);
      assert.equal(r.outcome, 'created');
      const e = r.escalation;
      assert.equal(e.ticketId, `${ALEX_ID}-2`);
      assert.equal(e.ticketNumber, 2);
      assert.equal(e.state, 'open');
      assert.equal(e.cardActivityId, undefined, 'a new ticket gets its own card');
      assert.equal(e.createdAt, later.toISOString());
      assert.equal(e.firstAssignedAt, undefined);
      assert.equal(e.reopenCount, 0);
      assert.equal(e.timelineOmitted, 0);
      assert.deepEqual(
        triggerEntries(e).map((t) => [t.reason, t.outcome]),
        [['dual-enrollment', 'created']],
      );
      assert.ok(e.version > done.version, 'versions keep rising across tickets, so old cards stay stale');
      assert.deepEqual(e.earlier, [
        {
          ticketId: `${ALEX_ID}-1`,
          waveId: 'pilot',
          createdAt: T0.toISOString(),
          firstAssignedAt: at(5).toISOString(),
          resolvedAt: at(30).toISOString(),
          reasons: ['user-stuck'],
          withdrawn: false,
          reopenCount: 0,
        },
      ]);
    });

    it('takes the reopen window from the options', () => {
      const done = resolved();
      const r = raise(done, { participant: ALEX, trigger: failed }, at(31), { reopenWithinMs: 0 });
      assert.equal(r.ok && r.outcome, 'created');
      const wide = raise(done, { participant: ALEX, trigger: failed }, at(60 * 24 * 30), {
        reopenWithinMs: 60 * 24 * 31 * 60_000,
      });
      assert.equal(wide.ok && wide.outcome, 'reopened');
    });

    it('refreshes the participant snapshot (name, wave, language) on every trigger', () => {
      const e = raised(opened(), failed, at(1), { ...ALEX, waveId: 'wave-2', locale: 'en-US' }).escalation;
      assert.equal(e.participant.waveId, 'wave-2');
      assert.equal(e.participant.locale, 'en-US');
    });

    it('keeps details as bounded plain JSON and times as ISO', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const e1 = raised(
        undefined,
        { reason: 'no-progress', detail: { text: 'x'.repeat(5000) } },
        T0,
      ).escalation;
      const d1 = e1.triggers[0]!.detail as { truncated: string };
      assert.equal(d1.truncated.length, MAX_DETAIL_CHARS);
      const e2 = raised(undefined, { reason: 'no-progress', detail: cyclic }, T0).escalation;
      assert.deepEqual(e2.triggers[0]!.detail, { unreadable: true });
      const e3 = raised(
        undefined,
        { reason: 'no-progress', detail: () => 1, deviceKey: '  dev-1 ', at: 'soon' },
        T0,
      ).escalation;
      assert.equal(e3.triggers[0]!.detail, undefined);
      assert.equal(e3.triggers[0]!.deviceKey, 'dev-1');
      assert.equal(e3.triggers[0]!.at, T0.toISOString());
      const e4 = raised(
        undefined,
        { reason: 'no-progress', deviceKey: 42 as unknown as string },
        T0,
      ).escalation;
      assert.equal(e4.triggers[0]!.deviceKey, '');
    });

    it('never moves time backwards when an instance’s clock is behind', () => {
      const e = raised(opened(), failed, at(-30)).escalation;
      assert.equal(e.updatedAt, T0.toISOString());
      assert.equal(e.timeline.at(-1)!.at, T0.toISOString());
      const r = raise(e, { participant: ALEX, trigger: dual }, new Date(Number.NaN));
      assert.equal(ok(r).updatedAt, T0.toISOString());
    });

    it('uses the participant partition spread for its row key', () => {
      assert.deepEqual(escalationKey(ALEX.aadObjectId), participantKey(ALEX.aadObjectId));
      assert.equal(escalationKey(ALEX.aadObjectId).rowKey, ALEX_ID);
    });

    it('fingerprints ignore key order and time', () => {
      assert.equal(
        triggerFingerprint({ reason: 'needs-it', deviceKey: 'd', detail: { a: 1, b: [1, { c: 2, d: 3 }] } }),
        triggerFingerprint({ reason: 'needs-it', deviceKey: 'd', detail: { b: [1, { d: 3, c: 2 }], a: 1 } }),
      );
      assert.notEqual(
        triggerFingerprint({ reason: 'needs-it', deviceKey: 'd', detail: { a: 1 } }),
        triggerFingerprint({ reason: 'needs-it', deviceKey: 'd', detail: { a: 2 } }),
      );
      assert.equal(canonicalJson({ b: 1, a: undefined, c: [undefined] }), '{"b":1,"c":[null]}');
    });
  });

  describe('agent actions', () => {
    it('assign: open → assigned, and the first assignment starts the SLA measure', () => {
      const e = ok(assign(opened(), AGENT, AGENT, at(5)));
      assert.equal(e.state, 'assigned');
      assert.deepEqual(e.assignee, AGENT);
      assert.equal(e.firstAssignedAt, at(5).toISOString());
      assert.deepEqual(e.timeline.at(-1), {
        kind: 'agent-action',
        at: at(5).toISOString(),
        actor: { kind: 'agent', ...AGENT },
        action: 'assign',
        assignee: AGENT,
      });
      assert.equal(e.version, 2);
    });

    it('assign to someone else keeps the first assignment time; to the same person is refused', () => {
      const e = ok(assign(assigned(), OTHER_AGENT, AGENT, at(9)));
      assert.deepEqual(e.assignee, OTHER_AGENT);
      assert.equal(e.firstAssignedAt, at(5).toISOString());
      const same = assign(e, { aadObjectId: 'AGENT-2' }, AGENT, at(10));
      assert.equal(!same.ok && same.reason, 'already-assigned');
      assert.equal(same.escalation, e);
    });

    it('assign on a ticket waiting on the user keeps it waiting, for the new assignee', () => {
      const e = ok(assign(waiting(), OTHER_AGENT, OTHER_AGENT, at(12)));
      assert.equal(e.state, 'waiting-on-user');
      assert.deepEqual(e.assignee, OTHER_AGENT);
    });

    it('waitOnUser: from assigned, and from open it makes the acting agent the assignee', () => {
      const w = waiting();
      assert.equal(w.state, 'waiting-on-user');
      assert.deepEqual(w.assignee, AGENT);
      const fromOpen = ok(waitOnUser(opened(), OTHER_AGENT, at(4)));
      assert.equal(fromOpen.state, 'waiting-on-user');
      assert.deepEqual(fromOpen.assignee, OTHER_AGENT);
      assert.equal(fromOpen.firstAssignedAt, at(4).toISOString());
      assert.deepEqual(fromOpen.timeline.at(-1), {
        kind: 'agent-action',
        at: at(4).toISOString(),
        actor: { kind: 'agent', ...OTHER_AGENT },
        action: 'wait-on-user',
        assignee: OTHER_AGENT,
      });
    });

    it('resolve needs a note and stops the SLA clock', () => {
      const e = resolved();
      assert.equal(e.state, 'resolved');
      assert.equal(e.resolvedAt, at(30).toISOString());
      assert.deepEqual(e.resolution, {
        at: at(30).toISOString(),
        by: { kind: 'agent', ...AGENT },
        note: 'Re-enrolled with the Company Portal',
        withdrawn: false,
      });
      assert.deepEqual(e.assignee, AGENT, 'who handled it stays visible');
      for (const [note, reason] of [
        ['', 'note-required'],
        ['   ', 'note-required'],
        [undefined, 'note-required'],
        ['x'.repeat(MAX_TEXT_LENGTH + 1), 'note-too-long'],
      ] as const) {
        const r = resolve(assigned(), AGENT, note as unknown as string, at(31));
        assert.equal(!r.ok && r.reason, reason);
      }
      const fromOpen = ok(resolve(opened(), AGENT, '  done  ', at(2)));
      assert.equal(fromOpen.resolution?.note, 'done');
      assert.equal(fromOpen.firstAssignedAt, undefined, 'resolving is not assigning');
      assert.equal(ok(resolve(waiting(), AGENT, 'done', at(40))).state, 'resolved');
    });

    it('reopen: resolved → open, unassigned', () => {
      const e = ok(reopen(resolved(), OTHER_AGENT, at(40)));
      assert.equal(e.state, 'open');
      assert.equal(e.assignee, undefined);
      assert.equal(e.resolvedAt, undefined);
      assert.equal(e.reopenCount, 1);
      assert.deepEqual(e.timeline.at(-1), {
        kind: 'agent-action',
        at: at(40).toISOString(),
        actor: { kind: 'agent', ...OTHER_AGENT },
        action: 'reopen',
      });
    });

    it('refuses every action that does not fit the state, without changing anything', () => {
      const cases: [string, () => Escalation, (e: Escalation) => ActionResult][] = [
        ['assign a resolved ticket', resolved, (e) => assign(e, AGENT, AGENT, at(50))],
        ['wait on a resolved ticket', resolved, (e) => waitOnUser(e, AGENT, at(50))],
        ['wait on a ticket already waiting', waiting, (e) => waitOnUser(e, AGENT, at(50))],
        ['resolve a resolved ticket', resolved, (e) => resolve(e, AGENT, 'again', at(50))],
        ['reopen an open ticket', opened, (e) => reopen(e, AGENT, at(50))],
        ['reopen an assigned ticket', assigned, (e) => reopen(e, AGENT, at(50))],
        ['reopen a waiting ticket', waiting, (e) => reopen(e, AGENT, at(50))],
        ['user adds detail to a resolved ticket', resolved, (e) => userAddsDetail(e, 'hello', at(50))],
        ['user withdraws a resolved ticket', resolved, (e) => userWithdraws(e, at(50))],
      ];
      for (const [what, make, act] of cases) {
        const e = make();
        const r = act(e);
        assert.equal(r.ok, false, what);
        assert.equal(!r.ok && r.reason, 'invalid-for-state', what);
        assert.equal(r.escalation, e, what);
      }
    });

    it('refuses forged or missing actors instead of throwing', () => {
      const e = opened();
      for (const bad of [undefined, null, {}, { aadObjectId: '' }, { aadObjectId: 7 }, 'agent-1']) {
        const agent = bad as unknown as Agent;
        for (const r of [
          assign(e, agent, AGENT, at(1)),
          assign(e, AGENT, agent, at(1)),
          waitOnUser(e, agent, at(1)),
          resolve(e, agent, 'note', at(1)),
          reopen(resolved(), agent, at(99)),
        ]) {
          assert.equal(!r.ok && r.reason, 'actor-required');
        }
      }
    });

    it('attachCard remembers the channel card without counting as a visible change', () => {
      const e = opened();
      const withCard = ok(attachCard(e, 'activity-1'));
      assert.equal(withCard.cardActivityId, 'activity-1');
      assert.equal(withCard.version, e.version);
      assert.equal(ok(attachCard(withCard, 'activity-1')), withCard);
      const bad = attachCard(e, '   ');
      assert.equal(!bad.ok && bad.reason, 'activity-id-required');
    });

    it('attachCard remembers the channel the card lives in (optional, no version bump)', () => {
      const e = opened();
      const routed = ok(attachCard(e, 'activity-1', '19:swedish@thread.tacv2'));
      assert.equal(routed.cardChannelId, '19:swedish@thread.tacv2');
      assert.equal(routed.version, e.version);
      assert.equal(ok(attachCard(routed, 'activity-1', '19:swedish@thread.tacv2')), routed);
      assert.equal(ok(attachCard(routed, 'activity-1')), routed, 'same card: its channel is kept');
      const moved = ok(attachCard(routed, 'activity-2'));
      assert.equal(moved.cardChannelId, undefined, 'a new card without a channel: the default one');
      assert.equal('cardChannelId' in ok(attachCard(e, 'activity-1')), false, 'backwards compatible');
    });
  });

  describe('user side', () => {
    it('the user adds details; a ticket waiting on them goes back to the assignee', () => {
      const e = ok(userAddsDetail(waiting(), '  The Company Portal says "device limit reached"  ', at(15)));
      assert.equal(e.state, 'assigned');
      assert.deepEqual(e.timeline.at(-1), {
        kind: 'user-message',
        at: at(15).toISOString(),
        actor: { kind: 'user' },
        text: 'The Company Portal says "device limit reached"',
      });
      assert.equal(ok(userAddsDetail(opened(), 'more', at(1))).state, 'open');
      for (const [text, reason] of [
        ['', 'text-required'],
        [null, 'text-required'],
        ['x'.repeat(MAX_TEXT_LENGTH + 1), 'text-too-long'],
      ] as const) {
        const r = userAddsDetail(opened(), text as unknown as string, at(1));
        assert.equal(!r.ok && r.reason, reason);
      }
    });

    it('the user withdraws ("it works now"): resolved by the user', () => {
      for (const make of [opened, assigned, waiting]) {
        const e = ok(userWithdraws(make(), at(20)));
        assert.equal(e.state, 'resolved');
        assert.equal(e.resolvedAt, at(20).toISOString());
        assert.deepEqual(e.resolution, { at: at(20).toISOString(), by: { kind: 'user' }, withdrawn: true });
        assert.deepEqual(e.timeline.at(-1), {
          kind: 'user-withdrew',
          at: at(20).toISOString(),
          actor: { kind: 'user' },
        });
        assert.equal(isOpen(e), false);
      }
      const later = new Date(at(20).getTime() + DEFAULT_REOPEN_WITHIN_MS + 1);
      const next = raised(ok(userWithdraws(opened(), at(20))), failed, later).escalation;
      assert.equal(next.earlier[0]?.withdrawn, true);
    });
  });

  describe('bounds', () => {
    it('keeps the newest 50 timeline entries and counts the rest', () => {
      let e = opened();
      for (let i = 0; i < 80; i++) e = ok(userAddsDetail(e, `message ${i}`, at(i + 1)));
      assert.equal(e.timeline.length, MAX_TIMELINE);
      assert.equal(e.timelineOmitted, 81 - MAX_TIMELINE);
      assert.deepEqual(e.timeline.at(-1), {
        kind: 'user-message',
        at: at(80).toISOString(),
        actor: { kind: 'user' },
        text: 'message 79',
      });
    });

    it('keeps the newest 20 triggers and still suppresses older duplicates', () => {
      let e: Escalation | undefined;
      for (let i = 0; i < 30; i++) e = raised(e, { reason: 'no-progress', detail: { i } }, at(i)).escalation;
      assert.equal(e!.triggers.length, MAX_TRIGGERS);
      const again = raised(e, { reason: 'no-progress', detail: { i: 0 } }, at(40));
      assert.equal(again.outcome, 'duplicate');
    });

    it('stays under the row size limit with the largest texts and details everywhere', () => {
      let e: Escalation | undefined;
      for (let i = 0; i < 60; i++) {
        e = raised(
          e,
          { reason: 'needs-it', deviceKey: `d${'k'.repeat(300)}`, detail: { i, pad: 'p'.repeat(900) } },
          at(i),
        ).escalation;
        e = ok(userAddsDetail(e, `${i}${'w'.repeat(MAX_TEXT_LENGTH - 3)}`, at(i)));
      }
      const size = JSON.stringify(e).length;
      assert.ok(size <= MAX_ESCALATION_JSON, `${size} characters`);
      assert.ok(e!.timeline.length >= 1 && e!.triggers.length >= 1);
      assert.equal(e!.timeline.length + e!.timelineOmitted, 120 + 0);
    });

    it('keeps at most 10 earlier tickets and 100 receipts', () => {
      let e: Escalation | undefined;
      let t = 0;
      for (let n = 0; n < 15; n++) {
        for (let i = 0; i < 10; i++)
          e = raised(e, { reason: 'no-progress', detail: { n, i } }, at(t++)).escalation;
        e = ok(resolve(e!, AGENT, 'done', at(t++)));
        t += DEFAULT_REOPEN_WITHIN_MS / 60_000 + 1;
      }
      assert.equal(e!.ticketNumber, 15);
      assert.equal(e!.earlier.length, MAX_EARLIER);
      assert.equal(e!.earlier.at(-1)?.ticketId, `${ALEX_ID}-14`);
      assert.equal(e!.receipts.length, MAX_RECEIPTS);
    });
  });

  describe('properties', () => {
    type Step =
      | { kind: 'raise'; trigger: TriggerInput }
      | { kind: 'assign'; to: Agent; by: Agent }
      | { kind: 'wait'; by: Agent }
      | { kind: 'resolve'; by: Agent; note: string }
      | { kind: 'reopen'; by: Agent }
      | { kind: 'detail'; text: string }
      | { kind: 'withdraw' }
      | { kind: 'card'; id: string };

    const agentArb = fc.constantFrom<Agent>(AGENT, OTHER_AGENT, { aadObjectId: 'agent-3' });
    const triggerArb: fc.Arbitrary<TriggerInput> = fc.record({
      reason: fc.constantFrom(
        'user-stuck',
        'enrollment-failed',
        'noncompliant',
        'needs-it',
        'deadline-passed',
      ),
      deviceKey: fc.constantFrom('dev-1', 'dev-2'),
      detail: fc.constantFrom<unknown>(undefined, { said: 'stuck' }, { category: 'auth' }),
    });
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: triggerArb.map((trigger): Step => ({ kind: 'raise', trigger })) },
      {
        weight: 2,
        arbitrary: fc.tuple(agentArb, agentArb).map(([to, by]): Step => ({ kind: 'assign', to, by })),
      },
      { weight: 1, arbitrary: agentArb.map((by): Step => ({ kind: 'wait', by })) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(agentArb, fc.constantFrom('fixed', '', 'x'.repeat(MAX_TEXT_LENGTH + 1)))
          .map(([by, note]): Step => ({ kind: 'resolve', by, note })),
      },
      { weight: 1, arbitrary: agentArb.map((by): Step => ({ kind: 'reopen', by })) },
      {
        weight: 2,
        arbitrary: fc.constantFrom('more info', '').map((text): Step => ({ kind: 'detail', text })),
      },
      { weight: 1, arbitrary: fc.constant<Step>({ kind: 'withdraw' }) },
      { weight: 1, arbitrary: fc.constantFrom('c1', 'c2').map((id): Step => ({ kind: 'card', id })) },
    );
    /** Minutes between steps: mostly short, sometimes days (past the reopen window), sometimes back (skewed clocks). */
    const gapArb = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 120 }) },
      { weight: 2, arbitrary: fc.integer({ min: 60 * 24, max: 60 * 24 * 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: -60, max: -1 }) },
    );
    const scenarioArb = fc.array(fc.tuple(stepArb, gapArb), { minLength: 1, maxLength: 60 });

    function apply(e: Escalation | undefined, step: Step, now: Date): RaiseResult | ActionResult | undefined {
      if (step.kind === 'raise') return raise(e, { participant: ALEX, trigger: step.trigger }, now);
      if (!e) return undefined;
      switch (step.kind) {
        case 'assign':
          return assign(e, step.to, step.by, now);
        case 'wait':
          return waitOnUser(e, step.by, now);
        case 'resolve':
          return resolve(e, step.by, step.note, now);
        case 'reopen':
          return reopen(e, step.by, now);
        case 'detail':
          return userAddsDetail(e, step.text, now);
        case 'withdraw':
          return userWithdraws(e, now);
        case 'card':
          return attachCard(e, step.id);
      }
    }

    /** Trigger ids of each open period on the timeline (a period starts at creation and at every reopen). */
    function openPeriods(e: Escalation): string[][] {
      const periods: string[][] = [[]];
      for (const entry of e.timeline) {
        const starts =
          (entry.kind === 'trigger' && entry.outcome !== 'appended') ||
          (entry.kind === 'agent-action' && entry.action === 'reopen');
        if (starts) periods.push([]);
        if (entry.kind === 'trigger') periods.at(-1)!.push(entry.triggerId);
      }
      return periods;
    }

    it('never two unresolved tickets for a user, and resolved tickets only reopen through reopen or raise', () => {
      fc.assert(
        fc.property(scenarioArb, (steps) => {
          let e: Escalation | undefined;
          let clock = T0.getTime();
          for (const [step, gap] of steps) {
            clock += gap * 60_000;
            const before = e;
            const r = apply(e, step, new Date(clock));
            if (!r) continue;
            if (!r.ok) {
              assert.equal(r.escalation, before, 'a refusal changes nothing');
              continue;
            }
            e = r.escalation;
            if (before && before.ticketId !== e.ticketId) {
              // Only a resolved ticket is ever replaced, by the next number, through a raise.
              assert.equal(before.state, 'resolved');
              assert.equal(step.kind, 'raise');
              assert.equal(e.ticketNumber, before.ticketNumber + 1);
              assert.equal(e.earlier.at(-1)?.ticketId, before.ticketId);
            }
            if (before?.ticketId === e.ticketId && before.state === 'resolved' && e.state !== 'resolved') {
              assert.ok(step.kind === 'reopen' || step.kind === 'raise', `${step.kind} reopened a ticket`);
            }
            // The row holds the only ticket that can be unresolved; every earlier one was resolved.
            assert.ok(e.earlier.every((t) => t.resolvedAt >= t.createdAt));
            assert.deepEqual(
              e.earlier.map((t) => t.ticketId),
              e.earlier.map((_, i) => `${ALEX_ID}-${e!.ticketNumber - e!.earlier.length + i}`),
            );
            assert.equal(e.ticketId, `${ALEX_ID}-${e.ticketNumber}`);
          }
        }),
        { numRuns: 400 },
      );
    });

    it('keeps its invariants: bounds, assignee by state, time order, one record per trigger per open period', () => {
      fc.assert(
        fc.property(scenarioArb, (steps) => {
          let e: Escalation | undefined;
          let clock = T0.getTime();
          for (const [step, gap] of steps) {
            clock += gap * 60_000;
            const r = apply(e, step, new Date(clock));
            if (!r?.ok) continue;
            e = r.escalation;
            assert.ok(e.timeline.length <= MAX_TIMELINE);
            assert.ok(e.triggers.length <= MAX_TRIGGERS);
            assert.ok(e.receipts.length <= MAX_RECEIPTS);
            assert.ok(JSON.stringify(e).length <= MAX_ESCALATION_JSON);
            if (e.state === 'open') assert.equal(e.assignee, undefined);
            if (e.state === 'assigned' || e.state === 'waiting-on-user') assert.ok(e.assignee);
            assert.equal(e.resolvedAt !== undefined, e.state === 'resolved');
            if (e.firstAssignedAt) assert.ok(e.firstAssignedAt >= e.createdAt);
            if (e.resolvedAt) assert.ok(e.resolvedAt >= e.createdAt);
            const times = e.timeline.map((t) => t.at);
            assert.deepEqual(times, [...times].sort(), 'the timeline is in time order');
            assert.ok(times.every((t) => t <= e!.updatedAt && t >= e!.createdAt));
            for (const period of openPeriods(e)) assert.equal(new Set(period).size, period.length);
          }
        }),
        { numRuns: 400 },
      );
    });

    it('two instances raising the same triggers in any interleaving leave one ticket holding each once', () => {
      const distinctArb = fc.uniqueArray(triggerArb, {
        minLength: 1,
        maxLength: 8,
        selector: (t) => canonicalJson([t.reason, t.deviceKey, t.detail ?? null]),
      });
      fc.assert(
        fc.property(
          distinctArb.chain((triggers) =>
            fc.tuple(
              fc.constant(triggers),
              fc.shuffledSubarray([...triggers, ...triggers], { minLength: triggers.length * 2 }),
            ),
          ),
          ([triggers, order]) => {
            let e: Escalation | undefined;
            const outcomes: RaiseOutcome[] = [];
            order.forEach((trigger, i) => {
              const r = raised(e, trigger, at(i));
              outcomes.push(r.outcome);
              e = r.escalation;
            });
            assert.equal(outcomes.filter((o) => o === 'created').length, 1);
            assert.equal(outcomes.filter((o) => o === 'duplicate').length, triggers.length);
            assert.equal(triggerEntries(e!).length, triggers.length);
            assert.equal(e!.ticketNumber, 1);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('delivering any trigger again with its own time changes nothing, whatever happened since', () => {
      fc.assert(
        fc.property(scenarioArb, fc.nat(), (steps, pick) => {
          let e: Escalation | undefined;
          let clock = T0.getTime();
          const delivered: TriggerInput[] = [];
          for (const [step, gap] of steps) {
            clock += gap * 60_000;
            const stamped: Step =
              step.kind === 'raise'
                ? { ...step, trigger: { ...step.trigger, at: new Date(clock).toISOString() } }
                : step;
            const r = apply(e, stamped, new Date(clock));
            if (!r?.ok) continue;
            e = r.escalation;
            if (stamped.kind === 'raise') delivered.push(stamped.trigger);
          }
          if (!e || delivered.length === 0) return;
          const again = delivered[pick % delivered.length]!;
          const r = raise(e, { participant: ALEX, trigger: again }, new Date(clock + 60_000));
          assert.equal(r.ok && r.outcome, 'duplicate');
          assert.equal(r.escalation, e);
        }),
        { numRuns: 400 },
      );
    });
  });
});
