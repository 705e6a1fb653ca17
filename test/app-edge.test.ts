import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { createApp } from '../src/app';
import { participantKey } from '../src/domain/participant';
import { participantsCsv } from '../src/exports/csv';
import { MAX_NAME_CHARS } from '../src/features/activity-input';
import { DEVICE_VERBS } from '../src/verbs/devices';
import { ALEX, cardAction, cardOf, personalMessage, runTurn, testDeps, textOf } from './helpers/activities';
import { freshStorage } from './helpers/storage';

/** What no answer may show: stack traces, JavaScript error text, storage internals. */
const INTERNAL_TEXT =
  /TypeError|is not a function|Cannot read|stack|at [\w.]+ \(|undefined|\[object|table row holds/;
/** Every turn here must be answered well inside Teams' 5 s invoke limit. */
const IN_TIME_MS = 2_000;

async function azuriteWorld() {
  const storage = await freshStorage();
  const t = testDeps({ store: storage.store });
  return { ...t, app: createApp(t.deps), storage };
}

function withFrom(activity: Partial<Activity>, from: Record<string, unknown>): Partial<Activity> {
  return { ...activity, from: { ...activity.from, ...from } as Activity['from'] };
}

async function answered(app: ReturnType<typeof createApp>, activity: Partial<Activity>) {
  const started = Date.now();
  const turn = await runTurn(app, activity);
  const ms = Date.now() - started;
  assert.ok(ms < IN_TIME_MS, `answered after ${ms} ms`);
  const everything = JSON.stringify([turn.replies, turn.invokeResponse ?? null]);
  assert.doesNotMatch(everything, INTERNAL_TEXT);
  return turn;
}

describe('the activity edge: every field type-checked before a handler or storage sees it', () => {
  it('from.aadObjectId as a number, an object, or with characters no Entra id has: refused with a clear card, nothing stored', async () => {
    const { app, storage } = await azuriteWorld();
    for (const aadObjectId of [42, { id: ALEX.aadObjectId }, ['x'], "a'/\\#?%", 'x'.repeat(65)]) {
      const { replies } = await answered(app, withFrom(personalMessage('help'), { aadObjectId }));
      assert.equal(replies.length, 1, JSON.stringify(aadObjectId));
      assert.match(textOf(cardOf(replies[0])), /incomplete or damaged.*from\.aadObjectId/s);
    }
    const invoke = await answered(app, withFrom(cardAction(DEVICE_VERBS.check), { aadObjectId: 7 }));
    assert.equal(invoke.invokeResponse?.status, 200);
    assert.match(textOf(cardOf(invoke.invokeResponse)), /incomplete or damaged/);
    assert.equal(await storage.store.participants.get(participantKey(ALEX.aadObjectId)), undefined);
  });

  it('from.name as an object is left out and the turn goes on; the stored name is text', async () => {
    const { app, storage } = await azuriteWorld();
    const { replies } = await answered(app, withFrom(personalMessage('help'), { name: { first: 'Alex' } }));
    assert.equal(replies.length, 1);
    assert.doesNotMatch(textOf(cardOf(replies[0])), /incomplete or damaged/);
    const stored = await storage.store.participants.get(participantKey(ALEX.aadObjectId));
    assert.ok(stored);
    assert.equal(stored.value.displayName, undefined);
  });

  it('a 40,000-character name is cut to what Entra allows, so the row fits and every later turn works', async () => {
    const { app, storage } = await azuriteWorld();
    for (let i = 0; i < 2; i++) {
      const { replies } = await answered(
        app,
        withFrom(personalMessage('help'), { name: 'N'.repeat(40_000) }),
      );
      assert.equal(replies.length, 1);
    }
    const stored = await storage.store.participants.get(participantKey(ALEX.aadObjectId));
    assert.equal(stored?.value.displayName?.length, MAX_NAME_CHARS);
  });

  it('entities that are not a list, and entities of the wrong shape, are ignored', async () => {
    const { app } = await azuriteWorld();
    for (const entities of [
      { type: 'clientInfo' },
      'x',
      [null, 7, { type: 5 }, { type: 'mention', mentioned: 3 }],
    ]) {
      const { replies } = await answered(app, { ...personalMessage('help'), entities } as Partial<Activity>);
      assert.equal(replies.length, 1, JSON.stringify(entities));
      assert.doesNotMatch(textOf(cardOf(replies[0])), /incomplete or damaged/);
    }
    // A clientInfo with a locale and time zone that are not ones: the defaults are used.
    const odd = {
      ...personalMessage('help'),
      entities: [{ type: 'clientInfo', locale: { x: 1 }, timezone: 'Mars/Olympus' }],
    };
    const { replies } = await answered(app, odd as Partial<Activity>);
    assert.equal(replies.length, 1);
  });
});

describe('every invoke answered: a card, a message, or a 400, never 501 or an empty body', () => {
  const base = (name: string, value: unknown): Partial<Activity> => ({
    ...personalMessage(''),
    text: undefined,
    type: 'invoke',
    name,
    value,
  });

  it('an adaptiveCard/action whose value is not an object (or has no Action.Execute) gets an error card', async () => {
    const { app } = testDepsApp();
    for (const value of [
      'hello',
      42,
      null,
      [],
      { action: 'x' },
      { action: { type: 'Action.Submit', verb: 'x' } },
    ]) {
      const { invokeResponse } = await answered(app, { ...cardAction('x'), value });
      assert.equal(invokeResponse?.status, 200, JSON.stringify(value));
      assert.match(textOf(cardOf(invokeResponse)), /incomplete or damaged/);
    }
    const badData = await answered(app, {
      ...cardAction('x'),
      value: { action: { type: 'Action.Execute', verb: 'x', data: 'str' } },
    });
    assert.match(textOf(cardOf(badData.invokeResponse)), /incomplete or damaged/);
  });

  it('message-extension queries and task-module requests with a malformed value get their kind of message', async () => {
    const { app } = testDepsApp();
    for (const name of [
      'composeExtension/query',
      'composeExtension/selectItem',
      'composeExtension/queryLink',
    ]) {
      const { invokeResponse } = await answered(app, base(name, 'not an object'));
      assert.equal(invokeResponse?.status, 200);
      const body = invokeResponse?.body as { composeExtension?: { type?: string; text?: string } };
      assert.equal(body.composeExtension?.type, 'message', name);
      assert.match(body.composeExtension?.text ?? '', /incomplete or damaged/);
    }
    for (const name of [
      'composeExtension/submitAction',
      'composeExtension/fetchTask',
      'task/fetch',
      'task/submit',
    ]) {
      const { invokeResponse } = await answered(app, base(name, 17));
      assert.equal(invokeResponse?.status, 200);
      const body = invokeResponse?.body as { task?: { type?: string; value?: string } };
      assert.equal(body.task?.type, 'message', name);
      assert.match(body.task?.value ?? '', /incomplete or damaged/);
    }
  });

  it('an invoke no route knows (unknown command, unknown name) is answered too', async () => {
    const { app } = testDepsApp();
    for (const [name, value] of [
      ['composeExtension/query', { commandId: 'no-such-command', parameters: [] }],
      ['task/submit', { data: {} }],
    ] as const) {
      const { invokeResponse } = await answered(app, base(name, value));
      assert.equal(invokeResponse?.status, 400, name);
      assert.match(String((invokeResponse?.body as { error?: string }).error), /don't know how to answer/);
    }
    const card = await answered(app, cardAction('no.such.verb'));
    assert.equal(card.invokeResponse?.status, 200);
    assert.match(textOf(cardOf(card.invokeResponse)), /isn't one I know/);

    const other = await answered(app, base('some/thing', { a: 1 }));
    assert.equal(other.invokeResponse?.status, 400);
    assert.match(
      String((other.invokeResponse?.body as { error?: string }).error),
      /don't know how to answer/,
    );
  });

  it("a turn that fails inside a route still answers its invoke, in the user's language", async () => {
    const { app, deps } = testDepsApp();
    deps.store.participants.update = async () => {
      throw new TypeError('x.trim is not a function');
    };
    const { invokeResponse } = await answered(
      app,
      base('composeExtension/query', {
        commandId: 'searchStatus',
        parameters: [{ name: 'query', value: 'a' }],
      }),
    );
    assert.equal(invokeResponse?.status, 200);
    assert.equal(
      (invokeResponse?.body as { composeExtension?: { type?: string } }).composeExtension?.type,
      'message',
    );
    const sv = await answered(app, { ...cardAction(DEVICE_VERBS.check, {}, { locale: 'sv-SE' }) });
    assert.match(textOf(cardOf(sv.invokeResponse)), /Något gick fel hos mig och jag har loggat det/);
  });
});

function testDepsApp() {
  const t = testDeps();
  return { ...t, app: createApp(t.deps) };
}

describe('exports read any stored value', () => {
  it("a participant row stored with a name object (before the edge) exports, and the user's next turn mends it", async () => {
    const { app, storage } = await azuriteWorld();
    const key = participantKey(ALEX.aadObjectId);
    await storage.store.participants.insert(key, {
      aadObjectId: ALEX.aadObjectId.toLowerCase(),
      displayName: { given: 'Alex' } as unknown as string,
      locale: 42 as unknown as string,
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    });
    const row = (await storage.store.participants.get(key))!.value;
    let csv = '';
    for await (const chunk of participantsCsv([{ participant: row }], 'en')) csv += chunk;
    assert.match(csv, /given/);

    const { replies } = await answered(app, personalMessage('help'));
    assert.equal(replies.length, 1);
    const mended = (await storage.store.participants.get(key))!.value;
    assert.equal(mended.displayName, ALEX.name);
    assert.equal(typeof mended.locale, 'string');
  });
});
