import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app';
import { participantKey } from '../src/domain/participant';
import { createAzureStorage } from '../src/integrations/storage/azure-storage';
import { DEVICE_VERBS } from '../src/verbs/devices';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from './helpers/activities';
import { eventually } from './helpers/eventually';
import { type StorageProxy, startStorageProxy } from './helpers/storage-proxy';

/** Teams waits 5 s for an invoke; a message turn should answer within a few seconds too. */
const TEAMS_INVOKE_LIMIT_MS = 5_000;
const CALL_MS = 800;
const INTERNAL_TEXT = /Error|stack|at [\w.]+ \(|devstoreaccount|127\.0\.0\.1|undefined|\[object/;

describe('integration: storage goes away in the middle of a turn (relay to Azurite paused)', () => {
  let proxy: StorageProxy;
  beforeEach(async () => {
    proxy = await startStorageProxy();
  });
  afterEach(async () => {
    await proxy.close();
  });

  async function world() {
    const storage = createAzureStorage({
      connectionString: proxy.connectionString,
      prefix: `t${randomBytes(5).toString('hex')}`,
      timeouts: { callMs: CALL_MS, coolDownMs: 2_000 },
    });
    await storage.ensureCreated();
    const t = testDeps({ store: storage.store });
    t.directory.users.set(ALEX.aadObjectId, {
      id: ALEX.aadObjectId,
      userPrincipalName: ALEX.upn,
      displayName: ALEX.name,
    });
    return { ...t, app: createApp(t.deps), storage };
  }

  it('a message whose write cannot land gets the "can\'t reach my records" card in time, and the stored row is as it was', async () => {
    const { app, storage } = await world();
    await runTurn(app, personalMessage('help', { locale: 'en-US', timezone: 'Europe/Stockholm' }));
    const key = participantKey(ALEX.aadObjectId);
    const before = await storage.store.participants.get(key);
    assert.equal(before?.value.timeZone, 'Europe/Stockholm');

    // The user's client now reports another time zone: the turn reads the row, then must write it.
    proxy.pauseWhen((line) => /^(PUT|PATCH|MERGE|POST) .*Participants/i.test(line));
    const started = Date.now();
    const { replies } = await runTurn(
      app,
      personalMessage('help', { locale: 'en-US', timezone: 'Asia/Tokyo' }),
    );
    const elapsed = Date.now() - started;

    assert.ok(proxy.paused, 'storage was paused at the write');
    assert.ok(elapsed < 3_000, `answered after ${elapsed} ms`);
    assert.equal(replies.length, 1);
    const text = textOf(cardOf(replies[0]));
    assert.match(text, /can't reach my records right now/);
    assert.match(text, /try again in a few minutes/);
    assert.doesNotMatch(text, INTERNAL_TEXT);

    proxy.resume();
    const after = await eventually(() => storage.store.participants.get(key), { timeoutMs: 5_000 });
    assert.equal(after?.etag, before?.etag, 'nothing was written');
    assert.equal(after?.value.timeZone, 'Europe/Stockholm');
  });

  it("a card action answers inside Teams' 5 s with the same card, in the user's language", async () => {
    const { app } = await world();
    proxy.pause();
    const started = Date.now();
    const { invokeResponse } = await runTurn(app, cardAction(DEVICE_VERBS.check, {}, { locale: 'sv-SE' }));
    const elapsed = Date.now() - started;
    assert.ok(elapsed < TEAMS_INVOKE_LIMIT_MS, `answered after ${elapsed} ms`);
    assert.equal(invokeResponse?.status, 200);
    const text = textOf(cardOf(invokeResponse));
    assert.match(text, /Jag når inte mina uppgifter just nu/);
    assert.doesNotMatch(text, INTERNAL_TEXT);
  });

  it('turns during the outage fail fast, and once storage answers again the next turn works', async () => {
    const { app, storage } = await world();
    proxy.pause();
    await runTurn(app, personalMessage('help'));
    const started = Date.now();
    const { replies } = await runTurn(app, personalMessage('help'));
    assert.ok(Date.now() - started < CALL_MS, 'the cool-down answers without waiting again');
    assert.match(textOf(cardOf(replies[0])), /can't reach my records/);

    proxy.resume();
    await eventually(
      async () => {
        const { replies: ok } = await runTurn(app, personalMessage('help'));
        assert.doesNotMatch(textOf(cardOf(ok[0])), /can't reach my records/);
      },
      { timeoutMs: 8_000, intervalMs: 200 },
    );
    assert.ok(await storage.store.participants.get(participantKey(ALEX.aadObjectId)));
  });
});
