/** Action.Execute verbs of the privacy cards; shared by the card view models and the routes. */
export const PRIVACY_VERBS = {
  /** Erase the person named on the confirmation: data { aadObjectId }. */
  confirmErase: 'privacy.erase.confirm',
} as const;

export type PrivacyVerb = (typeof PRIVACY_VERBS)[keyof typeof PRIVACY_VERBS];

/**
 * The admin's privacy commands in the 1:1 chat, English or Swedish, followed by a UPN or an Entra
 * object id: "erase alex@contoso.com", "export …", "restore …" (re-add an erased person).
 */
export const PRIVACY_COMMAND = /^\s*(erase|radera|export|exportera|restore|återställ|aterstall)\s+(\S+)\s*$/i;

export type PrivacyCommand = 'erase' | 'export' | 'restore';

export function privacyCommandOf(word: string): PrivacyCommand {
  const w = word.toLowerCase();
  if (w === 'erase' || w === 'radera') return 'erase';
  if (w === 'export' || w === 'exportera') return 'export';
  return 'restore';
}
