/**
 * The words around the guidance on the guide web pages (headings, links, notices). Typed per
 * language so that a missing Swedish string fails the compile rather than showing a key.
 * The guidance itself lives in ./content.
 */
import type { Language } from '../i18n';
import type { ResourceItem } from './guidance-schema';

export interface PageText {
  /** The other language's name, written in that language, for the switch link. */
  otherLanguage: string;
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

const en: PageText = {
  otherLanguage: 'På svenska',
  skipToSteps: 'Skip to the steps',
  allGuides: 'All guides',
  navLabel: 'Language and other guides',
  totalMinutes: (n) => `About ${n} minutes in all`,
  partMinutes: (n) => `About ${n} minutes`,
  otherOwnership: {
    personal: 'Is this device yours, not the company’s? Open the guide for personal devices.',
    corporate: 'Does the company own this device? Open the guide for company-owned devices.',
  },
  beforeTitle: 'Before you start',
  keepOpen:
    'Open this page on another device, or print it: removing the old management can take work email, Wi-Fi and even Teams off this one until it is enrolled again.',
  whatDisappearsIntro: 'Until the device is enrolled in Intune, expect this:',
  items: {
    email: 'Email',
    wifi: 'Wi-Fi',
    vpn: 'VPN',
    apps: 'Apps',
    certificates: 'Certificates',
    teams: 'Teams',
  },
  companyNoteTitle: 'From your IT team',
  part1: (vendor) => `Part 1: Leave ${vendor}`,
  itTitle: 'IT does this part with you',
  vendorStepsTitle: (vendor) => `Another way, directly in ${vendor}`,
  part2: 'Part 2: Enroll in Microsoft Intune',
  getApp: (app, store) => `Get ${app} from ${store}`,
  doneTitle: 'When you are done',
  done: 'Go back to the Migration Companion chat in Teams and choose “Check my devices”: it confirms that Intune sees the device and tells IT if something is missing.',
  footer: 'Migration Companion. This page holds no personal information.',
  indexTitle: 'Moving to Microsoft Intune: all guides',
  indexIntro:
    'Pick the tool that manages your device today and the kind of device. Each guide shows how to leave the old tool and enroll in Intune.',
  notFoundTitle: 'There is no such guide',
  notFoundIntro: 'The link may be mistyped or old. These are the guides there are:',
  badRequestTitle: 'That link is not quite right',
  badRequestIntro: 'Part of the address could not be understood. These are the guides there are:',
  deviceColumn: 'Device',
  ownershipColumn: { personal: 'Personal device', corporate: 'Company-owned device' },
};

const sv: PageText = {
  otherLanguage: 'In English',
  skipToSteps: 'Hoppa till stegen',
  allGuides: 'Alla guider',
  navLabel: 'Språk och andra guider',
  totalMinutes: (n) => `Cirka ${n} minuter totalt`,
  partMinutes: (n) => `Cirka ${n} minuter`,
  otherOwnership: {
    personal: 'Är enheten din egen och inte företagets? Öppna guiden för privata enheter.',
    corporate: 'Äger företaget enheten? Öppna guiden för företagsägda enheter.',
  },
  beforeTitle: 'Innan du börjar',
  keepOpen:
    'Öppna den här sidan på en annan enhet eller skriv ut den: när den gamla hanteringen tas bort kan jobbmejl, wifi och till och med Teams försvinna från den här enheten tills den är registrerad igen.',
  whatDisappearsIntro: 'Räkna med det här tills enheten är registrerad i Intune:',
  items: {
    email: 'E-post',
    wifi: 'Wifi',
    vpn: 'VPN',
    apps: 'Appar',
    certificates: 'Certifikat',
    teams: 'Teams',
  },
  companyNoteTitle: 'Från din IT-avdelning',
  part1: (vendor) => `Del 1: Lämna ${vendor}`,
  itTitle: 'Den här delen gör IT tillsammans med dig',
  vendorStepsTitle: (vendor) => `Ett annat sätt, direkt i ${vendor}`,
  part2: 'Del 2: Registrera enheten i Microsoft Intune',
  getApp: (app, store) => `Hämta ${app} från ${store}`,
  doneTitle: 'När du är klar',
  done: 'Gå tillbaka till chatten med Migration Companion i Teams och välj ”Kolla mina enheter”: den bekräftar att Intune ser enheten och säger till IT om något saknas.',
  footer: 'Migration Companion. Sidan innehåller inga personuppgifter.',
  indexTitle: 'Flytten till Microsoft Intune: alla guider',
  indexIntro:
    'Välj verktyget som hanterar enheten i dag och vilken sorts enhet det är. Varje guide visar hur du lämnar det gamla verktyget och registrerar enheten i Intune.',
  notFoundTitle: 'Den guiden finns inte',
  notFoundIntro: 'Länken kan vara felskriven eller gammal. De här guiderna finns:',
  badRequestTitle: 'Länken stämmer inte riktigt',
  badRequestIntro: 'En del av adressen gick inte att tolka. De här guiderna finns:',
  deviceColumn: 'Enhet',
  ownershipColumn: { personal: 'Privat enhet', corporate: 'Företagsägd enhet' },
};

export const PAGE_TEXT: Readonly<Record<Language, PageText>> = { en, sv };
