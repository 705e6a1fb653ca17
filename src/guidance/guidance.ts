/**
 * Migration guidance as validated data: how to leave the old MDM (per vendor × platform ×
 * ownership) and how to enroll in Intune (per platform), in English and Swedish.
 *
 * The built-in content lives in ./content as JSON. Shared platform steps are written once in
 * common.json; each vendor file only says what differs; an optional admin override goes on top.
 * Everything is merged and checked once at start-up, so a broken file stops the process with the
 * file and field named, and every lookup afterwards is a plain map read.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { SOURCE_MDMS, type SourceMdm } from '../config';
import { LANGUAGES, type Language } from '../i18n';
import builtInBlackberry from './content/blackberry.json';
import builtInCitrix from './content/citrix.json';
import builtInCommon from './content/common.json';
import builtInEnroll from './content/enroll.json';
import builtInIvanti from './content/ivanti.json';
import builtInJamf from './content/jamf.json';
import builtInOther from './content/other.json';
import builtInWorkspaceOne from './content/workspace-one.json';
import {
  CONTENT_PLATFORMS,
  type CommonFile,
  commonFileSchema,
  describeIssues,
  type EnrollFile,
  type EnrollPatch,
  enrollFileSchema,
  GUIDE_PLATFORMS,
  type GuidePatch,
  type GuidePlatform,
  type LocalizedText,
  type OverrideFile,
  OWNERSHIPS,
  type Ownership,
  overrideFileSchema,
  RESOURCE_ITEMS,
  type ResourceItem,
  STORES,
  type StoreId,
  type VendorFile,
  vendorFileSchema,
} from './guidance-schema';
import { buildSearchIndex, type SearchIndex } from './guidance-search';

export {
  CONTENT_PLATFORMS,
  GUIDE_PLATFORMS,
  type GuidePlatform,
  OWNERSHIPS,
  type Ownership,
  RESOURCE_ITEMS,
  type ResourceItem,
  type StoreId,
};

export interface GuideKey {
  vendor: SourceMdm;
  platform: GuidePlatform;
  ownership: Ownership;
}

export interface UnenrollGuide {
  /** The guide actually served: an iPad asks for `ipados` and gets `ios` unless iPad content exists. */
  key: GuideKey;
  language: Language;
  title: string;
  /** How sentences name the vendor ("Workspace ONE", "your current MDM"). */
  vendorName: string;
  /** How lists name the vendor ("Workspace ONE (AirWatch)", "Other MDM"). */
  vendorLabel: string;
  agentName: string;
  platformLabel: string;
  ownershipLabel: string;
  /** False: the user cannot (or must not) do it alone; IT does it and `itReason` says why. */
  selfService: boolean;
  itReason?: string;
  minutes: number;
  steps: string[];
  /** The vendor's own way out (agent app, self-service portal), an alternative to `steps`. */
  vendorSteps?: string[];
  note?: string;
  whatDisappears: { item: ResourceItem; text: string }[];
  companyNote?: string;
}

export interface EnrollGuide {
  platform: GuidePlatform;
  language: Language;
  title: string;
  platformLabel: string;
  minutes: number;
  app?: { name: string; store: StoreId; storeLabel: string; url: string };
  steps: string[];
  builtIn?: { title: string; steps: string[] };
  corporateNote?: string;
  companyNote?: string;
}

/** One line of a guide list: enough for a search result or an index page. */
export interface GuideSummary {
  key: GuideKey;
  title: string;
  vendorLabel: string;
  platformLabel: string;
  ownershipLabel: string;
  selfService: boolean;
  /** Path of the guide's web page, relative to the bot's public base URL. */
  path: string;
}

export interface Guidance {
  unenroll(
    vendor: SourceMdm,
    platform: GuidePlatform,
    ownership: Ownership,
    language: Language,
  ): UnenrollGuide;
  enroll(platform: GuidePlatform, language: Language): EnrollGuide;
  /** Every guide there is: vendors × content platforms (plus iPadOS when it has its own content) × ownership. */
  list(): readonly GuideKey[];
  summarize(key: GuideKey, language: Language): GuideSummary;
  /** Guides matching English or Swedish keywords, best first; an empty query lists every guide. */
  search(query: string, language: Language): GuideSummary[];
}

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
  const sources = options.contentDir ? readContentDir(options.contentDir) : builtInSources();
  const common = parse(sources.common, commonFileSchema, problems);
  const enroll = parse(sources.enroll, enrollFileSchema, problems);
  const vendors = new Map<SourceMdm, Parsed<VendorFile>>();
  for (const vendor of SOURCE_MDMS) {
    const parsed = parse(sources.vendors[vendor], vendorFileSchema, problems);
    if (parsed) vendors.set(vendor, parsed);
  }
  const override = options.overridePath
    ? parse(readSource(options.overridePath, options.overridePath), overrideFileSchema, problems)
    : undefined;
  if (problems.length > 0 || !common || !enroll || vendors.size !== SOURCE_MDMS.length) {
    throw new GuidanceError(problems);
  }
  const content: Content = { common, enroll, vendors, override };
  const resolved = resolveAll(content, problems);
  if (problems.length > 0) throw new GuidanceError(problems);
  return createGuidance(resolved);
}

