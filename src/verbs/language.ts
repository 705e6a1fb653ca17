/** Action.Execute verbs of the language choice; shared by the card view models and the routes. */
export const LANGUAGE_VERBS = {
  /** Show the language card (the button on the welcome/help card). */
  open: 'language.open',
  /** Keep a language on the participant: data { language }. */
  choose: 'language.choose',
} as const;
