import assert from 'node:assert/strict';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { openJourney, transition } from '../../src/domain/journey-transition';
import { participantKey } from '../../src/domain/participant';
import { ReminderJob } from '../../src/workers/reminders';
import { ALEX, testDeps, textOf } from '../helpers/activities';

const PHONE = {
  key: 'p1',
  name: "Alex's iPhone",
  platform: 'ios' as const,
  management: { kind: 'partner' as const, mdmAppId: 'x' },
};

/** Alex in the Pilot wave, reachable in Teams, with one device still to move. */
async function setup(
  now: string,
  extra: { done?: boolean; locale?: string; deferredUntil?: string; noConversation?: boolean } = {},
) {
  const t = testDeps();
  t.clock.current = new Date(now);
  await seedDemoCampaign(t.store, new Date('2026-11-20T09:00:00Z'));
  let journey = openJourney(PHONE, t.clock.now()).journey;
  if (extra.done) journey = { ...journey, stage: 'verified' };
  else journey = transition(journey, { kind: 'start' }, t.clock.now()).journey;
  await t.store.participants.update(participantKey(ALEX.aadObjectId), (cur) => ({
    ...cur!,
    locale: extra.locale ?? 'en-US',
    timeZone: 'Europe/Stockholm',
    journeys: [journey],
    deferrals: extra.deferredUntil ? { used: 1, until: extra.deferredUntil } : undefined,
    conversation: extra.noConversation
      ? undefined
      : {
          serviceUrl: 'https://smba.example/',
          channelId: 'msteams',
          conversationId: 'a:alex',
          botId: '28:bot',
          userId: ALEX.id,
        },
  }));
  return { ...t, job: new ReminderJob(t.deps) };
}

describe('workers: reminders', () => {
  it('reminds a member who is not done, in business hours in their zone, once a day', async () => {
    const { job, messenger, store, clock } = await setup('2026-11-23T09:00:00Z'); // Monday 10:00 in Stockholm
    const first = await job.runOnce();
    assert.equal(first.sent, 1);
    assert.equal(messenger.sent.length, 1);
    assert.equal(messenger.sent[0]!.to.conversationId, 'a:alex');
    const text = textOf(messenger.sent[0]!.message.card);
    assert.match(text, /Reminder: Pilot/);
    assert.match(text, /1 device\(s\) left/);
    assert.match(text, /about 20 minutes per device/);
    const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    assert.equal(p.lastReminderAt, clock.now().toISOString());
    clock.advance(4 * 60 * 60 * 1000);
    assert.equal((await job.runOnce()).sent, 0, 'not twice on the same local day');
  });

  it('sends nothing outside business hours or at the weekend', async () => {
    for (const now of ['2026-11-23T05:00:00Z', '2026-11-23T17:30:00Z', '2026-11-28T10:00:00Z']) {
      const { job, messenger } = await setup(now);
      await job.runOnce();
      assert.equal(messenger.sent.length, 0, now);
    }
  });

  it('never reminds a member who is done, deferred, or unreachable', async () => {
    for (const extra of [
      { done: true },
      { deferredUntil: '2026-11-24T07:00:00Z' },
      { noConversation: true },
    ]) {
      const { job, messenger } = await setup('2026-11-23T09:00:00Z', extra);
      await job.runOnce();
      assert.equal(messenger.sent.length, 0, JSON.stringify(extra));
    }
  });

  it("reminds in the member's language", async () => {
    const { job, messenger } = await setup('2026-11-23T09:00:00Z', { locale: 'sv-SE' });
    await job.runOnce();
    assert.match(textOf(messenger.sent[0]!.message.card), /Påminnelse: Pilot/);
  });

  it("follows the wave's own cadence", async () => {
    const { job, messenger, store, clock } = await setup('2026-11-23T09:00:00Z');
    await store.waves.update(
      { partitionKey: 'wave', rowKey: 'pilot' },
      (w) =>
        w && {
          ...w,
          conditionalAccess: { kind: 'none' },
          reminders: { ...w.reminders, cadence: { farDays: 2 } },
        },
    );
    await job.runOnce();
    clock.advance(24 * 60 * 60 * 1000); // Tuesday: only one day since the last reminder
    await job.runOnce();
    assert.equal(messenger.sent.length, 1);
    clock.advance(24 * 60 * 60 * 1000); // Wednesday: two days
    await job.runOnce();
    assert.equal(messenger.sent.length, 2);
  });

  it('leaves members of waves that are not active alone', async () => {
    const { job, messenger, store } = await setup('2026-11-23T09:00:00Z');
    await store.waves.update(
      { partitionKey: 'wave', rowKey: 'pilot' },
      (w) => w && { ...w, state: 'closed' },
    );
    await job.runOnce();
    assert.equal(messenger.sent.length, 0);
  });
});
