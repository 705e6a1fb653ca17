import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../../../src/app';
import type { CardJson } from '../../../src/cards/render';
import type { Deps } from '../../../src/deps';
import type { AuditEvent } from '../../../src/domain/audit';
import { broadcastKey, type DeliveryJob } from '../../../src/domain/broadcast';
import { type Wave, waveKey, waveMemberKey } from '../../../src/domain/campaign';
import { inventoryKey } from '../../../src/domain/inventory';
import { type Participant, participantKey } from '../../../src/domain/participant';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { broadcastHooks } from '../../../src/features/admin/announce-service';
import { BroadcastJob } from '../../../src/features/broadcast/broadcast-job';
import { queueRecipients } from '../../../src/features/broadcast/broadcast-service';
import { listDeliveries } from '../../../src/features/broadcast/delivery-rows';
import { settleBackground } from '../../../src/shared/background';
import { ADMIN_INPUTS, ADMIN_VERBS, WAVE_FORM } from '../../../src/verbs/admin';
import { ALEX, cardAction, personalMessage, runTurn, testDeps } from '../../helpers/activities';
import { MEGAN } from '../../helpers/demo';
import { InMemoryWorkQueue } from '../../helpers/fake-rate-gate';

type Node = Record<string, unknown>;
function nodes(card: unknown): Node[] {
  const out: Node[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      out.push(n as Node);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return out;
}
const executes = (card: unknown) =>
  nodes(card).filter((n) => n.type === 'Action.Execute') as { title: string; verb: string; data: Node }[];
const actionByVerb = (card: unknown, verb: string) => executes(card).find((a) => a.verb === verb);
const textIn = (card: unknown) =>
  nodes(card)
    .flatMap((n) => [n.text, n.title, n.value].filter((v): v is string => typeof v === 'string'))
    .join('\n');

const ISAIAH = {
  id: '00000000-0000-0000-0000-0000000000023',
  upn: 'isaiah@example.com',
  name: 'Isaiah Langer',
};
const PATTI = {
  id: '00000000-0000-0000-0000-0000000000024',
  upn: 'pattif@example.com',
  name: 'Patti Fernandez',
};
const NOT_ADMIN = { ...MEGAN };

const PILOT: Wave = {
  id: 'pilot',
  name: 'Pilot',
  order: 0,
  state: 'announced',
  conditionalAccess: { kind: 'none' },
  reminders: { enabled: true, deferralLimit: 3 },
  estimatedMinutes: 20,
  createdAt: '2026-11-01T00:00:00.000Z',
};

async function setup(overrides: Partial<Deps> = {}) {
  clearAdminCache();
  const t = testDeps(overrides);
  t.deps.config = {
    ...t.deps.config,
    admins: { upns: ['alexw@example.com'] },
    exportSigningKey: 'k'.repeat(40),
  };
  for (const u of [
    { id: ALEX.aadObjectId, upn: ALEX.upn, name: ALEX.name },
    { id: MEGAN.aadObjectId, upn: MEGAN.upn, name: MEGAN.name },
    ISAIAH,
    PATTI,
  ]) {
    t.directory.users.set(u.id, { id: u.id, userPrincipalName: u.upn, displayName: u.name });
  }
  await t.store.waves.insert(waveKey(PILOT.id), PILOT);
  for (const m of [ALEX, MEGAN]) {
    await t.store.waveMembers.insert(waveMemberKey('pilot', m.aadObjectId), {
      waveId: 'pilot',
      aadObjectId: m.aadObjectId,
      userPrincipalName: m.upn,
      addedAt: PILOT.createdAt,
    });
    await t.store.participants.insert(participantKey(m.aadObjectId), {
      aadObjectId: m.aadObjectId,
      userPrincipalName: m.upn,
      displayName: m.name,
      waveId: 'pilot',
      firstSeenAt: PILOT.createdAt,
      lastSeenAt: PILOT.createdAt,
      version: 1,
    });
  }
  const app = createApp(t.deps);
  const invoke = async (verb: string, data: Record<string, unknown> = {}, from = ALEX) => {
    const { invokeResponse } = await runTurn(app, cardAction(verb, data, { from }));
    assert.equal(invokeResponse?.status, 200);
    const body = invokeResponse?.body as { type?: string; value?: unknown };
    return body.type === 'application/vnd.microsoft.card.adaptive'
      ? (body.value as CardJson)
      : (String(body.value) as unknown as CardJson);
  };
  return { ...t, app, invoke };
}

async function auditOf(store: Deps['store']): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  for (const day of ['2026-11-23']) {
    for await (const { value } of store.audit.listPartition(day)) all.push(value);
  }
  return all;
}

