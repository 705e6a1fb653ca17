import assert from 'node:assert/strict';
import { generateTenant, startTenantSimulator, type TenantSimulator } from '../../src/dev/tenant-sim';
import { type Wave, waveKey, waveMemberKey } from '../../src/domain/campaign';
import { deviceOwnerKey } from '../../src/domain/device-owner';
import { type Participant, participantKey } from '../../src/domain/participant';
import { credentialFor } from '../../src/integrations/graph/credential';
import { GraphApi } from '../../src/integrations/graph/graph-api';
import { GraphDeviceChanges } from '../../src/integrations/graph/graph-device-changes';
import type { Store } from '../../src/ports/store';
import { chooseDeviceSource, writeParticipants } from '../../src/workers/progress-baseline';
import { ProgressRefresher } from '../../src/workers/progress-refresher';
import { FakeClock, silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const T0 = new Date('2026-11-23T09:00:00Z');
const USERS = 120;

/** A generated tenant with every kind of device: old MDM only, Intune only, both; owned, registered or both. */
function mixedSeed() {
  const seed = generateTenant({
    users: USERS,
    devicesPerUser: 1.5,
    migratedShare: 0.3,
    dualShare: 0.2,
    seed: 7,
  });
  const relationships = ['both', 'registered', 'owned'] as const;
  seed.devices = (seed.devices ?? []).map((d, i) => ({ ...d, relationship: relationships[i % 3] }));
  return seed;
}

/** The Graph implementation with its estimates pinned, so a test can take either path on purpose. */
class PinnedChanges extends GraphDeviceChanges {
  constructor(
    graph: GraphApi,
    private readonly prefer: 'look-ups' | 'tenant-wide',
  ) {
    super(graph, silentLogger);
  }
  override lookUpCost(users: number): number {
    return this.prefer === 'look-ups' ? 0 : users + 1_000_000;
  }
}

function graphOn(sim: TenantSimulator): GraphApi {
  return new GraphApi({
    baseUrl: sim.url,
    credential: credentialFor({ kind: 'simulator' }),
    maxAttempts: 2,
    sleep: async () => {},
  });
}

const wave: Wave = {
  id: 'pilot',
  name: 'pilot',
  order: 1,
  state: 'active',
  conditionalAccess: { kind: 'none' },
  reminders: { deferralLimit: 3, enabled: true },
  estimatedMinutes: 20,
  createdAt: T0.toISOString(),
};

async function campaign(sim: TenantSimulator): Promise<Store> {
  const { store } = await freshStorage();
  await store.waves.insert(waveKey(wave.id), wave);
  for (const u of sim.tenant.users()) {
    await store.participants.insert(participantKey(u.id), {
      aadObjectId: u.id.toLowerCase(),
      userPrincipalName: u.userPrincipalName,
      firstSeenAt: T0.toISOString(),
      lastSeenAt: T0.toISOString(),
      version: 1,
      waveId: wave.id,
    });
    await store.waveMembers.insert(waveMemberKey(wave.id, u.id), {
      waveId: wave.id,
      aadObjectId: u.id,
      userPrincipalName: u.userPrincipalName,
      addedAt: T0.toISOString(),
    });
  }
  return store;
}

async function journeysOf(store: Store, sim: TenantSimulator): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const u of sim.tenant.users()) {
    const p = (await store.participants.get(participantKey(u.id)))?.value;
    const journeys = [...(p?.journeys ?? [])].sort((a, b) => a.deviceKey.localeCompare(b.deviceKey));
    out.set(u.id.toLowerCase(), journeys);
  }
  return out;
}

