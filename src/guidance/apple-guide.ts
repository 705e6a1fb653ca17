/**
 * What the user of a device in Apple's managed-device migration is told: the system prompt and when it
 * appears, what stays, what to expect. Content in ./content/apple-migration.json, checked once when the
 * module loads, so a broken file stops start-up with the field named.
 */
import { z } from 'zod';
import type { AppleMigrationPlatform } from '../domain/apple-migration';
import type { Language } from '../i18n';
import content from './content/apple-migration.json';
import { describeIssues } from './guidance-schema';
import { applyTranslations, readTranslations, TRANSLATIONS_DIR } from './guidance-translations';

const text = z.object({ en: z.string().trim().min(1) }).catchall(z.string().trim().min(1));
const family = z
  .object({
    prompt: z.array(text).min(1),
    stays: z.array(text).min(1),
    expect: z.array(text).min(1),
  })
  .strict();
const appleFileSchema = z.object({ $comment: z.string().optional(), mobile: family, mac: family }).strict();

export type AppleGuideFile = z.infer<typeof appleFileSchema>;

/** One device's Apple path in one language; `{device}` and `{vendor}` are left for the caller. */
export interface AppleGuide {
  prompt: string[];
  stays: string[];
  expect: string[];
}

export const APPLE_GUIDE_FILE = 'src/guidance/content/apple-migration.json';

/** Validates the content; throws naming every problem by file and field. */
export function parseAppleGuideFile(data: unknown, file = APPLE_GUIDE_FILE): AppleGuideFile {
  const result = appleFileSchema.safeParse(data);
  if (!result.success) {
    throw new Error(
      `The Apple migration guidance is invalid:\n  - ${describeIssues(file, result.error).join('\n  - ')}`,
    );
  }
  return result.data;
}

/** The bundled file with its translations (content/i18n/<tag>.json, keys "apple-migration.…") written in. */
export function translatedAppleContent(dir = TRANSLATIONS_DIR): unknown {
  const problems: string[] = [];
  const files = { 'apple-migration': { file: APPLE_GUIDE_FILE, data: content } };
  const own = readTranslations(dir, 'src/guidance/content/i18n', problems).map((f) => ({
    ...f,
    entries: Object.fromEntries(Object.entries(f.entries).filter(([k]) => k.startsWith('apple-migration.'))),
  }));
  const translated = applyTranslations(files, own, problems);
  if (problems.length > 0)
    throw new Error(`The Apple migration guidance is invalid:\n  - ${problems.join('\n  - ')}`);
  return translated['apple-migration']!.data;
}

const parsed = parseAppleGuideFile(translatedAppleContent());

/** iPhone and iPad share one text (same prompt, restart at the deadline, apps kept); the Mac has its own. */
export function appleGuide(
  platform: AppleMigrationPlatform,
  language: Language,
  file: AppleGuideFile = parsed,
): AppleGuide {
  const f = platform === 'macos' ? file.mac : file.mobile;
  const pick = (items: { en: string; [language: string]: string }[]) => items.map((i) => i[language] ?? i.en);
  return { prompt: pick(f.prompt), stays: pick(f.stays), expect: pick(f.expect) };
}
