import type { TurnContext } from 'botbuilder';
import { CardFactory } from 'botbuilder';
import type { CardJson } from '../../cards/render';
import { renderWelcomeCard, welcomeView } from '../../cards/welcome-card';
import type { Deps } from '../../deps';
import type { Participant } from '../../domain/participant';
import { isPersonalChat } from '../../integrations/bot/teams-context';
import { DEVICE_VERBS } from '../../verbs/devices';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { LANGUAGE_VERBS } from '../../verbs/language';
import { isInActiveWave, loadJourneyState } from '../journey/journey-service';
import { audienceOf, rememberSender } from '../user-context';

function givenNameOf(displayName: string | undefined): string | undefined {
  return displayName?.trim().split(/\s+/)[0] || undefined;
}

/** The welcome (help) card in the person's language; `notice` is a line above it. */
export async function welcomeCard(
  context: TurnContext,
  deps: Deps,
  participant: Participant | undefined,
  notice?: string,
): Promise<CardJson> {
  const { t, locale } = audienceOf(context, deps, participant);
  const state = participant?.waveId ? await loadJourneyState(deps, participant.aadObjectId, participant) : {};
  return renderWelcomeCard(
    welcomeView(t, {
      givenName: givenNameOf(participant?.displayName ?? context.activity.from?.name),
      vendor: deps.config.sourceMdm,
      locale,
      verb: DEVICE_VERBS.check,
      notice,
      startVerb: isInActiveWave(state) ? JOURNEY_VERBS.start : undefined,
      languageVerb: deps.config.languages.campaign.length > 1 ? LANGUAGE_VERBS.open : undefined,
    }),
  );
}

async function sendWelcome(
  context: TurnContext,
  deps: Deps,
  participant: Participant | undefined,
  notice?: 'fallback',
): Promise<void> {
  const { t } = audienceOf(context, deps, participant);
  const card = await welcomeCard(context, deps, participant, notice ? t('help.fallback') : undefined);
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)], summary: t('app.name') });
}

/** "hello", "hej", "help" … in the 1:1 chat. */
export const onGreeting = (deps: Deps) => async (context: TurnContext) => {
  const { participant } = await rememberSender(context, deps);
  await sendWelcome(context, deps, participant);
};

/** Anything we have no route for: the welcome card again, with a line saying we didn't understand. */
export const onUnrecognisedMessage = (deps: Deps) => async (context: TurnContext) => {
  const { participant, firstContact } = await rememberSender(context, deps);
  await sendWelcome(context, deps, participant, firstContact ? undefined : 'fallback');
};

/** The app was installed for the user (or the user was added to a conversation with the bot). */
export const onMembersAdded = (deps: Deps) => async (context: TurnContext) => {
  const botId = context.activity.recipient?.id;
  const added = context.activity.membersAdded ?? [];
  const personal = isPersonalChat(context.activity);
  // In a 1:1 chat the install event names the bot; greet the user it was installed for, once:
  // clients may repeat the event (the playground does on every page load).
  if (personal && added.some((m) => m.id === botId)) {
    const { participant, firstContact } = await rememberSender(context, deps);
    if (firstContact) await sendWelcome(context, deps, participant);
  }
};
