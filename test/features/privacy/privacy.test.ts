import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { waveKey, waveMemberKey } from '../../../src/domain/campaign';
import { deviceOwnerKey } from '../../../src/domain/device-owner';
import { escalationKey } from '../../../src/domain/escalation';
import { participantKey } from '../../../src/domain/participant';
import { recordAudit } from '../../../src/features/audit';
import { allReleases, type ReleaseRecord, releaseKey } from '../../../src/features/old-mdm/release-record';
import { erasePerson, restorePerson } from '../../../src/features/privacy/erase';
import { personDocument } from '../../../src/features/privacy/export-person';
import { purgeRound, readRetentionState } from '../../../src/features/privacy/purge';
import { createLogger } from '../../../src/logging';
import type { Store } from '../../../src/ports/store';
import { ReminderJob } from '../../../src/workers/reminders';
import { testDeps } from '../../helpers/activities';
import { testConfig } from '../../helpers/config';
import { HELPDESK_CHANNEL, MEGAN } from '../../helpers/demo';
import { freshStorage } from '../../helpers/storage';

const ID = MEGAN.aadObjectId.toLowerCase();
const ADMIN = { aadObjectId: 'admin-1', name: 'Admin' };

async function seeded(now = '2026-03-02T09:00:00Z') {
  const storage = await freshStorage();
  const t = testDeps({ store: storage.store, config: testConfig({ HELPDESK_CHANNEL_ID: HELPDESK_CHANNEL }) });
  t.clock.current = new Date(now);
  const s = storage.store;
  await s.waves.insert(waveKey('pilot'), {
    id: 'pilot',
    name: 'Pilot',
    order: 0,
    state: 'active',
    conditionalAccess: { kind: 'none' },
    reminders: { deferralLimit: 3, enabled: true },
    estimatedMinutes: 20,
    createdAt: '2026-01-01T00:00:00Z',
  });
  await s.participants.insert(participantKey(ID), {
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    firstSeenAt: now,
    lastSeenAt: now,
    version: 1,
    waveId: 'pilot',
    timeZone: 'Europe/Stockholm',
    journeys: [
      {
        deviceKey: 'dev-1',
        name: "Megan's iPhone",
        platform: 'ios',
        stage: 'started',
        stageSince: now,
        history: [],
        flags: { dualEnrollment: false },
      },
    ],
    conversation: {
      serviceUrl: 'https://smba.example/',
      channelId: 'msteams',
      conversationId: 'a:megan',
      botId: '28:bot',
      userId: MEGAN.id,
    },
  });
  await s.waveMembers.insert(waveMemberKey('pilot', ID), {
    waveId: 'pilot',
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    addedAt: now,
  });
  await s.deviceOwners.insert(deviceOwnerKey('dev-1'), { aadObjectId: ID, deviceKey: 'dev-1' });
  await s.escalations.insert(escalationKey(ID), {
    ticketId: `${ID}-1`,
    ticketNumber: 1,
    participant: { aadObjectId: ID, userPrincipalName: MEGAN.upn, displayName: MEGAN.name },
    state: 'resolved',
    cardActivityId: 'card-1',
    triggers: [],
    timelineOmitted: 0,
    reopenCount: 0,
    seen: [],
    receipts: [],
    earlier: [],
    timeline: [{ kind: 'user-message', at: now, actor: { kind: 'user' }, text: 'my phone lost its mail' }],
    createdAt: now,
    resolvedAt: now,
    updatedAt: now,
    version: 1,
  });
  await recordAudit(s, { at: new Date(now), actor: ADMIN, action: 'admin.nudge', target: ID });
  return { ...t, s };
}

