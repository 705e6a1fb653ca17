import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import type { MessagingExtensionAttachment } from 'botbuilder';
import { createApp } from '../../../src/app';
import { cardBytes, MAX_EXTENSION_CARD_BYTES } from '../../../src/cards/extension-card-size';
import { renderGuideCard } from '../../../src/cards/guide-card';
import { campaignKey } from '../../../src/domain/campaign';
import { LANGUAGES, translator } from '../../../src/i18n';
import { EXTENSION_COMMANDS } from '../../../src/verbs/message-extension';
import { runTurn, testDeps, testGuidance, textOf } from '../../helpers/activities';
import { extensionResultOf, linkInvoke, searchInvoke, selectInvoke } from './extension-activities';

const GUIDES = EXTENSION_COMMANDS.searchGuides;

function setup() {
  const t = testDeps();
  return { ...t, app: createApp(t.deps) };
}

type Tap = { type: string; value: Record<string, string> };
const tapOf = (a: MessagingExtensionAttachment) => (a.preview?.content as { tap?: Tap }).tap!;
const titles = (list: MessagingExtensionAttachment[]) =>
  list.map((a) => (a.preview?.content as { title: string }).title);

/** Problems the Adaptive Cards SDK reports for a card at a given schema version. */
function problemsOf(card: object, version?: AC.Version): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(version);
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}

