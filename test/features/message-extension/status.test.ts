import assert from 'node:assert/strict';
import { createApp } from '../../../src/app';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import type { AuditEvent } from '../../../src/domain/audit';
import { escalationKey, raise } from '../../../src/domain/escalation';
import { openJourney } from '../../../src/domain/journey-transition';
import { participantKey } from '../../../src/domain/participant';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import type { HelpdeskMember, HelpdeskRoster } from '../../../src/ports/helpdesk-roster';
import { EXTENSION_COMMANDS } from '../../../src/verbs/message-extension';
import { ALEX, runTurn, testDeps, textOf } from '../../helpers/activities';
import { ADELE, IPHONE, MEGAN } from '../../helpers/demo';
import { extensionResultOf, searchInvoke, selectInvoke } from './extension-activities';

const STATUS = EXTENSION_COMMANDS.searchStatus;
const EVE = {
  id: '29:eve',
  aadObjectId: '00000000-0000-0000-0000-0000000000099',
  name: 'Eve Outsider',
  upn: 'eve@example.com',
};

class FakeRoster implements HelpdeskRoster {
  failWith?: Error;
  constructor(public list: HelpdeskMember[]) {}
  async members() {
    if (this.failWith) throw this.failWith;
    return this.list;
  }
}

/** Megan is in the helpdesk team, Adele is a migration admin (ADMIN_UPNS), Eve is neither. */
async function setup() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  const roster = new FakeRoster([{ aadObjectId: MEGAN.aadObjectId, name: MEGAN.name }]);
  t.deps.helpdeskRoster = roster;
  t.deps.config = { ...t.deps.config, admins: { upns: [ADELE.upn] } };
  for (const p of [ALEX, MEGAN, ADELE, EVE]) {
    t.directory.users.set(p.aadObjectId, {
      id: p.aadObjectId,
      userPrincipalName: p.upn,
      displayName: p.name,
    });
  }
  t.directory.users.set('isaiah', {
    id: '00000000-0000-0000-0000-0000000000023',
    userPrincipalName: 'isaiah@example.com',
    displayName: 'Isaiah Langer',
  });
  // Alex is working on his iPhone and has a ticket.
  const now = t.clock.now();
  await t.store.participants.update(participantKey(ALEX.aadObjectId), (p) =>
    p
      ? {
          ...p,
          journeys: [
            { ...openJourney(IPHONE, now).journey, stage: 'enrolling', stageSince: now.toISOString() },
          ],
        }
      : p,
  );
  const ticket = raise(
    undefined,
    {
      participant: { aadObjectId: ALEX.aadObjectId, displayName: ALEX.name },
      trigger: { reason: 'user-stuck' },
    },
    now,
  );
  assert.ok(ticket.ok);
  await t.store.escalations.insert(escalationKey(ALEX.aadObjectId), ticket.escalation);
  return { ...t, roster, app: createApp(t.deps) };
}

const audits = (store: Awaited<ReturnType<typeof setup>>['store']): AuditEvent[] => store.audit.values();
const titles = (r: ReturnType<typeof extensionResultOf>) =>
  r.attachments!.map((a) => (a.preview?.content as { title: string }).title);

