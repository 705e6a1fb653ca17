import assert from 'node:assert/strict';
import { createApp } from '../../src/app';
import { seedDemoCampaign } from '../../src/dev/demo-campaign';
import { participantKey } from '../../src/domain/participant';
import { LANGUAGES, translator, wordsOf } from '../../src/i18n';
import { ALEX, cardOf, personalMessage, runTurn, testDeps, textOf } from '../helpers/activities';

const en = translator('en');

async function app() {
  const t = testDeps();
  await seedDemoCampaign(t.store, t.clock.now());
  return { ...t, app: createApp(t.deps) };
}

/** What each intent's handler answers with (in English: the test user's Teams speaks English). */
const ANSWER: Record<'greeting' | 'stuck' | 'language' | 'guide', string> = {
  greeting: en('welcome.canDo'),
  stuck: en('help.stuck.title'),
  language: en('language.intro'),
  guide: en('help.guides.title'),
};

describe('i18n: free-text words route to their handler in every language', () => {
  for (const language of LANGUAGES) {
    it(`${language}: greeting, stuck, language and guide words`, async () => {
      const { app: a } = await app();
      for (const intent of ['greeting', 'stuck', 'language', 'guide'] as const) {
        for (const word of wordsOf(intent, language)) {
          const { replies } = await runTurn(a, personalMessage(word));
          const text = textOf(cardOf(replies[0]));
          assert.ok(text.includes(ANSWER[intent]), `${language} ${intent} "${word}" → ${text.slice(0, 80)}`);
          assert.ok(!text.includes(en('help.fallback')), `${language} "${word}" was not understood`);
        }
      }
    });

    it(`${language}: start and admin words reach their routes, not the fallback`, async () => {
      const { app: a } = await app();
      for (const intent of ['start', 'admin'] as const) {
        for (const word of wordsOf(intent, language)) {
          const { replies } = await runTurn(a, personalMessage(word));
          const text = textOf(cardOf(replies[0]));
          assert.ok(!text.includes(en('help.fallback')), `${language} ${intent} "${word}" fell through`);
          assert.ok(!text.includes(ANSWER.greeting), `${language} ${intent} "${word}" got the welcome card`);
        }
      }
    });
  }
});

describe('language choice', () => {
  it('the choice is kept on the participant and wins over the Teams locale', async () => {
    const { app: a, store } = await app();
    const { replies } = await runTurn(a, personalMessage('språk', { locale: 'en-US' }));
    const card = cardOf(replies[0]);
    const buttons = (card.actions as { title: string; data: { language: string } }[]).map(
      (b) => b.data.language,
    );
    assert.deepEqual(buttons, ['en', 'sv'], 'the campaign languages (CAMPAIGN_LANGUAGES default en,sv)');
    const p = (await store.participants.get(participantKey(ALEX.aadObjectId)))!.value;
    await store.participants.update(participantKey(ALEX.aadObjectId), () => ({ ...p, language: 'sv' }));
    const after = await runTurn(a, personalMessage('hello', { locale: 'en-US' }));
    assert.match(textOf(cardOf(after.replies[0])), /Hej Alex!/);
  });
});
