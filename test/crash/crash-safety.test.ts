import assert from 'node:assert/strict';
import { DEMO_PILOT_MEMBERS, seedDemoCampaign } from '../../src/dev/demo-campaign';
import { waveMemberKey } from '../../src/domain/campaign';
import { escalationKey } from '../../src/domain/escalation';
import type { Escalation } from '../../src/domain/escalation-model';
import { openJourney, transition } from '../../src/domain/journey-transition';
import { participantKey } from '../../src/domain/participant';
import { saveMembers } from '../../src/features/admin/member-save';
import { dispatchEscalations } from '../../src/features/helpdesk/helpdesk-service';
import { HelpdeskSlaJob } from '../../src/workers/helpdesk-sla';
import { ReminderJob } from '../../src/workers/reminders';
import { ADMIN, audits, indexRows, member, seededImportWorld } from '../features/admin/member-fixtures';
import { testDeps } from '../helpers/activities';
import { freshStorage } from '../helpers/storage';
import { atEveryCrashPoint, type CrashPoint } from './crash-point';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CHANNEL = '19:mc-migration-escalations@thread.tacv2';
const PHONE = {
  key: 'p1',
  name: 'Phone',
  platform: 'ios' as const,
  management: { kind: 'partner' as const, mdmAppId: 'x' },
};
const chatOf = (id: string) => ({
  serviceUrl: 'https://smba.example/',
  channelId: 'msteams',
  conversationId: `a:${id}`,
  botId: '28:bot',
  userId: `29:${id}`,
});
const PEOPLE = DEMO_PILOT_MEMBERS.map((m) => m.aadObjectId);

/** The demo's Pilot wave on Azurite: three people with a device still to move and a chat with the bot. */
async function pilotWorld(now = '2026-11-23T09:00:00Z') {
  const storage = await freshStorage();
  const t = testDeps({ store: storage.store });
  t.deps.config = { ...t.deps.config, helpdesk: { channelId: CHANNEL } };
  t.clock.current = new Date(now);
  // The Pilot wave was announced days before the round, as in the reminder tests.
  await seedDemoCampaign(storage.store, new Date(t.clock.now().getTime() - 3 * 24 * HOUR));
  for (const id of PEOPLE) {
    const journey = transition(
      openJourney(PHONE, t.clock.now()).journey,
      { kind: 'start' },
      t.clock.now(),
    ).journey;
    await storage.store.participants.update(participantKey(id), (cur) => ({
      ...cur!,
      timeZone: 'Europe/Stockholm',
      journeys: [journey],
      conversation: chatOf(id),
    }));
  }
  return { ...t, store: storage.store };
}

type World = Awaited<ReturnType<typeof pilotWorld>>;

/** The deps of an instance that dies at `crash`: its storage and its Teams calls go through it. */
const dying = (w: World, crash: CrashPoint) => ({
  ...w.deps,
  store: crash.store(w.store),
  messenger: crash.messenger(w.messenger),
});

/** Messages sent to a conversation (after the first `from` sends), optionally only those naming `text`. */
const sentTo = (w: World, conversationId: string, naming?: string, from = 0) =>
  w.messenger.sent
    .slice(from)
    .filter(
      (s) =>
        s.to.conversationId === conversationId &&
        (!naming || JSON.stringify(s.message.card).includes(`"${naming}"`)),
    ).length;

/**
 * One card per ticket: posted once and remembered, except when the instance died after claiming the
 * post and before it heard back — then the card may or may not be in the channel, it is not posted
 * again, and the ticket keeps the claim for the helpdesk job's "outcome unknown" warning.
 */
function assertOneCard(ticket: Escalation, cards: number, crash: CrashPoint): void {
  assert.ok(cards <= 1, `crash at ${crash.at}: ${cards} channel cards for one ticket`);
  if (ticket.cardPostingAt) {
    assert.equal(ticket.cardActivityId, undefined);
    return;
  }
  assert.equal(cards, 1, `crash at ${crash.at}: the card was never posted`);
  assert.ok(ticket.cardActivityId, `crash at ${crash.at}: the ticket does not know its card`);
}

