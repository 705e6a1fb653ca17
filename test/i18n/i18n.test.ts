import assert from 'node:assert/strict';
import {
  catalogOf,
  formatDateTime,
  LANGUAGES,
  languageMeta,
  languageOf,
  type Message,
  translator,
  WORD_INTENTS,
  wordsOf,
  wordsPattern,
} from '../../src/i18n';

const textsOf = (m: Message | undefined): string[] =>
  typeof m === 'string' ? [m] : Object.values(m ?? {}).filter((v): v is string => v !== undefined);
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]))].sort();

/**
 * Values that may be the same as English: product and platform names, identifiers, and words these
 * languages really share with English. Anything else equal to English is an untranslated string.
 */
const SHARED = [
  'Migration Companion',
  'Microsoft Intune',
  'Migration Companion · Helpdesk',
  'iPhone (iOS)',
  'iPad (iPadOS)',
  'Mac (macOS)',
  'Android',
  'Windows',
  'macOS',
  'Workspace ONE',
  'Ivanti (MobileIron)',
  'Jamf',
  'BlackBerry UEM',
  'Citrix Endpoint Management',
  'UDID',
  'IMEI',
  'MEID',
  'VPN',
  'Teams',
  'Wi-Fi',
  'Google Play',
  'Enterprise Wipe',
  'upn',
  // Unit abbreviations these languages share with English.
  '{m} min',
  '{h} h {m} min',
  '{d} d {h} h',
];
const SAME_AS_ENGLISH: Record<string, string[]> = {
  sv: ['Version', 'Helpdesk', 'App Store', 'Microsoft Store'],
  nb: ['System', 'For', 'Policy: {name} ({state})', 'App Store', 'Microsoft Store'],
  da: [
    'System',
    'For',
    'Platform',
    'platform',
    'model',
    'Match',
    'Version',
    'Deadline',
    'Download',
    'User principal names',
    'user principal name',
    'Apps',
    'App Store',
    'Microsoft Store',
  ],
  fi: ['App Store', 'Microsoft Store'],
  de: [
    'System',
    'Helpdesk',
    'In Intune',
    'Tickets',
    'Runbook',
    'Runbook: {campaign}',
    'Runbook: {wave}',
    'Name',
    'Ticket #{number}: {name}',
    'In {vendor}',
    'Version',
    'Apps',
    'name',
    'detail',
  ],
  fr: ['Tickets', 'Source', 'Participants (CSV)', 'Version', 'active'],
  nl: [
    'Helpdesk',
    'In Intune',
    'open ticket',
    'Tickets',
    'Platform',
    'platform',
    'model',
    'User principal names',
    'user principal name',
    'Deadline',
    'Ticket #{number}: {name}',
    'open',
    'helpdesk: {action} {name} {note}',
    'In {vendor}',
    'Apps',
    'ticket #{number} open',
    '{platforms}; deadline {date}',
  ],
  es: ['Tickets', 'Error', 'No', 'no', 'personal', 'App Store', 'Microsoft Store'],
  ar: ['App Store', 'Microsoft Store'],
};
/** Values with no words at all ("{time} ({kind})", "—") need no translation. */
const hasWords = (text: string) => /\p{L}/u.test(text.replace(/\{\w+\}/g, ''));

