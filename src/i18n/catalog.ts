/**
 * The languages the product speaks, read from their folders: `src/i18n/<tag>/` holds one JSON file
 * per area of strings (`core.json`, `admin.json` …), `words.json` (what people type) and
 * `meta.json` (name, direction, review state). Adding a language is adding a folder (and its
 * guidance file, src/guidance/content/i18n/<tag>.json): nothing here names a language but English,
 * the reference every other language is checked against and falls back to.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The English catalog's type: every key the code may ask for (the files are read at start-up). */
type Json<T> = Omit<T, 'default'>;
export type EnglishCatalog = Json<typeof import('./en/core.json')> &
  Json<typeof import('./en/admin.json')> &
  Json<typeof import('./en/apple.json')> &
  Json<typeof import('./en/broadcast.json')> &
  Json<typeof import('./en/dashboard.json')> &
  Json<typeof import('./en/errors.json')> &
  Json<typeof import('./en/extension.json')> &
  Json<typeof import('./en/guide.json')> &
  Json<typeof import('./en/import.json')> &
  Json<typeof import('./en/inventory.json')> &
  Json<typeof import('./en/language.json')> &
  Json<typeof import('./en/privacy.json')> &
  Json<typeof import('./en/release.json')> &
  Json<typeof import('./en/runbook.json')>;

export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];
/** A message that depends on `{count}`: one text per CLDR plural category of the language. */
export type PluralForms = Partial<Record<PluralCategory, string>>;
export type Message = string | PluralForms;

export const WORD_INTENTS = ['greeting', 'start', 'stuck', 'admin', 'language', 'guide'] as const;
export type WordIntent = (typeof WORD_INTENTS)[number];

const metaSchema = z.object({
  name: z.string().min(1),
  englishName: z.string().min(1),
  dir: z.enum(['ltr', 'rtl']),
  review: z.enum(['reviewed', 'draft']),
});
export type LanguageMeta = z.infer<typeof metaSchema>;

const messageSchema = z.union([
  z.string(),
  z.record(z.enum(PLURAL_CATEGORIES), z.string()).refine((forms) => 'other' in forms, {
    message: 'plural forms need at least "other"',
  }),
]);
const wordsSchema = z.object(
  Object.fromEntries(WORD_INTENTS.map((i) => [i, z.array(z.string().min(1)).default([])])) as Record<
    WordIntent,
    z.ZodDefault<z.ZodArray<z.ZodString>>
  >,
);

export interface LoadedLanguage {
  tag: string;
  meta: LanguageMeta;
  /** Every area's messages in one map (keys are unique across areas). */
  messages: Record<string, Message>;
  /** Which area file each key came from, for the completeness checks. */
  areaOf: Record<string, string>;
  words: Record<WordIntent, string[]>;
}

const TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Reads one language folder; every problem is named with the file it is in. */
export function readLanguage(dir: string, tag: string): LoadedLanguage {
  const folder = path.join(dir, tag);
  const read = (file: string): unknown => {
    try {
      return JSON.parse(readFileSync(path.join(folder, file), 'utf8'));
    } catch (err) {
      throw new Error(`language ${tag}: ${file} cannot be read: ${(err as Error).message}`);
    }
  };
  const meta = metaSchema.safeParse(read('meta.json'));
  if (!meta.success) throw new Error(`language ${tag}: meta.json: ${meta.error.issues[0]?.message}`);
  const words = existsSync(path.join(folder, 'words.json'))
    ? wordsSchema.safeParse(read('words.json'))
    : wordsSchema.safeParse({});
  if (!words.success) throw new Error(`language ${tag}: words.json: ${words.error.issues[0]?.message}`);
  const messages: Record<string, Message> = {};
  const areaOf: Record<string, string> = {};
  for (const file of readdirSync(folder).sort()) {
    if (!file.endsWith('.json') || file === 'meta.json' || file === 'words.json') continue;
    const area = file.slice(0, -'.json'.length);
    const data = read(file);
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new Error(`language ${tag}: ${file} must hold one object of messages`);
    for (const [key, value] of Object.entries(data)) {
      const parsed = messageSchema.safeParse(value);
      if (!parsed.success)
        throw new Error(`language ${tag}: ${file}: "${key}": ${parsed.error.issues[0]?.message}`);
      if (key in messages)
        throw new Error(`language ${tag}: "${key}" is in both ${areaOf[key]}.json and ${file}`);
      messages[key] = parsed.data as Message;
      areaOf[key] = area;
    }
  }
  return { tag, meta: meta.data, messages, areaOf, words: words.data as Record<WordIntent, string[]> };
}

/** Every language folder under `dir`, English first, then by tag. */
export function readLanguages(dir: string): LoadedLanguage[] {
  const tags = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && TAG.test(e.name) && existsSync(path.join(dir, e.name, 'meta.json')))
    .map((e) => e.name)
    .sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a < b ? -1 : 1));
  if (tags[0] !== 'en') throw new Error(`languages: ${dir} has no English folder (en/), the reference`);
  return tags.map((tag) => readLanguage(dir, tag));
}

/** The folder the language folders live in: beside this module (the build copies them to dist). */
export const LANGUAGE_DIR = __dirname;
