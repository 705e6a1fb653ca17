/**
 * Merging the content layers (common platform steps, then the vendor file, then the admin override)
 * into complete guides in every language, with each problem named by the file and field it came from.
 */
import { SOURCE_MDMS, type SourceMdm } from '../domain/source-mdm';
import { LANGUAGES, type Language } from '../i18n';
import {
  CONTENT_PLATFORMS,
  type CommonFile,
  type EnrollFile,
  type EnrollPatch,
  type GuidePatch,
  type GuidePlatform,
  type LocalizedText,
  type OverrideFile,
  OWNERSHIPS,
  type Ownership,
  RESOURCE_ITEMS,
  type ResourceItem,
  type VendorFile,
} from './guidance-schema';
import { buildSearchIndex, type SearchIndex } from './guidance-search';
import type { Parsed } from './guidance-sources';
import type { EnrollGuide, GuideKey, UnenrollGuide } from './guide-model';
import { storeLabel } from './page-text';

export interface Content {
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

export interface Resolved {
  keys: GuideKey[];
  unenroll: Map<string, Record<Language, UnenrollGuide>>;
  enroll: Map<GuidePlatform, Record<Language, EnrollGuide>>;
  search: SearchIndex;
}

export const keyId = (vendor: SourceMdm, platform: GuidePlatform, ownership: Ownership) =>
  `${vendor}/${platform}/${ownership}`;

/** iPadOS builds on iOS: its layers come after the iOS ones, so only differences need writing. */
const chainOf = (platform: GuidePlatform): GuidePlatform[] =>
  platform === 'ipados' ? ['ios', 'ipados'] : [platform];

export function resolveAll(content: Content, problems: string[]): Resolved {
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
    vendor: inLanguage(vendorFile.name ?? vendorFile.label, language),
    agent: inLanguage(vendorFile.agent, language),
    platform: inLanguage(platformLabel(content, key.platform), language),
    ownership: inLanguage(content.common.data.ownership[key.ownership].label, language),
  };
  const t = (text: LocalizedText) => fill(inLanguage(text, language), vars);
  const companyNote =
    merged.companyNote === undefined ? content.override?.data.companyNote : merged.companyNote;
  const guide: UnenrollGuide = {
    key,
    language,
    title: t(content.common.data.guideTitle),
    vendorName: vars.vendor,
    vendorLabel: inLanguage(vendorFile.label, language),
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
    const label = inLanguage(platformLabel(content, platform), language);
    const t = (text: LocalizedText) => fill(inLanguage(text, language), { platform: label });
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
      guide.app = { name: t(name), store, storeLabel: storeLabel(store, language), url };
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

/** A text in the language asked for, else English (the reference every language falls back to). */
export function inLanguage(
  text: { en: string; [language: string]: string | undefined },
  language: Language,
): string {
  return text[language] ?? text.en;
}
