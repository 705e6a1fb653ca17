import assert from 'node:assert/strict';
import type { TurnContext } from 'botbuilder';
import { renderWaveAnnouncementCard } from '../../../src/cards/wave-announcement-card';
import type { Deps } from '../../../src/deps';
import { seedDemoCampaign } from '../../../src/dev/demo-campaign';
import { startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { setPolicies } from '../../../src/dev/tenant-sim/conditional-access';
import demo from '../../../src/dev/tenant-sim/demo-policies.json';
import { type Wave, waveKey } from '../../../src/domain/campaign';
import { participantKey } from '../../../src/domain/participant';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import type { AdminTurn } from '../../../src/features/admin/admin-turn';
import { announcePreview } from '../../../src/features/admin/announce-service';
import {
  overrideImmediate,
  recordOldMdmChange,
  waveRunbookCard,
} from '../../../src/features/runbook/runbook-service';
import { translator } from '../../../src/i18n';
import { GraphConditionalAccess } from '../../../src/integrations/graph/conditional-access';
import { GraphDeviceDirectory } from '../../../src/integrations/graph/graph-device-directory';
import { ConditionalAccessError } from '../../../src/ports/conditional-access';
import { ADMIN_VERBS } from '../../../src/verbs/admin';
import { RUNBOOK_INPUTS, RUNBOOK_VERBS } from '../../../src/verbs/runbook';
import { GraceEndJob } from '../../../src/workers/grace-end';
import { ALEX, testDeps, textOf } from '../../helpers/activities';
import { testConfig } from '../../helpers/config';
import type { FakeClock, InMemoryStore, RecordingMessenger } from '../../helpers/fakes';
import { simulatorGraphApi } from '../../integrations/graph/simulator-graph';

const DAY = 86_400_000;
const PILOT_GROUP = '00000000-0000-0000-0000-000000000041';

describe('runbook and conditional access (tenant simulator over HTTP)', () => {
  let sim: TenantSimulator;
  let deps: Deps;
  let store: InMemoryStore;
  let messenger: RecordingMessenger;
  let clock: FakeClock;

  beforeEach(async () => {
    clearAdminCache();
    sim = await startTenantSimulator({ seed: 'demo' });
    const graph = simulatorGraphApi(sim, { fastSleep: true }).api;
    const t = testDeps({
      config: testConfig({ ADMIN_UPNS: 'alexw@example.com', DEFAULT_TIME_ZONE: 'Europe/Stockholm' }),
      directory: new GraphDeviceDirectory(graph),
      conditionalAccess: new GraphConditionalAccess(graph),
      invokeBudgetMs: 4_000,
    });
    ({ deps, store, messenger, clock } = t);
    await seedDemoCampaign(store, clock.now());
    // Alex has talked to the bot: the admins' cards reach him there.
    await store.participants.update(participantKey(ALEX.aadObjectId), (p) =>
      p
        ? {
            ...p,
            conversation: {
              serviceUrl: 'https://smba.example/',
              channelId: 'msteams',
              conversationId: 'a:alex',
              botId: 'bot',
              userId: ALEX.id,
            },
          }
        : undefined,
    );
  });
  afterEach(async () => {
    await sim.close();
  });

  // The use cases as their routes call them, for Alex (an admin by ADMIN_UPNS).
  const turn = (): AdminTurn => ({
    deps,
    actor: { aadObjectId: ALEX.aadObjectId, name: ALEX.name },
    audience: { language: 'en', locale: 'en-GB', timeZone: 'Europe/Stockholm', t: translator('en') },
    now: clock.now(),
    context: { activity: {} } as TurnContext,
  });
  const invoke = async (verb: string, data: Record<string, unknown>): Promise<unknown> => {
    const d = data as { waveId: string } & Record<string, string>;
    switch (verb) {
      case RUNBOOK_VERBS.open:
        return waveRunbookCard(turn(), d.waveId);
      case RUNBOOK_VERBS.recordOldMdm:
        return recordOldMdmChange(turn(), d.waveId, d[RUNBOOK_INPUTS.note] ?? '');
      case RUNBOOK_VERBS.overrideImmediate:
        return overrideImmediate(turn(), d.waveId, d[RUNBOOK_INPUTS.reason] ?? '');
      case ADMIN_VERBS.announce:
        return announcePreview(turn(), d.waveId);
      default:
        throw new Error(`no use case for ${verb}`);
    }
  };
  const pilot = async () => (await store.waves.get(waveKey('pilot')))!.value;
  const setPilot = (change: Partial<Wave>) =>
    store.waves.update(waveKey('pilot'), (w) => (w ? { ...w, ...change } : undefined));

  it("reads the demo policy in Graph's wire format: report-only, Office 365, the Pilot group", async () => {
    const { policies, requests } = await new GraphConditionalAccess(
      simulatorGraphApi(sim).api,
    ).listPolicies();
    assert.equal(requests, 1);
    const p = policies.find((x) => x.displayName.startsWith('Require compliant device'))!;
    assert.equal(p.state, 'enabledForReportingButNotEnforced');
    assert.deepEqual(p.users.includeGroups, [PILOT_GROUP]);
    assert.deepEqual(p.grant, { operator: 'OR', builtInControls: ['compliantDevice', 'domainJoinedDevice'] });
  });

  it('a 403 on the policies endpoint is a permission error naming Policy.Read.All', async () => {
    sim.faults.add({ path: '/identity/conditionalAccess/policies', status: 403, times: Infinity });
    await assert.rejects(
      new GraphConditionalAccess(simulatorGraphApi(sim).api).listPolicies(),
      (err: unknown) =>
        err instanceof ConditionalAccessError &&
        err.kind === 'permission' &&
        /Policy\.Read\.All/.test(err.message),
    );
  });

  it('the Pilot runbook shows the policy as report-only covering its members; recording the old-MDM change is audited', async () => {
    const card = await invoke(RUNBOOK_VERBS.open, { waveId: 'pilot' });
    const text = textOf(card);
    assert.match(text, /Runbook: Pilot/);
    assert.match(text, /Require compliant device for Office 365: report-only, includes 3 of 3 members/);
    assert.match(text, /2\. Change the old MDM's conditional access\nWaiting/);
    assert.match(text, /Not visible to the product: an admin records it/);

    const done = await invoke(RUNBOOK_VERBS.recordOldMdm, {
      waveId: 'pilot',
      [RUNBOOK_INPUTS.note]: 'Workspace ONE compliance policy scoped away from the Pilot smart group',
    });
    assert.match(textOf(done), /Recorded: the old MDM's conditional access no longer covers Pilot/);
    assert.match(textOf(done), /Recorded by Alex Wilber on .*: Workspace ONE compliance policy/);
    const audit = store.audit.values().find((e) => e.action === 'runbook.old-mdm-ca.record');
    assert.ok(audit, 'audited');
    assert.equal(audit.target, 'pilot');
    // The members' cards now state the evaluated fact: a policy switches on at the grace end.
    assert.equal(
      ((await pilot()) as Wave & { accessObserved?: { line: { kind: string } } }).accessObserved?.line.kind,
      'from',
    );
  });

  it('an immediate wave with uncovered members cannot be announced until it is overridden with an audited reason', async () => {
    await setPilot({ state: 'draft', conditionalAccess: { kind: 'immediate' } });
    await invoke(RUNBOOK_VERBS.recordOldMdm, {
      waveId: 'pilot',
      [RUNBOOK_INPUTS.note]: 'Old MDM access policies off for Pilot',
    });
    const blocked = textOf(await invoke(ADMIN_VERBS.announce, { waveId: 'pilot' }));
    assert.match(
      blocked,
      /Not ready to announce: Pilot is 'immediate' but 3 members are not under an enabled policy: Alex Wilber, Megan Bowen, Adele Vance/,
    );

    const short = textOf(
      await invoke(RUNBOOK_VERBS.overrideImmediate, { waveId: 'pilot', [RUNBOOK_INPUTS.reason]: 'go' }),
    );
    assert.match(short, /at least 10 characters/);
    await invoke(RUNBOOK_VERBS.overrideImmediate, {
      waveId: 'pilot',
      [RUNBOOK_INPUTS.reason]: 'Policy goes on at 08:00 tomorrow, before anyone reads the message',
    });
    const audit = store.audit.values().find((e) => e.action === 'runbook.immediate.override');
    assert.equal(audit?.reason, 'Policy goes on at 08:00 tomorrow, before anyone reads the message');
    const preview = textOf(await invoke(ADMIN_VERBS.announce, { waveId: 'pilot' }));
    assert.match(preview, /Nothing has been sent yet/);
  });

  it('an announcement without the old-MDM record is blocked; with the policy enabled, an immediate wave needs no override', async () => {
    await setPilot({ state: 'draft', conditionalAccess: { kind: 'immediate' } });
    assert.match(
      textOf(await invoke(ADMIN_VERBS.announce, { waveId: 'pilot' })),
      /record first that the old MDM's conditional access/,
    );
    setPolicies(
      sim.tenant,
      demo.policies.map((p) => ({ ...p, state: 'enabled' })),
    );
    await invoke(RUNBOOK_VERBS.recordOldMdm, {
      waveId: 'pilot',
      [RUNBOOK_INPUTS.note]: 'Old MDM access policies off for Pilot',
    });
    assert.match(
      textOf(await invoke(ADMIN_VERBS.announce, { waveId: 'pilot' })),
      /Nothing has been sent yet/,
    );
  });

  it('on the grace-end day the admins get "Turn on conditional access for Pilot today" once, and a warning the next day', async () => {
    const job = new GraceEndJob(deps);
    assert.equal((await job.runOnce()).prompted, 0, 'nothing before the grace end');
    await setPilot({
      conditionalAccess: {
        kind: 'grace',
        endsAt: new Date(clock.now().getTime() + 2 * 3_600_000).toISOString(),
      },
    });
    assert.equal((await job.runOnce()).prompted, 1);
    assert.equal((await job.runOnce()).prompted, 0, 'once per wave per local day');
    assert.equal(messenger.sent.length, 1);
    const text = textOf(messenger.sent[0]!.message.card);
    assert.match(text, /Turn on conditional access for Pilot today/);
    assert.match(text, /Policy: Require compliant device for Office 365 \(report-only\)/);
    assert.match(
      text,
      /3 of 3 members have not finished moving their devices to Intune: once the policy is on, they lose email, Teams and SharePoint/,
    );
    clock.advance(DAY);
    assert.equal((await job.runOnce()).prompted, 1);
    assert.match(textOf(messenger.sent[1]!.message.card), /Conditional access for Pilot is still not on/);
    setPolicies(
      sim.tenant,
      demo.policies.map((p) => ({ ...p, state: 'enabled' })),
    );
    clock.advance(DAY);
    assert.deepEqual(await job.runOnce(), { waves: 1, prompted: 0, alreadyOn: 1, failed: 0 });
  });

  it('a 403 on the policies gives the admins a card naming Policy.Read.All', async () => {
    sim.faults.add({ path: '/identity/conditionalAccess/policies', status: 403, times: Infinity });
    await setPilot({ conditionalAccess: { kind: 'grace', endsAt: clock.now().toISOString() } });
    assert.equal((await new GraceEndJob(deps).runOnce()).prompted, 1);
    assert.match(textOf(messenger.sent[0]!.message.card), /Policy\.Read\.All/);
    assert.match(
      textOf(await invoke(RUNBOOK_VERBS.open, { waveId: 'pilot' })),
      /grant the app the application permission Policy\.Read\.All/,
    );
  });

  it("members read the access line from the evaluated state, not only from the wave's label", async () => {
    const t = translator('en');
    const fmt = {
      t,
      locale: 'en-GB',
      timeZone: 'Europe/Stockholm',
      vendor: 'workspace-one' as const,
      devices: [],
    };
    assert.match(
      textOf(renderWaveAnnouncementCard({ ...fmt, wave: await pilot() })),
      /you keep access either way/,
    );
    await invoke(RUNBOOK_VERBS.open, { waveId: 'pilot' });
    assert.match(
      textOf(renderWaveAnnouncementCard({ ...fmt, wave: await pilot() })),
      /From .* your email, Teams and files need a device enrolled in Intune/,
    );
    // Nobody covered: the line says so, although the wave's label says "grace".
    setPolicies(sim.tenant, []);
    await invoke(RUNBOOK_VERBS.open, { waveId: 'pilot' });
    assert.match(
      textOf(renderWaveAnnouncementCard({ ...fmt, wave: await pilot() })),
      /No device requirement is switched on for you/,
    );
  });
});