const newWaveForm = (upns: string) => ({
  [WAVE_FORM.name]: 'Wave 1',
  [WAVE_FORM.order]: '1',
  [WAVE_FORM.source]: 'list',
  [WAVE_FORM.upns]: upns,
  [WAVE_FORM.caMode]: 'grace',
  [WAVE_FORM.graceEndsAt]: '2026-12-31',
});

describe('admin: access, waves, gate and announcements', () => {
  it('refuses people who are not admins, for the chat word and for every card verb, and writes nothing', async () => {
    const h = await setup();
    const { replies } = await runTurn(h.app, personalMessage('admin', { from: NOT_ADMIN }));
    assert.match(textIn(replies[0]?.attachments?.[0]?.content), /This is for migration admins/);
    for (const verb of Object.values(ADMIN_VERBS)) {
      const card = await h.invoke(verb, { waveId: 'pilot', draftId: 'x', broadcastId: 'x' }, NOT_ADMIN);
      assert.match(textIn(card), /This is for migration admins/, verb);
    }
    assert.equal((await h.store.waves.get(waveKey('pilot')))?.value.gateOverride, undefined);
    assert.equal(h.store.broadcasts.rows.size, 0);
  });

  it('knows admins by the directory UPN or by (transitive) admin group membership, never by card data', async () => {
    const h = await setup();
    h.deps.config = { ...h.deps.config, admins: { groupId: 'admins-group', upns: [] } };
    h.directory.groups.set('admins-group', { name: 'Migration Admins', memberIds: [MEGAN.aadObjectId] });
    clearAdminCache();
    const asMegan = await h.invoke(ADMIN_VERBS.home, {}, MEGAN);
    assert.doesNotMatch(textIn(asMegan), /This is for migration admins/);
    const asAlex = await h.invoke(ADMIN_VERBS.home, { admin: true, aadObjectId: MEGAN.aadObjectId });
    assert.match(textIn(asAlex), /This is for migration admins/);
  });

  it('"admin" opens the admin home with the waves', async () => {
    const h = await setup();
    const { replies } = await runTurn(h.app, personalMessage('admin'));
    const card = replies[0]?.attachments?.[0]?.content;
    assert.match(textIn(card), /Pilot/);
    assert.ok(actionByVerb(card, ADMIN_VERBS.editWave), 'the home offers a new wave');
  });

  it('"admin" in a team channel does not show campaign data there, even to an admin', async () => {
    const h = await setup();
    const inChannel = {
      ...personalMessage('admin'),
      conversation: { id: '19:general@thread.tacv2', conversationType: 'channel', isGroup: true, name: '' },
      channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2' } },
    } as Partial<Activity>;
    const { replies } = await runTurn(h.app, inChannel);
    for (const r of replies) assert.doesNotMatch(textIn(r.attachments?.[0]?.content), /Pilot/);
  });

  it('creates a wave from a pasted list: preview first (bad rows with line numbers), nothing stored until saved', async () => {
    const h = await setup();
    const preview = await h.invoke(
      ADMIN_VERBS.previewWave,
      newWaveForm('isaiah@example.com\nnot-a-upn\npattif@example.com\nnobody@example.com'),
    );
    const text = textIn(preview);
    assert.match(text, /Line 2: not-a-upn/);
    assert.match(text, /Line 4: nobody@example.com — no such user in the directory/);
    assert.equal(await h.store.waves.get(waveKey('wave-1')), undefined, 'nothing saved by a preview');
    const save = actionByVerb(preview, ADMIN_VERBS.saveWave);
    assert.ok(save);
    assert.match(save.title, /2 new members/);

    const after = await h.invoke(ADMIN_VERBS.saveWave, save.data);
    assert.match(textIn(after), /2 people were added/);
    const wave = (await h.store.waves.get(waveKey('wave-1')))?.value;
    assert.equal(wave?.state, 'draft');
    assert.deepEqual(wave?.conditionalAccess.kind, 'grace');
    for (const u of [ISAIAH, PATTI]) {
      assert.equal((await h.store.participants.get(participantKey(u.id)))?.value.waveId, 'wave-1');
    }
    const audit = await auditOf(h.store);
    assert.ok(
      audit.some(
        (e) => e.action === 'wave.create' && e.target === 'wave-1' && e.actorAadObjectId === ALEX.aadObjectId,
      ),
    );

    const again = await h.invoke(ADMIN_VERBS.saveWave, save.data);
    assert.match(textIn(again), /expired or belongs to someone else/, 'a draft is used once');
  });

  it('answers a slow action within the invoke budget with a "still working" card, then replaces it with the answer', async () => {
    const h = await setup();
    await h.invoke(ADMIN_VERBS.home);
    h.directory.delayMs = 500; // each directory look-up takes longer than the whole budget (300 ms here)
    const working = await h.invoke(
      ADMIN_VERBS.previewWave,
      newWaveForm('isaiah@example.com\nnot-a-upn\npattif@example.com'),
    );
    assert.match(textIn(working), /Still working on it/);
    assert.equal(h.messenger.updated.length, 0, 'not replaced yet');
    await settleBackground(5_000);
    const [update] = h.messenger.updated;
    assert.ok(update, 'the card was replaced when the preview was ready');
    assert.equal(update.activityId, 'card-activity-1');
    assert.equal(update.to.conversationId, `a:personal-${ALEX.id}`);
    const preview = update.message.card as CardJson;
    assert.match(textIn(preview), /Line 2: not-a-upn/);
    const save = actionByVerb(preview, ADMIN_VERBS.saveWave);
    assert.match(String(save?.title), /2 new members/);
    h.directory.delayMs = 0;
    const after = await h.invoke(ADMIN_VERBS.saveWave, save!.data);
    assert.match(textIn(after), /2 people were added/);
  });

  it('keeps a user in one wave: someone already in the pilot is reported and stays there', async () => {
    const h = await setup();
    const preview = await h.invoke(
      ADMIN_VERBS.previewWave,
      newWaveForm('meganb@example.com, isaiah@example.com'),
    );
    assert.match(textIn(preview), /meganb@example.com.*Pilot/s);
    const save = actionByVerb(preview, ADMIN_VERBS.saveWave)!;
    assert.match(save.title, /1 new members/);
    await h.invoke(ADMIN_VERBS.saveWave, save.data);
    assert.equal((await h.store.participants.get(participantKey(MEGAN.aadObjectId)))?.value.waveId, 'pilot');
    assert.equal(await h.store.waveMembers.get(waveMemberKey('wave-1', MEGAN.aadObjectId)), undefined);
  });

  it('only the admin who made a draft can save it', async () => {
    const h = await setup();
    h.deps.config = { ...h.deps.config, admins: { upns: ['alexw@example.com', 'meganb@example.com'] } };
    clearAdminCache();
    const preview = await h.invoke(ADMIN_VERBS.previewWave, newWaveForm('isaiah@example.com'));
    const save = actionByVerb(preview, ADMIN_VERBS.saveWave)!;
    const asMegan = await h.invoke(ADMIN_VERBS.saveWave, save.data, MEGAN);
    assert.match(textIn(asMegan), /belongs to someone else/);
    assert.equal(await h.store.waves.get(waveKey('wave-1')), undefined);
  });

  it('shows the editor again with every problem when the form is wrong', async () => {
    const h = await setup();
    const card = await h.invoke(ADMIN_VERBS.previewWave, {
      ...newWaveForm(''),
      [WAVE_FORM.graceEndsAt]: '31/12',
    });
    const text = textIn(card);
    assert.match(text, /Grace period ends on: "31\/12" is not a date/);
    assert.match(text, /User principal names: required/);
    assert.equal(h.store.jobState.rows.size, 0, 'no draft for an invalid form');
  });

  it('blocks the next wave behind a failed gate until an admin overrides it with a written reason (audited)', async () => {
    const h = await setup({ deliveryQueue: undefined });
    const preview = await h.invoke(
      ADMIN_VERBS.previewWave,
      newWaveForm('isaiah@example.com, pattif@example.com'),
    );
    await h.invoke(ADMIN_VERBS.saveWave, actionByVerb(preview, ADMIN_VERBS.saveWave)!.data);

    const blocked = await h.invoke(ADMIN_VERBS.announce, { waveId: 'wave-1' });
    assert.equal(
      actionByVerb(blocked, ADMIN_VERBS.confirmBroadcast),
      undefined,
      'no send button while blocked',
    );
    assert.match(textIn(blocked), /Pilot/);
    assert.equal(h.store.broadcasts.rows.size, 0);

    const override = actionByVerb(blocked, ADMIN_VERBS.overrideGate);
    assert.ok(override, 'the blocked wave offers an override');
    const tooShort = await h.invoke(ADMIN_VERBS.overrideGate, {
      ...override.data,
      [ADMIN_INPUTS.reason]: 'go',
    });
    assert.match(textIn(tooShort), /at least 10 characters/);
    assert.equal((await h.store.waves.get(waveKey('pilot')))?.value.gateOverride, undefined);

    const reason = 'Pilot had too few users to measure; the helpdesk is staffed for wave 1.';
    await h.invoke(ADMIN_VERBS.overrideGate, { ...override.data, [ADMIN_INPUTS.reason]: reason });
    const pilot = (await h.store.waves.get(waveKey('pilot')))?.value;
    assert.equal(pilot?.gateOverride?.reason, reason);
    assert.equal(pilot?.gateOverride?.by, ALEX.aadObjectId);
    const event = (await auditOf(h.store)).find((e) => e.action === 'gate.override');
    assert.equal(event?.reason, reason);
    assert.deepEqual(event?.before, { gateOverride: null });

    const allowed = await h.invoke(ADMIN_VERBS.announce, { waveId: 'wave-1' });
    const send = actionByVerb(allowed, ADMIN_VERBS.confirmBroadcast);
    assert.ok(send);
    assert.equal(send.title, 'Send to 2 people');
    assert.match(textIn(allowed), /Nothing has been sent yet/);
  });

  it('sends only after the explicit confirmation: one queued delivery per recipient, the wave announced', async () => {
    const queue = new InMemoryWorkQueue<DeliveryJob>({ now: () => new Date('2026-11-23T09:00:00Z') });
    const h = await setup({ deliveryQueue: queue });
    const preview = await h.invoke(
      ADMIN_VERBS.previewWave,
      newWaveForm('isaiah@example.com, pattif@example.com'),
    );
    await h.invoke(ADMIN_VERBS.saveWave, actionByVerb(preview, ADMIN_VERBS.saveWave)!.data);
    await h.store.waves.update(waveKey('pilot'), (w) =>
      w
        ? { ...w, gateOverride: { by: ALEX.aadObjectId, reason: 'measured elsewhere', at: '2026-11-23' } }
        : w,
    );
    const announce = await h.invoke(ADMIN_VERBS.announce, { waveId: 'wave-1' });
    const send = actionByVerb(announce, ADMIN_VERBS.confirmBroadcast)!;
    assert.equal(queue.enqueued, 0, 'a preview sends nothing');

    const stale = await h.invoke(ADMIN_VERBS.confirmBroadcast, { ...send.data, recipientCount: 5 });
    assert.match(textIn(stale), /number of recipients changed/);

    await h.invoke(ADMIN_VERBS.confirmBroadcast, send.data);
    const id = String(send.data.broadcastId);
    await queueRecipients(h.deps, broadcastHooks(h.deps), id);
    assert.equal(queue.enqueued, 1, 'one delivery job carries both recipients');
    const job = new BroadcastJob(h.deps, broadcastHooks(h.deps));
    const deliveries: string[] = [];
    const broadcast = (await h.store.broadcasts.get(broadcastKey(id)))!.value;
    for await (const { value } of listDeliveries(h.store, broadcast)) {
      deliveries.push(`${value.aadObjectId}:${value.state}`);
    }
    assert.deepEqual(deliveries.sort(), [`${ISAIAH.id}:queued`, `${PATTI.id}:queued`]);
    assert.equal((await h.store.waves.get(waveKey('wave-1')))?.value.state, 'announced');
    assert.equal(
      (await h.store.broadcasts.get(broadcastKey(id)))?.value.progressCard?.activityId,
      'card-activity-1',
    );

    const twice = await h.invoke(ADMIN_VERBS.confirmBroadcast, send.data);
    assert.doesNotMatch(textIn(twice), /Send to/);
    await job.runOnce();
    assert.equal(queue.enqueued, 1, 'confirming again sends nothing more');
  });

  it('answers forged or malformed card data with a specific error, changing nothing', async () => {
    const h = await setup();
    const card = await h.invoke(ADMIN_VERBS.openWave, { waveId: { $ne: 1 } });
    assert.match(textIn(card), /cannot use \(wave\)/);
    const gone = await h.invoke(ADMIN_VERBS.openWave, { waveId: 'no-such-wave' });
    assert.match(textIn(gone), /no wave "no-such-wave"/);
    const p = (await h.store.participants.get(participantKey(MEGAN.aadObjectId)))?.value as Participant;
    assert.equal(p.waveId, 'pilot');
  });
});

