import type { TurnContext } from 'botbuilder';
import { CardFactory } from 'botbuilder';
import { renderMessageCard } from '../../cards/message-card';
import type { Deps } from '../../deps';
import { participantKey, withPendingEscalations } from '../../domain/participant';
import { wordsPattern } from '../../i18n';
import { JOURNEY_VERBS } from '../../verbs/journey';
import { dispatchEscalations } from '../helpdesk/helpdesk-service';
import { isInActiveWave, loadJourneyState } from '../journey/journey-service';
import { audienceOf, rememberSender } from '../user-context';

/** Words for "I'm stuck", in every language (words.json `stuck`), anywhere in the message. */
export const STUCK_WORDS = wordsPattern('stuck');
/**
 * Vendor and product names, the same in every language; each language's words for phone, tablet
 * and computer come from its words.json (`guide`).
 */
const PRODUCT_WORDS = [
  'iphone',
  'ipad',
  'ios',
  'ipados',
  'android',
  'windows',
  'mac',
  'macbook',
  'macos',
  'workspace one',
  'airwatch',
  'intelligent hub',
  'ivanti',
  'mobileiron',
  'jamf',
  'blackberry',
  'citrix',
  'secure hub',
  'company portal',
  'företagsportalen',
];
/** Platform and vendor words that ask for a guide. */
export const GUIDE_WORDS = wordsPattern('guide', { extra: PRODUCT_WORDS });

const MAX_GUIDES_SHOWN = 4;

/** "I'm stuck": noted on the participant for the helpdesk, and the user is told what happens next. */
export const onStuck = (deps: Deps) => async (context: TurnContext) => {
  const { participant } = await rememberSender(context, deps);
  const a = audienceOf(context, deps, participant);
  if (participant) {
    const now = deps.clock.now().toISOString();
    const said = (context.activity.text ?? '').slice(0, 500);
    await deps.store.participants.update(participantKey(participant.aadObjectId), (cur) =>
      cur
        ? withPendingEscalations(cur, [
            { reason: 'user-stuck', deviceKey: cur.focusDeviceKey ?? '', detail: { said }, at: now },
          ])
        : undefined,
    );
  }
  const card = renderMessageCard({
    title: a.t('help.stuck.title'),
    text: a.t('help.stuck.text'),
    style: 'accent',
  });
  const state = participant ? await loadJourneyState(deps, participant.aadObjectId) : {};
  if (isInActiveWave(state)) {
    card.actions = [
      { type: 'Action.Execute', title: a.t('help.openJourney'), verb: JOURNEY_VERBS.start, data: {} },
    ];
  }
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
  // After the answer: the user is told at once, the helpdesk card follows.
  if (participant) {
    await dispatchEscalations(deps, participant.aadObjectId).catch((err) =>
      deps.logger.error({ err }, 'posting the escalation to the helpdesk failed'),
    );
  }
};

/** "iphone", "jamf", "android arbetsprofil" …: the matching guides, as links to their web pages. */
export const onGuideWords = (deps: Deps) => async (context: TurnContext) => {
  const { participant } = await rememberSender(context, deps);
  const a = audienceOf(context, deps, participant);
  const state = participant ? await loadJourneyState(deps, participant.aadObjectId, participant) : {};
  const vendor = state.campaign?.sourceMdm ?? deps.config.sourceMdm;
  const text = context.activity.text ?? '';
  // The campaign's own MDM unless the user named another one.
  const named = /workspace|airwatch|hub|ivanti|mobileiron|jamf|blackberry|citrix/i.test(text);
  const guides = deps.guidance
    .search(named ? text : `${text} ${vendor}`, a.language)
    .slice(0, MAX_GUIDES_SHOWN);
  const card = renderMessageCard({
    title: a.t('help.guides.title'),
    text: guides.length ? guides.map((g) => `• ${g.title}`).join('\n') : a.t('help.guides.none'),
    style: 'default',
  });
  const actions: Record<string, unknown>[] = [];
  if (deps.config.publicBaseUrl) {
    for (const g of guides) {
      actions.push({ type: 'Action.OpenUrl', title: g.title, url: `${deps.config.publicBaseUrl}${g.path}` });
    }
  }
  if (isInActiveWave(state)) {
    actions.push({
      type: 'Action.Execute',
      title: a.t('help.openJourney'),
      verb: JOURNEY_VERBS.start,
      data: {},
    });
  }
  if (actions.length) card.actions = actions;
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card)] });
};
