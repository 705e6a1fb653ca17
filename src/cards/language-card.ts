import { type Language, languageMeta, type Translate } from '../i18n';
import { LANGUAGE_VERBS } from '../verbs/language';
import { renderMessageCard } from './message-card';
import type { CardJson } from './render';

/**
 * The language card: one button per language of the campaign, each named in its own language (a
 * person who cannot read the current one still finds theirs).
 */
export function renderLanguageCard(
  t: Translate,
  current: Language,
  campaign: readonly Language[],
  notice?: string,
): CardJson {
  const text = [
    notice,
    t('language.intro'),
    t('language.current', { language: languageMeta(current).name }),
  ].filter(Boolean);
  const card = renderMessageCard({ title: t('language.title'), text: text.join('\n\n'), style: 'default' });
  card.actions = campaign.map((language) => ({
    type: 'Action.Execute',
    title: languageMeta(language).name,
    verb: LANGUAGE_VERBS.choose,
    data: { language },
    ...(language === current ? { style: 'positive' } : {}),
  }));
  return card;
}
