import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ComplianceState, DeviceObservation, Management } from '../../src/domain/device';
import {
  type DeviceJourney,
  type EnrollmentFailure,
  type GraphView,
  HISTORY_LIMIT,
  JOURNEY_STAGES,
  type JourneyEffect,
  type JourneyEvent,
  MAX_REASON_LENGTH,
  POST_CHECK_ITEMS,
  type PostCheckAnswers,
  STAGE_ORDER,
  stageIndex,
  stepperStage,
} from '../../src/domain/journey';
import { initialStageFor } from '../../src/domain/journey-observation';
import { isStuck, participantProgress } from '../../src/domain/journey-progress';
import { newJourney, openJourney, transition } from '../../src/domain/journey-transition';

const T0 = new Date('2026-03-02T08:00:00Z');
const PARTNER = 'f0e1d2c3-0000-4000-8000-000000000001';

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const partner: Management = { kind: 'partner', mdmAppId: PARTNER };
const none: Management = { kind: 'none' };
const intune: Management = { kind: 'intune' };
const dual: Management = { kind: 'intune', alsoPartnerMdmAppId: PARTNER };

function device(management: Management, complianceState: ComplianceState = 'unknown'): DeviceObservation {
  return {
    key: 'dev-1',
    name: "Alex's iPhone",
    platform: 'ios',
    ownership: 'personal',
    management,
    ...(management.kind === 'intune' ? { intune: { managedDeviceId: 'md-1', complianceState } } : {}),
  };
}

const seen = (management: Management, complianceState?: ComplianceState, failures?: EnrollmentFailure[]) =>
  ({
    kind: 'observed',
    view: { management, complianceState, ...(failures ? { enrollmentFailures: failures } : {}) },
  }) as const;

const allYes: PostCheckAnswers = { email: 'yes', wifi: 'yes', vpn: 'yes', certificates: 'yes', apps: 'yes' };

/** Applies events one minute apart; returns the final journey and every step's effects. */
function run(
  start: DeviceJourney,
  events: JourneyEvent[],
  fromMinute = 1,
): { journey: DeviceJourney; steps: JourneyEffect[][]; last: JourneyEffect[] } {
  let journey = start;
  const steps: JourneyEffect[][] = [];
  events.forEach((e, i) => {
    const r = transition(journey, e, at(fromMinute + i));
    journey = r.journey;
    steps.push(r.effects);
  });
  return { journey, steps, last: steps[steps.length - 1] ?? [] };
}

/** A journey driven to `compliant` through the ordinary flow. */
function compliantJourney(): DeviceJourney {
  return run(newJourney(device(partner), T0), [
    { kind: 'start' },
    { kind: 'begin-unenroll' },
    { kind: 'user-says-unenrolled' },
    seen(none),
    { kind: 'begin-enroll' },
    seen(intune, 'compliant'),
  ]).journey;
}

const kinds = (effects: JourneyEffect[]) =>
  effects.map((e) => (e.kind === 'escalate' ? `escalate:${e.reason}` : e.kind));

