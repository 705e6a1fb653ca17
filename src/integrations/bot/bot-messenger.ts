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
    /** Connector address and tenant for users the bot has never talked to. */
    private readonly newChats: { serviceUrl: string; tenantId?: string } = {
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
    },
  ) {}

  async openPersonalChat(user: { aadObjectId: string; tenantId?: string }): Promise<ConversationAddress> {
    const tenantId = user.tenantId ?? this.newChats.tenantId;
    let address: ConversationAddress | undefined;
    await this.adapter.createConversationAsync(
      this.botAppId,
      'msteams',
      this.newChats.serviceUrl,
      '',
      {
        isGroup: false,
        bot: { id: this.botAppId, name: '' },
        // Teams accepts the user's Entra object id here once the app is installed for them.
        members: [{ id: user.aadObjectId, name: '' }],
        tenantId,
        channelData: tenantId ? { tenant: { id: tenantId } } : undefined,
        activity: undefined as never,
        topicName: '',
      },
      async (ctx) => {
        address = {
          serviceUrl: this.newChats.serviceUrl,
          channelId: 'msteams',
          conversationId: ctx.activity.conversation.id,
          conversationType: 'personal',
          tenantId,
          botId: this.botAppId,
          userId: user.aadObjectId,
        };
      },
    );
    if (!address) throw new Error(`the connector opened no chat with ${user.aadObjectId}`);
    return address;
  }

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
