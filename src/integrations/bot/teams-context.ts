import type { Activity } from 'botbuilder';
import type { ConversationAddress, Sighting } from '../../domain/participant';

interface ClientInfoEntity {
  type: 'clientInfo';
  locale?: string;
  timezone?: string;
}

/** The locale and time zone the user's Teams client reports (clientInfo entity), falling back to the activity. */
export function clientInfoOf(activity: Partial<Activity>): { locale?: string; timeZone?: string } {
  const info = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as ClientInfoEntity | undefined;
  return { locale: info?.locale ?? activity.locale ?? undefined, timeZone: info?.timezone };
}

/** Where a proactive message to this user, in this conversation, must go. */
export function addressOf(activity: Partial<Activity>): ConversationAddress | undefined {
  if (!activity.serviceUrl || !activity.conversation?.id || !activity.from?.id || !activity.recipient?.id)
    return undefined;
  return {
    serviceUrl: activity.serviceUrl,
    channelId: activity.channelId ?? 'msteams',
    conversationId: activity.conversation.id,
    conversationType: activity.conversation.conversationType,
    tenantId:
      activity.conversation.tenantId ??
      (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id,
    botId: activity.recipient.id,
    botName: activity.recipient.name,
    userId: activity.from.id,
  };
}

/**
 * Whether the activity comes from the user's 1:1 chat with the bot. Teams names the type; where it
 * is left out (some clients and emulators), a conversation of no team, no channel and not a group is
 * the 1:1 chat. A team or channel never counts: cards meant for one person must not land there.
 */
export function isPersonalChat(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  if (type) return type === 'personal';
  const channelData = activity.channelData as { team?: unknown; channel?: unknown } | undefined;
  return activity.conversation?.isGroup !== true && !channelData?.team && !channelData?.channel;
}

/** What one incoming activity tells us about its sender; undefined when it carries no Entra identity. */
export function sightingOf(activity: Partial<Activity>, at: Date): Sighting | undefined {
  const aadObjectId = activity.from?.aadObjectId;
  if (!aadObjectId) return undefined;
  const { locale, timeZone } = clientInfoOf(activity);
  const personal = isPersonalChat(activity);
  return {
    aadObjectId,
    displayName: activity.from?.name || undefined,
    locale,
    timeZone,
    // Only a 1:1 chat is a place to send the user's own cards to.
    conversation: personal ? addressOf(activity) : undefined,
    at,
  };
}
