import assert from 'node:assert/strict';
import {
  startTenantSimulator,
  type TenantSimulator,
  WORKSPACE_ONE_MDM_APP_ID,
} from '../../src/dev/tenant-sim';
import { type Wave, type WaveState, waveKey, waveMemberKey } from '../../src/domain/campaign';
import type { DeviceEffect } from '../../src/domain/device-changes';
import { deviceOwnerKey } from '../../src/domain/device-owner';
import type { DeviceJourney } from '../../src/domain/journey';
import { openJourney } from '../../src/domain/journey-transition';
import { type Participant, participantKey } from '../../src/domain/participant';
import { credentialFor } from '../../src/integrations/graph/credential';
import { GraphApi } from '../../src/integrations/graph/graph-api';
import { GraphDeviceChanges } from '../../src/integrations/graph/graph-device-changes';
import { GraphDeviceDirectory } from '../../src/integrations/graph/graph-device-directory';
import type { AzureStorage } from '../../src/integrations/storage/azure-storage';
import type { JobState, Repository, Store } from '../../src/ports/store';
import {
  PROGRESS_REFRESH_CURSOR_KEY,
  ProgressRefresher,
  type ProgressRefresherOptions,
} from '../../src/workers/progress-refresher';
import { FakeClock, silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const USERS = {
  alex: { id: '00000000-0000-0000-0000-0000000000020', upn: 'alexw@example.com' },
  megan: { id: '00000000-0000-0000-0000-0000000000021', upn: 'meganb@example.com' },
  adele: { id: '00000000-0000-0000-0000-0000000000022', upn: 'adelev@example.com' },
  isaiah: { id: '00000000-0000-0000-0000-0000000000023', upn: 'isaiah@example.com' },
  patti: { id: '00000000-0000-0000-0000-0000000000024', upn: 'pattif@example.com' },
} as const;
type Who = keyof typeof USERS;

/** The demo's Entra deviceIds, which are also the journeys' device keys. */
const DEVICE = {
  alexIphone: 'a0000000-0000-4000-8000-000000000001',
  alexLaptop: 'a0000000-0000-4000-8000-000000000002',
  meganIpad: 'a0000000-0000-4000-8000-000000000003',
  meganPixel: 'a0000000-0000-4000-8000-000000000004',
  adeleMac: 'a0000000-0000-4000-8000-000000000005',
  adeleIphone: 'a0000000-0000-4000-8000-000000000006',
  adeleTab: 'a0000000-0000-4000-8000-000000000007',
  isaiahPhone: 'a0000000-0000-4000-8000-000000000008',
} as const;

const T0 = new Date('2026-11-23T09:00:00Z');
const MINUTE = 60_000;

function wave(id: string, state: WaveState): Wave {
  return {
    id,
    name: id,
    order: 1,
    state,
    conditionalAccess: { kind: 'none' },
    reminders: { deferralLimit: 3, enabled: true },
    estimatedMinutes: 20,
    createdAt: T0.toISOString(),
  };
}

interface Harness {
  sim: TenantSimulator;
  storage: AzureStorage;
  clock: FakeClock;
  refresher: ProgressRefresher;
  graph: GraphApi;
  changed: { participant: Participant; effects: DeviceEffect[] }[];
  /** A refresher over a different store (e.g. one whose writes fail). */
  refresherWith(store: Store, options?: ProgressRefresherOptions): ProgressRefresher;
  participant(who: Who): Promise<{ value: Participant; etag: string }>;
  journey(who: Who, deviceKey: string): Promise<DeviceJourney>;
  cursor(): Promise<JobState | undefined>;
  /** The next cycle, a minute later, with the simulator's counters reset first. */
  cycle(): ReturnType<ProgressRefresher['runCycle']>;
}

async function harness(): Promise<Harness> {
  const sim = await startTenantSimulator({ seed: 'demo' });
  const clock = new FakeClock(new Date(T0));
  // One clock for both sides, so Graph's timestamps and the refresher's "since" agree.
  sim.tenant.now = () => clock.now();
  const storage = await freshStorage();
  const { store } = storage;
  await store.waves.insert(waveKey('pilot'), wave('pilot', 'active'));
  await store.waves.insert(waveKey('wave-1'), wave('wave-1', 'scheduled'));
  const waveOf: Record<Who, string | undefined> = {
    alex: 'pilot',
    megan: 'pilot',
    adele: 'pilot',
    isaiah: 'wave-1',
    patti: undefined,
  };
  for (const [who, u] of Object.entries(USERS) as [Who, (typeof USERS)[Who]][]) {
    const waveId = waveOf[who];
    const p: Participant = {
      aadObjectId: u.id,
      userPrincipalName: u.upn,
      displayName: who,
      firstSeenAt: T0.toISOString(),
      lastSeenAt: T0.toISOString(),
      version: 1,
      ...(waveId ? { waveId } : {}),
    };
    await store.participants.insert(participantKey(u.id), p);
    if (waveId) {
      await store.waveMembers.insert(waveMemberKey(waveId, u.id), {
        waveId,
        aadObjectId: u.id,
        userPrincipalName: u.upn,
        addedAt: T0.toISOString(),
      });
    }
  }
  const changed: Harness['changed'] = [];
  const graph = new GraphApi({
    baseUrl: sim.url,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: 2,
    sleep: async () => {},
  });
  const refresherWith = (s: Store, options?: ProgressRefresherOptions) =>
    new ProgressRefresher(
      {
        changes: new GraphDeviceChanges(graph, silentLogger),
        store: s,
        clock,
        logger: silentLogger,
        onChanged: async (participant, effects) => {
          changed.push({ participant, effects });
        },
      },
      options,
    );
  const refresher = refresherWith(store);
  const participant = async (who: Who) => {
    const row = await store.participants.get(participantKey(USERS[who].id));
    assert.ok(row, `${who} is stored`);
    return row;
  };
  return {
    sim,
    storage,
    clock,
    refresher,
    graph,
    changed,
    refresherWith,
    participant,
    async journey(who, deviceKey) {
      const j = (await participant(who)).value.journeys?.find((x) => x.deviceKey === deviceKey);
      assert.ok(j, `${who} has a journey for ${deviceKey}`);
      return j;
    },
    async cursor() {
      return (await store.jobState.get(PROGRESS_REFRESH_CURSOR_KEY))?.value;
    },
    async cycle() {
      clock.advance(MINUTE);
      sim.stats.reset();
      changed.length = 0;
      return refresher.runCycle();
    },
  };
}

const stages = (p: Participant): Record<string, string> =>
  Object.fromEntries((p.journeys ?? []).map((j) => [j.deviceKey, j.stage]));

describe('workers: progress refresher (Azurite + tenant simulator)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.sim.close();
  });

  it('first cycle: establishes the baseline and initialises the active wave with one $batch', async () => {
    h.sim.stats.reset();
    const report = await h.refresher.runCycle();
    assert.equal(report.entraResynced, true);
    assert.equal(report.entraRecords, 11, 'the baseline round lists every Entra device once');
    assert.equal(report.participantsInitialised, 3);
    assert.equal(report.perUserLookups, 3);
    assert.equal(report.journeysCreated, 7);
    // managedDevices + devices/delta + troubleshootingEvents + one $batch carrying 3 users × 3 look-ups.
    assert.deepEqual(h.sim.stats.byRoute, {
      'GET /deviceManagement/managedDevices': 1,
      'GET /devices/delta': 1,
      'GET /deviceManagement/troubleshootingEvents': 1,
      'POST /$batch': 1,
    });
    assert.equal(h.sim.stats.batchInner.total, 9);

    const alex = (await h.participant('alex')).value;
    assert.deepEqual(stages(alex), { [DEVICE.alexIphone]: 'notified', [DEVICE.alexLaptop]: 'notified' });
    assert.equal(alex.journeyVersion, 1);
    assert.equal(alex.observedAt, T0.toISOString());
    assert.equal(Object.keys(stages((await h.participant('adele')).value)).length, 3);
    assert.equal((await h.participant('isaiah')).value.journeys, undefined, 'wave-1 is only scheduled');
    assert.equal((await h.participant('patti')).value.journeys, undefined, 'in no wave');
    assert.deepEqual(
      h.changed.map((c) => c.participant.aadObjectId).sort(),
      [USERS.alex.id, USERS.megan.id, USERS.adele.id].sort(),
    );
    const owner = await h.storage.store.deviceOwners.get(deviceOwnerKey(DEVICE.meganIpad));
    assert.deepEqual(owner?.value, {
      aadObjectId: USERS.megan.id.toLowerCase(),
      deviceKey: DEVICE.meganIpad,
    });
    const cursor = await h.cursor();
    assert.match(String(cursor?.deltaLink), /\/devices\/delta\?\$deltatoken=/);
    assert.equal(cursor?.lastCycleStartedAt, T0.toISOString());
  });

  it('moves exactly the journeys whose devices changed, without any per-user look-up', async () => {
    await h.refresher.runCycle();
    const before = {
      alex: await h.participant('alex'),
      megan: await h.participant('megan'),
      adele: await h.participant('adele'),
      isaiah: await h.participant('isaiah'),
    };
    h.clock.advance(20_000);
    h.sim.tenant.unenroll(DEVICE.alexIphone);
    h.sim.tenant.unenroll(DEVICE.adeleMac);
    h.sim.tenant.enroll(DEVICE.adeleMac);
    h.sim.tenant.comply(DEVICE.adeleMac);
    h.sim.tenant.unenroll(DEVICE.isaiahPhone);
    h.sim.tenant.enroll(DEVICE.isaiahPhone);

    const report = await h.cycle();
    assert.equal(report.perUserLookups, 0);
    assert.equal(report.participantsChanged, 2);
    assert.equal(report.devicesChanged, 2);
    assert.equal(report.participantsInactive, 1, "Isaiah's Intune record is seen, and left alone");
    assert.equal(report.unknownDevices, 1, "Isaiah's Entra record has no known owner");
    assert.equal(h.sim.stats.total, 3);

    const alex = await h.participant('alex');
    assert.deepEqual(stages(alex.value), {
      [DEVICE.alexIphone]: 'unenrolled',
      [DEVICE.alexLaptop]: 'notified',
    });
    assert.equal(alex.value.journeyVersion, 2);
    assert.equal(alex.value.observedAt, h.clock.now().toISOString());
    assert.deepEqual(stages((await h.participant('adele')).value), {
      [DEVICE.adeleMac]: 'compliant',
      [DEVICE.adeleIphone]: 'notified',
      [DEVICE.adeleTab]: 'notified',
    });
    assert.equal((await h.participant('megan')).etag, before.megan.etag, 'Megan did nothing: row untouched');
    assert.equal((await h.participant('isaiah')).etag, before.isaiah.etag);
    assert.deepEqual(
      h.changed
        .map((c) => [c.participant.displayName, c.effects.map((e) => `${e.kind}:${e.deviceKey}`)])
        .sort(),
      [
        ['adele', [`card-changed:${DEVICE.adeleMac}`]],
        ['alex', [`card-changed:${DEVICE.alexIphone}`]],
      ],
    );
  });

  it('flags a dual enrollment and escalates it once; removing the old MDM clears the flag', async () => {
    await h.refresher.runCycle();
    h.sim.tenant.enroll(DEVICE.meganPixel);
    await h.cycle();
    const pixel = await h.journey('megan', DEVICE.meganPixel);
    assert.equal(pixel.stage, 'enrolled');
    assert.equal(pixel.flags.dualEnrollment, true);
    assert.equal(pixel.flags.explanation, 'dual-enrollment');
    const [megan] = h.changed;
    assert.deepEqual(
      megan.effects.find((e) => e.kind === 'escalate'),
      {
        kind: 'escalate',
        reason: 'dual-enrollment',
        detail: { partnerMdmAppId: WORKSPACE_ONE_MDM_APP_ID },
        deviceKey: DEVICE.meganPixel,
      },
    );
    assert.deepEqual(
      megan.participant.pendingEscalations?.map((e) => [e.reason, e.deviceKey]),
      [['dual-enrollment', DEVICE.meganPixel]],
    );

    // The Intune record comes again inside the clock-skew margin: no second escalation.
    const again = await h.cycle();
    assert.equal(again.intuneRecords, 1);
    assert.equal(again.participantsChanged, 0);

    h.sim.tenant.unenroll(DEVICE.meganPixel);
    await h.cycle();
    const after = await h.journey('megan', DEVICE.meganPixel);
    assert.equal(after.flags.dualEnrollment, false);
    assert.equal(after.stage, 'enrolled');
    assert.equal((await h.participant('megan')).value.pendingEscalations?.length, 1);
  });

  it('turns an enrollment failure into an escalation with its category, once', async () => {
    await h.refresher.runCycle();
    h.sim.tenant.unenroll(DEVICE.alexIphone);
    h.clock.advance(5_000);
    h.sim.tenant.fail(DEVICE.alexIphone, { failureCategory: 'enrollmentRestrictionsEnforced' });
    const report = await h.cycle();
    assert.equal(report.failureEvents, 1);
    assert.equal(report.escalations, 1);
    const iphone = await h.journey('alex', DEVICE.alexIphone);
    assert.equal(iphone.stage, 'enrolling');
    assert.equal(iphone.flags.explanation, 'enrollment-failed');
    assert.equal(iphone.flags.enrollmentFailure?.category, 'enrollmentRestrictionsEnforced');
    const escalation = h.changed[0].effects.find((e) => e.kind === 'escalate');
    assert.equal(escalation?.kind === 'escalate' && escalation.reason, 'enrollment-failed');
    assert.deepEqual(escalation?.detail, iphone.flags.enrollmentFailure);
    assert.equal(
      (await h.journey('alex', DEVICE.alexLaptop)).stage,
      'notified',
      'pinned on the right device',
    );

    const again = await h.cycle();
    assert.equal(again.failureEvents, 1, 'the event is read again inside the clock-skew margin');
    assert.equal(again.escalations, 0);
    assert.equal((await h.participant('alex')).value.pendingEscalations?.length, 1);
  });

  it('leaves users outside active waves alone until their wave becomes active', async () => {
    await h.refresher.runCycle();
    const isaiah = await h.participant('isaiah');
    const patti = await h.participant('patti');
    h.sim.tenant.unenroll(DEVICE.isaiahPhone);
    h.sim.tenant.enroll(DEVICE.isaiahPhone);
    h.sim.tenant.applyUserAction(USERS.patti.upn, 'enroll');
    h.sim.tenant.applyUserAction(USERS.patti.upn, 'fail');
    const report = await h.cycle();
    assert.equal(report.participantsInactive, 2);
    assert.equal(report.perUserLookups, 0);
    assert.equal((await h.participant('isaiah')).etag, isaiah.etag);
    assert.equal((await h.participant('patti')).etag, patti.etag);

    await h.storage.store.waves.update(waveKey('wave-1'), (w) =>
      w ? { ...w, state: 'announced' } : undefined,
    );
    const activated = await h.cycle();
    assert.equal(activated.participantsInitialised, 1);
    assert.equal(activated.perUserLookups, 1);
    assert.deepEqual(stages((await h.participant('isaiah')).value), { [DEVICE.isaiahPhone]: 'enrolled' });
    assert.equal((await h.participant('patti')).etag, patti.etag);
  });

  it('looks a user up when one of their devices is new to it, and indexes the device', async () => {
    await h.refresher.runCycle();
    h.sim.tenant.seedBulk({
      devices: [
        {
          deviceId: 'a0000000-0000-4000-8000-0000000000aa',
          user: USERS.alex.upn,
          displayName: "Alex's new Pixel",
          operatingSystem: 'Android',
          osVersion: '15',
          model: 'Pixel 9',
          manufacturer: 'Google',
          ownership: 'personal',
          management: 'intune',
          intune: { complianceState: 'compliant', lastSyncDateTime: 'now' },
        },
      ],
    });
    const report = await h.cycle();
    assert.equal(report.perUserLookups, 1);
    assert.equal(report.journeysCreated, 1);
    assert.equal(h.sim.stats.total, 4, 'the three change queries and one $batch');
    assert.equal((await h.journey('alex', 'a0000000-0000-4000-8000-0000000000aa')).stage, 'compliant');
    const owner = await h.storage.store.deviceOwners.get(
      deviceOwnerKey('a0000000-0000-4000-8000-0000000000aa'),
    );
    assert.equal(owner?.value.aadObjectId, USERS.alex.id.toLowerCase());
  });

  it('indexes journeys another feature created, so their Entra-only changes are seen too', async () => {
    // Alex checked his devices before the refresher ever ran: journeys exist, no owner rows.
    const devices = await new GraphDeviceDirectory(h.graph).devicesOfUser({
      id: USERS.alex.id,
      userPrincipalName: USERS.alex.upn,
    });
    await h.storage.store.participants.update(participantKey(USERS.alex.id), (p) =>
      p ? { ...p, journeys: devices.map((d) => openJourney(d, h.clock.now()).journey) } : undefined,
    );
    const first = await h.refresher.runCycle();
    assert.equal(first.participantsInitialised, 2, 'Megan and Adele; Alex has journeys already');
    assert.ok(await h.storage.store.deviceOwners.get(deviceOwnerKey(DEVICE.alexLaptop)));

    h.sim.tenant.unenroll(DEVICE.alexLaptop); // Entra changes; there is no Intune record
    const report = await h.cycle();
    assert.equal(report.intuneRecords, 0);
    assert.equal(report.perUserLookups, 0);
    assert.equal((await h.journey('alex', DEVICE.alexLaptop)).stage, 'unenrolled');
  });

  it("does not let one participant's failure stop the cycle, and retries them next time", async () => {
    h.sim.faults.add({ path: `/users/${USERS.megan.id}/`, status: 503, times: Number.POSITIVE_INFINITY });
    const first = await h.refresher.runCycle();
    assert.equal(first.participantsInitialised, 2);
    assert.equal(first.participantsFailed, 1);
    assert.equal((await h.participant('megan')).value.journeys, undefined);
    assert.equal((await h.participant('alex')).value.journeys?.length, 2);
    assert.equal((await h.cursor())?.retry, JSON.stringify({ [USERS.megan.id.toLowerCase()]: 1 }));

    h.sim.faults.clear();
    const second = await h.cycle();
    assert.equal(second.perUserLookups, 1);
    assert.equal(second.participantsInitialised, 1);
    assert.equal((await h.participant('megan')).value.journeys?.length, 2);
    assert.equal((await h.cursor())?.retry, '{}');
  });

  it('costs exactly three Graph requests and changes nothing when nothing changed', async () => {
    await h.refresher.runCycle();
    h.sim.tenant.unenroll(DEVICE.alexIphone);
    h.sim.tenant.enroll(DEVICE.alexIphone);
    await h.cycle();
    const rows = await Promise.all((['alex', 'megan', 'adele'] as const).map((w) => h.participant(w)));
    for (let i = 0; i < 4; i++) {
      const report = await h.cycle();
      assert.deepEqual(h.sim.stats.byRoute, {
        'GET /deviceManagement/managedDevices': 1,
        'GET /devices/delta': 1,
        'GET /deviceManagement/troubleshootingEvents': 1,
      });
      assert.equal(h.sim.stats.batchInner.total, 0);
      assert.equal(report.participantsChanged, 0);
      assert.equal(report.perUserLookups, 0);
      assert.deepEqual(h.changed, []);
    }
    const after = await Promise.all((['alex', 'megan', 'adele'] as const).map((w) => h.participant(w)));
    assert.deepEqual(
      after.map((r) => r.etag),
      rows.map((r) => r.etag),
    );
  });

  it('does not move the cursor when a cycle fails midway; the repeat applies the change', async () => {
    await h.refresher.runCycle();
    const cursor = await h.cursor();
    const alex = await h.participant('alex');
    h.sim.tenant.unenroll(DEVICE.alexIphone);
    // The delta round is read, then Intune's failures endpoint keeps failing.
    h.sim.faults.add({ path: '/troubleshootingEvents', status: 503, times: Number.POSITIVE_INFINITY });
    await assert.rejects(h.cycle(), /troubleshootingEvents/);
    assert.deepEqual(await h.cursor(), cursor);
    assert.equal((await h.participant('alex')).etag, alex.etag);

    h.sim.faults.clear();
    const report = await h.cycle();
    assert.equal(report.participantsChanged, 1);
    assert.equal((await h.journey('alex', DEVICE.alexIphone)).stage, 'unenrolled');
    assert.notEqual((await h.cursor())?.deltaLink, cursor?.deltaLink);
  });

  it('repeats a cycle whose cursor could not be saved without applying anything twice', async () => {
    await h.refresher.runCycle();
    const real = h.storage.store.jobState;
    let failSave = true;
    const jobState: Repository<JobState> = {
      get: (k) => real.get(k),
      insert: (k, v) => real.insert(k, v),
      replace: (k, v, e) => real.replace(k, v, e),
      delete: (k, e) => real.delete(k, e),
      listPartition: (p) => real.listPartition(p),
      listPartitions: (p) => real.listPartitions(p),
      transact: (p, a) => real.transact(p, a),
      update: async (k, mutate) => {
        if (failSave) {
          failSave = false;
          throw new Error('storage went away');
        }
        return real.update(k, mutate);
      },
    };
    const flaky = h.refresherWith({ ...h.storage.store, jobState });
    const cursor = await h.cursor();
    h.sim.tenant.enroll(DEVICE.meganPixel);
    h.clock.advance(MINUTE);
    h.changed.length = 0;
    await assert.rejects(flaky.runCycle(), /storage went away/);
    assert.deepEqual(await h.cursor(), cursor);
    const megan = await h.participant('megan');
    assert.equal(megan.value.pendingEscalations?.length, 1, 'the change itself was stored');
    assert.equal(h.changed.length, 1);

    h.changed.length = 0;
    h.clock.advance(MINUTE);
    const repeat = await flaky.runCycle();
    assert.equal(repeat.entraRecords, 1, 'the same Entra change comes again');
    assert.equal(repeat.intuneRecords, 1);
    assert.equal(repeat.participantsChanged, 0);
    assert.deepEqual(h.changed, []);
    const again = await h.participant('megan');
    assert.equal(again.etag, megan.etag);
    assert.equal(again.value.journeyVersion, megan.value.journeyVersion);
    assert.notEqual((await h.cursor())?.deltaLink, cursor?.deltaLink);
  });

  it('starts a new Entra round when its deltaLink has expired, and stops at once when aborted', async () => {
    await h.refresher.runCycle();
    h.clock.advance(8 * 24 * 60 * MINUTE);
    h.sim.tenant.unenroll(DEVICE.adeleIphone);
    const report = await h.cycle();
    assert.equal(report.entraResynced, true);
    assert.equal(report.entraRecords, 11);
    assert.equal(report.participantsChanged, 1);
    assert.equal((await h.journey('adele', DEVICE.adeleIphone)).stage, 'unenrolled');

    const cursor = await h.cursor();
    const abort = new AbortController();
    abort.abort(new Error('shutting down'));
    h.clock.advance(MINUTE);
    await assert.rejects(h.refresher.runCycle(abort.signal), /shutting down/);
    assert.deepEqual(await h.cursor(), cursor);
  });
});
