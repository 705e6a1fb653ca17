import assert from 'node:assert/strict';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import type { AdminTurn } from '../../src/features/admin/admin-turn';
import { startBulk } from '../../src/features/old-mdm/release-bulk';
import { allReleases, releaseOf } from '../../src/features/old-mdm/release-record';
import { findReleaseTarget, requestRelease } from '../../src/features/old-mdm/release-service';
import { translator } from '../../src/i18n';
import type { SourceMdmRelease } from '../../src/ports/source-mdm-release';
import { settleBackground } from '../../src/shared/background';
import { OldMdmReleaseJob } from '../../src/workers/old-mdm-release';
import {
  IPHONE_KEY,
  journeyOf,
  openTicket,
  type ReleaseWorld,
  releaseWorld,
  storeDevice,
} from '../features/old-mdm/release-world';
import { ALEX, textOf } from '../helpers/activities';

const ADMIN_CHAT = 'a:alex-admin-chat';

/** An admin turn; `card` puts it in Alex's chat on the card with that activity id, as a card action is. */
function adminTurn(w: ReleaseWorld, card?: string): AdminTurn {
  const activity = card
    ? {
        serviceUrl: 'https://smba.example/teams/',
        channelId: 'msteams',
        conversation: { id: ADMIN_CHAT, conversationType: 'personal' },
        from: { id: ALEX.id, aadObjectId: ALEX.aadObjectId },
        recipient: { id: 'bot' },
      }
    : {};
  return {
    deps: w.deps,
    actor: { aadObjectId: ALEX.aadObjectId, name: ALEX.name },
    audience: { language: 'en', locale: 'en-US', timeZone: 'UTC', t: translator('en') },
    now: w.t.clock.now(),
    context: { activity } as AdminTurn['context'],
    ...(card ? { cardActivityId: card } : {}),
  };
}

/** Corporate iPads of Megan's, listed by Workspace ONE and stored as the sync stores them. */
async function addIpads(w: ReleaseWorld, ids: number[]): Promise<void> {
  for (const id of ids) {
    w.sim.controls.upsert({
      id,
      friendlyName: `Corporate iPad ${id}`,
      userName: 'meganb@example.com',
      platform: 'Apple',
      model: 'iPad',
      serialNumber: `IPAD${id}`,
      ownership: 'C',
    });
    await storeDevice(w.deps, (await w.inventory.deviceById(String(id)))!, w.t.clock.now().toISOString());
  }
}

/** The real connector, with the (fake) time of every release command it is asked to send. */
function recording(times: number[], clock: () => Date) {
  return (inner: SourceMdmRelease): SourceMdmRelease => ({
    source: inner.source,
    release: (device, signal) => {
      times.push(clock().getTime());
      return inner.release(device, signal);
    },
  });
}

