/**
 * Command ids of the message extension, shared by the app manifest (appPackage/manifest.json), the
 * routes and the tests that check every command in the manifest has a route.
 */
export const EXTENSION_COMMANDS = {
  /** Search: guides by platform, vendor or keyword (English or Swedish); anyone. */
  searchGuides: 'searchGuides',
  /** Search: a participant's migration status by name or UPN; helpdesk and admins only. */
  searchStatus: 'searchStatus',
  /** Message action: open a helpdesk ticket for the author of a message. */
  escalateMessage: 'escalateMessage',
} as const;

export type ExtensionCommand = (typeof EXTENSION_COMMANDS)[keyof typeof EXTENSION_COMMANDS];

export const EXTENSION_COMMAND_LIST: readonly ExtensionCommand[] = Object.values(EXTENSION_COMMANDS);

/** The one parameter both search commands take. */
export const QUERY_PARAMETER = 'query';

/** What a search result's preview carries back in `composeExtension/selectItem` (untrusted). */
export const ITEM_KINDS = { guide: 'guide', status: 'status' } as const;

/** Input ids of the escalation dialog; Teams merges them into the submitted data. */
export const ESCALATE_INPUTS = { category: 'category', text: 'text' } as const;

/** The `Action.Submit` data that marks the escalation dialog's own submit. */
export const ESCALATE_SUBMIT = 'escalate';

export const ESCALATE_CATEGORIES = ['cannot-remove', 'portal', 'missing', 'other'] as const;
export type EscalateCategory = (typeof ESCALATE_CATEGORIES)[number];

/** Teams asks for 25 results a page; a longer page is cut to this. */
export const MAX_RESULTS_PER_PAGE = 25;
/** A status search shows fewer people than that: each is one look-up, and names should be typed out. */
export const MAX_STATUS_RESULTS = 10;
