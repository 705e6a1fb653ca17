import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/domain/audit';
import type { InventoryDevice } from '../../src/domain/inventory';
import {
  auditDecision,
  DEFAULT_RETENTION,
  deliveriesDueAt,
  draftDueAt,
  ERASED_PERSON,
  inventoryDueAt,
  inventoryWithoutPerson,
  isDue,
  keptPerson,
  participantDueAt,
  pseudonymiseAudit,
  pseudonymOf,
  releaseDueAt,
  ticketDueAt,
} from '../../src/domain/retention';

const S = DEFAULT_RETENTION;
const at = (iso: string) => new Date(iso);
const base = { firstSeenAt: '2026-01-01T00:00:00Z', lastSeenAt: '2026-01-01T00:00:00Z', version: 1 };

describe('domain: retention rules', () => {
  it('keeps people while their wave is open, and 90 days after it closed', () => {
    const p = { ...base, aadObjectId: 'a', waveId: 'w' };
    const open = new Map([['w', { state: 'active' as const, createdAt: '2026-01-01T00:00:00Z' }]]);
    assert.equal(participantDueAt(p, open, S), undefined);
    const closed = new Map([
      ['w', { state: 'closed' as const, createdAt: 'x', updatedAt: '2026-02-01T00:00:00Z' }],
    ]);
    assert.ok(!isDue(participantDueAt(p, closed, S), at('2026-05-01T00:00:00Z')));
    assert.ok(isDue(participantDueAt(p, closed, S), at('2026-05-02T00:00:00Z')));
    assert.equal(participantDueAt({ ...p, erasedAt: 'x' }, closed, S), undefined, 'tombstones stay');
  });

  it('tickets after resolution, deliveries after the broadcast, drafts after hours, gone inventory rows', () => {
    assert.equal(ticketDueAt({ state: 'open' }, S), undefined);
    assert.ok(
      isDue(
        ticketDueAt({ state: 'resolved', resolvedAt: '2026-01-01T00:00:00Z' }, S),
        at('2026-04-01T00:00:00Z'),
      ),
    );
    assert.equal(deliveriesDueAt({ state: 'sending' }, S), undefined);
    assert.ok(
      isDue(
        deliveriesDueAt({ state: 'done', finishedAt: '2026-01-01T00:00:00Z' }, S),
        at('2026-01-31T00:00:00Z'),
      ),
    );
    assert.ok(!isDue(draftDueAt('2026-01-01T00:00:00Z', S), at('2026-01-01T23:00:00Z')));
    assert.ok(isDue(draftDueAt('2026-01-01T00:00:00Z', S), at('2026-01-02T00:00:00Z')));
    assert.equal(inventoryDueAt({}, S), undefined);
    assert.ok(isDue(inventoryDueAt({ goneAt: '2026-01-01T00:00:00Z' }, S), at('2026-04-01T00:00:00Z')));
  });

  it('pseudonymises the audit trail after 90 days and deletes it after 730, with stable pseudonyms', () => {
    const id = '00000000-0000-0000-0000-0000000000021';
    const e: AuditEvent = {
      at: '2026-01-01T00:00:00Z',
      actorAadObjectId: id,
      actorName: 'Megan Bowen',
      action: 'wave.members.add',
      target: `person:${id}`,
      after: { upn: 'meganb@example.com', added: 3 },
      reason: 'asked by meganb@example.com',
    };
    assert.equal(auditDecision(e, S, at('2026-03-01T00:00:00Z')), 'keep');
    assert.equal(auditDecision(e, S, at('2026-04-02T00:00:00Z')), 'pseudonymise');
    const p = pseudonymiseAudit(e, 'k');
    assert.equal(p.actorAadObjectId, pseudonymOf(id, 'k'));
    assert.equal(pseudonymOf(id.toUpperCase(), 'k'), pseudonymOf(id, 'k'), 'stable');
    assert.notEqual(pseudonymOf(id, 'other'), pseudonymOf(id, 'k'));
    const text = JSON.stringify(p);
    for (const s of ['Megan', 'meganb', id]) assert.ok(!text.includes(s), s);
    assert.match(text, /"added":3/);
    assert.equal(auditDecision(p, S, at('2026-04-02T00:00:00Z')), 'keep');
    assert.equal(auditDecision(p, S, at('2028-01-02T00:00:00Z')), 'delete');
  });

  it('keeps an old-MDM release while it is under way, and 90 days after it was confirmed or failed', () => {
    assert.equal(releaseDueAt({ state: 'sent' }, S), undefined);
    assert.equal(releaseDueAt({ state: 'queued' }, S), undefined);
    const confirmed = releaseDueAt({ state: 'confirmed', confirmedAt: '2026-01-01T00:00:00Z' }, S);
    assert.ok(!isDue(confirmed, at('2026-03-31T00:00:00Z')));
    assert.ok(isDue(confirmed, at('2026-04-01T00:00:00Z')));
    assert.ok(
      isDue(
        releaseDueAt({ state: 'failed', failedAt: '2026-01-01T00:00:00Z' }, S),
        at('2026-04-02T00:00:00Z'),
      ),
    );
  });

  it('an erased old-MDM row loses its user fields and stays erased unless a live person is found', () => {
    const row: InventoryDevice = {
      source: 'workspace-one',
      vendor: 'workspace-one',
      vendorId: '1',
      name: 'iPhone',
      platform: 'ios',
      serialNumber: 'SERIAL1',
      userPrincipalName: 'a@example.com',
      userEmail: 'a@example.com',
      userName: 'a',
      ownership: 'corporate',
      enrollment: 'enrolled',
      firstSeenAt: 't',
      lastSyncedAt: 't',
      match: { kind: 'unmatched' },
      person: { aadObjectId: 'p1', by: 'upn' },
      indexedUnder: 'p1',
    };
    const erased = inventoryWithoutPerson(row, true);
    assert.deepEqual(erased.person, ERASED_PERSON);
    for (const f of ['userPrincipalName', 'userEmail', 'userName', 'indexedUnder'] as const)
      assert.equal(erased[f], undefined, f);
    assert.equal(erased.serialNumber, 'SERIAL1', 'the device still mirrors the old MDM');
    assert.deepEqual(erased.match, { kind: 'unmatched' });
    assert.equal(inventoryWithoutPerson(row, false).person, undefined, 'a purge only detaches');

    assert.deepEqual(keptPerson(ERASED_PERSON, { missing: 'not-found' }), ERASED_PERSON);
    assert.deepEqual(keptPerson(ERASED_PERSON, undefined), ERASED_PERSON);
    assert.deepEqual(keptPerson(ERASED_PERSON, { aadObjectId: 'p2', by: 'upn' }), {
      aadObjectId: 'p2',
      by: 'upn',
    });
    assert.deepEqual(keptPerson(undefined, { missing: 'no-user' }), { missing: 'no-user' });
  });
});
