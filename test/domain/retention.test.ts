import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/domain/audit';
import {
  auditDecision,
  DEFAULT_RETENTION,
  deliveriesDueAt,
  draftDueAt,
  inventoryDueAt,
  isDue,
  participantDueAt,
  pseudonymiseAudit,
  pseudonymOf,
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
});
