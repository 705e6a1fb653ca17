import assert from 'node:assert/strict';
import {
  appleDeadlineProblem,
  appleMigrationOf,
  daysUntilDeadline,
  usesAppleMigration,
} from '../../src/domain/apple-migration';

const START = '2026-03-02T07:00:00.000Z';
const DAY = 86_400_000;
const daysAfter = (days: number) => new Date(Date.parse(START) + days * DAY).toISOString();
const wave = { appleMigration: { platforms: ['ios', 'macos'], deadline: daysAfter(30) } };

describe('domain: Apple managed-device migration', () => {
  describe('which devices take the Apple path', () => {
    it('a company-owned device of a marked platform does', () => {
      assert.equal(usesAppleMigration(wave, { platform: 'macos', ownership: 'company' }), true);
      assert.equal(usesAppleMigration(wave, { platform: 'ios', ownership: 'company' }), true);
    });

    it('a supervised device does even when its ownership is unknown', () => {
      assert.equal(usesAppleMigration(wave, { platform: 'ios', supervised: true }), true);
    });

    it('personal (BYOD) and unknown-ownership devices keep the manual path', () => {
      assert.equal(usesAppleMigration(wave, { platform: 'ios', ownership: 'personal' }), false);
      assert.equal(usesAppleMigration(wave, { platform: 'ios' }), false);
    });

    it('platforms the wave did not mark, and non-Apple platforms, keep the manual path', () => {
      assert.equal(usesAppleMigration(wave, { platform: 'ipados', ownership: 'company' }), false);
      assert.equal(usesAppleMigration(wave, { platform: 'windows', ownership: 'company' }), false);
      assert.equal(usesAppleMigration(wave, { platform: 'android', ownership: 'company' }), false);
    });

    it('a wave without the setting (rows stored before it existed) or without a wave keeps the manual path', () => {
      assert.equal(usesAppleMigration({}, { platform: 'macos', ownership: 'company' }), false);
      assert.equal(usesAppleMigration(undefined, { platform: 'macos', ownership: 'company' }), false);
    });
  });

  describe('reading the stored setting', () => {
    it('keeps known platforms in a fixed order and drops unknown ones', () => {
      assert.deepEqual(appleMigrationOf({ platforms: ['macos', 'android', 'ios'], deadline: daysAfter(5) }), {
        platforms: ['ios', 'macos'],
        deadline: daysAfter(5),
      });
    });

    it('treats a broken row as no setting', () => {
      assert.equal(appleMigrationOf(undefined), undefined);
      assert.equal(appleMigrationOf('yes'), undefined);
      assert.equal(appleMigrationOf({ platforms: 'ios', deadline: daysAfter(5) }), undefined);
      assert.equal(appleMigrationOf({ platforms: ['ios'], deadline: 'soon' }), undefined);
      assert.equal(appleMigrationOf({ platforms: ['android'], deadline: daysAfter(5) }), undefined);
    });
  });

  describe('the deadline: 1 to 90 days after the wave starts', () => {
    it('accepts the bounds', () => {
      assert.equal(appleDeadlineProblem(START, daysAfter(1)), undefined);
      assert.equal(appleDeadlineProblem(START, daysAfter(90)), undefined);
    });

    it('refuses less than a day and more than 90 days', () => {
      assert.equal(appleDeadlineProblem(START, daysAfter(0.5)), 'too-soon');
      assert.equal(appleDeadlineProblem(START, daysAfter(-3)), 'too-soon');
      assert.equal(appleDeadlineProblem(START, daysAfter(90.5)), 'too-late');
    });

    it('needs a start to measure from, and a date', () => {
      assert.equal(appleDeadlineProblem(undefined, daysAfter(10)), 'needs-start');
      assert.equal(appleDeadlineProblem(START, 'next week'), 'not-a-date');
    });

    it('counts whole days left, rounded up, and 0 once passed', () => {
      assert.equal(daysUntilDeadline(daysAfter(30), new Date(START)), 30);
      assert.equal(daysUntilDeadline(daysAfter(2.2), new Date(START)), 3);
      assert.equal(daysUntilDeadline(daysAfter(-1), new Date(START)), 0);
    });
  });
});
