/** Applying one event to the journey card's device and answering with the card; shared by the journey actions. */
import type { CardJson } from '../../cards/render';
import type { Deps } from '../../deps';
import type { DeviceJourney, JourneyEvent } from '../../domain/journey';
import { participantKey } from '../../domain/participant';
import { dispatchInBackground } from '../helpdesk/helpdesk-service';
import type { Audience } from '../user-context';
import { applyEvent, type JourneyState, journeyCard } from './journey-service';

export type Notice = { text: string; style: 'good' | 'warning' | 'attention' | 'accent' };

/** How far back a live look-up reads enrollment failures. */
export const FAILURE_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;

/** Stores the event's result (ETag read-modify-write) and answers with the card; a refused event says so. */
export async function applyAndRender(
  deps: Deps,
  a: Audience,
  state: JourneyState,
  device: DeviceJourney,
  event: JourneyEvent,
  notice?: Notice,
): Promise<CardJson> {
  const now = deps.clock.now();
  let rejected = false;
  const updated = await deps.store.participants.update(
    participantKey(state.participant!.aadObjectId),
    (cur) => {
      if (!cur) return undefined;
      const result = applyEvent(cur, device.deviceKey, event, now);
      rejected = result.effects.some((e) => e.kind === 'rejected');
      return result.changed ? result.participant : undefined;
    },
  );
  const participant = updated ?? state.participant!;
  // The write may have queued escalations (needs IT, a failed post-check …): on to the helpdesk.
  if (updated?.pendingEscalations?.length) dispatchInBackground(deps, participant.aadObjectId);
  const shown =
    rejected && !notice
      ? { text: a.t('journey.rejected', { device: device.name }), style: 'warning' as const }
      : notice;
  return journeyCard(deps, a, { ...state, participant }, { notice: shown })!;
}
