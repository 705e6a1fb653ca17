/**
 * The erase confirmation through the app (admin chat, Azurite): it names the person, counts what
 * will go per kind, speaks the admin's language, parses as an Adaptive Card, and its button carries
 * the object id only. Pressing it erases and reports the same counts.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { createApp } from '../../../src/app';
import { broadcastKey, deliveryKey } from '../../../src/domain/broadcast';
import { waveKey, waveMemberKey } from '../../../src/domain/campaign';
import { deviceOwnerKey } from '../../../src/domain/device-owner';
import { escalationKey, raise } from '../../../src/domain/escalation';
import { inventoryKey, inventoryRowKey } from '../../../src/domain/inventory';
import { participantKey } from '../../../src/domain/participant';
import { personalFields, RECORD_OF_PROCESSING } from '../../../src/domain/personal-data';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { recordAudit } from '../../../src/features/audit';
import { createDraft } from '../../../src/features/broadcast/broadcast-service';
import { replaceUserNameMapping } from '../../../src/features/old-mdm/file-import-mapping';
import { markPersonChanged } from '../../../src/features/old-mdm/person-changes';
import { releaseKey } from '../../../src/features/old-mdm/release-record';
import { personDocument } from '../../../src/features/privacy/export-person';
import { PRIVACY_VERBS } from '../../../src/verbs/privacy';
import {
  ALEX,
  cardAction,
  cardOf,
  personalMessage,
  runTurn,
  testDeps,
  textOf,
} from '../../helpers/activities';
import { MEGAN } from '../../helpers/demo';
import { freshStorage } from '../../helpers/storage';

const ID = MEGAN.aadObjectId.toLowerCase();
const AT = '2026-11-23T09:00:00.000Z';

async function world() {
  clearAdminCache();
  const storage = await freshStorage();
  // As in production: Azurite answers well within it.
  const t = testDeps({ store: storage.store, invokeBudgetMs: 4_000 });
  t.deps.config = { ...t.deps.config, admins: { upns: [ALEX.upn] } };
  for (const u of [ALEX, MEGAN])
    t.directory.users.set(u.aadObjectId, {
      id: u.aadObjectId,
      userPrincipalName: u.upn,
      displayName: u.name,
    });
  const s = storage.store;
  await s.waves.insert(waveKey('pilot'), {
    id: 'pilot',
    name: 'Pilot',
    order: 0,
    state: 'active',
    conditionalAccess: { kind: 'none' },
    reminders: { deferralLimit: 3, enabled: true },
    estimatedMinutes: 20,
    createdAt: AT,
  });
  const journey = (key: string, name: string) => ({
    deviceKey: key,
    name,
    platform: 'ios' as const,
    stage: 'started' as const,
    stageSince: AT,
    history: [],
    flags: { dualEnrollment: false },
  });
  await s.participants.insert(participantKey(ID), {
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    firstSeenAt: AT,
    lastSeenAt: AT,
    version: 1,
    waveId: 'pilot',
    journeys: [journey('dev-1', "Megan's iPhone"), journey('dev-2', "Megan's iPad")],
    conversation: {
      serviceUrl: 'https://smba.example/teams/',
      channelId: 'msteams',
      conversationId: 'a:megan',
      botId: 'bot',
      userId: MEGAN.id,
    },
  });
  await s.deviceOwners.insert(deviceOwnerKey('dev-1'), { aadObjectId: ID, deviceKey: 'dev-1' });
  const b = await createDraft(t.deps, { kind: 'announcement', waveId: 'pilot', createdBy: ALEX }, 1);
  await s.deliveries.insert(deliveryKey(b, ID), {
    broadcastId: b.id,
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    state: 'sent',
    attempts: 1,
    activityId: 'activity-9',
    queuedAt: AT,
    updatedAt: AT,
  });
  await recordAudit(s, {
    at: t.clock.now(),
    actor: { aadObjectId: ALEX.aadObjectId, name: ALEX.name },
    action: 'admin.nudge',
    target: ID,
  });
  await s.waveMembers.insert(waveMemberKey('pilot', ID), {
    waveId: 'pilot',
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    addedAt: AT,
  });
  const ticket = raise(
    undefined,
    { participant: { aadObjectId: ID, displayName: MEGAN.name }, trigger: { reason: 'user-stuck' } },
    new Date(AT),
  );
  assert.ok(ticket.ok);
  await s.escalations.insert(escalationKey(ID), ticket.escalation);
  await s.oldMdmDevices.insert(inventoryKey('workspace-one', '1101'), {
    source: 'workspace-one',
    vendor: 'workspace-one',
    vendorId: '1101',
    name: "Megan's iPhone",
    platform: 'ios',
    serialNumber: 'F2LXK9MEGB21',
    userPrincipalName: MEGAN.upn,
    userName: 'mbowen',
    ownership: 'corporate',
    enrollment: 'enrolled',
    firstSeenAt: AT,
    lastSyncedAt: AT,
    person: { aadObjectId: ID, by: 'mapping' },
    indexedUnder: ID,
  });
  await s.oldMdmByPerson.insert(
    { partitionKey: ID, rowKey: inventoryRowKey('workspace-one', '1101') },
    {
      source: 'workspace-one',
      vendorId: '1101',
      name: "Megan's iPhone",
      platform: 'ios',
      ownership: 'corporate',
      enrollment: 'enrolled',
    },
  );
  await s.jobState.insert(releaseKey('workspace-one', '1101'), {
    state: 'confirmed',
    source: 'workspace-one',
    vendorId: '1101',
    platform: 'ios',
    person: ID,
    deviceKey: 'dev-1',
    deviceName: "Megan's iPhone",
    by: ALEX.aadObjectId,
    byName: ALEX.name,
    requestedAt: AT,
    confirmedAt: AT,
  });
  await replaceUserNameMapping(s, [
    { userName: 'mbowen', upn: MEGAN.upn },
    { userName: 'awilber', upn: ALEX.upn },
  ]);
  await markPersonChanged(s, ID, AT);
  return { ...t, s, app: createApp(t.deps) };
}

function facts(card: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'FactSet')
        for (const f of o.facts as { title: string; value: string }[]) out[f.title] = f.value;
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

function executes(card: unknown): { verb: string; data: Record<string, unknown> }[] {
  const out: { verb: string; data: Record<string, unknown> }[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push(o as never);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

function parseProblems(card: object): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}

const EXPECTED = {
  en: {
    command: `erase ${MEGAN.upn}`,
    locale: 'en-US',
    title: `Erase ${MEGAN.name} (${MEGAN.upn})?`,
    facts: {
      'Device journeys': '2',
      'Helpdesk ticket': '1',
      'Broadcast deliveries': '1',
      'Old-MDM device matches': '1',
      'Removals from the old MDM': '1',
      'User-name mapping entries': '1',
    },
  },
  sv: {
    command: `radera ${MEGAN.upn}`,
    locale: 'sv-SE',
    title: `Radera ${MEGAN.name} (${MEGAN.upn})?`,
    facts: {
      Enhetsresor: '2',
      Supportärende: '1',
      'Leveranser av utskick': '1',
      'Matchade enheter i gamla MDM:en': '1',
      'Borttagningar från den gamla MDM-lösningen': '1',
      'Rader i mappningen av användarnamn': '1',
    },
  },
} as const;

describe('privacy: the erase confirmation card (Azurite)', () => {
  for (const [language, want] of Object.entries(EXPECTED)) {
    it(`names the person and counts what goes, in ${language}, and nothing changes until confirmed`, async () => {
      const w = await world();
      const { replies } = await runTurn(w.app, personalMessage(want.command, { locale: want.locale }));
      const card = cardOf(replies[0]);
      assert.ok(textOf(card).includes(want.title), textOf(card));
      const shown = facts(card);
      for (const [title, value] of Object.entries(want.facts)) assert.equal(shown[title], value, title);
      assert.deepEqual(parseProblems(card), []);
      assert.doesNotMatch(JSON.stringify(card), /\$\{/);
      const erase = executes(card).find((a) => a.verb === PRIVACY_VERBS.confirmErase);
      assert.deepEqual(erase?.data, { aadObjectId: ID }, 'the button carries the object id only');
      assert.ok((await w.s.participants.get(participantKey(ID)))?.value.displayName, 'nothing erased yet');
    });
  }

  it('the button erases the release records, the mapping entry and the marker too, and says so', async () => {
    const w = await world();
    const { invokeResponse } = await runTurn(
      w.app,
      cardAction(PRIVACY_VERBS.confirmErase, { aadObjectId: ID }),
    );
    const done = cardOf(invokeResponse);
    assert.match(textOf(done), /Erased/);
    assert.equal(facts(done)['Removals from the old MDM'], '1');
    assert.equal(await w.s.jobState.get(releaseKey('workspace-one', '1101')), undefined);
    const mapping: string[] = [];
    for await (const r of w.s.jobState.listPartition('old-mdm-user-names')) mapping.push(String(r.value.upn));
    assert.deepEqual(mapping, [ALEX.upn], "only the erased person's entry went");
    assert.equal(await w.s.jobState.get({ partitionKey: 'old-mdm-person-changed', rowKey: ID }), undefined);
    const row = (await w.s.oldMdmDevices.get(inventoryKey('workspace-one', '1101')))!.value;
    assert.deepEqual(row.person, { erased: true });
    assert.equal(row.userName, undefined);
    const again = await runTurn(w.app, cardAction(PRIVACY_VERBS.confirmErase, { aadObjectId: ID }));
    assert.match(textOf(cardOf(again.invokeResponse)), /already been erased/);
  });
});

describe('privacy: the export against the record of processing (Azurite)', () => {
  it('holds every personal field stored about the person, for every entity the record lists', async () => {
    const w = await world();
    const s = w.s;
    const doc = await personDocument(w.deps, ID);
    const p = (await s.participants.get(participantKey(ID)))!.value;
    const ticket = (await s.escalations.get(escalationKey(ID)))!.value;
    // Each entity of the record that is about one person: where the export holds it, and the stored row.
    const pairs: Record<string, [unknown, unknown]> = {
      Participant: [doc.participant, p],
      conversation: [(doc.participant as typeof p).conversation, p.conversation],
      'journeys[]': [(doc.participant as typeof p).journeys?.[0], p.journeys?.[0]],
      Ticket: [doc.helpdeskTicket, ticket],
      participant: [(doc.helpdeskTicket as typeof ticket).participant, ticket.participant],
      Delivery: [
        doc.broadcastDeliveries[0],
        (
          await s.deliveries.get(
            deliveryKey(
              (await s.broadcasts.get(
                broadcastKey((doc.broadcastDeliveries[0] as { broadcastId: string }).broadcastId),
              ))!.value,
              ID,
            ),
          )
        )?.value,
      ],
      WaveMember: [doc.waveMembership, (await s.waveMembers.get(waveMemberKey('pilot', ID)))?.value],
      DeviceOwner: [doc.deviceOwnership[0], (await s.deviceOwners.get(deviceOwnerKey('dev-1')))?.value],
      InventoryDevice: [
        doc.oldMdmDevices[0],
        (await s.oldMdmDevices.get(inventoryKey('workspace-one', '1101')))?.value,
      ],
      PersonInventoryDevice: [
        doc.oldMdmDevicesForPerson[0],
        (await s.oldMdmByPerson.get({ partitionKey: ID, rowKey: inventoryRowKey('workspace-one', '1101') }))
          ?.value,
      ],
      'Old-MDM release': [
        doc.oldMdmReleases[0],
        (await s.jobState.get(releaseKey('workspace-one', '1101')))?.value,
      ],
      'User-name mapping': [doc.userNameMappings[0], { userName: 'mbowen', upn: MEGAN.upn }],
      'Person-changed marker': [
        { rowKey: ID, changedAt: doc.oldMdmChangeMarker },
        { rowKey: ID, changedAt: AT },
      ],
      AuditEvent: [
        doc.auditEvents.find((e) => (e as { action: string }).action === 'admin.nudge'),
        undefined,
      ],
    };
    let checked = 0;
    for (const record of RECORD_OF_PROCESSING) {
      const pair = pairs[record.entity];
      if (!pair) continue;
      const [exported, stored] = pair;
      assert.ok(exported, `${record.entity} is in the export`);
      for (const f of personalFields(record)) {
        const want = (stored as Record<string, unknown> | undefined)?.[f];
        if (want === undefined) continue;
        assert.deepEqual((exported as Record<string, unknown>)[f], want, `${record.entity}.${f}`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `${checked} personal fields compared`);
    const about = RECORD_OF_PROCESSING.filter(
      (r) =>
        !['Broadcast', 'Wave', 'Import draft', 'accessObserved'].includes(r.entity) &&
        !r.entity.startsWith('Runbook'),
    );
    for (const r of about) assert.ok(pairs[r.entity], `the export test covers ${r.entity}`);
  });
});
