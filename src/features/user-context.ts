import type { Activity, TurnContext } from 'botbuilder';
import type { Deps } from '../deps';
import { type Participant, participantKey, recordSighting } from '../domain/participant';
import { type Language, languageOf, matchLanguage, type Translate, translator } from '../i18n';
import { clientInfoOf, sightingOf } from '../integrations/bot/teams-context';
import { MAX_NAME_CHARS } from './activity-input';

/** How to speak to the sender of this turn: their language, locale and time zone. */
export interface Audience {
  language: Language;
  locale: string;
  timeZone: string;
  t: Translate;
}

export function audienceOf(context: TurnContext, deps: Deps, participant?: Participant): Audience {
  return audienceOfActivity(context.activity, deps, participant);
}

/** `audienceOf` for work that outlives its turn: the turn's context is revoked when the turn ends. */
export function audienceOfActivity(
  activity: Partial<Activity>,
  deps: Pick<Deps, 'config'>,
  participant?: Participant,
): Audience {
  const info = clientInfoOf(activity);
  // A stored row may hold another type than the model says (older rows): only text is used.
  const locale = textOr(info.locale) ?? textOr(participant?.locale) ?? deps.config.defaults.locale;
  return audienceIn(deps, locale, textOr(info.timeZone) ?? textOr(participant?.timeZone), participant);
}

/**
 * The language for a person: the one they chose in the chat when the campaign still speaks it, else
 * their Teams locale's among the campaign's languages, else the fallback (DEFAULT_LOCALE).
 */
export function audienceIn(
  deps: Pick<Deps, 'config'>,
  locale: string,
  timeZone: string | undefined,
  participant?: Participant,
): Audience {
  const campaign = deps.config.languages.campaign;
  const chosen = textOr(participant?.language);
  const language =
    chosen && campaign.includes(chosen) ? chosen : languageOf(locale, deps.config.defaults.locale, campaign);
  return {
    language,
    // A chosen language brings its own conventions for dates and numbers, unless the locale is of it.
    locale: chosen === language && matchLanguage(locale) !== language ? language : locale,
    timeZone: timeZone ?? deps.config.defaults.timeZone,
    t: translator(language),
  };
}

const textOr = (value: unknown): string | undefined =>
  typeof value === 'string' && value ? value : undefined;

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
      const next = recordSighting(current && repaired(current), sighting);
      if (current && !changedBeyondLastSeen(current, next, sighting.at)) return undefined;
      return next;
    },
  );
  return { participant, firstContact };
}

const TEXT_FIELDS = [
  'userPrincipalName',
  'displayName',
  'locale',
  'language',
  'timeZone',
  'firstSeenAt',
  'lastSeenAt',
  'waveId',
  'journeyCardId',
  'focusDeviceKey',
] as const;

/**
 * The stored row with fields of the wrong type dropped and the name capped, so that one bad row
 * (written before the activity edge existed, or by hand) is mended by the user's next turn instead
 * of failing every turn and export that reads it.
 */
function repaired(current: Participant): Participant {
  const p: Participant = { ...current };
  const loose = p as unknown as Record<string, unknown>;
  for (const field of TEXT_FIELDS) {
    if (loose[field] !== undefined && typeof loose[field] !== 'string') delete loose[field];
  }
  if (p.displayName && p.displayName.length > MAX_NAME_CHARS)
    p.displayName = p.displayName.slice(0, MAX_NAME_CHARS);
  if (typeof p.version !== 'number' || !Number.isFinite(p.version)) p.version = 0;
  if (typeof p.lastSeenAt !== 'string') p.lastSeenAt = new Date(0).toISOString();
  if (typeof p.firstSeenAt !== 'string') p.firstSeenAt = p.lastSeenAt;
  if (p.conversation !== undefined && (typeof p.conversation !== 'object' || p.conversation === null)) {
    delete p.conversation;
  }
  return p;
}

function changedBeyondLastSeen(current: Participant, next: Participant, at: Date): boolean {
  const { lastSeenAt: _a, version: _b, ...c } = current;
  const { lastSeenAt: _c, version: _d, ...n } = next;
  if (JSON.stringify(c) !== JSON.stringify(n)) return true;
  return at.getTime() - Date.parse(current.lastSeenAt) >= LAST_SEEN_RESOLUTION_MS;
}
