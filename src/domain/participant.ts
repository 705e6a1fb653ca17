/** One employee taking part in the migration: who they are, how to reach them, and where they are. */

/** Where to send proactive messages; the plain-data part of a Bot Framework conversation reference. */
export interface ConversationAddress {
  serviceUrl: string;
  channelId: string;
  conversationId: string;
  conversationType?: string;
  tenantId?: string;
  botId: string;
  botName?: string;
  /** The Teams user id (29:…) of the participant in that conversation. */
  userId: string;
}

export interface Participant {
  /** Microsoft Entra object id. */
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  /** Teams client locale, e.g. sv-SE. */
  locale?: string;
  /** IANA time zone reported by the Teams client. */
  timeZone?: string;
  conversation?: ConversationAddress;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Bumped on every change; cards carry it so stale card actions can be detected. */
  version: number;
}

/** Partition by a short hash of the object id so that no single table partition becomes hot. */
export function participantKey(aadObjectId: string): { partitionKey: string; rowKey: string } {
  const id = aadObjectId.toLowerCase();
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return { partitionKey: `p${(h % 64).toString().padStart(2, '0')}`, rowKey: id };
}

export interface Sighting {
  aadObjectId: string;
  userPrincipalName?: string;
  displayName?: string;
  locale?: string;
  timeZone?: string;
  conversation?: ConversationAddress;
  at: Date;
}

/** Records that the user was seen in a conversation, keeping whatever the new turn did not carry. */
export function recordSighting(current: Participant | undefined, s: Sighting): Participant {
  const at = s.at.toISOString();
  if (!current) {
    return {
      aadObjectId: s.aadObjectId.toLowerCase(),
      userPrincipalName: s.userPrincipalName,
      displayName: s.displayName,
      locale: s.locale,
      timeZone: s.timeZone,
      conversation: s.conversation,
      firstSeenAt: at,
      lastSeenAt: at,
      version: 1,
    };
  }
  return {
    ...current,
    userPrincipalName: s.userPrincipalName ?? current.userPrincipalName,
    displayName: s.displayName ?? current.displayName,
    locale: s.locale ?? current.locale,
    timeZone: s.timeZone ?? current.timeZone,
    conversation: s.conversation ?? current.conversation,
    lastSeenAt: at,
    version: current.version + 1,
  };
}