describe('crash safety: an instance killed at any point of the work, then the work run again', function () {
  this.timeout(240_000);

  it('reminder round: at most one reminder per person and local day, and nobody is skipped beyond that day', async () => {
    const points = await atEveryCrashPoint(
      () => pilotWorld(),
      (w, crash) => new ReminderJob(dying(w, crash)).runOnce(),
      async (w, crash) => {
        w.clock.advance(HOUR);
        await new ReminderJob(w.deps).runOnce();
        const counts = PEOPLE.map((id) => sentTo(w, `a:${id}`));
        assert.ok(
          counts.every((n) => n <= 1),
          `crash at ${crash.at}: reminders per person ${counts}`,
        );
        // Only the one claimed when the instance died can miss the day; the next day reminds everyone.
        assert.ok(
          counts.filter((n) => n === 1).length >= PEOPLE.length - 1,
          `crash at ${crash.at}: ${counts}`,
        );
        // The cadence brings the next reminder within the week; never two on one local day.
        const seen = new Map<string, number>();
        for (let day = 1; day <= 7; day++) {
          w.clock.advance(24 * HOUR);
          const before = w.messenger.sent.length;
          await new ReminderJob(w.deps).runOnce();
          for (const id of PEOPLE) {
            const n = sentTo(w, `a:${id}`, undefined, before);
            assert.ok(n <= 1, `crash at ${crash.at}: ${n} reminders on one day`);
            seen.set(id, (seen.get(id) ?? 0) + n);
          }
        }
        for (const id of PEOPLE) assert.ok(seen.get(id), `crash at ${crash.at}: ${id} never reminded again`);
      },
    );
    assert.ok(points > 6, `only ${points} crash points`);
  });

  it('escalation post: one ticket and one channel card per ticket, the trigger recorded once', async () => {
    const alex = PEOPLE[0]!;
    const points = await atEveryCrashPoint(
      async () => {
        const w = await pilotWorld();
        await w.store.participants.update(participantKey(alex), (cur) => ({
          ...cur!,
          pendingEscalations: [
            {
              reason: 'user-stuck',
              deviceKey: 'p1',
              detail: { said: 'help' },
              at: w.clock.now().toISOString(),
            },
          ],
        }));
        return w;
      },
      (w, crash) => dispatchEscalations(dying(w, crash), alex),
      async (w, crash) => {
        // What follows a death: the user's next turn drains again, and the helpdesk job repairs later.
        await dispatchEscalations(w.deps, alex);
        w.clock.advance(2 * MINUTE);
        await new HelpdeskSlaJob(w.deps).runOnce();
        const ticket = (await w.store.escalations.get(escalationKey(alex)))?.value;
        assert.ok(ticket, `crash at ${crash.at}: no ticket`);
        assert.equal(ticket.triggers.filter((t) => t.reason === 'user-stuck').length, 1);
        const cards = sentTo(w, CHANNEL, ticket.ticketId);
        assertOneCard(ticket, cards, crash);
        const p = (await w.store.participants.get(participantKey(alex)))!.value;
        assert.equal(p.pendingEscalations?.length ?? 0, 0);
      },
    );
    assert.ok(points > 4, `only ${points} crash points`);
  });

  it('SLA round: one reminder line per ticket thread, one card for a ticket whose card never arrived', async () => {
    const [alex, megan, adele] = PEOPLE as [string, string, string];
    const points = await atEveryCrashPoint(
      async () => {
        const w = await pilotWorld();
        for (const id of [alex, megan, adele]) {
          await w.store.participants.update(participantKey(id), (cur) => ({
            ...cur!,
            pendingEscalations: [
              {
                reason: 'user-stuck',
                deviceKey: 'p1',
                detail: { said: 'help' },
                at: w.clock.now().toISOString(),
              },
            ],
          }));
        }
        // Three tickets with their cards in the channel…
        for (const id of [alex, megan, adele]) await dispatchEscalations(w.deps, id);
        // …except Adele's, whose post never arrived.
        await w.store.escalations.update(
          escalationKey(adele),
          (cur) => cur && { ...cur, cardActivityId: undefined },
        );
        w.clock.advance(61 * MINUTE);
        return { ...w, setupSends: w.messenger.sent.length };
      },
      (w, crash) => new HelpdeskSlaJob(dying(w, crash)).runOnce(),
      async (w, crash) => {
        await new HelpdeskSlaJob(w.deps).runOnce();
        w.clock.advance(30 * MINUTE);
        await new HelpdeskSlaJob(w.deps).runOnce();
        for (const id of [alex, megan]) {
          const ticket = (await w.store.escalations.get(escalationKey(id)))!.value;
          const thread = `${CHANNEL};messageid=${ticket.cardActivityId}`;
          const lines = sentTo(w, thread, undefined, w.setupSends);
          assert.ok(lines <= 1, `crash at ${crash.at}: ${lines} SLA lines`);
        }
        const ticket = (await w.store.escalations.get(escalationKey(adele)))!.value;
        assertOneCard(ticket, sentTo(w, CHANNEL, ticket.ticketId, w.setupSends), crash);
      },
    );
    assert.ok(points > 4, `only ${points} crash points`);
  });

  it('import save: every member once in the wave and its index after a rerun, none in two waves', async () => {
    const ids = ['ana', 'bo', 'cy', 'di', 'ed'];
    const points = await atEveryCrashPoint(
      () => seededImportWorld(),
      (w, crash) =>
        saveMembers(
          { ...w.deps, store: crash.store(w.store) },
          'wave-1',
          ids.map((id) => member(id)),
          ADMIN,
        ),
      async (w, crash) => {
        const again = await saveMembers(
          w.deps,
          'wave-1',
          ids.map((id) => member(id)),
          ADMIN,
        );
        assert.ok(again.ok);
        assert.deepEqual(again.failed, [], `crash at ${crash.at}`);
        assert.deepEqual(again.conflicts, [], `crash at ${crash.at}`);
        assert.deepEqual(await indexRows(w.store, 'wave-1'), ids, `crash at ${crash.at}`);
        for (const id of ids) {
          const p = (await w.store.participants.get(participantKey(id)))!.value;
          assert.equal(p.waveId, 'wave-1');
          assert.ok((await w.store.waveMembers.get(waveMemberKey('wave-1', id)))?.value);
        }
        const events = await audits(w.store, 'wave.members.add');
        assert.ok(events.length >= 1 && events.length <= 2, `crash at ${crash.at}: ${events.length} audits`);
      },
    );
    assert.ok(points > 10, `only ${points} crash points`);
  });
});
