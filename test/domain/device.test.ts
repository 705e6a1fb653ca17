import assert from 'node:assert/strict';
import { INTUNE_MDM_APP_ID, managementOf, platformOf } from '../../src/domain/device';

describe('domain: device', () => {
  it('maps Graph operating system names to platforms', () => {
    assert.equal(platformOf('iOS', 'iPhone 15'), 'ios');
    assert.equal(platformOf('iOS', 'iPad Pro'), 'ipados');
    assert.equal(platformOf('iPadOS'), 'ipados');
    assert.equal(platformOf('Android'), 'android');
    assert.equal(platformOf('AndroidForWork'), 'android');
    assert.equal(platformOf('Windows'), 'windows');
    assert.equal(platformOf('macOS'), 'macos');
    assert.equal(platformOf('MacMDM'), 'macos');
    assert.equal(platformOf('Linux'), 'other');
    assert.equal(platformOf(undefined), 'other');
  });

  it('a partner mdmAppId without an Intune record means the old MDM still manages the device', () => {
    assert.deepEqual(managementOf(undefined, { objectId: 'o', deviceId: 'd', mdmAppId: 'partner-id' }), {
      kind: 'partner',
      mdmAppId: 'partner-id',
    });
  });

  it('an Intune record alongside a partner mdmAppId is a dual enrollment', () => {
    const intune = { managedDeviceId: 'm', complianceState: 'unknown' as const };
    assert.deepEqual(managementOf(intune, { objectId: 'o', deviceId: 'd', mdmAppId: 'partner-id' }), {
      kind: 'intune',
      alsoPartnerMdmAppId: 'partner-id',
    });
    assert.deepEqual(managementOf(intune, { objectId: 'o', deviceId: 'd', mdmAppId: INTUNE_MDM_APP_ID }), {
      kind: 'intune',
    });
  });

  it('no MDM at all is reported as none; Intune app id alone counts as Intune', () => {
    assert.deepEqual(managementOf(undefined, { objectId: 'o', deviceId: 'd', mdmAppId: null }), {
      kind: 'none',
    });
    assert.deepEqual(managementOf(undefined, undefined), { kind: 'none' });
    assert.deepEqual(
      managementOf(undefined, { objectId: 'o', deviceId: 'd', mdmAppId: INTUNE_MDM_APP_ID.toUpperCase() }),
      {
        kind: 'intune',
      },
    );
  });
});
