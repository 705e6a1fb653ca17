import assert from 'node:assert/strict';
import {
  dayOrderOf,
  readDate,
  readImei,
  readOwnership,
  readPlatform,
} from '../../../src/domain/inventory-file/values';

describe('inventory file: cell values', () => {
  it('reads last-seen dates as exports write them, as UTC', () => {
    assert.equal(readDate('2026-11-30T08:15:02.150'), '2026-11-30T08:15:02.150Z');
    assert.equal(readDate('2026-11-30T10:15:02+02:00'), '2026-11-30T08:15:02.000Z');
    assert.equal(readDate('2026-11-30 07:58:12'), '2026-11-30T07:58:12.000Z');
    assert.equal(readDate('2026-11-28 at 12:05 AM'), '2026-11-28T00:05:00.000Z');
    assert.equal(readDate('11/30/2026 8:05:11 PM'), '2026-11-30T20:05:11.000Z');
    assert.equal(readDate('01/02/2026', 'dmy'), '2026-02-01T00:00:00.000Z');
    assert.equal(readDate('31.12.2026 23:59'), '2026-12-31T23:59:00.000Z');
    assert.equal(readDate(''), undefined);
    assert.equal(readDate('Never'), undefined);
    for (const bad of ['yesterday', '2026-02-30', '13/13/2026', '2026-11-30 25:00', '0:30 PM 1/1/2026']) {
      assert.deepEqual(readDate(bad), { bad: true }, bad);
    }
  });

  it('reads slash dates day-first only when some value cannot be month-first', () => {
    assert.equal(dayOrderOf(['01/02/2026', '13/11/2026 14:02']), 'dmy');
    assert.equal(dayOrderOf(['01/02/2026', '11/28/2026']), 'mdy');
    assert.equal(dayOrderOf(['01/02/2026', '30.11.2026']), 'mdy');
  });

  it('maps each vendor’s platform, ownership and identifier forms', () => {
    assert.equal(readPlatform('Apple', 'iPad Pro'), 'ipados');
    assert.equal(readPlatform('Apple', 'iPhone 15'), 'ios');
    assert.equal(readPlatform('AppleOsX'), 'macos');
    assert.equal(readPlatform('WinRT'), 'windows');
    assert.equal(readPlatform('Windows Desktop'), 'windows');
    assert.equal(readPlatform('Android Enterprise'), 'android');
    assert.equal(readPlatform('Chrome OS'), 'other');
    assert.equal(readPlatform(''), undefined);
    assert.deepEqual(readPlatform('Palm OS'), { bad: true });
    assert.equal(readOwnership('C'), 'corporate');
    assert.equal(readOwnership('Corporate - Shared'), 'shared');
    assert.equal(readOwnership('Employee Owned'), 'personal');
    assert.equal(readOwnership('Undefined'), 'unknown');
    assert.equal(readImei('35-391811-071239-4'), '353918110712394');
    assert.equal(readImei('353918110712394, 353918110712402'), '353918110712394');
    assert.equal(readImei('a1000031212345'), 'A1000031212345');
    assert.deepEqual(readImei('3.53918E+14'), { bad: true });
    assert.deepEqual(readImei('12345'), { bad: true });
  });
});
