import { bucketOf } from './canonical';
import type { DeviceJourney } from './journey';

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
  /** The language the person chose in the chat (a language tag such as nb); wins over the locale. */
  language?: string;
  /** IANA time zone reported by the Teams client. */
  timeZone?: string;
  conversation?: ConversationAddress;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Bumped on every change of the record. */
  version: number;
  /** The wave the user belongs to (at most one). */
  waveId?: string;
  /** One journey per device, from the old MDM to Intune. */
  journeys?: DeviceJourney[];
  /** Bumped whenever anything the journey card shows changes; the card carries it to detect stale actions. */
  journeyVersion?: number;
  /** Activity id of the user's journey card in their 1:1 chat, updated in place as things move. */
  journeyCardId?: string;
  /** The device the journey card is about when the user has several. */
  focusDeviceKey?: string;
  /** "Remind me tomorrow": how often the user deferred, and until when. */
  deferrals?: { used: number; until?: string };
  lastReminderAt?: string;
  /** When Graph was last read for this user's devices. */
  observedAt?: string;
  /** Escalation reasons raised by the journey, waiting for the helpdesk (bounded, newest last). */
  pendingEscalations?: { reason: string; deviceKey: string; detail: unknown; at: string }[];
  /** Erased at the person's request: only this tombstone is left, and nothing adds to it until an admin re-adds them. */
  erasedAt?: string;
}

/** Every partition `participantKey` (and `escalationKey`) can return, for jobs that scan all rows. */
export const PARTICIPANT_PARTITIONS: readonly string[] = Array.from(
  { length: 64 },
  (_, i) => `p${i.toString().padStart(2, '0')}`,
);

/** Partition by a short hash of the object id so that no single table partition becomes hot. */
export function participantKey(aadObjectId: string): { partitionKey: string; rowKey: string } {
  const id = aadObjectId.toLowerCase();
  return { partitionKey: `p${bucketOf(id, 64).toString().padStart(2, '0')}`, rowKey: id };
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
  if (current?.erasedAt) return current;
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

/** Escalations waiting to be moved into the user's helpdesk ticket; the oldest drop off past this. */
export const MAX_PENDING_ESCALATIONS = 20;

export type PendingEscalation = NonNullable<Participant['pendingEscalations']>[number];

/** Queues escalations for the helpdesk on the participant, keeping the queue bounded. */
export function withPendingEscalations(p: Participant, entries: readonly PendingEscalation[]): Participant {
  if (entries.length === 0) return p;
  return {
    ...p,
    pendingEscalations: [...(p.pendingEscalations ?? []), ...entries].slice(-MAX_PENDING_ESCALATIONS),
  };
}