// ---------------------------------------------------------------------------------------------
// Reading and validating files

interface Source {
  /** How problems name the file: a repository path for built-in content, else the path given. */
  file: string;
  data?: unknown;
  /** Set when the file could not be read or parsed at all. */
  problem?: string;
}

interface Sources {
  common: Source;
  enroll: Source;
  vendors: Record<SourceMdm, Source>;
}

interface Parsed<T> {
  file: string;
  data: T;
}

const BUILT_IN_DIR = 'src/guidance/content';

/** The content bundled with the build (imported, so the compiler copies it into dist). */
function builtInSources(): Sources {
  const at = (name: string, data: unknown): Source => ({ file: `${BUILT_IN_DIR}/${name}.json`, data });
  return {
    common: at('common', builtInCommon),
    enroll: at('enroll', builtInEnroll),
    vendors: {
      'workspace-one': at('workspace-one', builtInWorkspaceOne),
      ivanti: at('ivanti', builtInIvanti),
      jamf: at('jamf', builtInJamf),
      blackberry: at('blackberry', builtInBlackberry),
      citrix: at('citrix', builtInCitrix),
      other: at('other', builtInOther),
    },
  };
}

function readContentDir(dir: string): Sources {
  const at = (name: string) => {
    const file = path.join(dir, `${name}.json`);
    return readSource(file, file);
  };
  const vendors = Object.fromEntries(SOURCE_MDMS.map((v) => [v, at(v)])) as Record<SourceMdm, Source>;
  return { common: at('common'), enroll: at('enroll'), vendors };
}