describe('message extension: "Migration guides" search', () => {
  it('finds guides by platform and vendor words, as previews that select the guide', async () => {
    const { app } = setup();
    const { invokeResponse } = await runTurn(app, searchInvoke(GUIDES, 'jamf iphone'));
    const result = extensionResultOf(invokeResponse);
    assert.equal(result.type, 'result');
    assert.equal(result.attachmentLayout, 'list');
    const list = result.attachments!;
    assert.ok(list.length >= 2, `found ${list.length}`);
    for (const a of list) {
      assert.equal(a.preview?.contentType, 'application/vnd.microsoft.card.thumbnail');
      const tap = tapOf(a);
      assert.equal(tap.type, 'invoke');
      assert.equal(tap.value.kind, 'guide');
      assert.equal(tap.value.vendor, 'jamf');
      assert.equal(tap.value.platform, 'ios');
    }
    assert.ok(
      titles(list).every((t) => /Jamf/.test(t) && /iPhone/.test(t)),
      titles(list).join(' | '),
    );
    // Personal and company-owned are told apart in the preview's text.
    const texts = list.map((a) => (a.preview?.content as { text: string }).text).join('\n');
    assert.match(texts, /Personal device · about \d+ minutes/);
  });

  it('understands Swedish words and answers in Swedish for a Swedish Teams client', async () => {
    const { app } = setup();
    const { invokeResponse } = await runTurn(
      app,
      searchInvoke(GUIDES, 'surfplatta företagsägd', { locale: 'sv-SE' }),
    );
    const list = extensionResultOf(invokeResponse).attachments!;
    assert.ok(list.length > 0);
    const first = list[0]!.preview?.content as { title: string; text: string };
    assert.match(first.title, /iPad|iPhone/);
    assert.match(first.text, /Företagsägd|IT gör/);
    assert.ok(list.every((a) => tapOf(a).value.ownership === 'corporate'));
  });

  it('opens (initial run) with the campaign’s own MDM, as the admin set it', async () => {
    const { app, store } = setup();
    await store.campaigns.insert(campaignKey(), {
      id: 'default',
      name: 'Move to Intune',
      sourceMdm: 'ivanti',
      voluntaryOptIn: false,
      createdAt: '2026-11-01T00:00:00Z',
    });
    const list = extensionResultOf((await runTurn(app, searchInvoke(GUIDES, undefined))).invokeResponse)
      .attachments!;
    assert.ok(list.length > 0);
    assert.ok(
      list.every((a) => tapOf(a).value.vendor === 'ivanti'),
      JSON.stringify(list.map(tapOf)),
    );
  });

  it('pages through many results and keeps every page within 28 KB', async () => {
    const { app } = setup();
    const first = extensionResultOf(
      (await runTurn(app, searchInvoke(GUIDES, 'android', { count: 5 }))).invokeResponse,
    );
    const second = extensionResultOf(
      (await runTurn(app, searchInvoke(GUIDES, 'android', { skip: 5, count: 5 }))).invokeResponse,
    );
    assert.equal(first.attachments!.length, 5);
    assert.ok(second.attachments!.length > 0);
    const keys = (r: typeof first) => r.attachments!.map((a) => JSON.stringify(tapOf(a).value));
    assert.equal(new Set([...keys(first), ...keys(second)]).size, keys(first).length + keys(second).length);
    // A page as large as Teams asks for (25) stays within the limit too: extensionResultOf checks it.
    const big = extensionResultOf((await runTurn(app, searchInvoke(GUIDES, 'device'))).invokeResponse);
    assert.ok(big.attachments!.length <= 25);
  });

  it('says what to try when nothing matches', async () => {
    const { app } = setup();
    const result = extensionResultOf((await runTurn(app, searchInvoke(GUIDES, 'toaster'))).invokeResponse);
    assert.equal(result.type, 'message');
    assert.match(result.text!, /No guide matches “toaster”/);
  });

  it('inserts the full guide card for a chosen result: both parts, the warning, the web page', async () => {
    const { app } = setup();
    const item = {
      kind: 'guide',
      vendor: 'workspace-one',
      platform: 'android-work-profile',
      ownership: 'personal',
    };
    const result = extensionResultOf((await runTurn(app, selectInvoke(item))).invokeResponse);
    assert.equal(result.attachments!.length, 1);
    const inserted = result.attachments![0]!;
    assert.equal(inserted.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = inserted.content as Record<string, unknown>;
    assert.equal(card.version, '1.5');
    assert.deepEqual(problemsOf(card), []);
    const text = textOf(card);
    assert.match(text, /Part 1: Leave Workspace ONE/);
    assert.match(text, /Part 2: Enroll in Microsoft Intune/);
    assert.match(text, /Keep these steps open on another device/);
    assert.match(text, /^1\. /m);
    const actions = card.actions as { type: string; url: string; title: string }[];
    assert.ok(
      actions.some(
        (a) =>
          a.type === 'Action.OpenUrl' &&
          a.url === 'https://bot.example.com/guides/workspace-one/android-work-profile?lang=en',
      ),
      JSON.stringify(actions),
    );
    assert.ok(
      actions.some((a) => a.url.startsWith('https://play.google.com/')),
      'Company Portal in the store',
    );
    assert.ok(inserted.preview, 'a preview for the compose box');
  });

  it('inserts the guide in the sender’s language', async () => {
    const { app } = setup();
    const item = { kind: 'guide', vendor: 'jamf', platform: 'macos', ownership: 'corporate' };
    const card = extensionResultOf(
      (await runTurn(app, selectInvoke(item, { locale: 'sv-SE' }))).invokeResponse,
    ).attachments![0]!.content;
    assert.match(textOf(card), /Del 1: Lämna Jamf/);
    assert.match(JSON.stringify(card), /\/guides\/jamf\/macos\?lang=sv&ownership=corporate/);
  });

  it('refuses a forged or unknown item with a clear message', async () => {
    const { app } = setup();
    for (const item of [
      { kind: 'guide', vendor: 'intune', platform: 'ios', ownership: 'personal' },
      { kind: 'guide', vendor: 'jamf', platform: 'ios' },
      { kind: 'nope' },
      'just text',
    ]) {
      const result = extensionResultOf((await runTurn(app, selectInvoke(item))).invokeResponse);
      assert.equal(result.type, 'message', JSON.stringify(item));
      assert.match(result.text!, /incomplete or damaged/);
    }
  });

  it('keeps every built-in guide card, in every language, within 28 KB', function () {
    // Every guide × ten languages, rendered and measured: seconds of work, more on a loaded machine.
    this.timeout(120_000);
    const guidance = testGuidance();
    for (const key of guidance.list()) {
      for (const language of LANGUAGES) {
        const card = renderGuideCard({
          t: translator(language),
          unenroll: guidance.unenroll(key.vendor, key.platform, key.ownership, language),
          enroll: guidance.enroll(key.platform, language),
          webUrl: 'https://bot.example.com/guides/x/y',
        });
        const bytes = cardBytes(card);
        assert.ok(bytes <= MAX_EXTENSION_CARD_BYTES, `${JSON.stringify(key)} ${language}: ${bytes} bytes`);
        assert.doesNotMatch(textOf(card), /too long for one card/, 'built-in guides are never trimmed');
      }
    }
  });

  it('trims a company’s overlong guide to fit 28 KB and points to the web page for the rest', () => {
    const guidance = testGuidance();
    const unenroll = guidance.unenroll('other', 'windows', 'personal', 'en');
    const long = (n: number) =>
      Array.from({ length: 20 }, (_, i) => `Step ${n}.${i}: ${'word '.repeat(230)}`);
    const card = renderGuideCard({
      t: translator('en'),
      unenroll: { ...unenroll, steps: long(1), vendorSteps: long(2), note: 'n'.repeat(1200) },
      enroll: { ...guidance.enroll('windows', 'en'), steps: long(3) },
      webUrl: 'https://bot.example.com/guides/other/windows',
    });
    assert.ok(cardBytes(card) <= MAX_EXTENSION_CARD_BYTES, `${cardBytes(card)} bytes`);
    const text = textOf(card);
    assert.match(text, /too long for one card.*The web page has every step/);
    assert.match(text, /Step 1\.0/);
    assert.deepEqual(problemsOf(card), []);
  });
});

describe('message extension: unfurling links to the guide pages', () => {
  it('turns a guide page link into an Adaptive Card 1.3 with the guide’s title and a link', async () => {
    const { app } = setup();
    const url = 'https://bot.example.com/guides/citrix/windows?ownership=corporate';
    const result = extensionResultOf((await runTurn(app, linkInvoke(url))).invokeResponse);
    assert.equal(result.attachments!.length, 1);
    const card = result.attachments![0]!.content as Record<string, unknown>;
    assert.equal(card.version, '1.3');
    assert.deepEqual(problemsOf(card, AC.Versions.v1_3), []);
    const text = textOf(card);
    assert.match(text, /Citrix/);
    assert.match(text, /Company-owned/i);
    const actions = card.actions as { type: string; url: string }[];
    assert.equal(actions[0]!.type, 'Action.OpenUrl');
    assert.equal(
      actions[0]!.url,
      'https://bot.example.com/guides/citrix/windows?lang=en&ownership=corporate',
    );
    assert.ok(result.attachments![0]!.preview);
  });

  it('follows the language the link asks for, and unfurls the index of all guides', async () => {
    const { app } = setup();
    const sv = extensionResultOf(
      (await runTurn(app, linkInvoke('https://bot.example.com/guides/jamf/ios?lang=sv'))).invokeResponse,
    ).attachments![0]!.content;
    assert.match(textOf(sv), /Öppna guiden/);
    const index = extensionResultOf(
      (await runTurn(app, linkInvoke('https://BOT.example.com/guides/'))).invokeResponse,
    ).attachments![0]!.content as Record<string, unknown>;
    assert.match(textOf(index), /all guides/);
    assert.equal(index.version, '1.3');
  });

  it('unfurls for people who do not have the app (anonymous), since the pages hold no personal data', async () => {
    const { app } = setup();
    const result = extensionResultOf(
      (
        await runTurn(
          app,
          linkInvoke('https://bot.example.com/guides/ivanti/android-fully-managed', { anonymous: true }),
        )
      ).invokeResponse,
    );
    assert.equal(result.attachments!.length, 1);
    assert.match(textOf(result.attachments![0]!.content), /Ivanti/);
  });

  it('leaves every other link alone: other hosts, unknown guides, invalid queries, other paths', async () => {
    const { app } = setup();
    for (const url of [
      'https://evil.example.com/guides/jamf/ios',
      'https://bot.example.com/guides/intune/ios',
      'https://bot.example.com/guides/jamf/blackberry-os',
      'https://bot.example.com/guides/jamf/ios?lang=de',
      'https://bot.example.com/guides/jamf/ios?ownership=personal&ownership=corporate',
      'https://bot.example.com/healthz',
      'https://bot.example.com/guides/jamf/ios/extra',
      'not a url',
    ]) {
      const result = extensionResultOf((await runTurn(app, linkInvoke(url))).invokeResponse);
      assert.deepEqual(result.attachments, [], url);
    }
  });
});
