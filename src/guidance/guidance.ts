/**
 * Migration guidance as validated data: how to leave the old MDM (per vendor × platform ×
 * ownership) and how to enroll in Intune (per platform), in every language with files.
 *
 * The built-in content lives in ./content as JSON. Shared platform steps are written once in
 * common.json; each vendor file only says what differs; an optional admin override goes on top.
 * Everything is merged and checked once at start-up, so a broken file stops the process with the
 * file and field named, and every lookup afterwards is a plain map read.
 */

import path from 'node:path';
import { SOURCE_MDMS, type SourceMdm } from '../domain/source-mdm';
import { LANGUAGES, type Language } from '../i18n';
import { type Content, keyId, type Resolved, resolveAll } from './guidance-merge';
import {
  commonFileSchema,
  enrollFileSchema,
  type GuidePlatform,
  type OverrideFile,
  type Ownership,
  overrideFileSchema,
  type VendorFile,
  vendorFileSchema,
} from './guidance-schema';
import {
  builtInSources,
  type Parsed,
  parse,
  readContentDir,
  readSource,
  type Source,
  type Sources,
} from './guidance-sources';
import { applyTranslations, readTranslations, TRANSLATIONS_DIR } from './guidance-translations';
import { type Guidance, type GuideKey, type GuideSummary, guidePath } from './guide-model';

const BUILT_IN_TRANSLATIONS = 'src/guidance/content/i18n';

// The module's public surface: callers outside src/guidance import from here only.
export {
  CONTENT_PLATFORMS,
  GUIDE_PLATFORMS,
  type GuidePlatform,
  OWNERSHIPS,
  type Ownership,
  RESOURCE_ITEMS,
  type ResourceItem,
  type StoreId,
} from './guidance-schema';
export {
  type EnrollGuide,
  type Guidance,
  type GuideKey,
  type GuideSummary,
  guidePath,
  isGuidePlatform,
  isOwnership,
  isSourceMdm,
  type UnenrollGuide,
} from './guide-model';

export class GuidanceError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The migration guidance content is invalid: ${problems.length} problem(s).\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee docs/guidance.md for the format.',
    );
    this.name = 'GuidanceError';
  }
}

export interface LoadGuidanceOptions {
  /** An admin's JSON file merged over the built-in content (GUIDANCE_OVERRIDE_PATH). */
  overridePath?: string;
  /** Read the built-in content from this folder instead of the bundled files (tests, previews). */
  contentDir?: string;
}

/** Loads, validates and merges all guidance; throws a GuidanceError listing every problem found. */
export function loadGuidance(options: LoadGuidanceOptions = {}): Guidance {
  const problems: string[] = [];
  const override = options.overridePath
    ? parse(readSource(options.overridePath, options.overridePath), overrideFileSchema, problems)
    : undefined;
  const sources = translatedSources(options, override, problems);
  const common = parse(sources.common, commonFileSchema, problems);
  const enroll = parse(sources.enroll, enrollFileSchema, problems);
  const vendors = new Map<SourceMdm, Parsed<VendorFile>>();
  for (const vendor of SOURCE_MDMS) {
    const parsed = parse(sources.vendors[vendor], vendorFileSchema, problems);
    if (parsed) vendors.set(vendor, parsed);
  }
  // Merging needs every file; with them, its problems are reported together with the others.
  if (!common || !enroll || vendors.size !== SOURCE_MDMS.length) throw new GuidanceError(problems);
  const content: Content = { common, enroll, vendors, override };
  const resolved = resolveAll(content, problems);
  if (problems.length > 0) throw new GuidanceError(problems);
  return createGuidance(resolved);
}

/**
 * The content with every language written in: the translation files beside it (content/i18n/),
 * then the override's `translations`, which may replace any text in any language.
 */
function translatedSources(
  options: LoadGuidanceOptions,
  override: Parsed<OverrideFile> | undefined,
  problems: string[],
): Sources {
  const raw = options.contentDir ? readContentDir(options.contentDir) : builtInSources();
  const dir = options.contentDir ? path.join(options.contentDir, 'i18n') : TRANSLATIONS_DIR;
  const label = options.contentDir ? dir : BUILT_IN_TRANSLATIONS;
  const files: Record<string, Source> = { common: raw.common, enroll: raw.enroll, ...raw.vendors };
  // The Apple migration texts share the translation files; apple-guide.ts writes those in.
  const builtIn = readTranslations(dir, label, problems).map((f) => ({
    ...f,
    entries: Object.fromEntries(Object.entries(f.entries).filter(([k]) => !k.startsWith('apple-migration.'))),
  }));
  let translated = applyTranslations(files, builtIn, problems);
  const own = Object.entries(override?.data.translations ?? {}).map(([language, entries]) => ({
    file: `${override!.file}: translations.${language}`,
    language,
    entries,
  }));
  for (const { file, language } of own) {
    if (!LANGUAGES.includes(language))
      problems.push(`${file}: there are no language files for "${language}"`);
  }
  translated = applyTranslations(translated, own, problems, { replace: true });
  const vendors = Object.fromEntries(SOURCE_MDMS.map((v) => [v, translated[v]!])) as Sources['vendors'];
  return { common: translated.common!, enroll: translated.enroll!, vendors };
}

// ---------------------------------------------------------------------------------------------
// The query side

function createGuidance(resolved: Resolved): Guidance {
  const unenroll = (vendor: SourceMdm, platform: GuidePlatform, ownership: Ownership, language: Language) => {
    const guide =
      resolved.unenroll.get(keyId(vendor, platform, ownership)) ??
      resolved.unenroll.get(keyId(vendor, fallbackPlatform(platform), ownership));
    if (!guide) throw new RangeError(`no guide for ${keyId(vendor, platform, ownership)}`);
    return guide[language] ?? guide.en;
  };
  const summarize = (key: GuideKey, language: Language): GuideSummary => {
    const guide = unenroll(key.vendor, key.platform, key.ownership, language);
    return {
      key: guide.key,
      title: guide.title,
      vendorLabel: guide.vendorLabel,
      platformLabel: guide.platformLabel,
      ownershipLabel: guide.ownershipLabel,
      selfService: guide.selfService,
      path: guidePath(guide.key),
    };
  };
  return {
    unenroll,
    enroll: (platform, language) => {
      const guide = resolved.enroll.get(platform) ?? resolved.enroll.get(fallbackPlatform(platform));
      if (!guide) throw new RangeError(`no enrollment guide for ${platform}`);
      return guide[language] ?? guide.en;
    },
    list: () => resolved.keys,
    summarize,
    search: (query, language) => resolved.search(query).map((key) => summarize(key, language)),
  };
}

function fallbackPlatform(platform: GuidePlatform): GuidePlatform {
  return platform === 'ipados' ? 'ios' : platform;
}
