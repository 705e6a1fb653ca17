/**
 * Choosing the language: "language", "språk", "sprache" … (words.json `language`) or the button on
 * the welcome/help card show the campaign's languages; the choice is kept on the participant and
 * wins over the Teams locale from then on (see audienceIn in ../user-context).
 */
import type { TurnContext } from 'botbuilder';
import { CardFactory } from 'botbuilder';
import { z } from 'zod';
import { renderLanguageCard } from '../../cards/language-card';
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import { participantKey } from '../../domain/participant';
import { languageMeta } from '../../i18n';
import { turnLogger } from '../../logging';
import { audienceOf, rememberSender } from '../user-context';
import { welcomeCard } from '../welcome/welcome';

async function languageCardFor(context: TurnContext, deps: Deps, notice?: 'unavailable'): Promise<CardJson> {
  const { participant } = await rememberSender(context, deps);
  const a = audienceOf(context, deps, participant);
  const line = notice ? a.t('language.unavailable') : undefined;
  return renderLanguageCard(a.t, a.language, deps.config.languages.campaign, line);
}

/** "language" typed in the chat. */
export const onLanguageWords = (deps: Deps) => async (context: TurnContext) => {
  const card = await languageCardFor(context, deps);
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
};

/** The Language button on the welcome card: the card becomes the language card. */
export const onLanguageOpen = (deps: Deps) => (context: TurnContext) => languageCardFor(context, deps);

const chooseData = z.object({ language: z.string().max(35) });

/** A language button: kept on the participant; the answer is the welcome card in that language. */
export const onLanguageChoose =
  (deps: Deps) =>
  async (context: TurnContext): Promise<CardJson> => {
    const parsed = chooseData.safeParse(
      (context.activity.value as { action?: { data?: unknown } } | undefined)?.action?.data,
    );
    const language = parsed.success ? parsed.data.language : undefined;
    // A forged or stale button (a language the campaign no longer speaks) changes nothing.
    if (!language || !deps.config.languages.campaign.includes(language)) {
      return languageCardFor(context, deps, 'unavailable');
    }
    const { participant } = await rememberSender(context, deps);
    if (!participant) return languageCardFor(context, deps, 'unavailable');
    const updated = await deps.store.participants.update(participantKey(participant.aadObjectId), (cur) =>
      cur && cur.language !== language ? { ...cur, language } : undefined,
    );
    turnLogger(context, deps.logger).info({ language }, 'language chosen');
    const now = updated ?? { ...participant, language };
    const { t } = audienceOf(context, deps, now);
    return welcomeCard(context, deps, now, t('language.chosen', { language: languageMeta(language).name }));
  };