describe('i18n: every language is whole', () => {
  const en = catalogOf('en');

  it('has the ten languages, English first, each with a name, a direction and a review state', () => {
    assert.deepEqual(
      [...LANGUAGES].sort(),
      ['ar', 'da', 'de', 'en', 'es', 'fi', 'fr', 'nb', 'nl', 'sv'].sort(),
    );
    assert.equal(LANGUAGES[0], 'en');
    assert.equal(languageMeta('ar').dir, 'rtl');
    for (const l of LANGUAGES) {
      if (l !== 'ar') assert.equal(languageMeta(l).dir, 'ltr', l);
      assert.ok(['reviewed', 'draft'].includes(languageMeta(l).review), l);
    }
  });

  for (const language of LANGUAGES.filter((l) => l !== 'en')) {
    describe(language, () => {
      const own = catalogOf(language);
      const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories.sort();

      it('has exactly the English keys, none empty', () => {
        assert.deepEqual(Object.keys(own).sort(), Object.keys(en).sort());
        for (const [k, v] of Object.entries(own)) {
          for (const text of textsOf(v)) assert.ok(text.trim().length > 0, `${language} ${k} is empty`);
        }
      });

      it('uses the English placeholders in every plural form', () => {
        for (const key of Object.keys(en)) {
          const expected = placeholders(textsOf(en[key]).join(' '));
          for (const text of textsOf(own[key])) {
            // A form for exactly one may say the number in words instead of {count}.
            const got = placeholders(text);
            const wanted = got.includes('count') ? expected : expected.filter((p) => p !== 'count');
            assert.deepEqual(got, wanted, `${language} ${key}: "${text}"`);
          }
        }
      });

      it("has plural objects with exactly the language's Intl.PluralRules categories", () => {
        for (const [key, value] of Object.entries(own)) {
          if (typeof value === 'string') continue;
          assert.deepEqual(Object.keys(value).sort(), categories, `${language} ${key}`);
          assert.match(textsOf(en[key]).join(' '), /\{count\}/, `${language} ${key}: plural without {count}`);
        }
      });

      it('leaves nothing in English but the allowed product names and shared words', () => {
        const allowed = new Set([...SHARED, ...(SAME_AS_ENGLISH[language] ?? [])]);
        const same = Object.entries(own)
          .filter(([key, v]) => typeof v === 'string' && v === en[key] && hasWords(v) && !allowed.has(v))
          .map(([key, v]) => `${key}: ${String(v)}`);
        assert.deepEqual(same, [], `${language} strings still in English`);
      });

      it('has free-text words for every intent', () => {
        for (const intent of WORD_INTENTS) {
          assert.ok(wordsOf(intent, language).length > 0, `${language} has no ${intent} words`);
        }
      });
    });
  }

  it('picks the language from the Teams locale among the allowed ones, falling back to the default', () => {
    assert.equal(languageOf('sv-SE'), 'sv');
    assert.equal(languageOf('nb-NO'), 'nb');
    assert.equal(languageOf('no-NO'), 'nb');
    assert.equal(languageOf('ar-SA'), 'ar');
    assert.equal(languageOf('de-DE', 'en', ['en', 'sv']), 'en');
    assert.equal(languageOf('de-DE', 'sv-SE', ['en', 'sv']), 'sv');
    assert.equal(languageOf('pt-BR', 'en-US'), 'en');
    assert.equal(languageOf(undefined, 'sv-SE'), 'sv');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('en');
    assert.equal(t('welcome.greeting', { name: 'Alex' }), 'Hi Alex!');
    assert.equal(t('welcome.greeting'), 'Hi {name}!');
  });

  it('picks the plural form by Intl.PluralRules, six forms in Arabic', () => {
    const forms = catalogOf('ar')['dashboard.more'];
    assert.ok(forms && typeof forms === 'object');
    const t = translator('ar');
    for (const [count, category] of [
      [0, 'zero'],
      [1, 'one'],
      [2, 'two'],
      [3, 'few'],
      [11, 'many'],
      [100, 'other'],
    ] as const) {
      assert.equal(new Intl.PluralRules('ar').select(count), category);
      assert.equal(t('dashboard.more', { count }), forms[category]!.replace('{count}', String(count)));
    }
  });

  it('formats dates in the given time zone and locale', () => {
    const at = new Date('2026-03-29T00:30:00Z');
    assert.match(formatDateTime(at, 'sv-SE', 'Europe/Stockholm'), /29 mars 2026 01:30/);
    assert.match(formatDateTime(at, 'en-US', 'America/New_York'), /Mar 28, 2026, 8:30/);
    assert.match(formatDateTime(at, 'ar-SA', 'Asia/Riyadh'), /[\u0660-\u0669]/);
  });

  it('word patterns: whole words in any script, at the start or as the whole message', () => {
    assert.ok(wordsPattern('stuck').test('det funkar inte'));
    assert.ok(wordsPattern('stuck').test('الجهاز لا يعمل'));
    assert.ok(!wordsPattern('stuck').test('fastnatt'));
    assert.ok(wordsPattern('greeting', { at: 'start' }).test('hallå där'));
    assert.ok(!wordsPattern('greeting', { at: 'start' }).test('well hello'));
    assert.ok(wordsPattern('admin', { at: 'whole' }).test('Admin!'));
    assert.ok(!wordsPattern('admin', { at: 'whole' }).test('admin please'));
    assert.ok(wordsPattern('guide', { extra: ['jamf'] }).test('my jamf thing'));
  });
});
