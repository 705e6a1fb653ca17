import assert from 'node:assert/strict';
import { guideTargetOf } from '../../src/guidance/guide-target';

describe('guidance: which guide a device needs', () => {
  it('maps Apple and Windows platforms one to one, keeping the ownership', () => {
    assert.deepEqual(guideTargetOf({ platform: 'ios', ownership: 'personal' }), {
      platform: 'ios',
      ownership: 'personal',
    });
    assert.deepEqual(guideTargetOf({ platform: 'ipados', ownership: 'company' }), {
      platform: 'ipados',
      ownership: 'corporate',
    });
    assert.deepEqual(guideTargetOf({ platform: 'windows', ownership: 'company' }), {
      platform: 'windows',
      ownership: 'corporate',
    });
    assert.deepEqual(guideTargetOf({ platform: 'macos' }), { platform: 'macos', ownership: 'personal' });
  });

  it('a personal Android gets the work-profile guide; a company one is fully managed unless Intune saw a work profile', () => {
    assert.equal(
      guideTargetOf({ platform: 'android', ownership: 'personal' })?.platform,
      'android-work-profile',
    );
    assert.equal(
      guideTargetOf({ platform: 'android', ownership: 'company' })?.platform,
      'android-fully-managed',
    );
    assert.deepEqual(
      guideTargetOf({
        platform: 'android',
        ownership: 'company',
        deviceEnrollmentType: 'androidEnterpriseCorporateWorkProfile',
      }),
      { platform: 'android-work-profile', ownership: 'corporate' },
    );
    assert.equal(
      guideTargetOf({
        platform: 'android',
        ownership: 'company',
        deviceEnrollmentType: 'androidEnterpriseFullyManaged',
      })?.platform,
      'android-fully-managed',
    );
  });

  it('infers company ownership from a corporate-only enrollment type when Graph gives no owner', () => {
    assert.deepEqual(guideTargetOf({ platform: 'ios', deviceEnrollmentType: 'appleBulkWithUser' }), {
      platform: 'ios',
      ownership: 'corporate',
    });
    assert.deepEqual(
      guideTargetOf({ platform: 'android', deviceEnrollmentType: 'androidEnterpriseFullyManaged' }),
      {
        platform: 'android-fully-managed',
        ownership: 'corporate',
      },
    );
    assert.deepEqual(guideTargetOf({ platform: 'windows', deviceEnrollmentType: 'userEnrollment' }), {
      platform: 'windows',
      ownership: 'personal',
    });
    // The recorded owner wins over the enrollment type.
    assert.equal(
      guideTargetOf({ platform: 'ios', ownership: 'personal', deviceEnrollmentType: 'appleBulkWithUser' })
        ?.ownership,
      'personal',
    );
  });

  it('has no guide for platforms the guidance does not cover', () => {
    assert.equal(guideTargetOf({ platform: 'other', ownership: 'company' }), undefined);
  });
});
