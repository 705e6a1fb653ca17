/**
 * Logs without personal data, checked on the real flows: the app (createApp) and the workers run
 * against Azurite, the tenant simulator and the Workspace ONE simulator over HTTP, with a pino
 * logger at debug level writing into memory. Then no line may hold a demo user's name, UPN or mail,
 * a serial number, IMEI or UDID of a demo device, or what a user typed.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Activity } from 'botbuilder';
import { createApp } from '../../src/app';
import type { Deps } from '../../src/deps';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { startTenantSimulator, type TenantSimulator } from '../../src/dev/tenant-sim';
import { demoSeed } from '../../src/dev/tenant-sim/demo';
import {
  demoDevices,
  startWorkspaceOneSimulator,
  type WorkspaceOneSimulator,
} from '../../src/dev/workspace-one-sim';
import type { DeliveryJob } from '../../src/domain/broadcast';
import { escalationKey } from '../../src/domain/escalation';
import type { Escalation } from '../../src/domain/escalation-model';
import { clearAdminCache } from '../../src/features/admin/admin-access';
import { broadcastHooks } from '../../src/features/admin/announce-service';
import { confirm, createDraft, queueRecipients } from '../../src/features/broadcast/broadcast-service';
import { onProgress } from '../../src/features/journey/on-progress';
import { purgeRound } from '../../src/features/privacy/purge';
import { credentialFor } from '../../src/integrations/graph/credential';
import { GraphApi } from '../../src/integrations/graph/graph-api';
import { GraphDeviceChanges } from '../../src/integrations/graph/graph-device-changes';
import { GraphDeviceDirectory } from '../../src/integrations/graph/graph-device-directory';
import { WorkspaceOneInventory } from '../../src/integrations/workspace-one/ws1-inventory';
import { createLogger } from '../../src/logging';
import { settleBackground } from '../../src/shared/background';
import { ADMIN_VERBS, WAVE_FORM } from '../../src/verbs/admin';
import { HELPDESK_VERBS } from '../../src/verbs/helpdesk';
import { EXTENSION_COMMANDS } from '../../src/verbs/message-extension';
import { BroadcastSender } from '../../src/workers/broadcast-sender';
import { OldMdmSyncJob } from '../../src/workers/old-mdm-sync';
import { ProgressRefresher } from '../../src/workers/progress-refresher';
import { ReminderJob } from '../../src/workers/reminders';
import { searchInvoke } from '../features/message-extension/extension-activities';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps } from '../helpers/activities';
import { testConfig } from '../helpers/config';
import { HELPDESK_CHANNEL, MEGAN } from '../helpers/demo';
import { FakeRateGate } from '../helpers/fake-rate-gate';
import { freshStorage } from '../helpers/storage';

/** What the stuck users type: words only they wrote, so any appearance in a log is a leak. */
const TYPED = [
  "I'm stuck, the purple giraffe profile will not leave my phone",
  'I am still stuck: the tangerine error code keeps coming back',
];

type Action = { type: string; title: string; verb?: string; data?: Record<string, unknown> };

function actionsOf(card: unknown): Action[] {
  const out: Action[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.Execute') out.push(n as unknown as Action);
      for (const v of Object.values(n)) walk(v);
    }
  };
  walk(card);
  return out;
}

function press(card: unknown, verb: string, from = ALEX): Partial<Activity> {
  const action = actionsOf(card).find((a) => a.verb === verb);
  assert.ok(action, `no ${verb} among ${actionsOf(card).map((a) => a.verb)}`);
  return cardAction(verb, action.data ?? {}, { from });
}

