import adminEn from './admin.en.json';
import adminSv from './admin.sv.json';
import broadcastEn from './broadcast.en.json';
import broadcastSv from './broadcast.sv.json';
import dashboardEn from './dashboard.en.json';
import dashboardSv from './dashboard.sv.json';
import coreEn from './en.json';
import extensionEn from './extension.en.json';
import extensionSv from './extension.sv.json';
import importEn from './import.en.json';
import importSv from './import.sv.json';
import inventoryEn from './inventory.en.json';
import inventorySv from './inventory.sv.json';
import coreSv from './sv.json';

/**
 * Every user-facing string lives in a locale file; English is the reference and the fallback.
 * The catalog is split by area (core, admin, broadcast, dashboard, message extension, import/export).
 */
const en = {
  ...coreEn,
  ...adminEn,
  ...broadcastEn,
  ...dashboardEn,
  ...extensionEn,
  ...importEn,
  ...inventoryEn,
};
const sv = {
  ...coreSv,
  ...adminSv,
  ...broadcastSv,
  ...dashboardSv,
  ...extensionSv,
  ...importSv,
  ...inventorySv,
};
export type MessageKey = keyof typeof en;
export type Language = 'en' | 'sv';

const catalogs: Record<Language, Record<MessageKey, string>> = { en, sv };

export const LANGUAGES: readonly Language[] = ['en', 'sv'];

/** Picks the language from a Teams locale such as "sv-SE"; anything unknown falls back to the default. */
export function languageOf(locale: string | undefined, fallback: string = 'en'): Language {
  const tag = (locale ?? fallback).toLowerCase();
  if (tag.startsWith('sv')) return 'sv';
  if (tag.startsWith('en')) return 'en';
  return fallback.toLowerCase().startsWith('sv') ? 'sv' : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const catalog = catalogs[language];
  return (key, vars) => {
    const template = catalog[key] ?? en[key] ?? key;
    return vars ? template.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)) : template;
  };
}

export function catalogOf(language: Language): Readonly<Record<MessageKey, string>> {
  return catalogs[language];
}

/** A date and time as the user reads it: their language, their time zone. */
export function formatDateTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(at);
}