describe('privacy: export, erasure and retention (Azurite)', () => {
  it('exports every stored personal field of the person as one document', async () => {
    const { deps } = await seeded();
    const doc = await personDocument(deps, MEGAN.aadObjectId);
    const text = JSON.stringify(doc);
    for (const s of [
      MEGAN.upn,
      MEGAN.name,
      "Megan's iPhone",
      'my phone lost its mail',
      'a:megan',
      'dev-1',
      'admin.nudge',
    ])
      assert.ok(text.includes(s), s);
    assert.ok(doc.waveMembership && doc.helpdeskTicket && doc.deviceOwnership.length === 1);
  });

  it('erases the person, replaces the ticket card, keeps a pseudonymous audit, and is idempotent', async () => {
    const { deps, s, messenger, clock } = await seeded();
    const first = await erasePerson(deps, MEGAN.aadObjectId, ADMIN);
    assert.equal(first.erased, true);
    assert.equal(first.counts.journeys, 1);
    const p = (await s.participants.get(participantKey(ID)))!.value;
    assert.deepEqual(Object.keys(p).sort(), [
      'aadObjectId',
      'erasedAt',
      'firstSeenAt',
      'lastSeenAt',
      'version',
    ]);
    assert.equal(await s.escalations.get(escalationKey(ID)), undefined);
    assert.equal(await s.waveMembers.get(waveMemberKey('pilot', ID)), undefined);
    assert.equal(await s.deviceOwners.get(deviceOwnerKey('dev-1')), undefined);
    assert.equal(messenger.updated.length, 1);
    assert.match(JSON.stringify(messenger.updated[0]), /removed at the person's request/);
    const again = await erasePerson(deps, MEGAN.aadObjectId, ADMIN);
    assert.equal(again.erased, false);
    const audit: string[] = [];
    for await (const r of s.audit.listPartition(clock.now().toISOString().slice(0, 10)))
      audit.push(JSON.stringify(r.value));
    const erase = audit.filter((a) => a.includes('privacy.erase'));
    assert.equal(erase.length, 1, 'audited once');
    assert.ok(!erase[0]!.includes(ID) && !erase[0]!.includes(MEGAN.upn));
    assert.equal(await restorePerson(deps, ID, ADMIN), true);
    assert.equal(await s.participants.get(participantKey(ID)), undefined);
  });

  it('stays erased when a reminder round races the erasure', async () => {
    const { deps, s, messenger } = await seeded('2026-03-02T09:00:00Z');
    const job = new ReminderJob(deps);
    await Promise.all([erasePerson(deps, ID, ADMIN), job.runOnce(), erasePerson(deps, ID, ADMIN)]);
    await job.runOnce();
    const p = (await s.participants.get(participantKey(ID)))!.value;
    assert.ok(p.erasedAt);
    assert.equal(p.lastReminderAt, undefined);
    assert.equal(p.journeys, undefined);
    assert.ok(messenger.sent.length <= 1, 'at most the one already claimed before the tombstone');
  });

  it('purges each kind past its retention with a fake clock, and resumes after a crash mid-purge', async () => {
    const { deps, s, clock } = await seeded('2026-01-10T09:00:00Z');
    await s.waves.update(waveKey('pilot'), (w) => ({
      ...w!,
      state: 'closed',
      updatedAt: '2026-01-10T09:00:00Z',
    }));
    clock.current = new Date('2026-03-01T00:00:00Z');
    assert.equal((await purgeRound(deps)).counts.participants, 0, 'kept within 90 days');
    // A storage that fails on the first participant delete: the crash lands between a person's rows.
    let failed = false;
    const crashing: Store = {
      ...s,
      participants: Object.assign(Object.create(s.participants), {
        delete: async (...args: Parameters<Store['participants']['delete']>) => {
          if (!failed) {
            failed = true;
            throw new Error('instance died');
          }
          return s.participants.delete(...args);
        },
      }),
    };
    clock.current = new Date('2026-04-15T00:00:00Z');
    await assert.rejects(purgeRound({ ...deps, store: crashing }), /instance died/);
    assert.ok((await readRetentionState(deps)).phase, 'the cursor says where to resume');
    assert.ok(await s.participants.get(participantKey(ID)), 'the person row is still there');
    const resumed = await purgeRound(deps);
    assert.equal(resumed.done, true);
    assert.equal(resumed.counts.participants, 1);
    assert.equal(resumed.counts.tickets, 0, 'the ticket went with the person');
    assert.equal(await s.participants.get(participantKey(ID)), undefined);
    assert.equal(await s.deviceOwners.get(deviceOwnerKey('dev-1')), undefined);
    assert.equal(await s.escalations.get(escalationKey(ID)), undefined);
    const state = await readRetentionState(deps);
    assert.equal(state.phase, undefined);
    assert.ok(state.lastFinishedAt);
  });
});

describe('privacy: old-MDM release records (Azurite)', () => {
  it('purges finished releases past retention and those of people who are gone; keeps one under way', async () => {
    const { deps, s, clock } = await seeded('2026-01-10T09:00:00Z');
    const record = (vendorId: string, person: string, more: Partial<ReleaseRecord>): ReleaseRecord => ({
      state: 'confirmed',
      source: 'workspace-one',
      vendorId,
      platform: 'ios',
      person,
      deviceKey: `dev-${vendorId}`,
      by: 'admin-1',
      requestedAt: '2026-01-10T09:00:00Z',
      ...more,
    });
    const rows = [
      record('1', ID, { confirmedAt: '2026-01-10T09:00:00Z' }),
      record('2', ID, { state: 'sent', sentAt: '2026-01-10T09:00:00Z' }),
      record('3', 'gone-person', { state: 'failed', failedAt: '2026-03-01T00:00:00Z' }),
      record('4', ID, { confirmedAt: '2026-03-01T00:00:00Z' }),
    ];
    for (const r of rows) await s.jobState.insert(releaseKey(r.source, r.vendorId), r);
    clock.current = new Date('2026-04-15T00:00:00Z');
    const { counts } = await purgeRound(deps);
    assert.equal(counts.releases, 2);
    const left: string[] = [];
    for await (const r of allReleases(s)) left.push(r.vendorId);
    assert.deepEqual(left.sort(), ['2', '4'], 'past retention (1) and nobody left (3) went');
  });
});

describe('logging: no personal data', () => {
  it('redacts names, UPNs, typed text and serials in fields, nested objects, errors and messages', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (c, _e, cb) => {
        lines.push(String(c));
        cb();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ displayName: MEGAN.name, user: { userPrincipalName: MEGAN.upn, aadObjectId: ID } }, 'seen');
    logger.warn(
      { err: new Error(`no user ${MEGAN.upn}`), serialNumber: 'F2LXJ0ABC', text: 'my phone lost its mail' },
      'failed',
    );
    logger.child({ upn: MEGAN.upn }).info(`message about ${MEGAN.upn}`);
    const out = lines.join('');
    for (const s of [MEGAN.name, MEGAN.upn, 'F2LXJ0ABC', 'my phone lost its mail'])
      assert.ok(!out.includes(s), s);
    assert.ok(out.includes(ID), 'ids stay');
  });
});