function inHelpdeskChannel(activity: Partial<Activity>, cardId: string): Partial<Activity> {
  return {
    ...activity,
    replyToId: cardId,
    conversation: {
      id: `${HELPDESK_CHANNEL};messageid=${cardId}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: 'tenant-1',
      name: '',
    },
  };
}

/** Every personal value the demo tenant and the demo Workspace ONE inventory hold. */
function demoPersonalValues(): string[] {
  const seed = demoSeed();
  const values = new Set<string>(TYPED);
  for (const u of seed.users) {
    for (const v of [u.displayName, u.userPrincipalName, u.mail]) if (v) values.add(v);
  }
  for (const d of seed.devices) {
    for (const v of [d.serialNumber, d.imei, d.udid]) if (v) values.add(v);
  }
  for (const d of demoDevices()) {
    for (const v of [d.serialNumber, d.imei, d.udid, d.userName, d.userEmail]) if (v) values.add(v);
  }
  return [...values].filter((v) => v.length >= 6);
}

interface World {
  deps: Deps;
  app: Application<TurnState>;
  tenant: TenantSimulator;
  ws1: WorkspaceOneSimulator;
  graph: GraphApi;
  lines: string[];
  messenger: ReturnType<typeof testDeps>['messenger'];
}

async function world(): Promise<World> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const tenant = await startTenantSimulator({ seed: 'demo' });
  const ws1 = await startWorkspaceOneSimulator({});
  const storage = await freshStorage();
  const graph = new GraphApi({
    baseUrl: tenant.url,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: 2,
    sleep: async () => {},
  });
  const inventory = new WorkspaceOneInventory(
    {
      apiUrl: ws1.url,
      tokenUrl: ws1.tokenUrl,
      clientId: ws1.client.clientId,
      clientSecret: ws1.client.clientSecret,
      tenantCode: ws1.tenantCode,
    },
    { sleep: async () => undefined, maxAttempts: 2, logger },
  );
  clearAdminCache();
  const t = testDeps({
    store: storage.store,
    directory: new GraphDeviceDirectory(graph),
    logger,
    invokeBudgetMs: 4_000,
    deliveryQueue: storage.queue<DeliveryJob>('deliveries'),
    oldMdmSources: [{ inventory, platforms: [] }],
    config: testConfig({
      GRAPH_BASE_URL: tenant.url,
      HELPDESK_CHANNEL_ID: HELPDESK_CHANNEL,
      ADMIN_UPNS: ALEX.upn,
      EXPORT_SIGNING_KEY: 'k'.repeat(40),
      BOT_APP_ID: 'bot',
      LOG_LEVEL: 'debug',
    }),
    helpdeskRoster: { members: async () => [{ aadObjectId: MEGAN.aadObjectId, name: MEGAN.name }] },
  });
  tenant.tenant.now = () => t.clock.now();
  await seedDemoCampaign(storage.store, t.clock.now());
  return { deps: t.deps, app: createApp(t.deps), tenant, ws1, graph, lines, messenger: t.messenger };
}

describe('privacy: the main flows log no personal data (Azurite, tenant and Workspace ONE simulators)', () => {
  let w: World;
  before(async function () {
    this.timeout(120_000);
    w = await world();
  });
  after(async () => {
    await w.tenant.close();
    await w.ws1.stop();
  });

  it('runs welcome, start, check, stuck, helpdesk, import, broadcast, sync, refresh, export, erasure and purge', async function () {
    this.timeout(120_000);
    const { app, deps } = w;
    // A user: welcome, start, "Check my device", stuck with typed text, and more typed text.
    await runTurn(app, personalMessage('hello'));
    const start = cardOf((await runTurn(app, personalMessage('start'))).replies[0]);
    const checked = await runTurn(app, press(start, 'journey.check'));
    assert.equal(checked.invokeResponse?.status, 200);
    // Graph failing while a user checks: the error and its request (which names the user) are logged.
    w.tenant.faults.add({ status: 503, times: 6 });
    await runTurn(app, press(cardOf(checked.invokeResponse), 'journey.check'));
    w.tenant.faults.clear();
    for (const text of TYPED) await runTurn(app, personalMessage(text));
    await settleBackground();
    const ticket = (await deps.store.escalations.get(escalationKey(ALEX.aadObjectId)))?.value as Escalation;
    assert.ok(ticket?.cardActivityId, 'the ticket reached the helpdesk channel');

    // The helpdesk: an agent assigns it to themself.
    const assigned = await runTurn(
      app,
      inHelpdeskChannel(
        cardAction(HELPDESK_VERBS.assignMe, { ticket: ticket.ticketId, v: ticket.version }, { from: MEGAN }),
        ticket.cardActivityId,
      ),
    );
    assert.equal(assigned.invokeResponse?.status, 200);

    // The helpdesk looks people up by name in the message extension.
    const found = await runTurn(
      app,
      searchInvoke(EXTENSION_COMMANDS.searchStatus, 'megan bow', { from: MEGAN }),
    );
    assert.equal(found.invokeResponse?.status, 200);

    // An admin imports members into a new wave (preview, then save).
    const preview = cardOf(
      (
        await runTurn(
          app,
          cardAction(ADMIN_VERBS.previewWave, {
            [WAVE_FORM.name]: 'Wave 1',
            [WAVE_FORM.order]: '1',
            [WAVE_FORM.source]: 'list',
            [WAVE_FORM.upns]: 'isaiah@example.com\npattif@example.com\nnobody-here@example.com',
            [WAVE_FORM.caMode]: 'none',
          }),
        )
      ).invokeResponse,
    );
    const saved = await runTurn(app, press(preview, ADMIN_VERBS.saveWave));
    assert.equal(saved.invokeResponse?.status, 200);
    await settleBackground();

    // A broadcast to the pilot, delivered by the sender with the real hooks.
    const hooks = broadcastHooks(deps);
    const actor = { aadObjectId: ALEX.aadObjectId, name: ALEX.name };
    const draft = await createDraft(deps, { kind: 'announcement', waveId: 'pilot', createdBy: actor }, 3);
    await confirm(deps, hooks, draft.id, { actor });
    const sending = await queueRecipients(deps, hooks, draft.id);
    assert.ok(sending);
    const sender = new BroadcastSender(deps, hooks, new FakeRateGate(), { broadcastCacheMs: 0 });
    for (const job of await deps.deliveryQueue!.receive(32, 30)) await sender.handle(job);
    assert.ok(w.messenger.sent.length > 0, 'the broadcast went out');

    // The old MDM's inventory (serials, IMEIs, user names) synced and matched, then a refresh and reminders.
    const sync = new OldMdmSyncJob(deps, deps.oldMdmSources!, { syncMinutes: 15, fullSyncHours: 24 });
    const [report] = await sync.runOnce();
    assert.ok(report?.ok && report.listed > 0, 'the inventory was read');
    const refresher = new ProgressRefresher({
      changes: new GraphDeviceChanges(w.graph, deps.logger),
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      onChanged: onProgress(deps),
    });
    await refresher.runCycle();
    await new ReminderJob(deps).runOnce();

    // Privacy: an export link and an erasure (confirmation, then the button).
    await runTurn(app, personalMessage(`export ${MEGAN.upn}`));
    const confirmCard = cardOf((await runTurn(app, personalMessage(`erase ${MEGAN.upn}`))).replies[0]);
    const erased = await runTurn(app, press(confirmCard, 'privacy.erase.confirm'));
    assert.equal(erased.invokeResponse?.status, 200);
    await purgeRound(deps);
    await settleBackground();

    const out = w.lines.join('');
    for (const msg of [
      'escalation card posted',
      'helpdesk action applied',
      'broadcast recorded; sending',
      'old MDM sync done',
      'old MDM matching pass done',
      'privacy: person erased',
    ])
      assert.ok(out.includes(`"msg":"${msg}"`), `the flows logged "${msg}"`);
    assert.match(out, /"level":50[^\n]*"err"/, 'the Graph failure was logged with its error');
    assert.ok(out.includes('"name":"GraphRequestError"'), "an error's class name is no person's name");
    assert.ok(out.includes(ALEX.aadObjectId), 'ids are logged instead');
    assert.ok(out.includes(HELPDESK_CHANNEL), 'a channel id is no e-mail address: it stays readable');
    const leaks = demoPersonalValues().filter((v) => out.toLowerCase().includes(v.toLowerCase()));
    const where = leaks.map((v) => w.lines.find((l) => l.toLowerCase().includes(v.toLowerCase())));
    assert.deepEqual(leaks, [], `personal data in the logs:\n${where.join('')}`);
  });
});
