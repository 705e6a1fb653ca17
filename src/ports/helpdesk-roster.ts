/** A member of the helpdesk team, as Teams lists them. */
export interface HelpdeskMember {
  aadObjectId: string;
  name?: string;
}

/**
 * Who may act on escalation cards: the members of the helpdesk team. Authorisation is decided on
 * the server from the sender's Entra object id, never from card data.
 */
export interface HelpdeskRoster {
  /** `serviceUrl` is where the Bot Connector for this tenant lives (taken from the incoming activity). */
  members(serviceUrl: string): Promise<HelpdeskMember[]>;
}
