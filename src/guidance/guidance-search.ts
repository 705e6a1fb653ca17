/**
 * Keyword search over the guides, for the message extension and the bot's free text. Pure and
 * small on purpose: sixty-odd guides do not need a search engine, only sensible ranking.
 *
 * A query word counts where it matches a keyword (vendor, platform, ownership: strongest), a name
 * or label (vendor, agent app, platform), or the guide text (weakest), in English or Swedish.
 * Words that name something (a keyword or a label somewhere) must all match as a name: "jamf
 * iphone" means Jamf and iPhone. Words found only in guide text ("remove", "certificates") rank
 * results but do not filter them, unless the query has nothing else.
 */
import type { SourceMdm } from '../domain/source-mdm';
import type { Language } from '../i18n';
import type { GuidePlatform, Ownership } from './guidance-schema';
import type { GuideKey, UnenrollGuide } from './guide-model';

export type SearchIndex = (query: string) => GuideKey[];

export interface SearchEntry {
  key: GuideKey;
  guides: Record<Language, UnenrollGuide>;
}

export interface KeywordSource {
  vendor(vendor: SourceMdm): readonly string[];
  platform(platform: GuidePlatform): readonly string[];
  ownership(ownership: Ownership): readonly string[];
}

interface IndexedGuide {
  key: GuideKey;
  keywords: Set<string>;
  names: Set<string>;
  text: Set<string>;
}

const WEIGHT = { keyword: 3, name: 2, text: 1 } as const;
const MAX_QUERY_LENGTH = 200;
/** Shorter words must match whole words: "pc" should not find "pccard", "i" should find nothing. */
const MIN_PREFIX = 3;
/** Words that carry no meaning in a question ("how do I …", "hur gör jag …"), English and Swedish. */
const STOP_WORDS = new Set(
  'a an the how do does can to from on in of for with and or is it my me what i ' +
    'hur gor jag min mitt mina pa av till fran och eller att det en ett den som kan med for ar'.split(' '),
);

export function buildSearchIndex(entries: readonly SearchEntry[], keywords: KeywordSource): SearchIndex {
  const indexed = entries.map(({ key, guides }) => indexGuide(key, Object.values(guides), keywords));
  return (query) => {
    const tokens = tokenize(query.slice(0, MAX_QUERY_LENGTH)).filter((t) => !STOP_WORDS.has(t));
    if (tokens.length === 0) return indexed.map((g) => g.key);
    const scores = indexed.map((g) => tokens.map((t) => scoreToken(g, t)));
    const naming = tokens.map((_, i) => scores.some((s) => s[i]! >= WEIGHT.name));
    const keep = naming.some(Boolean)
      ? (score: number[]) => score.every((s, i) => !naming[i] || s >= WEIGHT.name)
      : (score: number[]) => score.some((s) => s > 0);
    return indexed
      .map((g, i) => ({ key: g.key, order: i, score: scores[i]!, total: sum(scores[i]!) }))
      .filter(({ score }) => keep(score))
      .sort((a, b) => b.total - a.total || a.order - b.order)
      .map((r) => r.key);
  };
}

function indexGuide(key: GuideKey, guides: UnenrollGuide[], keywords: KeywordSource): IndexedGuide {
  const keywordWords = [
    ...keywords.vendor(key.vendor),
    ...keywords.platform(key.platform),
    ...keywords.ownership(key.ownership),
  ].flatMap(tokenize);
  const nameWords = guides
    .flatMap((g) => [g.vendorLabel, g.vendorName, g.agentName, g.platformLabel, g.ownershipLabel])
    .flatMap(tokenize);
  const textWords = guides
    .flatMap((g) => [
      g.title,
      ...g.steps,
      ...(g.vendorSteps ?? []),
      g.note ?? '',
      g.itReason ?? '',
      ...g.whatDisappears.map((w) => w.text),
    ])
    .flatMap(tokenize);
  return { key, keywords: new Set(keywordWords), names: new Set(nameWords), text: new Set(textWords) };
}

function scoreToken(guide: IndexedGuide, token: string): number {
  if (matches(guide.keywords, token)) return WEIGHT.keyword;
  if (matches(guide.names, token)) return WEIGHT.name;
  if (matches(guide.text, token)) return WEIGHT.text;
  return 0;
}

function matches(words: Set<string>, token: string): boolean {
  if (words.has(token)) return true;
  if (token.length < MIN_PREFIX) return false;
  for (const word of words) if (word.startsWith(token)) return true;
  return false;
}

/**
 * Lower-case words without accents, so "foretag" finds "företag" on a keyboard without å, ä, ö.
 * "@" stays inside a word so that "Mobile@Work" is one name, not "mobile" and "work".
 * Keywords go through the same function, so both sides always agree.
 */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}@]+/u)
    .map((w) => w.replace(/^@+|@+$/g, ''))
    .filter((w) => w.length > 1);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