describe('admin: wave names that look like template expressions', () => {
  it('refuses them with a clear problem and still shows the editor', async () => {
    const h = await setup();
    const card = await h.invoke(ADMIN_VERBS.previewWave, {
      ...newWaveForm('isaiah@example.com'),
      [WAVE_FORM.name]: 'Wave ${1+1}',
    });
    assert.match(textIn(card), /Name: contains a dollar sign directly followed by a curly brace/);
    assert.equal(h.store.jobState.rows.size, 0);
  });
});

describe('admin: a CSV file sent in the chat', () => {
  it('lists bad rows with line numbers, imports nothing, then imports into the wave the admin picks', async () => {
    const { createServer } = await import('node:http');
    const csv = 'upn;name\r\nisaiah@example.com;Isaiah\r\nbroken-row;X\r\npattif@example.com;Patti\r\n';
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(csv);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const h = await setup();
      await h.store.waves.insert(waveKey('ring-1'), {
        ...PILOT,
        id: 'ring-1',
        name: 'Ring 1',
        order: 1,
        state: 'draft',
      });
      const message = {
        ...personalMessage(''),
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.file.download.info',
            name: 'ring-1.csv',
            content: { downloadUrl: `http://127.0.0.1:${port}/ring-1.csv`, fileType: 'csv', uniqueId: 'f1' },
          },
        ],
      };
      const { replies } = await runTurn(h.app, message);
      const card = replies[0]?.attachments?.[0]?.content;
      assert.match(textIn(card), /Line 3: broken-row — not a user principal name/);
      assert.equal((await h.store.participants.get(participantKey(ISAIAH.id)))?.value.waveId, undefined);
      const into = executes(card).find(
        (a) => a.verb === ADMIN_VERBS.previewWave && a.data.waveId === 'ring-1',
      );
      assert.ok(into, 'offers the open waves');

      const preview = await h.invoke(ADMIN_VERBS.previewWave, into.data);
      assert.match(textIn(preview), /Line 3: broken-row/);
      const save = actionByVerb(preview, ADMIN_VERBS.saveWave)!;
      assert.match(save.title, /2 new members/);
      await h.invoke(ADMIN_VERBS.saveWave, save.data);
      assert.equal((await h.store.participants.get(participantKey(ISAIAH.id)))?.value.waveId, 'ring-1');
      assert.deepEqual((await h.store.waves.get(waveKey('ring-1')))?.value.source, {
        kind: 'csv',
        fileName: 'ring-1.csv',
        count: 2,
      });
    } finally {
      server.close();
    }
  });

  it('answers a large file at once with a "still working" card, replaced in place by the preview', async () => {
    const { createServer } = await import('node:http');
    const csv = 'upn\r\nisaiah@example.com\r\npattif@example.com\r\n';
    // The file arrives slower than the whole budget (300 ms here).
    const server = createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end(csv);
      }, 500);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const h = await setup();
      await h.invoke(ADMIN_VERBS.home);
      const { replies } = await runTurn(h.app, {
        ...personalMessage(''),
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.file.download.info',
            name: 'wave.csv',
            content: { downloadUrl: `http://127.0.0.1:${port}/wave.csv`, fileType: 'csv', uniqueId: 'f2' },
          },
        ],
      });
      assert.equal(replies.length, 1);
      assert.match(textIn(replies[0]?.attachments?.[0]?.content), /Still working on it/);
      await settleBackground(5_000);
      const [update] = h.messenger.updated;
      assert.ok(update, 'the working card was replaced');
      assert.equal(update.activityId, replies[0]?.id);
      assert.match(textIn(update.message.card), /Import from wave\.csv/);
      assert.doesNotMatch(textIn(update.message.card), /Still working/);
    } finally {
      server.close();
    }
  });

  it('refuses a file from a non-admin without downloading it', async () => {
    let downloads = 0;
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      downloads++;
      res.end('upn\nisaiah@example.com\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const h = await setup();
      const { replies } = await runTurn(h.app, {
        ...personalMessage('', { from: NOT_ADMIN }),
        attachments: [
          { contentType: 'text/csv', name: 'x.csv', contentUrl: `http://127.0.0.1:${port}/x.csv` },
        ],
      });
      assert.match(textIn(replies[0]?.attachments?.[0]?.content), /This is for migration admins/);
      assert.equal(downloads, 0);
    } finally {
      server.close();
    }
  });
});

