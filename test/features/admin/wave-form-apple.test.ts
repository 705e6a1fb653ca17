import assert from 'node:assert/strict';
import type { Wave } from '../../../src/domain/campaign';
import { applyWaveSettings, parseWaveForm } from '../../../src/features/admin/wave-form';
import { WAVE_FORM } from '../../../src/verbs/admin';

const ctx = {
  zone: 'Europe/Stockholm',
  hours: { startMinute: 8 * 60, endMinute: 17 * 60, days: [1, 2, 3, 4, 5] },
};

const form = {
  [WAVE_FORM.name]: 'Wave 1',
  [WAVE_FORM.order]: '1',
  [WAVE_FORM.source]: 'list',
  [WAVE_FORM.upns]: 'isaiahl@example.com',
  [WAVE_FORM.announceAt]: '2026-12-01',
  [WAVE_FORM.startAt]: '2026-12-02',
  [WAVE_FORM.caMode]: 'none',
};

describe("admin: wave form, Apple's managed-device migration", () => {
  it('reads the platforms and the deadline (end of business in the campaign zone)', () => {
    const r = parseWaveForm(
      { ...form, [WAVE_FORM.applePlatforms]: 'ios,macos', [WAVE_FORM.appleDeadline]: '2027-01-15' },
      ctx,
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.settings?.appleMigration, {
      platforms: ['ios', 'macos'],
      deadline: '2027-01-15T16:00:00.000Z',
    });
  });

  it('no platform chosen: the wave does not use it', () => {
    const r = parseWaveForm({ ...form, [WAVE_FORM.applePlatforms]: '', [WAVE_FORM.appleDeadline]: '' }, ctx);
    assert.deepEqual(r.problems, []);
    assert.equal(r.settings?.appleMigration, undefined);
  });

  it('names the field and the rule when the deadline is more than 90 days after the start', () => {
    const r = parseWaveForm(
      { ...form, [WAVE_FORM.applePlatforms]: 'ipados', [WAVE_FORM.appleDeadline]: '2027-03-15' },
      ctx,
    );
    assert.equal(r.settings, undefined);
    assert.deepEqual(r.problems, [
      { field: 'appleDeadline', code: 'apple-deadline-too-late', value: '2027-03-15' },
    ]);
  });

  it('refuses a deadline on the start day and platforms without a deadline', () => {
    const early = parseWaveForm(
      { ...form, [WAVE_FORM.applePlatforms]: 'ios', [WAVE_FORM.appleDeadline]: '2026-12-01' },
      ctx,
    );
    assert.deepEqual(
      early.problems.map((p) => p.code),
      ['apple-deadline-too-soon'],
    );
    const none = parseWaveForm({ ...form, [WAVE_FORM.applePlatforms]: 'ios' }, ctx);
    assert.deepEqual(
      none.problems.map((p) => p.code),
      ['apple-needs-deadline'],
    );
  });

  it('refuses an unknown platform and a wave without any start date', () => {
    const bad = parseWaveForm(
      { ...form, [WAVE_FORM.applePlatforms]: 'ios,android', [WAVE_FORM.appleDeadline]: '2027-01-15' },
      ctx,
    );
    assert.deepEqual(bad.problems, [{ field: 'applePlatforms', code: 'unknown-choice', value: 'android' }]);
    const { [WAVE_FORM.announceAt]: _a, [WAVE_FORM.startAt]: _s, ...undated } = form;
    const noStart = parseWaveForm(
      { ...undated, [WAVE_FORM.applePlatforms]: 'ios', [WAVE_FORM.appleDeadline]: '2027-01-15' },
      ctx,
    );
    assert.deepEqual(
      noStart.problems.map((p) => p.code),
      ['apple-needs-start'],
    );
  });

  it('an older card without the inputs keeps the stored setting; clearing it removes it from the wave', () => {
    const existing: Wave = {
      id: 'wave-1',
      name: 'Wave 1',
      order: 1,
      state: 'draft',
      startAt: '2026-12-02T07:00:00.000Z',
      conditionalAccess: { kind: 'none' },
      reminders: { enabled: true, deferralLimit: 3 },
      estimatedMinutes: 20,
      createdAt: '2026-11-01T00:00:00.000Z',
      appleMigration: { platforms: ['macos'], deadline: '2027-01-15T16:00:00.000Z' },
    };
    const kept = parseWaveForm({ [WAVE_FORM.name]: 'Wave 1' }, { ...ctx, existing });
    assert.deepEqual(kept.settings?.appleMigration, existing.appleMigration);
    const cleared = parseWaveForm({ [WAVE_FORM.applePlatforms]: '' }, { ...ctx, existing });
    const saved = applyWaveSettings(
      existing,
      existing.id,
      cleared.settings!,
      new Date('2026-11-20T00:00:00Z'),
    );
    assert.equal('appleMigration' in saved, false);
  });
});
