/**
 * Erasure racing the writers that could bring a person back: a background refresh (the tenant
 * simulator over HTTP), a broadcast being delivered and the old-MDM matching pass — all against
 * Azurite. Each race is forced at its worst moment (the writer has read the person and is about to
 * write) and also run side by side; the person stays erased either way.
 */
import assert from 'node:assert/strict';
import { startTenantSimulator, type TenantSimulator } from '../../src/dev/tenant-sim';
import { type DeliveryJob, deliveryKey } from '../../src/domain/broadcast';
import { type Wave, waveKey, waveMemberKey } from '../../src/domain/campaign';
import { deviceOwnerKey } from '../../src/domain/device-owner';
import { escalationKey } from '../../src/domain/escalation';
import { type InventoryDevice, inventoryKey, inventoryRowKey } from '../../src/domain/inventory';
import { type Participant, participantKey } from '../../src/domain/participant';
import { confirm, createDraft, queueRecipients } from '../../src/features/broadcast/broadcast-service';
import { runMatchPass } from '../../src/features/old-mdm/match-pass';
import { erasePerson } from '../../src/features/privacy/erase';
import { purgeRound } from '../../src/features/privacy/purge';
import { credentialFor } from '../../src/integrations/graph/credential';
import { GraphApi } from '../../src/integrations/graph/graph-api';
import { GraphDeviceChanges } from '../../src/integrations/graph/graph-device-changes';
import { GraphDeviceDirectory } from '../../src/integrations/graph/graph-device-directory';
import type { Store } from '../../src/ports/store';
import { BroadcastSender } from '../../src/workers/broadcast-sender';
import { ProgressRefresher } from '../../src/workers/progress-refresher';
import { testDeps } from '../helpers/activities';
import { testConfig } from '../helpers/config';
import { FakeRateGate } from '../helpers/fake-rate-gate';
import { type FakeClock, silentLogger } from '../helpers/fakes';
import { freshStorage } from '../helpers/storage';

const MEGAN = { id: '00000000-0000-0000-0000-0000000000021', upn: 'meganb@example.com', name: 'Megan Bowen' };
const ID = MEGAN.id.toLowerCase();
const ADMIN = { aadObjectId: 'admin-1', name: 'Admin' };
const T0 = new Date('2026-11-23T09:00:00Z');
const TOMBSTONE_KEYS = ['aadObjectId', 'erasedAt', 'firstSeenAt', 'lastSeenAt', 'version'];

const PILOT: Wave = {
  id: 'pilot',
  name: 'Pilot',
  order: 0,
  state: 'active',
  conditionalAccess: { kind: 'none' },
  reminders: { deferralLimit: 3, enabled: true },
  estimatedMinutes: 20,
  createdAt: T0.toISOString(),
};

/**
 * A store whose `table.method` runs `before` once, the first time it is called for a key matching
 * `when`: the moment a writer has made up its mind and is about to write.
 */
function interleaved(
  store: Store,
  table: keyof Store,
  method: string,
  when: (key: { partitionKey: string; rowKey: string }) => boolean,
  before: () => Promise<unknown>,
): Store {
  const repo = store[table] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  let fired = false;
  const wrapped = Object.create(repo) as typeof repo;
  wrapped[method] = async (...args: unknown[]) => {
    const key = args[0] as { partitionKey: string; rowKey: string };
    if (!fired && when(key)) {
      fired = true;
      await before();
    }
    return repo[method]!.apply(repo, args);
  };
  return { ...store, [table]: wrapped };
}

async function seeded() {
  const storage = await freshStorage();
  const t = testDeps({ store: storage.store, config: testConfig({ BOT_APP_ID: 'bot' }) });
  t.clock.current = new Date(T0);
  const s = storage.store;
  await s.waves.insert(waveKey('pilot'), PILOT);
  const megan: Participant = {
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    displayName: MEGAN.name,
    firstSeenAt: T0.toISOString(),
    lastSeenAt: T0.toISOString(),
    version: 1,
    waveId: 'pilot',
    conversation: {
      serviceUrl: 'https://smba.example/teams/',
      channelId: 'msteams',
      conversationId: 'a:megan',
      botId: 'bot',
      userId: '29:megan',
    },
  };
  await s.participants.insert(participantKey(ID), megan);
  await s.waveMembers.insert(waveMemberKey('pilot', ID), {
    waveId: 'pilot',
    aadObjectId: ID,
    userPrincipalName: MEGAN.upn,
    addedAt: T0.toISOString(),
  });
  return { ...t, storage, s };
}

