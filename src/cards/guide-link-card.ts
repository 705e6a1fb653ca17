import template from '../../adaptiveCards/guide-link.json';
import type { EnrollGuide, UnenrollGuide } from '../guidance/guidance';
import { pageText } from '../guidance/page-text';
import type { Language, Translate } from '../i18n';
import { type CardJson, renderCard } from './render';

/**
 * Teams renders unfurled links with Adaptive Cards up to 1.3. The template uses 1.3 elements only;
 * it is written as 1.5 like every other template (the shared template test renders them all) and
 * sent as 1.3.
 */
export const LINK_UNFURL_CARD_VERSION = '1.3';

export interface GuideLinkView {
  appName: string;
  title: string;
  meta: string;
  summary: string;
  warning: string;
  openTitle: string;
  url: string;
}

/** A link to one guide's web page: what it covers and how long it takes. */
export function guideLinkView(
  t: Translate,
  guide: { unenroll: UnenrollGuide; enroll: EnrollGuide },
  url: string,
): GuideLinkView {
  const { unenroll, enroll } = guide;
  const text = pageText(unenroll.language);
  const owner = unenroll.ownershipLabel;
  return {
    appName: t('app.name'),
    title: unenroll.title,
    meta: `${owner.charAt(0).toUpperCase()}${owner.slice(1)} · ${text.totalMinutes(unenroll.minutes + enroll.minutes)}`,
    summary: unenroll.selfService
      ? t('extension.unfurl.steps', { count: unenroll.steps.length, vendor: unenroll.vendorName })
      : t('extension.unfurl.itSteps', { vendor: unenroll.vendorName }),
    warning: t('extension.unfurl.warning', { vendor: unenroll.vendorName }),
    openTitle: t('extension.unfurl.open'),
    url,
  };
}

/** A link to the index of all guides. */
export function guideIndexLinkView(t: Translate, language: Language, url: string): GuideLinkView {
  const text = pageText(language);
  return {
    appName: t('app.name'),
    title: text.indexTitle,
    meta: '',
    summary: text.indexIntro,
    warning: '',
    openTitle: t('extension.unfurl.openIndex'),
    url,
  };
}

export function renderGuideLinkCard(view: GuideLinkView): CardJson {
  return { ...renderCard(template, view), version: LINK_UNFURL_CARD_VERSION };
}