describe('domain: journey', () => {
  describe('starting a journey', () => {
    it('places a device by what Graph shows: old MDM, nothing, Intune, compliant, both', () => {
      assert.equal(initialStageFor(device(partner)), 'notified');
      assert.equal(initialStageFor(device(none)), 'unenrolled');
      assert.equal(initialStageFor(device(intune, 'noncompliant')), 'enrolled');
      assert.equal(initialStageFor(device(intune, 'inGracePeriod')), 'enrolled');
      assert.equal(initialStageFor(device(intune, 'compliant')), 'compliant');
      assert.equal(initialStageFor(device(dual, 'compliant')), 'enrolled');
    });

    it('newJourney records the device, one history entry and the time', () => {
      const j = newJourney(device(partner), T0);
      assert.deepEqual(j, {
        deviceKey: 'dev-1',
        name: "Alex's iPhone",
        platform: 'ios',
        ownership: 'personal',
        stage: 'notified',
        stageSince: T0.toISOString(),
        history: [{ stage: 'notified', at: T0.toISOString(), cause: 'created' }],
        flags: { dualEnrollment: false },
      });
    });

    it('openJourney raises day-one problems: a dual enrollment escalates at once', () => {
      const { journey, effects } = openJourney(device(dual, 'compliant'), T0);
      assert.equal(journey.stage, 'enrolled');
      assert.equal(journey.flags.dualEnrollment, true);
      assert.equal(journey.flags.explanation, 'dual-enrollment');
      assert.deepEqual(effects[0], {
        kind: 'escalate',
        reason: 'dual-enrollment',
        detail: { partnerMdmAppId: PARTNER },
      });
    });
  });

  describe('user and Graph together', () => {
    it('walks the whole happy path, with a card update at every step and a congratulation at the end', () => {
      const { journey, steps } = run(newJourney(device(partner), T0), [
        { kind: 'start' },
        { kind: 'begin-unenroll' },
        { kind: 'user-says-unenrolled' },
        seen(none),
        { kind: 'begin-enroll' },
        seen(intune, 'noncompliant'),
        seen(intune, 'compliant'),
        { kind: 'post-check', answers: allYes },
      ]);
      assert.deepEqual(
        journey.history.map((h) => [h.stage, h.cause]),
        [
          ['notified', 'created'],
          ['started', 'start'],
          ['unenrolling', 'begin-unenroll'],
          ['unenrolled', 'user-says-unenrolled'],
          ['enrolling', 'begin-enroll'],
          ['enrolled', 'observed'],
          ['compliant', 'observed'],
          ['verified', 'post-check'],
        ],
      );
      assert.deepEqual(kinds(steps[7]), ['congratulate', 'card-changed']);
      for (const s of steps) assert.ok(kinds(s).includes('card-changed'));
      assert.equal(
        journey.flags.userClaimedUnenrolled,
        undefined,
        'Graph confirmed the claim, so it is cleared',
      );
      assert.equal(journey.stageSince, at(8).toISOString());
    });

    it('Graph wins over "I removed it": still partner-managed keeps the device at unenrolling, and says why', () => {
      const claimed = run(newJourney(device(partner), T0), [{ kind: 'user-says-unenrolled' }]).journey;
      assert.equal(claimed.stage, 'unenrolled');
      const { journey, last } = run(claimed, [seen(partner)], 2);
      assert.equal(journey.stage, 'unenrolling');
      assert.equal(journey.flags.explanation, 'graph-still-partner-managed');
      assert.equal(journey.flags.userClaimedUnenrolled, true);
      assert.deepEqual(kinds(last), ['card-changed']);

      const later = run(journey, [seen(partner), seen(none)], 3);
      assert.equal(later.journey.stage, 'unenrolled');
      assert.equal(later.journey.flags.explanation, undefined);
      assert.equal(later.journey.flags.userClaimedUnenrolled, undefined);
    });

    it('a user action clears an explanation that no longer describes the card', () => {
      const held = run(newJourney(device(partner), T0), [
        { kind: 'user-says-unenrolled' },
        seen(partner),
      ]).journey;
      assert.equal(held.flags.explanation, 'graph-still-partner-managed');
      const r = transition(held, { kind: 'user-says-unenrolled' }, at(5));
      assert.equal(r.journey.stage, 'unenrolled');
      assert.equal(r.journey.flags.explanation, undefined);
      assert.deepEqual(kinds(r.effects), ['card-changed']);
    });

    it('a standing claim is enough for the explanation, whatever the stored stage', () => {
      // As a journey stored by an earlier version could be: claim set, stage unenrolling, no explanation.
      const stored: DeviceJourney = {
        ...newJourney(device(partner), T0),
        stage: 'unenrolling',
        flags: { dualEnrollment: false, userClaimedUnenrolled: true },
      };
      const { journey } = run(stored, [seen(partner)]);
      assert.equal(journey.stage, 'unenrolling');
      assert.equal(journey.flags.explanation, 'graph-still-partner-managed');
    });

    it('the old MDM seen before the user did anything is no disagreement', () => {
      for (const before of [[], [{ kind: 'start' }], [{ kind: 'begin-unenroll' }]] as JourneyEvent[][]) {
        const { journey } = run(newJourney(device(partner), T0), [...before, seen(partner)]);
        assert.ok(['notified', 'started', 'unenrolling'].includes(journey.stage));
        assert.equal(journey.flags.explanation, undefined);
      }
    });

    it('nothing managing the device moves it to unenrolled, but never back from enrolling', () => {
      assert.equal(run(newJourney(device(partner), T0), [seen(none)]).journey.stage, 'unenrolled');
      const enrolling = run(newJourney(device(none), T0), [seen(none), { kind: 'begin-enroll' }, seen(none)]);
      assert.equal(enrolling.journey.stage, 'enrolling');
      assert.deepEqual(enrolling.last, [], 'a repeated, agreeing look changes nothing visible');
    });

    it('a device that had reached Intune and left it goes back to unenrolled, with the reason', () => {
      for (const reached of ['enrolled', 'compliant', 'verified'] as const) {
        let j = compliantJourney();
        if (reached === 'enrolled') j = run(j, [seen(intune, 'noncompliant')], 10).journey;
        if (reached === 'verified') j = run(j, [{ kind: 'post-check', answers: allYes }], 10).journey;
        assert.equal(j.stage, reached);
        const { journey } = run(j, [seen(none)], 20);
        assert.equal(journey.stage, 'unenrolled', reached);
        assert.equal(journey.flags.explanation, 'left-intune');
        const back: DeviceJourney = run(j, [seen(partner)], 20).journey;
        assert.equal(back.stage, 'unenrolling', reached);
        assert.equal(back.flags.explanation, 'left-intune');
      }
    });

    it('Intune moves the device to enrolled, and to compliant only when Intune says compliant', () => {
      const j = run(newJourney(device(none), T0), [{ kind: 'begin-enroll' }]).journey;
      for (const state of ['noncompliant', 'inGracePeriod', 'unknown', 'conflict', 'error'] as const) {
        assert.equal(run(j, [seen(intune, state)]).journey.stage, 'enrolled', state);
      }
      assert.equal(run(j, [seen(intune, 'compliant')]).journey.stage, 'compliant');
    });

    it('losing compliance goes back to enrolled and says so until compliance returns', () => {
      const { journey, steps } = run(
        compliantJourney(),
        [seen(intune, 'noncompliant'), seen(intune, 'noncompliant')],
        10,
      );
      assert.equal(journey.stage, 'enrolled');
      assert.equal(journey.flags.explanation, 'compliance-lost');
      assert.deepEqual(steps[1], [], 'the same look again changes nothing visible');
      const healed = run(journey, [seen(intune, 'compliant')], 20).journey;
      assert.equal(healed.stage, 'compliant');
      assert.equal(healed.flags.explanation, undefined);
    });

    it('a dual enrollment lands at enrolled with a flag, escalates once, and clears when the old MDM goes', () => {
      const start = compliantJourney();
      const { journey, steps } = run(start, [seen(dual, 'compliant'), seen(dual, 'compliant')], 10);
      assert.equal(journey.stage, 'enrolled');
      assert.equal(journey.flags.dualEnrollment, true);
      assert.deepEqual(kinds(steps[0]), ['escalate:dual-enrollment', 'card-changed']);
      assert.deepEqual(steps[1], []);
      const fixed = run(journey, [seen(intune, 'compliant')], 20).journey;
      assert.equal(fixed.flags.dualEnrollment, false);
      assert.equal(fixed.stage, 'compliant');
      assert.equal(fixed.flags.explanation, undefined);
    });

    it('a dual enrollment pulls even a verified device back to enrolled', () => {
      const verified = run(compliantJourney(), [{ kind: 'post-check', answers: allYes }], 10).journey;
      const { journey } = run(verified, [seen(dual, 'compliant')], 20);
      assert.equal(journey.stage, 'enrolled');
      assert.equal(journey.flags.dualEnrollment, true);
    });

    it('a verified device stays verified when only its compliance drifts', () => {
      const verified = run(compliantJourney(), [{ kind: 'post-check', answers: allYes }], 10).journey;
      const { journey, last } = run(verified, [seen(intune, 'noncompliant')], 20);
      assert.equal(journey.stage, 'verified');
      assert.ok(!kinds(last).includes('congratulate'));
    });

    it('Graph alone never verifies: a compliant device waits for the post-check', () => {
      const { journey } = run(compliantJourney(), [seen(intune, 'compliant'), seen(intune, 'compliant')], 10);
      assert.equal(journey.stage, 'compliant');
    });
  });

  describe('enrollment failures', () => {
    const failure = (minute: number, category = 'authentication'): EnrollmentFailure => ({
      category,
      reason: 'MFA required',
      at: at(minute).toISOString(),
    });

    it('a failed enrollment returns the device to enrolling, records it and escalates with the reason', () => {
      const j = newJourney(device(none), T0);
      const { journey, last } = run(j, [seen(none, undefined, [failure(0)])]);
      assert.equal(journey.stage, 'enrolling');
      assert.deepEqual(journey.flags.enrollmentFailure, failure(0));
      assert.equal(journey.flags.explanation, 'enrollment-failed');
      assert.deepEqual(last[0], { kind: 'escalate', reason: 'enrollment-failed', detail: failure(0) });
    });

    it('a failure delivered again does not escalate again; a newer one does', () => {
      const j = newJourney(device(none), T0);
      const { steps } = run(j, [
        seen(none, undefined, [failure(0)]),
        seen(none, undefined, [failure(0)]),
        seen(none, undefined, [failure(0), failure(5, 'deviceNotSupported')]),
      ]);
      assert.deepEqual(kinds(steps[1]), []);
      assert.deepEqual(kinds(steps[2]), ['escalate:enrollment-failed', 'card-changed']);
    });

    it('a failure reported once Intune manages the device is a retried attempt: no escalation, flag cleared', () => {
      const failed = run(newJourney(device(none), T0), [seen(none, undefined, [failure(0)])]).journey;
      const { journey, last } = run(failed, [seen(intune, 'noncompliant', [failure(2)])], 5);
      assert.equal(journey.stage, 'enrolled');
      assert.equal(journey.flags.enrollmentFailure, undefined);
      assert.ok(!kinds(last).includes('escalate:enrollment-failed'));
    });

    it('a failure while the old MDM still manages the device is recorded, but the stage stays capped', () => {
      const { journey, last } = run(newJourney(device(partner), T0), [
        seen(partner, undefined, [failure(0)]),
      ]);
      assert.equal(journey.stage, 'notified');
      assert.equal(journey.flags.explanation, 'graph-still-partner-managed');
      assert.ok(journey.flags.enrollmentFailure);
      assert.ok(kinds(last).includes('escalate:enrollment-failed'));
    });

    it('failures with unreadable timestamps are ignored rather than trusted', () => {
      const { journey, last } = run(newJourney(device(none), T0), [
        seen(none),
        seen(none, undefined, [{ category: 'unknown', at: 'yesterday' }]),
      ]);
      assert.equal(journey.stage, 'unenrolled');
      assert.deepEqual(last, []);
    });
  });

  describe('post-enrollment check', () => {
    it('is refused before the device is compliant, leaving the journey untouched', () => {
      const j = run(newJourney(device(none), T0), [
        { kind: 'begin-enroll' },
        seen(intune, 'noncompliant'),
      ]).journey;
      const r = transition(j, { kind: 'post-check', answers: allYes }, at(10));
      assert.equal(r.journey, j);
      assert.deepEqual(r.effects, [{ kind: 'rejected', reason: 'not-compliant', stage: 'enrolled' }]);
    });

    it('any "no" keeps the device compliant, records the answers and escalates the failed items', () => {
      const answers: PostCheckAnswers = { ...allYes, vpn: 'no', apps: 'no' };
      const r = transition(compliantJourney(), { kind: 'post-check', answers }, at(10));
      assert.equal(r.journey.stage, 'compliant');
      assert.deepEqual(r.journey.flags.postCheck, { ...answers, at: at(10).toISOString() });
      assert.deepEqual(r.effects[0], {
        kind: 'escalate',
        reason: 'post-check-failed',
        detail: { failed: ['vpn', 'apps'] },
      });
      const retry = transition(r.journey, { kind: 'post-check', answers: allYes }, at(11));
      assert.equal(retry.journey.stage, 'verified');
    });

    it('forged answers are refused; extra keys never reach the stored journey', () => {
      const j = compliantJourney();
      const missing = { email: 'yes', wifi: 'yes' } as unknown as PostCheckAnswers;
      assert.deepEqual(transition(j, { kind: 'post-check', answers: missing }, at(10)).effects, [
        { kind: 'rejected', reason: 'invalid-answers', stage: 'compliant' },
      ]);
      const extra = { ...allYes, evil: '<script>' } as unknown as PostCheckAnswers;
      const r = transition(j, { kind: 'post-check', answers: extra }, at(10));
      assert.equal(r.journey.stage, 'verified');
      assert.ok(!('evil' in (r.journey.flags.postCheck ?? {})));
    });

    it('is refused on a device already verified', () => {
      const verified = run(compliantJourney(), [{ kind: 'post-check', answers: allYes }], 10).journey;
      const r = transition(verified, { kind: 'post-check', answers: allYes }, at(20));
      assert.equal(r.journey, verified);
      assert.deepEqual(kinds(r.effects), ['rejected']);
    });
  });

  describe('invalid user events', () => {
    it('are rejected with the journey untouched, for every stage the event does not fit', () => {
      const cases: [JourneyEvent, DeviceJourney][] = [
        [{ kind: 'start' }, run(newJourney(device(partner), T0), [{ kind: 'start' }]).journey],
        [{ kind: 'begin-unenroll' }, newJourney(device(none), T0)],
        [{ kind: 'user-says-unenrolled' }, newJourney(device(none), T0)],
        [{ kind: 'begin-enroll' }, newJourney(device(partner), T0)],
        [{ kind: 'cannot-self-unenroll', reason: 'supervised' }, newJourney(device(intune), T0)],
        [{ kind: 'it-resolved' }, newJourney(device(partner), T0)],
        [{ kind: 'include' }, newJourney(device(partner), T0)],
      ];
      for (const [event, j] of cases) {
        const r = transition(j, event, at(5));
        assert.equal(r.journey, j, event.kind);
        assert.deepEqual(r.effects, [{ kind: 'rejected', reason: 'invalid-for-stage', stage: j.stage }]);
      }
    });

    it('unknown event kinds and malformed observations are rejected, not thrown', () => {
      const j = newJourney(device(partner), T0);
      const bogus = { kind: 'teleport' } as unknown as JourneyEvent;
      assert.deepEqual(kinds(transition(j, bogus, at(1)).effects), ['rejected']);
      const noManagement = { kind: 'observed', view: {} } as unknown as JourneyEvent;
      assert.deepEqual(transition(j, noManagement, at(1)).effects, [
        { kind: 'rejected', reason: 'invalid-observation', stage: 'notified' },
      ]);
      const extra = { kind: 'partner', mdmAppId: PARTNER, token: 'secret' } as unknown as Management;
      const stored = transition(j, seen(extra), at(2)).journey;
      assert.deepEqual(stored.lastSeen?.management, partner, 'only known fields reach the store');
      const inIt = run(j, [{ kind: 'cannot-self-unenroll', reason: 'kiosk' }]).journey;
      const badView = {
        kind: 'it-resolved',
        view: { management: { kind: 'jamf' } },
      } as unknown as JourneyEvent;
      const r = transition(inIt, badView, at(3));
      assert.equal(r.journey, inIt);
      assert.deepEqual(r.effects, [{ kind: 'rejected', reason: 'invalid-observation', stage: 'needs-it' }]);
    });
  });

  describe('needs IT', () => {
    const inNeedsIt = () =>
      run(newJourney(device(partner), T0), [
        { kind: 'start' },
        { kind: 'cannot-self-unenroll', reason: 'supervised' },
      ]);

    it('routes a device that cannot self-unenroll to IT and escalates with the reason', () => {
      const { journey, last } = inNeedsIt();
      assert.equal(journey.stage, 'needs-it');
      assert.deepEqual(journey.needsIt, { reason: 'supervised', at: at(2).toISOString(), from: 'started' });
      assert.deepEqual(last[0], { kind: 'escalate', reason: 'needs-it', detail: { reason: 'supervised' } });
      assert.equal(stepperStage(journey), 'started');
    });

    it('refuses an empty or oversized reason', () => {
      const j = newJourney(device(partner), T0);
      for (const [reason, code] of [
        ['  ', 'reason-required'],
        ['x'.repeat(MAX_REASON_LENGTH + 1), 'reason-too-long'],
      ]) {
        const r = transition(j, { kind: 'cannot-self-unenroll', reason }, at(1));
        assert.equal(r.journey, j);
        assert.deepEqual(r.effects, [{ kind: 'rejected', reason: code, stage: 'notified' }]);
      }
    });

    it('holds the device for IT: user events are refused and Graph does not move it, though flags update', () => {
      const { journey } = inNeedsIt();
      const r = transition(journey, { kind: 'user-says-unenrolled' }, at(5));
      assert.deepEqual(r.effects, [{ kind: 'rejected', reason: 'needs-it', stage: 'needs-it' }]);
      const g = transition(journey, seen(dual, 'compliant'), at(6));
      assert.equal(g.journey.stage, 'needs-it');
      assert.equal(g.journey.flags.dualEnrollment, true);
      assert.ok(kinds(g.effects).includes('escalate:dual-enrollment'));
    });

    it("IT resolved without a fresh look: unenrolled on IT's word, corrected by the next observation", () => {
      const resolved = run(inNeedsIt().journey, [{ kind: 'it-resolved' }], 5).journey;
      assert.equal(resolved.stage, 'unenrolled');
      assert.equal(resolved.needsIt, undefined);
      const corrected = run(resolved, [seen(partner)], 6).journey;
      assert.equal(corrected.stage, 'unenrolling');
      assert.equal(corrected.flags.explanation, 'graph-still-partner-managed');
    });

    it('IT resolved with a fresh look places the device where Graph says', () => {
      const j = inNeedsIt().journey;
      const view = (management: Management, complianceState?: ComplianceState): GraphView => ({
        management,
        complianceState,
      });
      assert.equal(
        transition(j, { kind: 'it-resolved', view: view(intune, 'compliant') }, at(5)).journey.stage,
        'compliant',
      );
      assert.equal(
        transition(j, { kind: 'it-resolved', view: view(none) }, at(5)).journey.stage,
        'unenrolled',
      );
      assert.equal(
        transition(j, { kind: 'it-resolved', view: view(partner) }, at(5)).journey.stage,
        'unenrolling',
      );
    });
  });

  describe('exclusion', () => {
    it('needs a reason and an actor, and records both', () => {
      const j = newJourney(device(partner), T0);
      assert.deepEqual(kinds(transition(j, { kind: 'exclude', reason: '', by: 'admin' }, at(1)).effects), [
        'rejected',
      ]);
      assert.deepEqual(transition(j, { kind: 'exclude', reason: 'lab device', by: ' ' }, at(1)).effects, [
        { kind: 'rejected', reason: 'actor-required', stage: 'notified' },
      ]);
      const r = transition(j, { kind: 'exclude', reason: ' lab device ', by: 'admin-1' }, at(1));
      assert.equal(r.journey.stage, 'excluded');
      assert.deepEqual(r.journey.exclusion, {
        reason: 'lab device',
        by: 'admin-1',
        at: at(1).toISOString(),
        from: 'notified',
      });
    });

    it('an excluded device ignores user events and Graph, and is never excluded twice', () => {
      const j = run(newJourney(device(partner), T0), [
        { kind: 'exclude', reason: 'retired', by: 'a' },
      ]).journey;
      const r = transition(j, { kind: 'start' }, at(5));
      assert.deepEqual(r.effects, [{ kind: 'rejected', reason: 'excluded', stage: 'excluded' }]);
      const g = run(j, [seen(intune, 'compliant'), seen(dual)], 6);
      assert.equal(g.journey.stage, 'excluded');
      assert.ok(g.steps.flat().every((e) => e.kind !== 'escalate'));
      assert.deepEqual(transition(j, { kind: 'exclude', reason: 'x', by: 'a' }, at(7)).effects, [
        { kind: 'rejected', reason: 'excluded', stage: 'excluded' },
      ]);
    });

    it('include returns the device to where it was, then lets what Graph last saw place it', () => {
      const j = run(newJourney(device(partner), T0), [
        { kind: 'begin-unenroll' },
        { kind: 'exclude', reason: 'r', by: 'a' },
      ]).journey;
      assert.equal(stepperStage(j), 'unenrolling');
      assert.equal(run(j, [{ kind: 'include' }], 5).journey.stage, 'unenrolling');
      const moved = run(j, [seen(intune, 'compliant'), { kind: 'include' }], 5).journey;
      assert.equal(moved.stage, 'compliant');
      assert.equal(moved.exclusion, undefined);
      assert.equal(moved.lastSeen?.at, at(5).toISOString(), 'include is no new look at the device');
    });

    it('an excluded needs-it device returns to IT on include', () => {
      const j = run(newJourney(device(partner), T0), [
        { kind: 'cannot-self-unenroll', reason: 'kiosk' },
        { kind: 'exclude', reason: 'r', by: 'a' },
        { kind: 'include' },
      ]).journey;
      assert.equal(j.stage, 'needs-it');
      assert.equal(j.needsIt?.reason, 'kiosk');
    });
  });

  describe('time and history', () => {
    it("stageSince never moves backwards when another instance's clock is behind", () => {
      const j = run(newJourney(device(partner), T0), [{ kind: 'start' }], 10).journey;
      const r = transition(j, { kind: 'begin-unenroll' }, at(3));
      assert.equal(r.journey.stage, 'unenrolling');
      assert.equal(r.journey.stageSince, at(10).toISOString());
    });

    it('an invalid clock reading does not throw or corrupt the journey', () => {
      const j = newJourney(device(partner), T0);
      const r = transition(j, { kind: 'start' }, new Date(Number.NaN));
      assert.equal(r.journey.stage, 'started');
      assert.equal(r.journey.stageSince, T0.toISOString());
    });

    it('history keeps only the latest entries when a device flaps between states', () => {
      const flaps: JourneyEvent[] = [];
      for (let i = 0; i < 40; i++) flaps.push(seen(none), seen(intune, 'compliant'));
      const { journey } = run(newJourney(device(partner), T0), flaps);
      assert.equal(journey.history.length, HISTORY_LIMIT);
      assert.equal(journey.history.at(-1)?.stage, 'compliant');
      assert.equal(journey.history.at(-1)?.at, journey.stageSince);
    });
  });

  describe('stuck, progress and the stepper', () => {
    const hour = 3_600_000;

    it('a device is stuck only after more than the threshold without progress', () => {
      const j = { stage: 'unenrolling' as const, stageSince: T0.toISOString() };
      assert.equal(isStuck(j, new Date(T0.getTime() + 48 * hour), 48 * hour), false);
      assert.equal(isStuck(j, new Date(T0.getTime() + 48 * hour + 1), 48 * hour), true);
      assert.equal(isStuck({ ...j, stage: 'needs-it' }, new Date(T0.getTime() + 49 * hour), 48 * hour), true);
    });

    it('counts time with the supplied measure, such as business hours only', () => {
      const j = { stage: 'enrolling' as const, stageSince: T0.toISOString() };
      const onlyHalf = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 2;
      assert.equal(isStuck(j, new Date(T0.getTime() + 60 * hour), 48 * hour, onlyHalf), false);
      assert.equal(isStuck(j, new Date(T0.getTime() + 60 * hour), 48 * hour), true);
    });

    it('verified and excluded devices are never stuck', () => {
      for (const stage of ['verified', 'excluded'] as const) {
        assert.equal(isStuck({ stage, stageSince: '2000-01-01T00:00:00Z' }, T0, 0), false);
      }
    });

    it('progress: done only when every device is verified or excluded; the slowest device is the headline', () => {
      const verified = run(compliantJourney(), [{ kind: 'post-check', answers: allYes }], 10).journey;
      const excluded = run(newJourney(device(partner), T0), [
        { kind: 'exclude', reason: 'r', by: 'a' },
      ]).journey;
      const enrolling = run(newJourney(device(none), T0), [{ kind: 'begin-enroll' }]).journey;
      const needsIt = run(newJourney(device(partner), T0), [
        { kind: 'cannot-self-unenroll', reason: 'r' },
      ]).journey;

      assert.deepEqual(participantProgress([verified, excluded]).done, true);
      assert.equal(participantProgress([verified, excluded]).overall, 'verified');
      const mixed = participantProgress([verified, enrolling, excluded]);
      assert.equal(mixed.done, false);
      assert.equal(mixed.overall, 'enrolling');
      assert.equal(mixed.byStage.enrolling, 1);
      assert.equal(participantProgress([verified, enrolling, needsIt]).overall, 'needs-it');
      assert.equal(participantProgress([excluded]).overall, 'excluded');
      assert.equal(participantProgress([excluded]).done, true);
      const empty = participantProgress([]);
      assert.equal(empty.done, false, 'no devices seen yet is not done');
      assert.equal(empty.overall, undefined);
    });

    it('stage order and indices follow the flow; off-flow stages have no index', () => {
      assert.deepEqual(
        [...STAGE_ORDER],
        [
          'notified',
          'started',
          'unenrolling',
          'unenrolled',
          'enrolling',
          'enrolled',
          'compliant',
          'verified',
        ],
      );
      for (const [i, s] of STAGE_ORDER.entries()) assert.equal(stageIndex(s), i);
      assert.equal(stageIndex('needs-it'), -1);
      assert.equal(stageIndex('excluded'), -1);
    });
  });

  describe('properties', () => {
    const managementArb: fc.Arbitrary<Management> = fc.oneof(
      fc.constant<Management>(none),
      fc.constant<Management>(partner),
      fc.constant<Management>(intune),
      fc.constant<Management>(dual),
    );
    const complianceArb = fc.option(
      fc.constantFrom<ComplianceState>(
        'compliant',
        'compliant',
        'noncompliant',
        'inGracePeriod',
        'unknown',
        'conflict',
        'error',
        'configManager',
      ),
      { nil: undefined },
    );
    const failureArb: fc.Arbitrary<EnrollmentFailure> = fc.record({
      category: fc.constantFrom('authentication', 'deviceNotSupported', 'unknown'),
      reason: fc.string({ maxLength: 20 }),
      at: fc.integer({ min: -60, max: 600 }).map((m) => at(m).toISOString()),
    });
    const viewArb: fc.Arbitrary<GraphView> = fc.record({
      management: managementArb,
      complianceState: complianceArb,
      enrollmentFailures: fc.option(fc.array(failureArb, { maxLength: 2 }), { nil: undefined }),
    });
    const answersArb: fc.Arbitrary<PostCheckAnswers> = fc.oneof(
      fc.constant(allYes),
      fc.record({
        email: fc.constantFrom('yes', 'no'),
        wifi: fc.constantFrom('yes', 'no'),
        vpn: fc.constantFrom('yes', 'no'),
        certificates: fc.constantFrom('yes', 'no'),
        apps: fc.constantFrom('yes', 'no'),
      }) as fc.Arbitrary<PostCheckAnswers>,
    );
    const reasonArb = fc.oneof(
      fc.constant('supervised device'),
      fc.constant(''),
      fc.string({ maxLength: 8 }),
    );
    const eventArb: fc.Arbitrary<JourneyEvent> = fc.oneof(
      { weight: 5, arbitrary: viewArb.map((view): JourneyEvent => ({ kind: 'observed', view })) },
      {
        weight: 6,
        arbitrary: fc.constantFrom<JourneyEvent>(
          { kind: 'start' },
          { kind: 'begin-unenroll' },
          { kind: 'user-says-unenrolled' },
          { kind: 'begin-enroll' },
          { kind: 'include' },
          { kind: 'it-resolved' },
        ),
      },
      { weight: 3, arbitrary: answersArb.map((answers): JourneyEvent => ({ kind: 'post-check', answers })) },
      {
        weight: 1,
        arbitrary: reasonArb.map((reason): JourneyEvent => ({ kind: 'cannot-self-unenroll', reason })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(reasonArb, fc.constantFrom('admin-1', ''))
          .map(([reason, by]): JourneyEvent => ({ kind: 'exclude', reason, by })),
      },
      {
        weight: 1,
        arbitrary: fc
          .option(viewArb, { nil: undefined })
          .map((view): JourneyEvent => ({ kind: 'it-resolved', view })),
      },
    );
    const deviceArb: fc.Arbitrary<DeviceObservation> = fc
      .tuple(
        managementArb,
        complianceArb.map((c) => c ?? 'unknown'),
      )
      .map(([m, c]) => device(m, c));
    /** Minutes between events; sometimes negative, as when instances' clocks disagree. */
    const stepArb = fc.integer({ min: -30, max: 24 * 60 });
    const scenarioArb = fc.record({
      start: deviceArb,
      steps: fc.array(fc.tuple(eventArb, stepArb), { maxLength: 60 }),
    });

    const passing = (e: JourneyEvent) =>
      e.kind === 'post-check' && Object.values(e.answers).every((a) => a === 'yes');

    it('include puts a verified device back to verified without congratulating again', () => {
      const device: DeviceObservation = {
        key: 'dev-1',
        name: "Alex's iPhone",
        platform: 'ios',
        management: { kind: 'intune' },
        intune: { managedDeviceId: 'md-1', complianceState: 'compliant' },
      };
      const yes = { email: 'yes', wifi: 'yes', vpn: 'yes', certificates: 'yes', apps: 'yes' } as const;
      let j = newJourney(device, T0);
      j = transition(j, { kind: 'post-check', answers: yes }, T0).journey;
      j = transition(j, { kind: 'exclude', reason: 'supervised device', by: 'admin-1' }, T0).journey;
      const back = transition(j, { kind: 'include' }, T0);
      assert.equal(back.journey.stage, 'verified');
      assert.ok(!back.effects.some((e) => e.kind === 'congratulate'));
    });

    it('random event sequences keep every invariant of the journey', () => {
      fc.assert(
        fc.property(scenarioArb, ({ start, steps }) => {
          let j = newJourney(start, T0);
          let clock = T0.getTime();
          for (const [event, delta] of steps) {
            clock += delta * 60_000;
            const { journey: next, effects } = transition(j, event, new Date(clock));
            const rejected = effects.some((e) => e.kind === 'rejected');

            assert.ok(JOURNEY_STAGES.includes(next.stage), `invalid stage ${next.stage}`);
            if (rejected) assert.equal(next, j, 'a rejected event leaves the journey untouched');
            if (next.stage === 'verified' && j.stage !== 'verified') {
              // Either a passing post-check while compliant, or `include` putting back a device that
              // had been verified that way before it was excluded.
              const restored =
                event.kind === 'include' &&
                j.exclusion?.from === 'verified' &&
                POST_CHECK_ITEMS.every((i) => j.flags.postCheck?.[i] === 'yes');
              assert.ok(
                (passing(event) && j.stage === 'compliant') || restored,
                'verified only by a passing post-check',
              );
            }
            if (j.stage === 'excluded' && next.stage !== 'excluded') assert.equal(event.kind, 'include');
            if (j.stage === 'needs-it' && next.stage !== 'needs-it') {
              assert.ok(['it-resolved', 'exclude'].includes(event.kind), `left needs-it by ${event.kind}`);
            }
            assert.ok(next.history.length >= 1 && next.history.length <= HISTORY_LIMIT);
            assert.equal(next.history.at(-1)?.stage, next.stage);
            assert.ok(Date.parse(next.stageSince) >= Date.parse(j.stageSince), 'stageSince is monotonic');
            for (let i = 1; i < next.history.length; i++) {
              assert.ok(Date.parse(next.history[i].at) >= Date.parse(next.history[i - 1].at));
            }
            const congratulated = effects.some((e) => e.kind === 'congratulate');
            assert.equal(congratulated, next.stage === 'verified' && j.stage === 'compliant');
            if (next.stage !== j.stage) assert.ok(effects.some((e) => e.kind === 'card-changed'));
            j = next;
          }
        }),
        { numRuns: 300 },
      );
    });

    it('Graph wins: after an observation, a device in the flow sits where Graph puts it', () => {
      fc.assert(
        fc.property(scenarioArb, viewArb, ({ start, steps }, view) => {
          const before = run(
            newJourney(start, T0),
            steps.map(([e]) => e),
          ).journey;
          const after = transition(before, { kind: 'observed', view }, at(10_000)).journey;
          if (before.stage === 'excluded' || before.stage === 'needs-it') {
            assert.equal(after.stage, before.stage);
            return;
          }
          const m = view.management;
          const s = after.stage;
          const failed = (view.enrollmentFailures ?? []).some(
            (f) => Date.parse(f.at) > Date.parse(before.failuresSeenUntil ?? '1970-01-01T00:00:00Z'),
          );
          if (m.kind === 'partner') assert.ok(stageIndex(s) <= stageIndex('unenrolling'), s);
          else if (m.kind === 'none')
            assert.ok(failed ? s === 'enrolling' : ['unenrolled', 'enrolling'].includes(s), s);
          else if (m.alsoPartnerMdmAppId) assert.equal(s, 'enrolled');
          else if (view.complianceState === 'compliant') assert.ok(['compliant', 'verified'].includes(s), s);
          else assert.ok(['enrolled', 'verified'].includes(s), s);
        }),
        { numRuns: 300 },
      );
    });

    it('the same observation twice: the second changes nothing and raises nothing', () => {
      fc.assert(
        fc.property(scenarioArb, viewArb, ({ start, steps }, view) => {
          const j = run(
            newJourney(start, T0),
            steps.map(([e]) => e),
          ).journey;
          const once = transition(j, { kind: 'observed', view }, at(10_000)).journey;
          const twice = transition(once, { kind: 'observed', view }, at(10_001));
          assert.deepEqual(twice.effects, []);
          assert.equal(twice.journey.stage, once.stage);
          assert.deepEqual(twice.journey.flags, once.flags);
        }),
        { numRuns: 200 },
      );
    });

    it('never throws on malformed events, and journeys stay plain JSON data for the store', () => {
      const junkArb = fc.oneof(
        eventArb,
        fc.record({ kind: fc.string({ maxLength: 12 }), view: fc.anything(), answers: fc.anything() }),
        fc.record({ kind: fc.constant('observed'), view: fc.anything() }),
        fc.record({ kind: fc.constant('post-check'), answers: fc.anything() }),
      ) as fc.Arbitrary<JourneyEvent>;
      fc.assert(
        fc.property(deviceArb, fc.array(junkArb, { maxLength: 30 }), (d, events) => {
          const { journey } = run(newJourney(d, T0), events);
          assert.ok(JOURNEY_STAGES.includes(journey.stage));
          assert.deepStrictEqual(JSON.parse(JSON.stringify(journey)), journey);
        }),
        { numRuns: 300 },
      );
    });

    it('isStuck is false for verified and excluded whatever the clock, threshold or measure', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('verified' as const, 'excluded' as const),
          fc.date({ noInvalidDate: true }),
          fc.date({ noInvalidDate: true }),
          fc.integer({ min: -1_000, max: 1_000_000 }),
          (stage, since, now, threshold) =>
            !isStuck(
              { stage, stageSince: since.toISOString() },
              now,
              threshold,
              () => Number.MAX_SAFE_INTEGER,
            ),
        ),
      );
    });
  });
});