async function assertErased(store: Store) {
  const p = (await store.participants.get(participantKey(ID)))?.value;
  assert.ok(p?.erasedAt, 'the tombstone is there');
  assert.deepEqual(Object.keys(p).sort(), TOMBSTONE_KEYS, 'nothing was written back onto it');
  assert.equal(await store.waveMembers.get(waveMemberKey('pilot', ID)), undefined);
  assert.equal(await store.escalations.get(escalationKey(ID)), undefined, 'no ticket');
}

describe('privacy: erasure racing the writers (Azurite)', () => {
  describe('a background refresh (tenant simulator)', () => {
    let sim: TenantSimulator;
    beforeEach(async () => {
      sim = await startTenantSimulator({ seed: 'demo' });
    });
    afterEach(async () => {
      await sim.close();
    });

    function refresherOver(store: Store, clock: FakeClock) {
      sim.tenant.now = () => clock.now();
      const graph = new GraphApi({
        baseUrl: sim.url,
        credential: credentialFor({ kind: 'simulator' }),
        maxAttempts: 2,
        sleep: async () => {},
      });
      const changed: string[] = [];
      const refresher = new ProgressRefresher({
        changes: new GraphDeviceChanges(graph, silentLogger),
        store,
        clock,
        logger: silentLogger,
        onChanged: async (p) => {
          changed.push(p.aadObjectId);
        },
      });
      return { refresher, changed, directory: new GraphDeviceDirectory(graph) };
    }

    async function ownedBy(store: Store, id: string): Promise<string[]> {
      const keys: string[] = [];
      for (let b = 0; b < 256; b++) {
        for await (const row of store.deviceOwners.listPartition(`d${b.toString(16).padStart(2, '0')}`))
          if (row.value.aadObjectId === id) keys.push(row.key.rowKey);
      }
      return keys;
    }

    it('erased while the refresh has looked her devices up and is writing them: stays erased', async () => {
      const { deps, s, clock } = await seeded();
      // The refresh's first write for Megan is the device-owner index: the erasure lands right there.
      const store = interleaved(
        s,
        'deviceOwners',
        'insert',
        () => true,
        () => erasePerson(deps, ID, ADMIN),
      );
      const { refresher, changed } = refresherOver(store, clock);
      const report = await refresher.runCycle();
      assert.equal(report.participantsInitialised, 0, 'the journeys were not written');
      assert.deepEqual(changed, []);
      await assertErased(s);
      clock.advance(60_000);
      sim.tenant.unenroll('a0000000-0000-4000-8000-000000000003');
      await refresherOver(s, clock).refresher.runCycle();
      await assertErased(s);
      // The index rows it wrote after the tombstone point at nobody; the next purge round takes them.
      await purgeRound(deps);
      assert.deepEqual(await ownedBy(s, ID), []);
      await assertErased(s);
    });

    it('erased side by side with a refresh cycle (and erased twice): stays erased', async () => {
      const { deps, s, clock } = await seeded();
      const { refresher } = refresherOver(s, clock);
      await Promise.all([refresher.runCycle(), erasePerson(deps, ID, ADMIN), erasePerson(deps, ID, ADMIN)]);
      clock.advance(60_000);
      await refresher.runCycle();
      await assertErased(s);
      await purgeRound(deps);
      assert.deepEqual(await ownedBy(s, ID), []);
    });

    it('erased while the matching pass writes her old-MDM device: the row stays erased after the next sync', async () => {
      const { deps, s, clock } = await seeded();
      const at = T0.toISOString();
      const row: InventoryDevice = {
        source: 'workspace-one',
        vendor: 'workspace-one',
        vendorId: '1101',
        name: "Megan's iPhone",
        platform: 'ios',
        serialNumber: 'F2LXK9MEGB21',
        userPrincipalName: MEGAN.upn,
        userEmail: MEGAN.upn,
        userName: 'meganb',
        ownership: 'corporate',
        enrollment: 'enrolled',
        firstSeenAt: at,
        lastSyncedAt: at,
      };
      await s.oldMdmDevices.insert(inventoryKey('workspace-one', '1101'), row);
      const { directory } = refresherOver(s, clock);
      // The pass read the people (Megan among them) and is about to write her index copy.
      const store = interleaved(
        s,
        'oldMdmByPerson',
        'transact',
        (k) => String(k) === ID,
        () => erasePerson(deps, ID, ADMIN),
      );
      await runMatchPass({ store, directory, clock, logger: silentLogger });
      const erasedRow = async () => (await s.oldMdmDevices.get(inventoryKey('workspace-one', '1101')))!.value;
      const check = async () => {
        const r = await erasedRow();
        assert.deepEqual(r.person, { erased: true });
        assert.equal(r.indexedUnder, undefined);
        assert.equal(r.userPrincipalName, undefined, 'no UPN kept for an erased person');
        const copies: unknown[] = [];
        for await (const c of s.oldMdmByPerson.listPartition(ID)) copies.push(c);
        assert.deepEqual(copies, []);
        const marker = await s.jobState.get({ partitionKey: 'old-mdm-person-changed', rowKey: ID });
        assert.equal(marker, undefined, 'no refresh is asked for her');
      };
      await check();
      // The old MDM still names her: the next sync writes the user fields back, the pass takes them off.
      await s.oldMdmDevices.update(inventoryKey('workspace-one', '1101'), (cur) => ({
        ...cur!,
        userPrincipalName: MEGAN.upn,
        lastSyncedAt: new Date(T0.getTime() + 60_000).toISOString(),
      }));
      await runMatchPass({ store: s, directory, clock, logger: silentLogger });
      await check();
      assert.equal(
        (await erasedRow()).serialNumber,
        'F2LXK9MEGB21',
        'the device itself still mirrors the old MDM',
      );
      await assertErased(s);
      assert.equal(inventoryRowKey('workspace-one', '1101'), inventoryKey('workspace-one', '1101').rowKey);
    });
  });

  describe('a broadcast', () => {
    async function broadcastWorld() {
      const w = await seeded();
      const queue = w.storage.queue<DeliveryJob>('deliveries');
      const deps = { ...w.deps, deliveryQueue: queue };
      const sent: string[] = [];
      const hooks = {
        recipients: async () => [{ aadObjectId: ID, userPrincipalName: MEGAN.upn, displayName: MEGAN.name }],
        compose: async () => ({ card: { type: 'AdaptiveCard', body: [] }, summary: 'Hi' }),
        onSent: async (_b: unknown, r: { aadObjectId: string }) => {
          sent.push(r.aadObjectId);
        },
      };
      const b = await createDraft(deps, { kind: 'announcement', waveId: 'pilot', createdBy: ADMIN }, 1);
      await confirm(deps, hooks, b.id, { actor: ADMIN });
      const sending = await queueRecipients(deps, hooks, b.id);
      assert.ok(sending);
      return { ...w, deps, queue, hooks, sent, broadcastId: b.id, broadcast: b };
    }

    async function deliverAll(w: Awaited<ReturnType<typeof broadcastWorld>>, store: Store) {
      const sender = new BroadcastSender({ ...w.deps, store }, w.hooks, new FakeRateGate(), {
        broadcastCacheMs: 0,
      });
      for (let round = 0; round < 3; round++) {
        const jobs = await w.queue.receive(10, 30);
        for (const job of jobs) await sender.handle(job);
      }
    }

    it('erased when the sender has read her delivery and is about to claim it: nothing sent, nothing recreated', async () => {
      const w = await broadcastWorld();
      const store = interleaved(
        w.s,
        'participants',
        'get',
        (k) => k.rowKey === ID,
        () => erasePerson(w.deps, ID, ADMIN),
      );
      await deliverAll(w, store);
      assert.deepEqual(w.sent, []);
      assert.equal(w.messenger.sent.length, 0);
      assert.equal(await w.s.deliveries.get(deliveryKey(w.broadcast, ID)), undefined);
      await assertErased(w.s);
    });

    it('erased while her message is on its way: the delivery row is not written back', async () => {
      const w = await broadcastWorld();
      // The claim has been written and the connector is being called: erase then.
      let erasing: Promise<unknown> | undefined;
      const send = w.messenger.send.bind(w.messenger);
      w.messenger.send = async (to, message) => {
        erasing ??= erasePerson(w.deps, ID, ADMIN);
        await erasing;
        return send(to, message);
      };
      await deliverAll(w, w.s);
      assert.equal(w.messenger.sent.length, 1, 'the one message already on its way');
      assert.equal(await w.s.deliveries.get(deliveryKey(w.broadcast, ID)), undefined);
      await assertErased(w.s);
    });

    it('erased side by side with the sender: stays erased', async () => {
      const w = await broadcastWorld();
      await Promise.all([deliverAll(w, w.s), erasePerson(w.deps, ID, ADMIN)]);
      await deliverAll(w, w.s);
      assert.ok(w.messenger.sent.length <= 1);
      assert.equal(await w.s.deliveries.get(deliveryKey(w.broadcast, ID)), undefined);
      await assertErased(w.s);
      assert.equal(await w.s.deviceOwners.get(deviceOwnerKey('none')), undefined);
    });
  });
});
