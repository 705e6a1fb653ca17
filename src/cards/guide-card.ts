import template from '../../adaptiveCards/guide.json';
import type { EnrollGuide, UnenrollGuide } from '../guidance/guidance';
import { pageText } from '../guidance/page-text';
import type { Translate } from '../i18n';
import { cardBytes, MAX_EXTENSION_CARD_BYTES } from './extension-card-size';
import { type CardJson, renderCard } from './render';

export interface GuideCardInput {
  t: Translate;
  unenroll: UnenrollGuide;
  enroll: EnrollGuide;
  /** The guide's web page (absolute); without it the card has no link to open elsewhere. */
  webUrl?: string;
}

export interface GuideCardView {
  appName: string;
  title: string;
  meta: string;
  before: { title: string; keepOpen: string; intro: string; items: string[] };
  companyNote: { title: string; text: string };
  unenroll: {
    heading: string;
    minutes: string;
    itTitle: string;
    itReason: string;
    note: string;
    steps: string[];
    vendorStepsTitle: string;
    vendorSteps: string[];
  };
  enroll: {
    heading: string;
    minutes: string;
    corporateNote: string;
    title: string;
    steps: string[];
    builtInTitle: string;
    builtInSteps: string[];
  };
  trimmed: string;
  done: { title: string; text: string };
  webTitle: string;
  webUrl: string;
  storeTitle: string;
  storeUrl: string;
}

/** Longest a single step may stay once a card has to shrink. */
const TRIMMED_STEP_CHARS = 280;

export function guideCardView({ t, unenroll, enroll, webUrl }: GuideCardInput): GuideCardView {
  const text = pageText(unenroll.language);
  const ownership = unenroll.key.ownership;
  return {
    appName: t('app.name'),
    title: unenroll.title,
    meta: `${capitalize(unenroll.ownershipLabel)} · ${text.totalMinutes(unenroll.minutes + enroll.minutes)}`,
    before: {
      title: text.beforeTitle,
      keepOpen: t('extension.guide.keepOpen', { vendor: unenroll.vendorName }),
      intro: text.whatDisappearsIntro,
      items: unenroll.whatDisappears.map((w) => `**${text.items[w.item]}:** ${w.text}`),
    },
    companyNote: {
      title: text.companyNoteTitle,
      text: unenroll.companyNote ?? enroll.companyNote ?? '',
    },
    unenroll: {
      heading: text.part1(unenroll.vendorName),
      minutes: text.partMinutes(unenroll.minutes),
      itTitle: text.itTitle,
      itReason: unenroll.itReason ?? '',
      note: unenroll.note ?? '',
      steps: numbered(unenroll.steps),
      vendorStepsTitle: text.vendorStepsTitle(unenroll.vendorName),
      vendorSteps: numbered(unenroll.vendorSteps ?? []),
    },
    enroll: {
      heading: text.part2,
      minutes: text.partMinutes(enroll.minutes),
      corporateNote: ownership === 'corporate' ? (enroll.corporateNote ?? '') : '',
      title: enroll.title,
      steps: numbered(enroll.steps),
      builtInTitle: enroll.builtIn?.title ?? '',
      builtInSteps: numbered(enroll.builtIn?.steps ?? []),
    },
    trimmed: '',
    done: { title: text.doneTitle, text: text.done },
    webTitle: t('extension.guide.openWeb'),
    webUrl: webUrl ?? '',
    storeTitle: enroll.app ? text.getApp(enroll.app.name, enroll.app.storeLabel) : '',
    storeUrl: enroll.app?.url ?? '',
  };
}

/**
 * The whole guide as one card for a chat, within Teams' 28 KB for message-extension results. The
 * built-in guides fit easily; a company's own long steps may not, so the card gives up, in order,
 * the vendor's alternative route, the built-in enrollment, long wording, and finally later steps,
 * and says that the web page has the rest.
 */
export function renderGuideCard(input: GuideCardInput): CardJson {
  const notice = input.t(input.webUrl ? 'extension.guide.trimmed' : 'extension.guide.trimmedNoWeb');
  let view = guideCardView(input);
  let card = fitting(view);
  for (const shrink of SHRINK_STEPS) {
    if (card) return card;
    view = { ...shrink(view), trimmed: notice };
    card = fitting(view);
  }
  while (!card && hasSteps(view)) {
    view = {
      ...view,
      unenroll: { ...view.unenroll, steps: half(view.unenroll.steps) },
      enroll: { ...view.enroll, steps: half(view.enroll.steps) },
    };
    card = fitting(view);
  }
  return card ?? renderCard(template, view);
}

/** The rendered card when it fits in a message-extension result, else undefined (also past the general card budget). */
function fitting(view: GuideCardView): CardJson | undefined {
  let card: CardJson;
  try {
    card = renderCard(template, view);
  } catch (err) {
    if (err instanceof Error && /over the \d+ allowed/.test(err.message)) return undefined;
    throw err;
  }
  return cardBytes(card) <= MAX_EXTENSION_CARD_BYTES ? card : undefined;
}

const SHRINK_STEPS: ((v: GuideCardView) => GuideCardView)[] = [
  (v) => ({ ...v, unenroll: { ...v.unenroll, vendorSteps: [] } }),
  (v) => ({ ...v, enroll: { ...v.enroll, builtInTitle: '', builtInSteps: [] } }),
  (v) => ({
    ...v,
    before: { ...v.before, items: v.before.items.map(shorten) },
    companyNote: { ...v.companyNote, text: shorten(v.companyNote.text) },
    unenroll: {
      ...v.unenroll,
      note: shorten(v.unenroll.note),
      itReason: shorten(v.unenroll.itReason),
      steps: v.unenroll.steps.map(shorten),
    },
    enroll: {
      ...v.enroll,
      corporateNote: shorten(v.enroll.corporateNote),
      steps: v.enroll.steps.map(shorten),
    },
  }),
];

function hasSteps(v: GuideCardView): boolean {
  return v.unenroll.steps.length > 1 || v.enroll.steps.length > 1;
}

function half(steps: string[]): string[] {
  return steps.length > 1 ? steps.slice(0, Math.ceil(steps.length / 2)) : steps;
}

function shorten(text: string): string {
  return text.length > TRIMMED_STEP_CHARS ? `${text.slice(0, TRIMMED_STEP_CHARS - 1).trimEnd()}…` : text;
}

function numbered(steps: readonly string[]): string[] {
  return steps.map((s, i) => `${i + 1}. ${s}`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