describe('message extension: "Migration status" search', () => {
  beforeEach(() => clearAdminCache());

  it('is refused for someone outside the helpdesk and the admins, and the refusal is audited', async () => {
    const { app, store } = await setup();
    const result = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'alex', { from: EVE }))).invokeResponse,
    );
    assert.equal(result.type, 'message');
    assert.match(result.text!, /Only the migration helpdesk and migration admins/);
    assert.doesNotMatch(JSON.stringify(result), /Wilber|alexw/);
    const refused = audits(store).find((e) => e.action === 'extension.status.refused');
    assert.equal(refused?.actorAadObjectId, EVE.aadObjectId);
  });

  it('lets a helpdesk team member find people by the start of a name or a UPN', async () => {
    const { app } = await setup();
    const byName = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'a', { from: MEGAN }))).invokeResponse,
    );
    assert.equal(byName.type, 'message', 'one letter is too little');
    assert.match(byName.text!, /at least 2 characters/);

    const some = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'ad', { from: MEGAN }))).invokeResponse,
    );
    assert.deepEqual(titles(some), ['Adele Vance']);
    const full = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'alex wil', { from: MEGAN }))).invokeResponse,
    );
    assert.deepEqual(titles(full), ['Alex Wilber']);
    const preview = full.attachments![0]!.preview!.content as { text: string; tap: { value: unknown } };
    assert.match(preview.text, /alexw@example.com · Pilot · 0 of 1 devices done · ticket #1 open/);
    assert.deepEqual(preview.tap.value, { kind: 'status', id: ALEX.aadObjectId });
    const upn = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'MEGANB@example.com', { from: MEGAN }))).invokeResponse,
    );
    assert.deepEqual(titles(upn), ['Megan Bowen']);
  });

  it('lets a migration admin search too', async () => {
    const { app } = await setup();
    const result = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'megan', { from: ADELE }))).invokeResponse,
    );
    assert.deepEqual(titles(result), ['Megan Bowen']);
  });

  it('refuses with a reason to retry when the helpdesk roster cannot be read (and the sender is no admin)', async () => {
    const { app, roster } = await setup();
    roster.failWith = new Error('connector down');
    const result = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'alex', { from: MEGAN }))).invokeResponse,
    );
    assert.match(result.text!, /couldn't check who is in the helpdesk team/);
    const admin = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'alex', { from: ADELE }))).invokeResponse,
    );
    assert.deepEqual(titles(admin), ['Alex Wilber'], 'an admin does not depend on the roster');
  });

  it('says so when nobody matches, and finds people who have not taken part yet by their full UPN', async () => {
    const { app } = await setup();
    const none = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'zorro', { from: MEGAN }))).invokeResponse,
    );
    assert.match(none.text!, /Nobody taking part in the migration matches “zorro”/);
    const dir = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'isaiah@example.com', { from: MEGAN }))).invokeResponse,
    );
    assert.deepEqual(titles(dir), ['Isaiah Langer']);
    assert.match((dir.attachments![0]!.preview!.content as { text: string }).text, /Not taking part yet/);
  });

  it('finds names without accents, as people type them', async () => {
    const { app, store } = await setup();
    await store.participants.insert(participantKey('00000000-0000-0000-0000-0000000000077'), {
      aadObjectId: '00000000-0000-0000-0000-0000000000077',
      displayName: 'Åsa Björk',
      userPrincipalName: 'asa.bjork@example.com',
      firstSeenAt: '2026-11-20T08:00:00Z',
      lastSeenAt: '2026-11-20T08:00:00Z',
      version: 1,
    });
    const result = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'asa bjo', { from: MEGAN }))).invokeResponse,
    );
    assert.deepEqual(titles(result), ['Åsa Björk']);
  });

  it('inserts the status card of a chosen person: wave, devices, ticket; within 28 KB, and audited', async () => {
    const { app, store } = await setup();
    const result = extensionResultOf(
      (await runTurn(app, selectInvoke({ kind: 'status', id: ALEX.aadObjectId }, { from: MEGAN })))
        .invokeResponse,
    );
    const card = result.attachments![0]!.content as Record<string, unknown>;
    assert.equal(card.version, '1.5');
    const text = textOf(card);
    assert.match(text, /Migration status: Alex Wilber/);
    assert.match(text, /alexw@example.com/);
    assert.match(text, /Wave\nPilot \(announced\)/);
    assert.match(text, /Alex's iPhone · iPhone \(iOS\)/);
    assert.match(text, /Enrolling in Intune, since/);
    assert.match(text, /#1: Open · nobody assigned yet/);
    const viewed = audits(store).find((e) => e.action === 'extension.status.viewed');
    assert.equal(viewed?.actorAadObjectId, MEGAN.aadObjectId);
    assert.equal(viewed?.target, ALEX.aadObjectId);
  });

  it('checks again when a result is chosen: a forged selection from an outsider shows nothing', async () => {
    const { app } = await setup();
    const result = extensionResultOf(
      (await runTurn(app, selectInvoke({ kind: 'status', id: ALEX.aadObjectId }, { from: EVE })))
        .invokeResponse,
    );
    assert.equal(result.type, 'message');
    assert.match(result.text!, /Only the migration helpdesk/);
    assert.doesNotMatch(JSON.stringify(result), /Wilber|iPhone/);
  });

  it('shows someone who has not taken part yet as such, in Swedish for a Swedish helpdesk agent', async () => {
    const { app } = await setup();
    const result = extensionResultOf(
      (
        await runTurn(
          app,
          selectInvoke(
            { kind: 'status', id: '00000000-0000-0000-0000-0000000000023' },
            { from: MEGAN, locale: 'sv-SE' },
          ),
        )
      ).invokeResponse,
    );
    const text = textOf(result.attachments![0]!.content);
    assert.match(text, /Migreringsstatus: Isaiah Langer/);
    assert.match(text, /har inte deltagit i migreringen/);
  });

  it('answers within the invoke budget when the participant list is slow to load', async () => {
    const { app, store, deps } = await setup();
    deps.invokeBudgetMs = 50;
    // The list stays slow until the answer is in, however long a loaded machine takes to get there.
    let loaded!: () => void;
    const slow = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    const list = store.participants.listPartition.bind(store.participants);
    store.participants.listPartition = async function* (p: string) {
      await slow;
      yield* list(p);
    };
    const started = Date.now();
    const result = extensionResultOf(
      (await runTurn(app, searchInvoke(STATUS, 'alex', { from: MEGAN }))).invokeResponse,
    );
    loaded();
    assert.ok(Date.now() - started < 1_000);
    assert.match(result.text!, /still loading/);
  });
});
