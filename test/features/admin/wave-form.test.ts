import assert from 'node:assert/strict';
import type { Wave } from '../../../src/domain/campaign';
import { applyWaveSettings, parseWaveForm, waveIdFor } from '../../../src/features/admin/wave-form';
import { WAVE_FORM } from '../../../src/verbs/admin';

const ctx = {
  zone: 'Europe/Stockholm',
  hours: { startMinute: 8 * 60, endMinute: 17 * 60, days: [1, 2, 3, 4, 5] },
};

const valid = {
  [WAVE_FORM.name]: 'Wave 1',
  [WAVE_FORM.order]: '1',
  [WAVE_FORM.source]: 'list',
  [WAVE_FORM.upns]: 'isaiahl@example.com',
  [WAVE_FORM.announceAt]: '2026-12-01',
  [WAVE_FORM.startAt]: '2026-12-02',
  [WAVE_FORM.caMode]: 'grace',
  [WAVE_FORM.graceEndsAt]: '2026-12-18',
  [WAVE_FORM.minEnrollment]: '95',
  [WAVE_FORM.maxEscalations]: '10',
  [WAVE_FORM.capacity]: '25',
};

describe('admin: wave form', () => {
  it('reads a complete form: dates are business start (or end) in the campaign zone, percentages become rates', () => {
    const r = parseWaveForm(valid, ctx);
    assert.deepEqual(r.problems, []);
    const s = r.settings!;
    assert.equal(s.name, 'Wave 1');
    // 08:00 in Stockholm (CET, UTC+1) on 1 December.
    assert.equal(s.announceAt, '2026-12-01T07:00:00.000Z');
    // A grace period ends at the close of business that day: 17:00 CET.
    assert.deepEqual(s.conditionalAccess, { kind: 'grace', endsAt: '2026-12-18T16:00:00.000Z' });
    assert.equal(s.criteria.minEnrollmentSuccessRate, 0.95);
    assert.equal(s.criteria.maxEscalationsPer100, 10);
    assert.equal(s.criteria.minComplianceRate, 0.9, 'defaults fill what the admin left alone');
    assert.equal(s.helpdeskCapacityPerDay, 25);
    assert.equal(r.pastedList, 'isaiahl@example.com');
  });

  it('names every problem with its field instead of guessing', () => {
    const r = parseWaveForm(
      {
        ...valid,
        [WAVE_FORM.name]: ' ',
        [WAVE_FORM.order]: 'first',
        [WAVE_FORM.announceAt]: '2026-02-30',
        [WAVE_FORM.caMode]: 'grace',
        [WAVE_FORM.graceEndsAt]: '',
        [WAVE_FORM.minEnrollment]: '150',
        [WAVE_FORM.upns]: '',
      },
      ctx,
    );
    assert.equal(r.settings, undefined);
    assert.deepEqual(
      r.problems.map((p) => `${p.field}:${p.code}`).sort(),
      [
        'announceAt:not-a-date',
        'graceEndsAt:grace-needs-end',
        'minEnrollment:out-of-range',
        'name:required',
        'order:not-a-number',
        'upns:required',
      ].sort(),
    );
  });

  it('refuses an end before the start and an unknown conditional-access mode', () => {
    const r = parseWaveForm(
      { ...valid, [WAVE_FORM.graceEndsAt]: '2026-11-30', [WAVE_FORM.deadline]: '2026-12-01' },
      ctx,
    );
    assert.deepEqual(
      r.problems.map((p) => `${p.field}:${p.code}`),
      ['deadline:end-before-start', 'graceEndsAt:end-before-start'],
    );
    const odd = parseWaveForm({ ...valid, [WAVE_FORM.caMode]: 'sometimes' }, ctx);
    assert.deepEqual(
      odd.problems.map((p) => `${p.field}:${p.code}:${p.value}`),
      ['caMode:unknown-choice:sometimes'],
    );
  });

  it('editing keeps what the form leaves out and never resets the wave state', () => {
    const existing: Wave = {
      id: 'pilot',
      name: 'Pilot',
      order: 0,
      state: 'announced',
      conditionalAccess: { kind: 'immediate' },
      reminders: { enabled: false, deferralLimit: 5 },
      estimatedMinutes: 30,
      createdAt: '2026-11-01T00:00:00.000Z',
    };
    const r = parseWaveForm({ [WAVE_FORM.capacity]: '40' }, { ...ctx, existing });
    assert.deepEqual(r.problems, []);
    assert.equal(r.source, 'keep');
    const saved = applyWaveSettings(existing, 'pilot', r.settings!, new Date('2026-11-21T10:00:00Z'));
    assert.equal(saved.state, 'announced');
    assert.equal(saved.name, 'Pilot');
    assert.deepEqual(saved.conditionalAccess, { kind: 'immediate' });
    assert.deepEqual(saved.reminders, { enabled: false, deferralLimit: 5 });
    assert.equal(saved.helpdeskCapacityPerDay, 40);
    assert.equal(saved.createdAt, existing.createdAt);
  });

  it('makes readable, unique wave ids', () => {
    assert.equal(waveIdFor('Våg 2 – Sälj', new Set()), 'vag-2-salj');
    assert.equal(waveIdFor('Pilot', new Set(['pilot'])), 'pilot-2');
    assert.equal(waveIdFor('!!!', new Set()), 'wave');
  });
});
