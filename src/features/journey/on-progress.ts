import type { Deps } from '../../deps';
import type { JourneyEffect } from '../../domain/journey';
import type { Participant } from '../../domain/participant';
import { dispatchEscalations } from '../helpdesk/helpdesk-service';
import { type Audience, audienceIn } from '../user-context';
import { journeyCard, loadJourneyState } from './journey-service';

/** How to speak to a participant outside a turn (proactive updates): what their Teams client last told us. */
export function audienceForParticipant(deps: Deps, p: Participant): Audience {
  return audienceIn(deps, p.locale ?? deps.config.defaults.locale, p.timeZone, p);
}

/**
 * Graph showed progress for a participant (background refresh): the journey card in their chat is
 * updated in place, so the card they look at is always current.
 */
export const onProgress = (deps: Deps) => async (participant: Participant, effects: JourneyEffect[]) => {
  if (effects.some((e) => e.kind === 'escalate') || participant.pendingEscalations?.length) {
    await dispatchEscalations(deps, participant.aadObjectId).catch((err) =>
      deps.logger.error(
        { err, user: participant.aadObjectId },
        'posting the escalation to the helpdesk failed',
      ),
    );
  }
  if (!participant.conversation || !participant.journeyCardId) return;
  if (!effects.some((e) => e.kind === 'card-changed' || e.kind === 'escalate' || e.kind === 'congratulate'))
    return;
  const state = await loadJourneyState(deps, participant.aadObjectId);
  const current = state.participant ?? participant;
  const audience = audienceForParticipant(deps, current);
  const card = journeyCard(deps, audience, { ...state, participant: current });
  if (!card) return;
  await deps.messenger.update(participant.conversation, participant.journeyCardId, {
    card,
    summary: audience.t('app.name'),
  });
};
