import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { clearAdminCache } from '../../../src/features/admin/admin-access';
import { releaseOf } from '../../../src/features/old-mdm/release-record';
import { settleBackground } from '../../../src/shared/background';
import { RELEASE_VERBS } from '../../../src/verbs/release';
import { ALEX, cardAction, cardOf, runTurn, textOf } from '../../helpers/activities';
import { ADELE, MEGAN } from '../../helpers/demo';
import {
  IPHONE_KEY,
  journeyOf,
  MEGAN_CHAT,
  PIXEL_KEY,
  type ReleaseWorld,
  releaseWorld,
} from './release-world';

const press = (verb: string, device = IPHONE_KEY, from: typeof ALEX = ALEX): Partial<Activity> =>
  cardAction(verb, { person: MEGAN.aadObjectId, device, from: 'status' }, { from });

async function answer(w: ReleaseWorld, activity: Partial<Activity>): Promise<string> {
  const { invokeResponse } = await runTurn(w.app, activity);
  const body = invokeResponse?.body as { type?: string; value?: unknown } | undefined;
  if (body?.type === 'application/vnd.microsoft.activity.message') return String(body.value);
  return textOf(cardOf(invokeResponse));
}

describe('old-MDM release: helpdesk and admins remove a corporate device from Workspace ONE', () => {
  let w: ReleaseWorld | undefined;
  afterEach(async () => {
    await settleBackground();
    await w?.sim.stop();
    w = undefined;
    clearAdminCache();
  });

  it('asks first, saying what the device loses; "Remove" sends exactly one Enterprise Wipe and moves the journey', async () => {
    w = await releaseWorld();
    const asked = await answer(w, press(RELEASE_VERBS.ask));
    assert.match(asked, /Remove Megan's iPhone from Workspace ONE\?/);
    assert.match(asked, /corporate, supervised/);
    assert.match(asked, /Enterprise Wipe/);
    assert.match(asked, /email, Wi-Fi and VPN/);
    assert.match(asked, /own apps, photos and files/);
    assert.equal(w.sim.controls.stats().command, 0, 'asking sends nothing');

    const done = await answer(w, press(RELEASE_VERBS.confirm));
    assert.match(done, /Workspace ONE confirmed: Megan's iPhone is no longer managed/);
    assert.equal(w.sim.controls.stats().command, 1);
    assert.equal(w.sim.controls.find({ id: 1200 })?.EnrollmentStatus, 'Unenrolled');
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');
    assert.equal((await releaseOf(w.deps.store, 'workspace-one', '1200'))?.state, 'confirmed');
    const told = w.t.messenger.sent.find((s) => s.to.conversationId === MEGAN_CHAT.conversationId);
    assert.match(told?.message.summary ?? '', /IT removed Workspace ONE from Megan's iPhone.*Company Portal/);
    const audit = [];
    for await (const row of w.deps.store.audit.listPartition(w.t.clock.now().toISOString().slice(0, 10)))
      audit.push(row.value.action);
    assert.ok(
      audit.includes('old-mdm.release.requested') && audit.includes('old-mdm.release.confirmed'),
      audit.join(),
    );

    const again = await answer(w, press(RELEASE_VERBS.confirm));
    assert.match(again, /no longer lists Megan's iPhone; nothing was sent/);
    assert.equal(w.sim.controls.stats().command, 1, 'a second press sends nothing');
  });

  it('refuses someone who is neither in the helpdesk nor an admin, and sends nothing', async () => {
    w = await releaseWorld();
    const adele = { ...ALEX, id: ADELE.id, aadObjectId: ADELE.aadObjectId, name: ADELE.name, upn: ADELE.upn };
    for (const verb of [RELEASE_VERBS.ask, RELEASE_VERBS.confirm]) {
      const text = await answer(w, press(verb, IPHONE_KEY, adele));
      assert.match(text, /Only helpdesk members and migration admins/);
    }
    assert.equal(w.sim.controls.stats().command, 0);
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'needs-it');
    assert.equal(await releaseOf(w.deps.store, 'workspace-one', '1200'), undefined);
  });

  it('refuses while release is off (no OLD_MDM_ALLOW_RELEASE), naming the setting', async () => {
    w = await releaseWorld({ release: false });
    const text = await answer(w, press(RELEASE_VERBS.confirm));
    assert.match(text, /turned off.*OLD_MDM_ALLOW_RELEASE/);
    assert.equal(w.sim.controls.stats().command, 0);
  });

  it('refuses a personal device: its user removes Workspace ONE', async () => {
    w = await releaseWorld();
    const text = await answer(w, press(RELEASE_VERBS.confirm, PIXEL_KEY));
    assert.match(text, /Megan's Pixel is a personal device/);
    assert.equal(w.sim.controls.stats().command, 0);
    assert.equal((await journeyOf(w.deps, PIXEL_KEY))?.stage, 'needs-it');
  });

  it('a device Workspace ONE deleted meanwhile (404) gets no command and the journey moves', async () => {
    w = await releaseWorld();
    w.sim.controls.unenroll({ id: 1200 }, { remove: true });
    const text = await answer(w, press(RELEASE_VERBS.confirm));
    assert.match(text, /no longer managed Megan's iPhone, so nothing was sent/);
    assert.equal(w.sim.controls.stats().command, 0);
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');
  });

  it('two helpdesk members pressing at once send one command; the journey moves once', async () => {
    w = await releaseWorld();
    const texts = await Promise.all([
      answer(w, press(RELEASE_VERBS.confirm)),
      answer(w, press(RELEASE_VERBS.confirm)),
    ]);
    assert.equal(w.sim.controls.stats().command, 1, texts.join(' | '));
    assert.equal(texts.filter((x) => /Workspace ONE confirmed/.test(x)).length, 1, texts.join(' | '));
    assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');
    const told = w.t.messenger.sent.filter((s) => s.to.conversationId === MEGAN_CHAT.conversationId);
    assert.equal(told.length, 1, 'the user is told once');
  });

  describe('vendor errors leave the state unchanged and say what to fix', () => {
    it('403: names the missing role permission', async () => {
      w = await releaseWorld({
        client: { clientId: 'migration-companion', clientSecret: 'simulator-secret' },
      });
      const text = await answer(w, press(RELEASE_VERBS.confirm));
      assert.match(
        text,
        /lacks a permission \(403\)\. Give it .*"REST API Devices Execute".*Nothing changed/,
      );
      assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'needs-it');
      const record = await releaseOf(w.deps.store, 'workspace-one', '1200');
      assert.equal(record?.state, 'failed');
      assert.equal(record?.failure, 'permission');
    });

    it('401: names the credential settings', async () => {
      w = await releaseWorld({ client: { clientId: 'releaser', clientSecret: 'wrong' } });
      const text = await answer(w, press(RELEASE_VERBS.confirm));
      assert.match(text, /refused the API credentials \(401\): check WORKSPACE_ONE_CLIENT/);
      assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'needs-it');
    });

    for (const [status, words] of [
      [429, /throttling requests \(429\)/],
      [503, /not answering/],
    ] as const) {
      it(`${status}: says so, and a later press completes it exactly once`, async () => {
        w = await releaseWorld();
        w.sim.controls.faults.add({ path: '/api/mdm/devices/1200/commands', status, times: 2 });
        const text = await answer(w, press(RELEASE_VERBS.confirm));
        assert.match(text, words);
        assert.match(text, /Nothing changed/);
        assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'needs-it');
        assert.equal((await releaseOf(w.deps.store, 'workspace-one', '1200'))?.state, 'failed');

        const retry = await answer(w, press(RELEASE_VERBS.confirm));
        assert.match(retry, /Workspace ONE confirmed/);
        assert.equal(w.sim.controls.stats().command, 1);
        assert.equal((await journeyOf(w.deps, IPHONE_KEY))?.stage, 'unenrolled');
      });
    }
  });
});
