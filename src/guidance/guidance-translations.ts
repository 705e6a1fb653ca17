/**
 * Translations of the guidance kept beside the content: `content/i18n/<tag>.json`, one file per
 * language, a flat map from "<file base>.<JSON path to a text>" to the text in that language, e.g.
 * "workspace-one.guides.all.personal.vendorSteps.0". At load they are written into the content's
 * `{ en, … }` texts, so the rest of the loader sees every language inline. Adding a language to the
 * guidance is adding one such file; no code names a language.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readSource, type Source } from './guidance-sources';

/** Where the built-in translations live (the build copies them next to the compiled loader). */
export const TRANSLATIONS_DIR = path.join(__dirname, 'content', 'i18n');

const TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export interface TranslationFile {
  /** How problems name the file. */
  file: string;
  language: string;
  entries: Record<string, string>;
}

/** Every `<tag>.json` in a folder; a folder that does not exist holds no translations. */
export function readTranslations(dir: string, label: string, problems: string[]): TranslationFile[] {
  if (!existsSync(dir)) return [];
  const files: TranslationFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const language = name.slice(0, -'.json'.length);
    const file = `${label}/${name}`;
    if (!TAG.test(language) || language === 'en') {
      problems.push(`${file}: the file name must be a language tag other than en (nb.json, ar.json …)`);
      continue;
    }
    const source = readSource(path.join(dir, name), file);
    const entries = translationEntries(source, problems);
    if (entries) files.push({ file, language, entries });
  }
  return files;
}

function translationEntries(source: Source, problems: string[]): Record<string, string> | undefined {
  if (source.problem) {
    problems.push(`${source.file}: ${source.problem}`);
    return undefined;
  }
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`${source.file}: must hold one object mapping "<file>.<path>" to text`);
    return undefined;
  }
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === '$comment') continue;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${source.file}: "${key}": must be a non-empty text`);
      continue;
    }
    entries[key] = value;
  }
  return entries;
}

type Node = Record<string, unknown> | unknown[];

/**
 * Writes each entry into its text (an object with `en`) in a copy of the content files, keyed by
 * file base name ("common", "jamf", "apple-migration" …). `replace`: an entry may overwrite a text
 * the file already has in that language (the admin's override does; built-in files may not say a
 * thing twice). Entries that lead nowhere are problems: a stale translation would otherwise vanish.
 */
export function applyTranslations(
  files: Record<string, Source>,
  translations: readonly TranslationFile[],
  problems: string[],
  options: { replace?: boolean } = {},
): Record<string, Source> {
  const out: Record<string, Source> = {};
  for (const [base, source] of Object.entries(files)) {
    out[base] = source.data === undefined ? source : { ...source, data: structuredClone(source.data) };
  }
  for (const { file, language, entries } of translations) {
    for (const [key, text] of Object.entries(entries)) {
      const [base, ...at] = key.split('.');
      const target = out[base!];
      if (!target) {
        problems.push(`${file}: "${key}": there is no content file "${base}"`);
        continue;
      }
      if (target.data === undefined) continue; // its own problem is reported when it is parsed
      const node = at.reduce<unknown>(
        (n, part) => (n && typeof n === 'object' ? (n as Record<string, unknown>)[part] : undefined),
        target.data,
      ) as Node | undefined;
      // A text that lost its English is reported by the file's schema ("en: required"), once.
      if (node && typeof node === 'object' && !Array.isArray(node) && node.en === undefined) continue;
      if (!node || typeof node !== 'object' || Array.isArray(node) || typeof node.en !== 'string') {
        problems.push(`${file}: "${key}": ${target.file} has no English text at ${at.join('.') || '(top)'}`);
        continue;
      }
      if (!options.replace && typeof node[language] === 'string') {
        problems.push(`${file}: "${key}": ${target.file} already has the ${language} text inline`);
        continue;
      }
      node[language] = text;
    }
  }
  return out;
}

/** Every text (an object with `en`) in a content file that lacks one of `languages`: "path: tag". */
export function missingTranslations(data: unknown, languages: readonly string[], at = ''): string[] {
  if (Array.isArray(data))
    return data.flatMap((item, i) => missingTranslations(item, languages, `${at}.${i}`));
  if (!data || typeof data !== 'object') return [];
  const node = data as Record<string, unknown>;
  if (typeof node.en === 'string') {
    return languages.filter((l) => typeof node[l] !== 'string').map((l) => `${at.slice(1)}: ${l}`);
  }
  return Object.entries(node).flatMap(([k, v]) => missingTranslations(v, languages, `${at}.${k}`));
}
