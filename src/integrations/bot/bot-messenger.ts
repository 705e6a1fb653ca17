import { type Activity, CardFactory, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ConversationAddress } from '../../domain/participant';
import type { Messenger, OutgoingCard } from '../../ports/messenger';

export function referenceOf(a: ConversationAddress): Partial<ConversationReference> {
  return {
    serviceUrl: a.serviceUrl,
    channelId: a.channelId,
    conversation: {
      id: a.conversationId,
      conversationType: a.conversationType ?? 'personal',
      tenantId: a.tenantId,
      isGroup: a.conversationType === 'channel' || a.conversationType === 'groupChat',
      name: '',
    },
    bot: { id: a.botId, name: a.botName ?? '' },
    user: { id: a.userId, name: '' },
  };
}

export function cardActivity(message: OutgoingCard): Partial<Activity> {
  return { type: 'message', summary: message.summary, attachments: [CardFactory.adaptiveCard(message.card)] };
}

/** Proactive sends and in-place updates through the Bot Connector (the playground's connector locally). */
export class BotMessenger implements Messenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async send(to: ConversationAddress, message: OutgoingCard): Promise<{ activityId: string }> {
    let activityId = '';
    await this.adapter.continueConversationAsync(this.botAppId, referenceOf(to), async (ctx) => {
      const res = await ctx.sendActivity(cardActivity(message));
      activityId = res?.id ?? '';
    });
    return { activityId };
  }

  async update(to: ConversationAddress, activityId: string, message: OutgoingCard): Promise<void> {
    await this.adapter.continueConversationAsync(this.botAppId, referenceOf(to), async (ctx) => {
      await ctx.updateActivity({
        ...cardActivity(message),
        id: activityId,
        conversation: ctx.activity.conversation,
      });
    });
  }
}
