/**
 * CAMPAIGN_LANGUAGES and HELPDESK_LANGUAGE, checked against the language folders present
 * (src/i18n/<tag>/meta.json). Configuration may not import the i18n module, so it looks at the
 * folders themselves: a language is there when its folder is.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from './settings';

/** Where the language folders are, beside this folder in src/ and in dist/src/ alike. */
export const LANGUAGE_FOLDERS = path.resolve(__dirname, '../i18n');

export function languagesPresent(dir = LANGUAGE_FOLDERS): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'meta.json')))
    .map((e) => e.name)
    .sort();
}

/** "en, sv, nb" → ['en', 'sv', 'nb']; every tag must have a folder. Default: English and Swedish. */
export function parseCampaignLanguages(
  raw: string | undefined,
  problem: Problem,
  present = languagesPresent(),
) {
  const tags = [
    ...new Set(
      (raw ?? 'en,sv')
        .split(/[,;\s]+/)
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  const unknown = tags.filter((t) => !present.includes(t));
  if (unknown.length > 0) {
    problem(
      `CAMPAIGN_LANGUAGES: ${unknown.map((t) => `"${t}"`).join(', ')} has no language files; the languages present are ${present.join(', ')}.`,
    );
  }
  const known = tags.filter((t) => present.includes(t));
  if (raw !== undefined && known.length === 0 && unknown.length === 0)
    problem('CAMPAIGN_LANGUAGES: name at least one language, e.g. en,sv.');
  return known.length > 0 ? known : ['en'];
}

/** The helpdesk channel's language: HELPDESK_LANGUAGE, else the language of DEFAULT_LOCALE. */
export function parseHelpdeskLanguage(
  raw: string | undefined,
  problem: Problem,
  present = languagesPresent(),
) {
  if (raw === undefined) return undefined;
  const tag = raw.toLowerCase();
  if (present.includes(tag)) return tag;
  problem(
    `HELPDESK_LANGUAGE: "${raw}" has no language files; the languages present are ${present.join(', ')}.`,
  );
  return undefined;
}
