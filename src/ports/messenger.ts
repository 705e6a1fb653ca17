import type { ConversationAddress } from '../domain/participant';

/** A card to deliver, with the plain-text summary Teams shows in notifications and the activity feed. */
export interface OutgoingCard {
  card: Record<string, unknown>;
  summary: string;
}

/** Proactive messaging through the Bot Connector: new messages and in-place card updates. */
export interface Messenger {
  send(to: ConversationAddress, message: OutgoingCard): Promise<{ activityId: string }>;
  update(to: ConversationAddress, activityId: string, message: OutgoingCard): Promise<void>;
}
