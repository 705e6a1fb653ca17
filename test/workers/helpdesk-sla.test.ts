import assert from 'node:assert/strict';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { assign, escalationKey, reopen, resolve } from '../../src/domain/escalation';
import { participantKey } from '../../src/domain/participant';
import { dispatchEscalations } from '../../src/features/helpdesk/helpdesk-service';
import { HelpdeskSlaJob } from '../../src/workers/helpdesk-sla';
import { ALEX, testDeps, textOf } from '../helpers/activities';

const MINUTE = 60_000;
const CHANNEL = '19:mc-migration-escalations@thread.tacv2';
const MEGAN = { aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };

/** Alex's ticket, posted to the channel at `now` (business hours 08-17 UTC, Monday to Friday). */
async function setup(now: string) {
  const t = testDeps();
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL } };
  t.clock.current = new Date(now);
  await seedDemoCampaign(t.store, t.clock.now());
  await t.store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
    ...cur!,
    displayName: ALEX.name,
    conversation: {
      serviceUrl: 'https://smba.example/',
      channelId: 'msteams',
      conversationId: 'a:alex',
      botId: '28:bot',
      userId: ALEX.id,
    },
    pendingEscalations: [
      { reason: 'user-stuck', deviceKey: '', detail: { said: 'help' }, at: t.clock.now().toISOString() },
    ],
  }));
  assert.equal(await dispatchEscalations(t.deps, ALEX.aadObjectId), 'posted');
  const card = t.messenger.sent[0]!.message;
  t.messenger.sent.length = 0;
  const key = escalationKey(ALEX.aadObjectId);
  const ticket = async () => (await t.store.escalations.get(key))!.value;
  return { ...t, job: new HelpdeskSlaJob(t.deps), ticket, key, card };
}

describe('workers: helpdesk SLA (time to assign)', () => {
  it('one reminder in the card thread after 60 business minutes unassigned, recorded and not repeated', async () => {
    const { job, clock, messenger, ticket } = await setup('2026-11-23T09:00:00Z'); // Monday
    clock.advance(59 * MINUTE);
    assert.equal((await job.runOnce()).reminded, 0);
    clock.advance(MINUTE);
    assert.equal((await job.runOnce()).reminded, 1);
    assert.equal(messenger.sent.length, 1);
    assert.equal(messenger.sent[0]!.to.conversationId, `${CHANNEL};messageid=activity-1`);
    assert.match(
      textOf(messenger.sent[0]!.message.card),
      /Nobody has taken this ticket yet \(60 business minutes\)/,
    );
    const e = await ticket();
    assert.deepEqual(e.slaReminder, { at: '2026-11-23T10:00:00.000Z', period: 0 });
    const version = e.version;
    for (let i = 0; i < 4; i++) {
      clock.advance(30 * MINUTE);
      assert.equal((await job.runOnce()).reminded, 0);
    }
    assert.equal(messenger.sent.length, 1);
    assert.equal((await ticket()).version, version, 'not a visible change');
  });

  it('counts business minutes only: a ticket raised late on Friday is due on Monday morning', async () => {
    const { job, clock, messenger } = await setup('2026-11-27T16:30:00Z'); // Friday 16:30
    clock.advance(2 * 24 * 60 * MINUTE); // Sunday 16:30: 30 business minutes
    await job.runOnce();
    assert.equal(messenger.sent.length, 0);
    clock.current = new Date('2026-11-30T08:29:00Z');
    await job.runOnce();
    assert.equal(messenger.sent.length, 0);
    clock.current = new Date('2026-11-30T08:30:00Z');
    await job.runOnce();
    assert.equal(messenger.sent.length, 1);
  });

  it('no reminder once someone took it, nor without a channel', async () => {
    const { job, clock, messenger, store, key, deps } = await setup('2026-11-23T09:00:00Z');
    clock.advance(30 * MINUTE);
    await store.escalations.update(key, (cur) => assign(cur!, MEGAN, MEGAN, clock.now()).escalation);
    clock.advance(4 * 60 * MINUTE);
    assert.equal((await job.runOnce()).reminded, 0);
    assert.equal(messenger.sent.length, 0);

    const other = await setup('2026-11-23T09:00:00Z');
    other.deps.config = { ...other.deps.config, helpdesk: {} };
    other.clock.advance(2 * 60 * MINUTE);
    assert.equal((await other.job.runOnce()).reminded, 0);
    assert.equal(deps.config.helpdesk?.channelId, CHANNEL);
  });

  it('a reopened ticket starts a new open period with its own reminder', async () => {
    const { job, clock, messenger, store, key } = await setup('2026-11-23T09:00:00Z');
    clock.advance(61 * MINUTE);
    await job.runOnce();
    assert.equal(messenger.sent.length, 1);
    await store.escalations.update(key, (cur) => resolve(cur!, MEGAN, 'fixed', clock.now()).escalation);
    clock.advance(10 * MINUTE);
    await store.escalations.update(key, (cur) => reopen(cur!, MEGAN, clock.now()).escalation);
    clock.advance(59 * MINUTE);
    await job.runOnce();
    assert.equal(messenger.sent.length, 1, 'the new period started at the reopen');
    clock.advance(2 * MINUTE);
    await job.runOnce();
    assert.equal(messenger.sent.length, 2);
    await job.runOnce();
    assert.equal(messenger.sent.length, 2);
  });

  it('posts the card of a ticket whose first post never reached the channel, once, after the grace period', async () => {
    const { job, clock, messenger, store, key, ticket } = await setup('2026-11-23T09:00:00Z');
    // The first post failed: the ticket exists but knows no card.
    await store.escalations.update(key, (cur) => cur && { ...cur, cardActivityId: undefined });
    clock.advance(30_000);
    assert.equal(
      (await job.runOnce()).reposted,
      0,
      'not within the grace period: another instance may be posting',
    );
    clock.advance(60_000);
    const report = await job.runOnce();
    assert.equal(report.reposted, 1);
    assert.equal(messenger.sent.length, 1);
    assert.equal(messenger.sent[0]!.to.conversationId, CHANNEL);
    assert.ok((await ticket()).cardActivityId, 'the card is remembered on the ticket');
    assert.equal((await job.runOnce()).reposted, 0);
  });

  it('uses the configured limit', async () => {
    const { job, clock, messenger, deps } = await setup('2026-11-23T09:00:00Z');
    deps.config = {
      ...deps.config,
      escalation: { stuckAfterHours: 8, noncompliantAfterHours: 24, slaAssignMinutes: 15 },
    };
    clock.advance(15 * MINUTE);
    await job.runOnce();
    assert.match(textOf(messenger.sent[0]!.message.card), /15 business minutes/);
  });
});