describe('worker: old-MDM release job', () => {
  let w: ReleaseWorld | undefined;
  afterEach(async () => {
    await settleBackground();
    await w?.sim.stop();
    w = undefined;
  });

  it('bulk: nothing starts unless the wave name is typed; then every corporate device is released, paced', async () => {
    const times: number[] = [];
    let clock = () => new Date();
    w = await releaseWorld({ wrap: (r) => recording(times, () => clock())(r) });
    const world = w;
    clock = () => world.t.clock.now();
    await seedDemoCampaign(w.deps.store, w.t.clock.now());
    await addIpads(w, [1202, 1203, 1204]);

    const wrong = await startBulk(adminTurn(w), { waveId: 'pilot', waveNameTyped: 'pilot wave' });
    assert.match(textOf(wrong), /The name typed is not Pilot; nothing was started/);
    assert.equal(await releaseOf(w.deps.store, 'workspace-one', '1200'), undefined);

    const started = await startBulk(adminTurn(w), { waveId: 'pilot', waveNameTyped: ' Pilot ' });
    assert.match(textOf(started), /Sent\s*0 \/ 4/);
    const queued = [];
    for await (const r of allReleases(w.deps.store)) queued.push(r);
    assert.deepEqual(
      queued.map((r) => r.state),
      ['queued', 'queued', 'queued', 'queued'],
    );
    assert.ok(!queued.some((r) => r.vendorId === '1201'), 'the personal Pixel is left to its user');

    const job = new OldMdmReleaseJob(w.deps, { sleep: async (ms) => world.t.clock.advance(ms) });
    const round = await job.runOnce();
    assert.equal(round.sent, 4);
    assert.equal(w.sim.controls.stats().command, 4);
    assert.equal(times.length, 4);
    for (let i = 1; i < times.length; i++)
      assert.ok(times[i]! - times[i - 1]! >= 1_000, `releases ${times[i]! - times[i - 1]!} ms apart`);
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');

    const again = await job.runOnce();
    assert.equal(again.sent, 0, 'a second round finds nothing to send');
    assert.equal(w.sim.controls.stats().command, 4);
  });

  it('a release the old MDM has not confirmed is confirmed by a later round, once', async () => {
    w = await releaseWorld();
    w.sim.controls.releaseDelay(3_600_000);
    const { requestRelease, findReleaseTarget } = await import('../../src/features/old-mdm/release-service');
    const found = await findReleaseTarget(w.deps, '00000000-0000-0000-0000-0000000000021', IPHONE_KEY);
    assert.ok(found.ok);
    const answer = await requestRelease(w.deps, found.target, { aadObjectId: ALEX.aadObjectId });
    assert.equal(answer.kind, 'sent');
    assert.equal(
      (await journeyOf(w.deps, IPHONE_KEY))?.stage,
      'needs-it',
      'nothing moves before the old MDM says so',
    );

    const job = new OldMdmReleaseJob(w.deps, { confirmMinutes: 30 });
    assert.equal((await job.runOnce()).confirmed, 0);
    w.sim.controls.unenroll({ id: 1200 });
    const round = await job.runOnce();
    assert.equal(round.confirmed, 1);
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');
    assert.equal((await job.runOnce()).confirmed, 0);
    assert.equal(w.sim.controls.stats().command, 1);
  });

  it("bulk: the progress card in the admin's chat is updated in place until every device is done", async () => {
    w = await releaseWorld();
    const world = w;
    await seedDemoCampaign(w.deps.store, w.t.clock.now());
    await addIpads(w, [1202, 1203]);
    // One device's command fails: the card counts it and the run still finishes.
    w.sim.controls.faults.add({ path: '/api/mdm/devices/1203/commands', status: 503, times: 5 });
    const started = await startBulk(adminTurn(w, 'bulk-card-1'), { waveId: 'pilot', waveNameTyped: 'Pilot' });
    assert.match(textOf(started), /Sent\s*0 \/ 3/);

    const job = new OldMdmReleaseJob(w.deps, {
      sleep: async (ms) => world.t.clock.advance(ms),
      cardEveryMs: 0,
    });
    await job.runOnce();
    const updates = w.t.messenger.updated;
    assert.ok(updates.length >= 3, `one update per device and a final one, got ${updates.length}`);
    assert.ok(
      updates.every((u) => u.activityId === 'bulk-card-1' && u.to.conversationId === ADMIN_CHAT),
      'every update replaces the same card in the admin chat',
    );
    assert.equal(
      w.t.messenger.sent.filter((s) => s.to.conversationId === ADMIN_CHAT).length,
      0,
      'no new card is posted',
    );
    const last = textOf(updates.at(-1)!.message.card as Record<string, unknown>);
    assert.match(last, /Sent\s*2 \/ 3/);
    assert.match(last, /Done: 2 sent, 1 failed/);
  });

  it("a release the old MDM does not confirm within the set minutes is noted on the ticket's thread, once", async () => {
    w = await releaseWorld({ helpdesk: true });
    const ticket = await openTicket(w.deps);
    w.sim.controls.releaseDelay(3_600_000);
    const found = await findReleaseTarget(w.deps, '00000000-0000-0000-0000-0000000000021', IPHONE_KEY);
    assert.ok(found.ok);
    assert.equal(
      (await requestRelease(w.deps, found.target, { aadObjectId: ALEX.aadObjectId })).kind,
      'sent',
    );
    const thread = () =>
      w!.t.messenger.sent.filter((s) => s.to.conversationId.endsWith(`;messageid=${ticket.cardActivityId}`));

    const job = new OldMdmReleaseJob(w.deps, { confirmMinutes: 45 });
    w.t.clock.advance(44 * 60_000);
    assert.equal((await job.runOnce()).noted, 0, 'not before the set minutes');
    assert.equal(thread().length, 0);

    w.t.clock.advance(2 * 60_000);
    assert.equal((await job.runOnce()).noted, 1);
    assert.equal(thread().length, 1);
    assert.match(
      thread()[0]!.message.summary ?? '',
      /Workspace ONE has not confirmed the removal of Megan's iPhone after 45 minutes.*switched off or offline/,
    );
    assert.ok(
      w.t.messenger.updated.some((u) => u.activityId === ticket.cardActivityId),
      'the ticket card is brought up to date in place',
    );

    w.t.clock.advance(60 * 60_000);
    assert.equal((await job.runOnce()).noted, 0, 'said once');
    assert.equal(thread().length, 1);
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'needs-it');
    assert.equal(w.sim.controls.stats().command, 1, 'nothing is sent again');

    w.sim.controls.unenroll({ id: 1200 });
    assert.equal((await job.runOnce()).confirmed, 1);
    assert.equal(thread().length, 2, 'the confirmation follows in the same thread');
  });
});