describe('workers: progress baseline (Azurite + tenant simulator)', () => {
  let sim: TenantSimulator;
  let clock: FakeClock;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: mixedSeed() });
    clock = new FakeClock(new Date(T0));
    sim.tenant.now = () => clock.now();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('a tenant-wide read finds each user exactly the devices a look-up of that user finds', async () => {
    const changes = new GraphDeviceChanges(graphOn(sim), silentLogger);
    const users = [...sim.tenant.users()].map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName }));
    const looked = await changes.lookUp(users);
    const tenant = await changes.readTenant();
    assert.equal(tenant.entraDevices, sim.tenant.deviceCount);
    const byKey = (list: { key: string }[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));
    let devices = 0;
    for (const u of users) {
      const one = looked.get(u.id);
      assert.ok(Array.isArray(one), `look-up of ${u.id} succeeded`);
      devices += one.length;
      assert.deepEqual(byKey(tenant.devicesOf(u.id)), byKey(one), `devices of ${u.id}`);
    }
    assert.ok(devices > 0);
  });

  it('both paths give identical journeys and owner index, through the per-row and the bulk write', async function () {
    this.timeout(90_000); // two campaigns written to Azurite one row at a time
    const graph = graphOn(sim);
    const run = async (prefer: 'look-ups' | 'tenant-wide', bulkThreshold: number) => {
      const store = await campaign(sim);
      const refresher = new ProgressRefresher(
        {
          changes: new PinnedChanges(graph, prefer),
          store,
          clock,
          logger: silentLogger,
          onChanged: async () => {},
        },
        { bulkThreshold },
      );
      const report = await refresher.runCycle();
      assert.equal(report.deviceSource, prefer);
      assert.equal(report.participantsInitialised, USERS);
      assert.equal(report.participantsFailed, 0);
      return { store, journeys: await journeysOf(store, sim) };
    };
    const perUser = await run('look-ups', 1_000_000);
    const tenantWide = await run('tenant-wide', 1);
    assert.deepEqual(tenantWide.journeys, perUser.journeys);
    let journeys = 0;
    for (const list of perUser.journeys.values()) journeys += (list as unknown[]).length;
    assert.equal(journeys, sim.tenant.deviceCount);
    for (const d of sim.tenant.devices()) {
      const key = d.entra.deviceId.toLowerCase();
      const a = await perUser.store.deviceOwners.get(deviceOwnerKey(key));
      const b = await tenantWide.store.deviceOwners.get(deviceOwnerKey(key));
      assert.equal(b?.value.aadObjectId, a?.value.aadObjectId, `owner of ${key}`);
    }
  });

  it('chooses look-ups for a small campaign and the tenant-wide read for a large one, and says so', async () => {
    const changes = new GraphDeviceChanges(graphOn(sim), silentLogger);
    const small = chooseDeviceSource(changes, 5, { entraDevices: 15_000 }, undefined);
    assert.equal(small.source, 'look-ups');
    assert.equal(small.lookUpRequests, 1);
    const large = chooseDeviceSource(changes, 100_000, { entraDevices: 150_000 }, 0);
    assert.equal(large.source, 'tenant-wide');
    assert.equal(large.lookUpRequests, 15_000);
    assert.ok(large.tenantWideRequests !== undefined && large.tenantWideRequests <= 400);
    // Without a full Entra round in hand, the tenant-wide read is not on offer.
    assert.equal(chooseDeviceSource(changes, 100_000, undefined, 0).source, 'look-ups');

    // The whole cycle: 120 users cost 18 look-up requests, the tenant-wide read a handful.
    const store = await campaign(sim);
    const lines: { msg: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      ...silentLogger,
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }),
    } as unknown as typeof silentLogger;
    const refresher = new ProgressRefresher({ changes, store, clock, logger, onChanged: async () => {} });
    sim.stats.reset();
    const report = await refresher.runCycle();
    assert.equal(report.deviceSource, 'tenant-wide');
    assert.equal(report.perUserLookups, 0);
    const said = lines.find((l) => /devices by tenant-wide/.test(l.msg));
    assert.ok(said, 'the choice is logged');
    assert.equal(said.fields.users, USERS);
    assert.equal(said.fields.lookUpRequests, 18);
    const stats = sim.stats.snapshot();
    assert.ok(stats.total < 18, `the cycle took ${stats.total} requests`);
    assert.equal(stats.batchInner.byRoute['GET /users/{user}/managedDevices'] ?? 0, 0);
  });

  it('a bulk write that meets a concurrent change redoes its group from fresh reads and loses neither', async () => {
    const store = await campaign(sim);
    const ids = [...sim.tenant.users()].slice(0, 40).map((u) => u.id.toLowerCase());
    const rows = new Map();
    for (const id of ids) rows.set(id, (await store.participants.get(participantKey(id)))!);
    // A user acts between the read and the write: their row's ETag moves on.
    const busy = ids.find((id) =>
      ids.some((o) => o !== id && participantKey(o).partitionKey === participantKey(id).partitionKey),
    )!;
    await store.participants.update(participantKey(busy), (p) => (p ? { ...p, locale: 'sv-SE' } : undefined));
    let decisions = 0;
    const result = await writeParticipants(
      store.participants,
      rows,
      (current: Participant) => {
        decisions++;
        return { ...current, observedAt: T0.toISOString() };
      },
      4,
    );
    assert.equal(result.failed.size, 0);
    assert.equal(result.written.size, ids.length);
    assert.ok(decisions > ids.length, 'the conflicting group was decided again');
    for (const id of ids) {
      const p = (await store.participants.get(participantKey(id)))!.value;
      assert.equal(p.observedAt, T0.toISOString(), `${id} refreshed`);
    }
    assert.equal((await store.participants.get(participantKey(busy)))!.value.locale, 'sv-SE');
  });
});
