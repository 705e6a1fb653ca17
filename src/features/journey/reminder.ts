import { renderReminderCard } from '../../cards/reminder-card';
import type { Deps } from '../../deps';
import type { Wave } from '../../domain/campaign';
import type { Participant } from '../../domain/participant';
import type { OutgoingCard } from '../../ports/messenger';
import { audienceForParticipant } from './on-progress';

/** The reminder card for a wave member, in their language and time zone. */
export function reminderCard(deps: Deps, p: Participant, wave: Wave): OutgoingCard {
  return renderReminderCard(audienceForParticipant(deps, p), p, wave);
}
