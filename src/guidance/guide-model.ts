/**
 * What the guidance answers with: guide keys, the localized guides, summaries for lists and search,
 * and the `Guidance` interface the bot is given. guidance.ts loads the content and
 * guidance-merge.ts builds the guides from it.
 */
import { SOURCE_MDMS, type SourceMdm } from '../domain/source-mdm';
import type { Language } from '../i18n';
import {
  GUIDE_PLATFORMS,
  type GuidePlatform,
  OWNERSHIPS,
  type Ownership,
  type ResourceItem,
  type StoreId,
} from './guidance-schema';

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
