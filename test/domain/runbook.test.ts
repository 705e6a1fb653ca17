import assert from 'node:assert/strict';
import type { Wave } from '../../src/domain/campaign';
import {
  blockersOfAnnouncement,
  campaignStepState,
  currentStep,
  graceEndDay,
  type WaveRunbookFacts,
  waveRunbook,
} from '../../src/domain/runbook';

const wave = (over: Partial<Wave> = {}): Wave => ({
  id: 'w1',
  name: 'Wave 1',
  order: 1,
  state: 'draft',
  conditionalAccess: { kind: 'grace', endsAt: '2026-12-07T09:00:00Z' },
  reminders: { enabled: true, deferralLimit: 3 },
  estimatedMinutes: 20,
  createdAt: '2026-11-01T00:00:00Z',
  ...over,
});
const facts = (over: Partial<WaveRunbookFacts> = {}): WaveRunbookFacts => ({
  wave: wave(),
  now: new Date('2026-11-23T09:00:00Z'),
  devices: { total: 4, unenrolled: 0, enrolled: 0 },
  laterWaves: { total: 1, announced: 0 },
  retireReady: false,
  ...over,
});
const state = (steps: ReturnType<typeof waveRunbook>, id: string) => steps.find((s) => s.id === id)?.state;

describe('domain: runbook', () => {
  it("has the guidance's eight steps in order; announcing waits for the recorded old-MDM change", () => {
    const steps = waveRunbook(facts());
    assert.equal(steps.length, 8);
    assert.equal(state(steps, 'tell-users'), 'blocked');
    assert.deepEqual(blockersOfAnnouncement(steps), ['old-mdm-ca']);
    assert.equal(currentStep(steps)?.id, 'tell-users');
    const recorded = waveRunbook(
      facts({ oldMdmChange: { by: 'a', at: '2026-11-22T10:00:00Z', note: 'scoped away' } }),
    );
    assert.equal(state(recorded, 'tell-users'), 'waiting');
    assert.equal(recorded.find((s) => s.id === 'old-mdm-ca')?.known.kind, 'recorded');
  });

  it('immediate: announcing also waits for an enabled policy covering everyone, unless overridden', () => {
    const coverage = {
      members: 2,
      counts: { enforced: 1, 'report-only': 1, off: 0, none: 0 },
      notEnforced: ['b'],
      uncovered: [],
      enforced: ['a'],
      policies: [],
      notEvaluated: [],
    };
    const base = facts({
      wave: wave({ conditionalAccess: { kind: 'immediate' } }),
      coverage,
      oldMdmChange: { by: 'a', at: '', note: 'n' },
    });
    assert.deepEqual(blockersOfAnnouncement(waveRunbook(base)), ['intune-ca-now']);
    assert.deepEqual(
      blockersOfAnnouncement(waveRunbook({ ...base, immediateOverride: { by: 'a', at: '', reason: 'r' } })),
      [],
    );
    assert.equal(state(waveRunbook(base), 'intune-ca-grace-end'), 'not-needed');
  });

  it('grace: the grace-end step waits until the date and is blocked after it while not enforced', () => {
    const coverage = {
      members: 2,
      counts: { enforced: 0, 'report-only': 2, off: 0, none: 0 },
      notEnforced: ['a', 'b'],
      uncovered: [],
      enforced: [],
      policies: [],
      notEvaluated: [],
    };
    assert.equal(state(waveRunbook(facts({ coverage })), 'intune-ca-grace-end'), 'waiting');
    assert.equal(
      state(waveRunbook(facts({ coverage, now: new Date('2026-12-08T09:00:00Z') })), 'intune-ca-grace-end'),
      'blocked',
    );
    assert.equal(
      state(waveRunbook(facts({ coverage: { error: 'permission' } })), 'intune-ca-grace-end'),
      'blocked',
    );
  });

  it("unenroll and enroll follow the devices once announced; the old MDM's inventory must list none", () => {
    const announced = wave({ state: 'active' });
    const steps = waveRunbook(
      facts({ wave: announced, devices: { total: 4, unenrolled: 4, enrolled: 2 }, oldMdmListed: 1 }),
    );
    assert.equal(state(steps, 'users-unenroll'), 'in-progress');
    assert.equal(state(steps, 'users-enroll'), 'in-progress');
    const done = waveRunbook(
      facts({ wave: announced, devices: { total: 4, unenrolled: 4, enrolled: 4 }, oldMdmListed: 0 }),
    );
    assert.equal(state(done, 'users-unenroll'), 'done');
    assert.equal(done.find((s) => s.id === 'users-unenroll')?.known.kind, 'observed');
  });

  it('the campaign step is blocked if any wave is, done only when all are', () => {
    assert.equal(campaignStepState(['done', 'blocked']), 'blocked');
    assert.equal(campaignStepState(['done', 'not-needed']), 'done');
    assert.equal(campaignStepState(['done', 'waiting']), 'in-progress');
    assert.equal(campaignStepState(['not-needed']), 'not-needed');
  });

  it("the grace end falls on the local day in the campaign's zone", () => {
    const w = wave({ conditionalAccess: { kind: 'grace', endsAt: '2026-12-06T23:30:00Z' } }); // 00:30 on 7 Dec in Stockholm
    assert.equal(graceEndDay(w, new Date('2026-12-06T12:00:00Z'), 'Europe/Stockholm')?.when, 'before');
    assert.equal(graceEndDay(w, new Date('2026-12-07T12:00:00Z'), 'Europe/Stockholm')?.when, 'today');
    assert.equal(graceEndDay(w, new Date('2026-12-08T12:00:00Z'), 'Europe/Stockholm')?.daysAfter, 1);
  });
});
