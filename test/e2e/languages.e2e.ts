import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { sendAsUser, type TenantUser, usePlaygroundStack } from './stack';

const I18N = path.resolve(__dirname, '..', '..', 'src', 'i18n');
const ALEX: TenantUser = {
  id: 'user-id-0',
  name: 'Alex Wilber',
  aadObjectId: '00000000-0000-0000-0000-0000000000020',
};
/** Alex's 1:1 chat with the bot, the one the page shows (the yml's `personalChat.id`). */
const ALEX_CHAT = 'a:mc-personal-chat-alexw';

function languageFile(tag: string, area: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(I18N, tag, `${area}.json`), 'utf8')) as Record<string, unknown>;
}

function text(tag: string, key: string, values: Record<string, string> = {}): string {
  const template = languageFile(tag, 'core')[key];
  assert.equal(typeof template, 'string', `${tag}/core.json has no text for ${key}`);
  return (template as string).replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

function firstWord(tag: string, intent: 'greeting' | 'start'): string {
  const words = languageFile(tag, 'words')[intent] as string[];
  return words[0]!;
}

/**
 * The campaign in Norwegian, German and Arabic, seen in the Agents Playground by a user whose Teams
 * client is set to that locale. The playground's own composer always sends `locale: "en-US"`, so
 * Alex's words go in through its custom-activity endpoint with the locale a Teams client would
 * send; the bot's answers land in Alex's chat on the page like any other.
 */
for (const { locale, tag } of [
  { locale: 'nb-NO', tag: 'nb' },
  { locale: 'de-DE', tag: 'de' },
  { locale: 'ar-SA', tag: 'ar' },
]) {
  describe(`browser: a ${locale} user in the Agents Playground`, function () {
    this.timeout(180_000);
    const harness = usePlaygroundStack(this, { botEnv: { CAMPAIGN_LANGUAGES: 'en,sv,nb,de,ar' } });
    const rtl = tag === 'ar';

    it(`greets with the welcome card and starts the journey in ${tag}`, async () => {
      const ui = harness.ui();
      const stack = harness.stack();

      await ui.markCards();
      await sendAsUser(stack, ALEX, ALEX_CHAT, firstWord(tag, 'greeting'), locale);
      const welcome = await ui.waitForCardContaining(text(tag, 'welcome.canDo'));
      assert.equal(
        await welcome.getByRole('button', { name: text(tag, 'welcome.checkDevices'), exact: true }).count(),
        1,
        'the welcome card offers "Check my devices" in the language',
      );
      assert.equal(await direction(welcome), rtl ? 'rtl' : 'ltr');
      await ui.screenshot(`lang-${tag}-welcome`);

      await ui.markCards();
      await sendAsUser(stack, ALEX, ALEX_CHAT, firstWord(tag, 'start'), locale);
      const heading = text(tag, 'journey.unenroll.heading', {
        vendor: 'Workspace ONE',
        device: "Alex's iPhone",
      });
      const journey = await ui.waitForCardContaining(heading);
      assert.equal(await direction(journey), rtl ? 'rtl' : 'ltr');
      // The guide is taller than the window: show its translated heading and first steps.
      await journey.getByText(heading).first().scrollIntoViewIfNeeded();
      await ui.screenshot(`lang-${tag}-journey`);
    });
  });
}

/** The direction the card's text is laid out in, as the browser computed it. */
function direction(card: Locator): Promise<string> {
  return card.evaluate((el) => getComputedStyle(el).direction);
}
