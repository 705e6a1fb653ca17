/** Action.Execute verbs of the helpdesk escalation card; shared by the card's view model and the routes. */
export const HELPDESK_VERBS = {
  assignMe: 'helpdesk.assignme',
  waitOnUser: 'helpdesk.waitonuser',
  resolve: 'helpdesk.resolve',
  reopen: 'helpdesk.reopen',
  resend: 'helpdesk.resend',
  assignTo: 'helpdesk.assignto',
} as const;

export type HelpdeskVerb = (typeof HELPDESK_VERBS)[keyof typeof HELPDESK_VERBS];

export const HELPDESK_VERB_LIST: readonly HelpdeskVerb[] = Object.values(HELPDESK_VERBS);

/** The resolution note's input id on the card (merged into the action data by Teams). */
export const NOTE_INPUT_ID = 'note';

/** The "Assign to…" choice of a helpdesk member (an Entra object id; checked against the roster). */
export const ASSIGNEE_INPUT_ID = 'assignee';

/** At most this many helpdesk members are offered in "Assign to…" (names sorted). */
export const MAX_ASSIGNEES = 100;