function readSource(filePath: string, label: string): Source {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { file: label, problem: code === 'ENOENT' ? 'file not found' : `cannot be read (${code})` };
  }
  try {
    return { file: label, data: JSON.parse(text) };
  } catch (err) {
    return {
      file: label,
      problem: `is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

function parse<T>(source: Source, schema: z.ZodType<T, z.ZodTypeDef, unknown>, problems: string[]) {
  if (source.problem) {
    problems.push(`${source.file}: ${source.problem}`);
    return undefined;
  }
  const result = schema.safeParse(source.data);
  if (!result.success) {
    problems.push(...describeIssues(source.file, result.error));
    return undefined;
  }
  return { file: source.file, data: result.data } satisfies Parsed<T>;
}

// ---------------------------------------------------------------------------------------------
// Merging layers into complete guides

interface Content {
  common: Parsed<CommonFile>;
  enroll: Parsed<EnrollFile>;
  vendors: Map<SourceMdm, Parsed<VendorFile>>;
  override?: Parsed<OverrideFile>;
}

/** A patch and where it came from, so a problem in the merged result can name its file. */
interface Layer<P> {
  file: string;
  path: string;
  patch: P;
}

interface MergedGuide {
  selfService?: boolean;
  selfServiceFrom?: Layer<GuidePatch>;
  itReason?: LocalizedText;
  minutes?: number;
  steps?: LocalizedText[];
  vendorSteps?: LocalizedText[] | null;
  note?: LocalizedText | null;
  whatDisappears: Partial<Record<ResourceItem, LocalizedText | null>>;
  companyNote?: LocalizedText | null;
}

interface Resolved {
  keys: GuideKey[];
  unenroll: Map<string, Record<Language, UnenrollGuide>>;
  enroll: Map<GuidePlatform, Record<Language, EnrollGuide>>;
  search: SearchIndex;
}

const keyId = (vendor: SourceMdm, platform: GuidePlatform, ownership: Ownership) =>
  `${vendor}/${platform}/${ownership}`;

/** iPadOS builds on iOS: its layers come after the iOS ones, so only differences need writing. */
const chainOf = (platform: GuidePlatform): GuidePlatform[] =>
  platform === 'ipados' ? ['ios', 'ipados'] : [platform];

function resolveAll(content: Content, problems: string[]): Resolved {
  const platforms = guidePlatformsOf(content);
  const keys: GuideKey[] = [];
  const unenroll = new Map<string, Record<Language, UnenrollGuide>>();
  for (const vendor of SOURCE_MDMS) {
    for (const platform of platforms) {
      for (const ownership of OWNERSHIPS) {
        const key = { vendor, platform, ownership };
        const guide = resolveUnenroll(content, key, problems);
        if (!guide) continue;
        keys.push(key);
        unenroll.set(keyId(vendor, platform, ownership), guide);
      }
    }
  }
  const enroll = new Map<GuidePlatform, Record<Language, EnrollGuide>>();
  for (const platform of platforms) {
    const guide = resolveEnroll(content, platform, problems);
    if (guide) enroll.set(platform, guide);
  }
  const search = buildSearchIndex(
    keys.map((key) => ({ key, guides: unenroll.get(keyId(key.vendor, key.platform, key.ownership))! })),
    keywordsFor(content),
  );
  return { keys, unenroll, enroll, search };
}

/** The content platforms, plus iPadOS when any layer writes something specific for it. */
function guidePlatformsOf(content: Content): GuidePlatform[] {
  const o = content.override?.data;
  const hasIpad =
    content.common.data.platforms.ipados !== undefined ||
    content.enroll.data.platforms.ipados !== undefined ||
    [...content.vendors.values()].some((v) => v.data.guides.ipados !== undefined) ||
    Object.values(o?.unenroll ?? {}).some((p) => p?.ipados !== undefined) ||
    o?.enroll?.ipados !== undefined;
  return hasIpad ? ['ios', 'ipados', ...CONTENT_PLATFORMS.slice(1)] : [...CONTENT_PLATFORMS];
}

function unenrollLayers(content: Content, key: GuideKey): Layer<GuidePatch>[] {
  const { vendor, ownership } = key;
  const layers: Layer<GuidePatch>[] = [];
  const push = (file: string, at: string, patch: GuidePatch | undefined) => {
    if (patch) layers.push({ file, path: at, patch });
  };
  const chain = chainOf(key.platform);
  const { common } = content;
  for (const p of chain) {
    const base = common.data.platforms[p];
    push(common.file, `platforms.${p}.both`, base?.both);
    push(common.file, `platforms.${p}.${ownership}`, base?.[ownership]);
  }
  const vendorFile = content.vendors.get(vendor)!;
  for (const p of ['all', ...chain] as const) {
    push(vendorFile.file, `guides.${p}.both`, vendorFile.data.guides[p]?.both);
    push(vendorFile.file, `guides.${p}.${ownership}`, vendorFile.data.guides[p]?.[ownership]);
  }
  const override = content.override;
  if (override) {
    for (const p of ['all', ...chain] as const) {
      const patches = override.data.unenroll?.[vendor]?.[p];
      push(override.file, `unenroll.${vendor}.${p}.both`, patches?.both);
      push(override.file, `unenroll.${vendor}.${p}.${ownership}`, patches?.[ownership]);
    }
  }
  return layers;
}

function mergeGuide(layers: Layer<GuidePatch>[]): MergedGuide {
  const merged: MergedGuide = { whatDisappears: {} };
  for (const layer of layers) {
    const { whatDisappears, selfService, ...rest } = layer.patch;
    for (const [field, value] of Object.entries(rest)) {
      if (value !== undefined) Object.assign(merged, { [field]: value });
    }
    if (selfService !== undefined) {
      merged.selfService = selfService;
      merged.selfServiceFrom = layer;
    }
    Object.assign(merged.whatDisappears, definedOnly(whatDisappears ?? {}));
  }
  return merged;
}

function resolveUnenroll(
  content: Content,
  key: GuideKey,
  problems: string[],
): Record<Language, UnenrollGuide> | undefined {
  const merged = mergeGuide(unenrollLayers(content, key));
  const commonPlatform = content.common.data.platforms[key.platform] ? key.platform : 'ios';
  const where = `${content.common.file}: platforms.${commonPlatform}.${key.ownership}`;
  const missing = (['steps', 'selfService', 'minutes'] as const).filter((f) => merged[f] === undefined);
  for (const field of missing) problems.push(`${where}.${field}: required (set it here or under "both")`);
  if (merged.selfService === false && !merged.itReason) {
    const from = merged.selfServiceFrom!;
    problems.push(`${from.file}: ${from.path}.itReason: required when selfService is false`);
  }
  if (missing.length > 0 || (merged.selfService === false && !merged.itReason)) return undefined;
  const result = {} as Record<Language, UnenrollGuide>;
  for (const language of LANGUAGES) result[language] = localizeUnenroll(content, key, merged, language);
  return result;
}

function localizeUnenroll(
  content: Content,
  key: GuideKey,
  merged: MergedGuide,
  language: Language,
): UnenrollGuide {
  const vendorFile = content.vendors.get(key.vendor)!.data;
  const vars = {
    vendor: (vendorFile.name ?? vendorFile.label)[language],
    agent: vendorFile.agent[language],
    platform: platformLabel(content, key.platform)[language],
    ownership: content.common.data.ownership[key.ownership].label[language],
  };
  const t = (text: LocalizedText) => fill(text[language], vars);
  const companyNote =
    merged.companyNote === undefined ? content.override?.data.companyNote : merged.companyNote;
  const guide: UnenrollGuide = {
    key,
    language,
    title: t(content.common.data.guideTitle),
    vendorName: vars.vendor,
    vendorLabel: vendorFile.label[language],
    agentName: vars.agent,
    platformLabel: vars.platform,
    ownershipLabel: vars.ownership,
    selfService: merged.selfService!,
    minutes: merged.minutes!,
    steps: merged.steps!.map(t),
    whatDisappears: RESOURCE_ITEMS.flatMap((item) => {
      const text = merged.whatDisappears[item];
      return text ? [{ item, text: t(text) }] : [];
    }),
  };
  if (!guide.selfService) guide.itReason = t(merged.itReason!);
  if (merged.vendorSteps) guide.vendorSteps = merged.vendorSteps.map(t);
  if (merged.note) guide.note = t(merged.note);
  if (companyNote) guide.companyNote = t(companyNote);
  return guide;
}

function platformLabel(content: Content, platform: GuidePlatform): LocalizedText {
  const platforms = content.common.data.platforms;
  return (platforms[platform] ?? platforms.ios).label;
}

function resolveEnroll(
  content: Content,
  platform: GuidePlatform,
  problems: string[],
): Record<Language, EnrollGuide> | undefined {
  let merged: EnrollPatch = {};
  for (const p of chainOf(platform)) {
    merged = { ...merged, ...definedOnly(content.enroll.data.platforms[p] ?? {}) };
    merged = { ...merged, ...definedOnly(content.override?.data.enroll?.[p] ?? {}) };
  }
  const { title, minutes, steps } = merged;
  if (!title || !minutes || !steps) {
    problems.push(`${content.enroll.file}: platforms.${platform}: title, minutes and steps are required`);
    return undefined;
  }
  const result = {} as Record<Language, EnrollGuide>;
  for (const language of LANGUAGES) {
    const label = platformLabel(content, platform)[language];
    const t = (text: LocalizedText) => fill(text[language], { platform: label });
    const guide: EnrollGuide = {
      platform,
      language,
      title: t(title),
      platformLabel: label,
      minutes,
      steps: steps.map(t),
    };
    if (merged.app) {
      const { name, store, url } = merged.app;
      guide.app = { name: t(name), store, storeLabel: STORES[store].label[language], url };
    }
    if (merged.builtIn)
      guide.builtIn = { title: t(merged.builtIn.title), steps: merged.builtIn.steps.map(t) };
    if (merged.corporateNote) guide.corporateNote = t(merged.corporateNote);
    const companyNote =
      merged.companyNote === undefined ? content.override?.data.companyNote : merged.companyNote;
    if (companyNote) guide.companyNote = t(companyNote);
    result[language] = guide;
  }
  return result;
}

function keywordsFor(content: Content) {
  const { platforms, ownership } = content.common.data;
  return {
    vendor: (v: SourceMdm) => {
      const f = content.vendors.get(v)!.data;
      return [...f.keywords, v];
    },
    platform: (p: GuidePlatform) => [...(platforms[p] ?? platforms.ios).keywords, p],
    ownership: (o: Ownership) => [...ownership[o].keywords, o],
  };
}

/** Replaces {name} with its value; the schema has already refused unknown names. */
function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}

/** Drops keys whose value is undefined, so spreading a patch never erases a lower layer. */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
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

/** Where a guide's web page lives (see guide-routes.ts); personal is the page's default. */
export function guidePath(key: GuideKey, language?: Language): string {
  const params = new URLSearchParams();
  if (language) params.set('lang', language);
  if (key.ownership !== 'personal') params.set('ownership', key.ownership);
  const query = params.toString();
  return `/guides/${key.vendor}/${key.platform}${query ? `?${query}` : ''}`;
}

export function isGuidePlatform(value: string): value is GuidePlatform {
  return (GUIDE_PLATFORMS as readonly string[]).includes(value);
}

export function isOwnership(value: string): value is Ownership {
  return (OWNERSHIPS as readonly string[]).includes(value);
}

export function isSourceMdm(value: string): value is SourceMdm {
  return (SOURCE_MDMS as readonly string[]).includes(value);
}
