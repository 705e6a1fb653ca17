import assert from 'node:assert/strict';
import { catalogOf, formatDateTime, languageOf, type Message, translator } from '../../src/i18n';

const asText = (m: Message | undefined): string =>
  typeof m === 'string' ? m : Object.values(m ?? {}).join(' ');
const placeholders = (m: Message | undefined) =>
  [...new Set([...asText(m).matchAll(/\{(\w+)\}/g)].map((x) => x[1]))].sort();

describe('i18n', () => {
  it('Swedish has exactly the English keys, none empty', () => {
    const en = catalogOf('en');
    const sv = catalogOf('sv');
    assert.deepEqual(Object.keys(sv).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(sv)) assert.ok(asText(v).trim().length > 0, `sv ${k} is empty`);
  });

  it('every translation uses the same placeholders as English', () => {
    const en = catalogOf('en');
    const sv = catalogOf('sv');
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(sv[key]), placeholders(en[key]), `placeholders differ in ${key}`);
    }
  });

  it('picks the language from the Teams locale, falling back to the default', () => {
    assert.equal(languageOf('sv-SE'), 'sv');
    assert.equal(languageOf('sv-FI'), 'sv');
    assert.equal(languageOf('en-GB'), 'en');
    assert.equal(languageOf('de-DE', 'en', ['en', 'sv']), 'en');
    assert.equal(languageOf('de-DE', 'sv-SE', ['en', 'sv']), 'sv');
    assert.equal(languageOf(undefined, 'sv-SE'), 'sv');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('en');
    assert.equal(t('welcome.greeting', { name: 'Alex' }), 'Hi Alex!');
    assert.equal(t('welcome.greeting'), 'Hi {name}!');
  });

  it('formats dates in the given time zone and locale', () => {
    const at = new Date('2026-03-29T00:30:00Z');
    assert.match(formatDateTime(at, 'sv-SE', 'Europe/Stockholm'), /29 mars 2026 01:30/);
    assert.match(formatDateTime(at, 'en-US', 'America/New_York'), /Mar 28, 2026, 8:30/);
  });
});
