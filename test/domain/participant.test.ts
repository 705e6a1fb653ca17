import assert from 'node:assert/strict';
import { participantKey, recordSighting } from '../../src/domain/participant';

const at = new Date('2026-11-23T09:00:00Z');

describe('domain: participant', () => {
  it('creates a participant on first sight with version 1', () => {
    const p = recordSighting(undefined, { aadObjectId: 'ABC', displayName: 'Alex', locale: 'sv-SE', at });
    assert.equal(p.aadObjectId, 'abc');
    assert.equal(p.version, 1);
    assert.equal(p.firstSeenAt, at.toISOString());
  });

  it('keeps what a later turn does not carry and bumps the version', () => {
    const first = recordSighting(undefined, {
      aadObjectId: 'a',
      displayName: 'Alex',
      locale: 'sv-SE',
      timeZone: 'Europe/Stockholm',
      at,
    });
    const later = new Date(at.getTime() + 1000);
    const second = recordSighting(first, { aadObjectId: 'a', at: later });
    assert.equal(second.locale, 'sv-SE');
    assert.equal(second.timeZone, 'Europe/Stockholm');
    assert.equal(second.displayName, 'Alex');
    assert.equal(second.firstSeenAt, at.toISOString());
    assert.equal(second.lastSeenAt, later.toISOString());
    assert.equal(second.version, 2);
  });

  it('spreads participants over 64 partitions, case-insensitively', () => {
    const partitions = new Set<string>();
    for (let i = 0; i < 2000; i++) partitions.add(participantKey(`user-${i}`).partitionKey);
    assert.equal(partitions.size, 64);
    assert.deepEqual(participantKey('ABC-def'), participantKey('abc-DEF'));
  });
});
