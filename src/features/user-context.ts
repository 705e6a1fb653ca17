import type { TurnContext } from 'botbuilder';
import type { Deps } from '../deps';
import { type Participant, participantKey, recordSighting } from '../domain/participant';
import { type Language, languageOf, type Translate, translator } from '../i18n';
import { clientInfoOf, sightingOf } from '../integrations/bot/teams-context';

/** How to speak to the sender of this turn: their language, locale and time zone. */
export interface Audience {
  language: Language;
  locale: string;
  timeZone: string;
  t: Translate;
}

export function audienceOf(context: TurnContext, deps: Deps, participant?: Participant): Audience {
  const info = clientInfoOf(context.activity);
  const locale = info.locale ?? participant?.locale ?? deps.config.defaults.locale;
  const language = languageOf(locale, deps.config.defaults.locale);
  return {
    language,
    locale,
    timeZone: info.timeZone ?? participant?.timeZone ?? deps.config.defaults.timeZone,
    t: translator(language),
  };
}

/** Writes at most this often when nothing but lastSeenAt changed, to keep storage writes per turn low. */
const LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;

/**
 * Records the sender on their participant record: conversation reference, locale and time zone.
 * Returns the stored participant and whether this was the first time we met them.
 */
export async function rememberSender(
  context: TurnContext,
  deps: Deps,
): Promise<{ participant?: Participant; firstContact: boolean }> {
  const sighting = sightingOf(context.activity, deps.clock.now());
  if (!sighting) return { firstContact: false };
  let firstContact = false;
  const participant = await deps.store.participants.update(
    participantKey(sighting.aadObjectId),
    (current) => {
      firstContact = current === undefined;
      const next = recordSighting(current, sighting);
      if (current && !changedBeyondLastSeen(current, next, sighting.at)) return undefined;
      return next;
    },
  );
  return { participant, firstContact };
}

function changedBeyondLastSeen(current: Participant, next: Participant, at: Date): boolean {
  const { lastSeenAt: _a, version: _b, ...c } = current;
  const { lastSeenAt: _c, version: _d, ...n } = next;
  if (JSON.stringify(c) !== JSON.stringify(n)) return true;
  return at.getTime() - Date.parse(current.lastSeenAt) >= LAST_SEEN_RESOLUTION_MS;
}
