/**
 * The words around the guidance on the guide web pages and guide cards (headings, links, notices),
 * taken from the language catalogs (the `guide.*` keys in src/i18n/<tag>/guide.json), so that a
 * language is files only. The guidance itself lives in ./content.
 */
import { type Language, translator } from '../i18n';
import type { ResourceItem, StoreId } from './guidance-schema';

export interface PageText {
  skipToSteps: string;
  allGuides: string;
  navLabel: string;
  totalMinutes: (minutes: number) => string;
  partMinutes: (minutes: number) => string;
  otherOwnership: { personal: string; corporate: string };
  beforeTitle: string;
  keepOpen: string;
  whatDisappearsIntro: string;
  items: Record<ResourceItem, string>;
  companyNoteTitle: string;
  part1: (vendor: string) => string;
  itTitle: string;
  vendorStepsTitle: (vendor: string) => string;
  part2: string;
  getApp: (app: string, store: string) => string;
  doneTitle: string;
  done: string;
  footer: string;
  indexTitle: string;
  indexIntro: string;
  notFoundTitle: string;
  notFoundIntro: string;
  badRequestTitle: string;
  badRequestIntro: string;
  deviceColumn: string;
  ownershipColumn: { personal: string; corporate: string };
}

const cache = new Map<Language, PageText>();

/** The page text of a language (English for a language without files). */
export function pageText(language: Language): PageText {
  const cached = cache.get(language);
  if (cached) return cached;
  const t = translator(language);
  const text: PageText = {
    skipToSteps: t('guide.skipToSteps'),
    allGuides: t('guide.allGuides'),
    navLabel: t('guide.navLabel'),
    totalMinutes: (minutes) => t('guide.totalMinutes', { minutes: formatNumber(minutes, language) }),
    partMinutes: (minutes) => t('guide.partMinutes', { minutes: formatNumber(minutes, language) }),
    otherOwnership: {
      personal: t('guide.otherOwnership.personal'),
      corporate: t('guide.otherOwnership.corporate'),
    },
    beforeTitle: t('guide.beforeTitle'),
    keepOpen: t('guide.keepOpen'),
    whatDisappearsIntro: t('guide.whatDisappearsIntro'),
    items: {
      email: t('guide.item.email'),
      wifi: t('guide.item.wifi'),
      vpn: t('guide.item.vpn'),
      apps: t('guide.item.apps'),
      certificates: t('guide.item.certificates'),
      teams: t('guide.item.teams'),
    },
    companyNoteTitle: t('guide.companyNoteTitle'),
    part1: (vendor) => t('guide.part1', { vendor }),
    itTitle: t('guide.itTitle'),
    vendorStepsTitle: (vendor) => t('guide.vendorStepsTitle', { vendor }),
    part2: t('guide.part2'),
    getApp: (app, store) => t('guide.getApp', { app, store }),
    doneTitle: t('guide.doneTitle'),
    done: t('guide.done'),
    footer: t('guide.footer'),
    indexTitle: t('guide.indexTitle'),
    indexIntro: t('guide.indexIntro'),
    notFoundTitle: t('guide.notFoundTitle'),
    notFoundIntro: t('guide.notFoundIntro'),
    badRequestTitle: t('guide.badRequestTitle'),
    badRequestIntro: t('guide.badRequestIntro'),
    deviceColumn: t('guide.deviceColumn'),
    ownershipColumn: {
      personal: t('guide.ownershipColumn.personal'),
      corporate: t('guide.ownershipColumn.corporate'),
    },
  };
  cache.set(language, text);
  return text;
}

/** How a store is named in a sentence ("Get Company Portal from the App Store"). */
export function storeLabel(store: StoreId, language: Language): string {
  return translator(language)(`guide.store.${store}`);
}

/** Numbers in the reader's digits (Arabic pages show Arabic-Indic digits where the locale does). */
function formatNumber(n: number, language: Language): string {
  return new Intl.NumberFormat(language).format(n);
}
