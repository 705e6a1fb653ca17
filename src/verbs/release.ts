/** Action.Execute verbs of releasing devices from the old MDM; shared by the cards and the routes. */
export const RELEASE_VERBS = {
  /** "Remove from Workspace ONE" on a ticket, a status card or the straggler list: the confirmation card. */
  ask: 'release.ask',
  confirm: 'release.confirm',
  cancel: 'release.cancel',
  /** Admins: a wave's corporate devices at once, after typing the wave's name. */
  bulkAsk: 'release.bulk.ask',
  bulkStart: 'release.bulk.start',
  bulkProgress: 'release.bulk.progress',
} as const;

export type ReleaseVerb = (typeof RELEASE_VERBS)[keyof typeof RELEASE_VERBS];

export const RELEASE_VERB_LIST: readonly ReleaseVerb[] = Object.values(RELEASE_VERBS);

/** Where the confirmation card came from, so that "Cancel" and the answer go back there. */
export const RELEASE_ORIGINS = ['ticket', 'status', 'admin'] as const;
export type ReleaseOrigin = (typeof RELEASE_ORIGINS)[number];

/** The text input where an admin types the wave's name to confirm a bulk release. */
export const WAVE_NAME_INPUT_ID = 'waveNameTyped';
