import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditEvent } from '../../src/domain/audit';
import type { Delivery } from '../../src/domain/broadcast';
import type { WaveMember } from '../../src/domain/campaign';
import type { DeviceOwner } from '../../src/domain/device-owner';
import type { Participant } from '../../src/domain/participant';
import {
  RECORD_OF_PROCESSING,
  type RowFields,
  renderRecordOfProcessing,
} from '../../src/domain/personal-data';
import type { ReleaseRecord } from '../../src/features/old-mdm/release-record';

// Samples built from the real types: `Required<T>` makes a field added to a type fail to compile here too.
const participant: Required<Participant> = {
  aadObjectId: 'a',
  userPrincipalName: 'u',
  displayName: 'n',
  locale: 'en',
  language: 'sv',
  timeZone: 'UTC',
  conversation: { serviceUrl: 's', channelId: 'c', conversationId: 'x', botId: 'b', userId: 'u' },
  firstSeenAt: 't',
  lastSeenAt: 't',
  version: 1,
  waveId: 'w',
  journeys: [],
  journeyVersion: 1,
  journeyCardId: 'j',
  focusDeviceKey: 'd',
  deferrals: { used: 0 },
  lastReminderAt: 't',
  observedAt: 't',
  pendingEscalations: [],
  erasedAt: 't',
};
const delivery: Required<Delivery> = {
  broadcastId: 'b',
  aadObjectId: 'a',
  userPrincipalName: 'u',
  displayName: 'n',
  state: 'sent',
  attempts: 1,
  reason: 'rejected',
  detail: 'd',
  activityId: 'x',
  queuedAt: 't',
  sendingSince: 't',
  updatedAt: 't',
};
const audit: Required<AuditEvent> = {
  at: 't',
  actorAadObjectId: 'a',
  actorName: 'n',
  action: 'x',
  target: 't',
  before: 1,
  after: 2,
  reason: 'r',
};
const member: Required<WaveMember> = { waveId: 'w', aadObjectId: 'a', userPrincipalName: 'u', addedAt: 't' };
const owner: Required<DeviceOwner> = { aadObjectId: 'a', deviceKey: 'd' };
// A jobState row type: every named field, and no other (an object literal allows no extra keys).
const release: Record<RowFields<ReleaseRecord>, unknown> = {
  state: 'sent',
  source: 's',
  vendorId: 'v',
  platform: 'ios',
  person: 'a',
  deviceKey: 'd',
  deviceName: 'n',
  by: 'b',
  byName: 'n',
  requestedAt: 't',
  sentAt: 't',
  confirmedAt: 't',
  outcome: 'released',
  commandId: 'c',
  failedAt: 't',
  failure: 'f',
  missing: 'm',
  unconfirmedNotedAt: 't',
  bulkId: 'b',
};

const SAMPLES: Record<string, object> = {
  Participant: participant,
  Delivery: delivery,
  AuditEvent: audit,
  WaveMember: member,
  DeviceOwner: owner,
  conversation: participant.conversation,
  'Old-MDM release': release,
};

describe('domain: record of processing', () => {
  it('has an entry for every field of each sampled entity, and none for fields that do not exist', () => {
    for (const [entity, sample] of Object.entries(SAMPLES)) {
      const record = RECORD_OF_PROCESSING.find((r) => r.entity === entity);
      assert.ok(record, entity);
      const required = Object.keys(sample).filter(
        (k) => k !== 'conversationType' && k !== 'tenantId' && k !== 'botName',
      );
      for (const k of required) assert.ok(record.fields[k], `${entity}.${k} has no entry`);
      if (entity !== 'conversation')
        assert.deepEqual(Object.keys(record.fields).sort(), Object.keys(sample).sort(), entity);
    }
  });

  it('says why, who sees it and where it goes for every personal field', () => {
    for (const r of RECORD_OF_PROCESSING) {
      for (const [name, f] of Object.entries(r.fields)) {
        assert.ok(f.purpose.length > 2, `${r.entity}.${name}`);
        if (f.personal !== 'none') assert.ok(Array.isArray(f.seenBy) && Array.isArray(f.goesTo));
      }
    }
    const serial = RECORD_OF_PROCESSING.find((r) => r.entity === 'InventoryDevice')!.fields.serialNumber!;
    assert.ok(!serial.seenBy.includes('user'), 'serial numbers are for helpdesk and admins only');
  });

  it('docs/privacy.md holds the generated tables (WRITE_PRIVACY_DOC=1 regenerates them)', () => {
    const file = path.resolve(__dirname, '../../docs/privacy.md');
    const doc = readFileSync(file, 'utf8');
    const start = '<!-- record-of-processing:start -->';
    const end = '<!-- record-of-processing:end -->';
    const a = doc.indexOf(start);
    const b = doc.indexOf(end);
    assert.ok(a >= 0 && b > a, 'markers present');
    const generated = `${start}\n\n${renderRecordOfProcessing()}\n${end}`;
    if (process.env.WRITE_PRIVACY_DOC === '1') {
      writeFileSync(file, doc.slice(0, a) + generated + doc.slice(b + end.length));
      return;
    }
    assert.equal(
      doc.slice(a, b + end.length),
      generated,
      'docs/privacy.md is out of date: run with WRITE_PRIVACY_DOC=1',
    );
  });
});
