import {
  type EnglishCatalog,
  LANGUAGE_DIR,
  type LanguageMeta,
  type LoadedLanguage,
  type Message,
  type PluralCategory,
  readLanguages,
  type WordIntent,
} from './catalog';

/**
 * Every user-facing string lives in a language folder (src/i18n/<tag>/, see catalog.ts); English is
 * the reference and the fallback. Messages that depend on `{count}` may hold one text per plural
 * category of their language, chosen with `Intl.PluralRules`.
 */
export type MessageKey = keyof EnglishCatalog;
/** A language tag with a folder under src/i18n (`en`, `sv`, `nb`, `ar` …). */
export type Language = string;

const loaded: readonly LoadedLanguage[] = readLanguages(LANGUAGE_DIR);
const byTag = new Map(loaded.map((l) => [l.tag, l]));
const english = byTag.get('en')!;

/** Every language the product has files for, English first. */
export const LANGUAGES: readonly Language[] = loaded.map((l) => l.tag);

/** Teams and browsers say "no" or "nn" for Norwegian; the Bokmål files answer both. */
const ALIASES: Readonly<Record<string, string>> = { no: 'nb', nn: 'nb' };

/** The language with files (among `allowed`) that a tag such as "nb-NO" or "no" names, if any. */
export function matchLanguage(
  tag: string | undefined,
  allowed: readonly Language[] = LANGUAGES,
): Language | undefined {
  if (!tag) return undefined;
  const lower = tag.toLowerCase();
  const primary = lower.split(/[-_]/)[0]!;
  const candidates = [lower, primary, ALIASES[primary]];
  return candidates.find((c): c is string => !!c && byTag.has(c) && allowed.includes(c));
}

/**
 * The language for a Teams locale such as "sv-SE", among `allowed` (the campaign's languages; all
 * by default); anything else falls back to `fallback`'s language, else English.
 */
export function languageOf(
  locale: string | undefined,
  fallback: string = 'en',
  allowed: readonly Language[] = LANGUAGES,
): Language {
  return (
    matchLanguage(locale, allowed) ??
    matchLanguage(fallback, allowed) ??
    (allowed.includes('en') ? 'en' : (allowed[0] ?? 'en'))
  );
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const pluralRules = new Map<Language, Intl.PluralRules>();
function pluralCategory(language: Language, count: number): PluralCategory {
  let rules = pluralRules.get(language);
  if (!rules) {
    rules = new Intl.PluralRules(language);
    pluralRules.set(language, rules);
  }
  return rules.select(count) as PluralCategory;
}

/** The text of a message for a count: its language's plural form, else "other". */
function textOf(message: Message, language: Language, vars?: Record<string, string | number>): string {
  if (typeof message === 'string') return message;
  const count = Number(vars?.count);
  const category = Number.isFinite(count) ? pluralCategory(language, count) : 'other';
  return message[category] ?? message.other ?? '';
}

export function translator(language: Language): Translate {
  const own = byTag.get(language) ?? english;
  return (key, vars) => {
    const fromOwn = own.messages[key];
    const message = fromOwn ?? english.messages[key];
    if (message === undefined) return key;
    const template = textOf(message, fromOwn === undefined ? 'en' : own.tag, vars);
    return vars ? template.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : template;
  };
}

/** A language's messages as stored (plural forms as objects), for the completeness checks. */
export function catalogOf(language: Language): Readonly<Record<string, Message>> {
  return (byTag.get(language) ?? english).messages;
}

/** The area file each of a language's keys is in. */
export function areasOf(language: Language): Readonly<Record<string, string>> {
  return (byTag.get(language) ?? english).areaOf;
}

/** Name, direction and review state of a language. */
export function languageMeta(language: Language): LanguageMeta {
  return (byTag.get(language) ?? english).meta;
}

export function isRightToLeft(language: Language): boolean {
  return languageMeta(language).dir === 'rtl';
}

/** What people type for an intent, in every language (or one). */
export function wordsOf(intent: WordIntent, language?: Language): string[] {
  const from = language ? [byTag.get(language) ?? english] : loaded;
  return [...new Set(from.flatMap((l) => l.words[intent]))];
}

const escapeWord = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');

/**
 * A pattern matching any of an intent's words in any language (plus `extra`, e.g. product names),
 * longest first so "my status" wins over "status". Where in the message: `anywhere` (default),
 * at the `start`, or `whole` (the message is only that word, with a full stop or mark at most).
 */
export function wordsPattern(
  intent: WordIntent,
  options: { extra?: string[]; at?: 'anywhere' | 'start' | 'whole' } = {},
): RegExp {
  const words = [...wordsOf(intent), ...(options.extra ?? [])].sort((a, b) => b.length - a.length);
  const body = words.map(escapeWord).join('|');
  // \b only knows ASCII letters: a word boundary here is "not a letter or digit" in any script.
  const before = '(?<![\\p{L}\\p{N}])';
  const after = '(?![\\p{L}\\p{N}])';
  switch (options.at ?? 'anywhere') {
    case 'whole':
      return new RegExp(`^\\s*(?:${body})\\s*[.!?؟]?\\s*$`, 'iu');
    case 'start':
      return new RegExp(`^\\s*(?:${body})${after}`, 'iu');
    default:
      return new RegExp(`${before}(?:${body})${after}`, 'iu');
  }
}

export type { LanguageMeta, Message, PluralForms, WordIntent } from './catalog';
export { WORD_INTENTS } from './catalog';

/** A date and time as the user reads it: their language, their time zone. */
export function formatDateTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(at);
}
