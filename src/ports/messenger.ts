import type { ConversationAddress } from '../domain/participant';

/** A card to deliver, with the plain-text summary Teams shows in notifications and the activity feed. */
export interface OutgoingCard {
  card: Record<string, unknown>;
  summary: string;
}

/** Whom a personal chat is with, and the chat's id when Graph already gave it. */
export interface PersonalChatOf {
  aadObjectId: string;
  tenantId?: string;
  chatId?: string;
}

/** Proactive messaging through the Bot Connector: new messages and in-place card updates. */
export interface Messenger {
  send(to: ConversationAddress, message: OutgoingCard): Promise<{ activityId: string }>;
  update(to: ConversationAddress, activityId: string, message: OutgoingCard): Promise<void>;
  /**
   * Opens (or finds) the 1:1 chat between the bot and a user it has not talked to yet; needs the
   * app to be installed for that user. Returns the address to send to. With `chatId` (the chat Graph
   * names for the app's installation) no call is made: that id is the conversation.
   */
  openPersonalChat(user: PersonalChatOf): Promise<ConversationAddress>;
}

/** Errors from the Bot Connector keep their HTTP status so callers can tell retryable from final. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    /** Seconds the service asked us to wait (429). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
