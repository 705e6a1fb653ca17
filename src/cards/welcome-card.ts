import template from '../../adaptiveCards/welcome.json';
import type { SourceMdm } from '../domain/source-mdm';
import type { Translate } from '../i18n';
import { type CardJson, renderCard } from './render';

export interface WelcomeView {
  notice: string;
  appName: string;
  greeting: string;
  intro: string;
  canDo: string;
  points: string[];
  tip: string;
  checkDevices: string;
  verb: string;
  /** Empty when the user is in no active wave: the card then offers no Start button. */
  startTitle: string;
  startVerb: string;
  /** Empty when the campaign speaks one language: there is nothing to choose. */
  languageTitle: string;
  languageVerb: string;
  locale: string;
}

export function welcomeView(
  t: Translate,
  input: {
    givenName?: string;
    vendor: SourceMdm;
    locale: string;
    verb: string;
    notice?: string;
    startVerb?: string;
    languageVerb?: string;
  },
): WelcomeView {
  return {
    notice: input.notice ?? '',
    appName: t('app.name'),
    greeting: input.givenName
      ? t('welcome.greeting', { name: input.givenName })
      : t('welcome.greetingAnonymous'),
    intro: t('welcome.intro', { vendor: t(`vendor.${input.vendor}`) }),
    canDo: t('welcome.canDo'),
    points: [
      t('welcome.point.devices'),
      t('welcome.point.guide'),
      t('welcome.point.check'),
      t('welcome.point.help'),
    ],
    tip: t('welcome.tip'),
    checkDevices: t('welcome.checkDevices'),
    verb: input.verb,
    startTitle: input.startVerb ? t('welcome.start') : '',
    startVerb: input.startVerb ?? '',
    languageTitle: input.languageVerb ? t('language.button') : '',
    languageVerb: input.languageVerb ?? '',
    locale: input.locale,
  };
}

export const renderWelcomeCard = (view: WelcomeView): CardJson => renderCard(template, view);