describe('admin: stragglers, nudges, retirement and exports', () => {
  it('lists who is not done, nudges one of them, and offers the reminder broadcast', async () => {
    const h = await setup();
    await h.store.participants.update(participantKey(MEGAN.aadObjectId), (p) =>
      p
        ? {
            ...p,
            conversation: {
              serviceUrl: 'https://smba.example/teams/',
              channelId: 'msteams',
              conversationId: 'a:megan',
              botId: 'bot',
              userId: MEGAN.id,
            },
          }
        : p,
    );
    const list = await h.invoke(ADMIN_VERBS.stragglers, { waveId: 'pilot' });
    const text = textIn(list);
    assert.match(text, /Megan Bowen/);
    assert.match(text, /Alex Wilber/);
    assert.ok(actionByVerb(list, ADMIN_VERBS.remindStragglers), 'offers a reminder to all of them');
    const nudge = executes(list).find(
      (a) => a.verb === ADMIN_VERBS.nudge && a.data.aadObjectId === MEGAN.aadObjectId,
    )!;
    const banner = await h.invoke(ADMIN_VERBS.nudge, nudge.data);
    assert.match(String(banner), /Megan Bowen got a reminder/);
    assert.equal(h.messenger.sent.length, 1);
    assert.equal(h.messenger.sent[0]?.to.conversationId, 'a:megan');
    assert.ok(
      (await auditOf(h.store)).some(
        (e) => e.action === 'participant.nudge' && e.target === MEGAN.aadObjectId,
      ),
    );
  });

  it('names the devices the old MDM itself still lists on the retirement report, with their owner', async () => {
    const h = await setup();
    await h.store.oldMdmDevices.insert(inventoryKey('workspace-one', '7'), {
      source: 'workspace-one',
      vendor: 'workspace-one',
      vendorId: '7',
      name: "Megan's iPhone",
      platform: 'ios',
      ownership: 'corporate',
      enrollment: 'enrolled',
      firstSeenAt: '2026-11-20T00:00:00Z',
      lastSyncedAt: '2026-11-20T00:00:00Z',
      person: { aadObjectId: MEGAN.aadObjectId, by: 'upn' },
    });
    const text = textIn(await h.invoke(ADMIN_VERBS.retireReport));
    assert.match(text, /Not yet/);
    assert.match(text, /Devices the old MDM still lists/);
    assert.match(text, /Still listed by the old MDM \(1\)/);
    assert.match(text, /Megan's iPhone \(Workspace ONE\), Megan Bowen/);
  });

  it('says the old MDM cannot be retired while people remain, and issues a signed 15-minute export link', async () => {
    const h = await setup();
    const report = await h.invoke(ADMIN_VERBS.retireReport);
    assert.match(textIn(report), /Not yet/);
    const links = await h.invoke(ADMIN_VERBS.exportCsv, { kind: 'participants', waveId: 'pilot' });
    const url = nodes(links).find((n) => n.type === 'Action.OpenUrl')?.url as string;
    assert.match(url, /^https:\/\/bot\.example\.com\/exports\/participants\.csv\?.*sig=/);
    assert.match(textIn(links), /works for 15 minutes/);
    assert.ok((await auditOf(h.store)).some((e) => e.action === 'export.link'));
  });
});
