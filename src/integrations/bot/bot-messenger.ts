import {
  type Activity,
  CardFactory,
  type CloudAdapter,
  type ConversationParameters,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { parseRetryAfter } from '../../domain/broadcast-pacing';
import type { ConversationAddress } from '../../domain/participant';
import {
  ConnectorError,
  type Messenger,
  type OutgoingCard,
  type PersonalChatOf,
} from '../../ports/messenger';

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

export interface BotMessengerOptions {
  /**
   * The connector SDK retries 429 and 5xx by itself, up to three times, out of sight of the caller.
   * Callers that pace and retry on their own (the broadcast sender) turn that off, so that every
   * request is one they counted and a 429 reaches them at once.
   */
  sdkRetries?: boolean;
}

/** The part of botframework-connector's ConnectorClient a turn hands us that we use. */
interface TurnConnector {
  conversations: { createConversation(parameters: ConversationParameters): Promise<{ id?: string }> };
}

/** Name of the retry policy @azure/core-rest-pipeline puts into every connector client's pipeline. */
const SDK_RETRY_POLICY = 'defaultRetryPolicy';

/**
 * Turns a Bot Connector failure (botframework-connector's RestError: statusCode, error code from
 * the body, response headers) into a ConnectorError callers can classify. Anything else is returned
 * unchanged.
 */
export function toConnectorError(err: unknown, what: string, now: Date = new Date()): unknown {
  if (err instanceof ConnectorError) return err;
  const e = err as {
    name?: unknown;
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { headers?: { get?: (name: string) => string | undefined } };
  };
  if (!e || typeof e !== 'object' || e.name !== 'RestError') return err;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  const code = typeof e.code === 'string' && e.code ? e.code : undefined;
  const retryAfter = parseRetryAfter(e.response?.headers?.get?.('retry-after'), now);
  const message = typeof e.message === 'string' ? e.message : '';
  return new ConnectorError(
    `Bot Connector ${what} failed (${status || 'no answer'}${code ? ` ${code}` : ''})${message ? `: ${message}` : ''}`,
    status,
    code,
    retryAfter,
  );
}

/** A connector call that has not answered by then is given up as "no answer" (status 0, retryable). */
const CONNECTOR_TIMEOUT_MS = 15_000;

function bounded<T>(call: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ConnectorError(`Bot Connector ${what}: no answer`, 0)),
      CONNECTOR_TIMEOUT_MS,
    );
  });
  return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
}

/** Proactive sends and in-place updates through the Bot Connector (the playground's connector locally). */
export class BotMessenger implements Messenger {
  private readonly sdkRetries: boolean;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    /** Connector address and tenant for users the bot has never talked to. */
    private readonly newChats: { serviceUrl: string; tenantId?: string } = {
      serviceUrl: 'https://smba.trafficmanager.net/teams/',
    },
    options: BotMessengerOptions = {},
  ) {
    this.sdkRetries = options.sdkRetries ?? true;
  }

  async openPersonalChat(user: PersonalChatOf): Promise<ConversationAddress> {
    const tenantId = user.tenantId ?? this.newChats.tenantId;
    if (user.chatId) return this.personalAddress(user.chatId, user.aadObjectId, tenantId);
    const parameters: ConversationParameters = {
      isGroup: false,
      bot: { id: this.botAppId, name: '' },
      // Teams accepts the user's Entra object id here once the app is installed for them.
      members: [{ id: user.aadObjectId, name: '' }],
      tenantId,
      channelData: tenantId ? { tenant: { id: tenantId } } : undefined,
      activity: undefined as never,
      topicName: '',
    };
    let conversationId: string | undefined;
    try {
      if (this.sdkRetries) {
        await this.adapter.createConversationAsync(
          this.botAppId,
          'msteams',
          this.newChats.serviceUrl,
          '',
          parameters,
          async (ctx) => {
            conversationId = ctx.activity.conversation.id;
          },
        );
      } else {
        // createConversationAsync makes its call before handing us a turn; a proactive turn on the same
        // connector gives us its client first, so the SDK's retries can be taken out of the call.
        const reference: Partial<ConversationReference> = {
          serviceUrl: this.newChats.serviceUrl,
          channelId: 'msteams',
          conversation: { id: '', isGroup: false, conversationType: 'personal', name: '', tenantId },
          bot: { id: this.botAppId, name: '' },
        };
        await this.adapter.continueConversationAsync(this.botAppId, reference, async (ctx) => {
          const created = await this.connectorOf(ctx).conversations.createConversation(parameters);
          conversationId = created.id;
        });
      }
    } catch (err) {
      throw toConnectorError(err, `opening a chat with ${user.aadObjectId}`);
    }
    if (!conversationId) throw new Error(`the connector opened no chat with ${user.aadObjectId}`);
    return this.personalAddress(conversationId, user.aadObjectId, tenantId);
  }

  private personalAddress(
    conversationId: string,
    aadObjectId: string,
    tenantId: string | undefined,
  ): ConversationAddress {
    return {
      serviceUrl: this.newChats.serviceUrl,
      channelId: 'msteams',
      conversationId,
      conversationType: 'personal',
      ...(tenantId ? { tenantId } : {}),
      botId: this.botAppId,
      userId: aadObjectId,
    };
  }

  async send(to: ConversationAddress, message: OutgoingCard): Promise<{ activityId: string }> {
    let activityId = '';
    try {
      const sent = this.adapter.continueConversationAsync(this.botAppId, referenceOf(to), async (ctx) => {
        this.connectorOf(ctx);
        const res = await ctx.sendActivity(cardActivity(message));
        activityId = res?.id ?? '';
      });
      await bounded(sent, 'send');
    } catch (err) {
      throw toConnectorError(err, `sending to ${to.conversationId}`);
    }
    return { activityId };
  }

  async update(to: ConversationAddress, activityId: string, message: OutgoingCard): Promise<void> {
    try {
      await bounded(
        this.adapter.continueConversationAsync(this.botAppId, referenceOf(to), async (ctx) => {
          this.connectorOf(ctx);
          await ctx.updateActivity({
            ...cardActivity(message),
            id: activityId,
            conversation: ctx.activity.conversation,
          });
        }),
        'update',
      );
    } catch (err) {
      throw toConnectorError(err, `updating ${activityId} in ${to.conversationId}`);
    }
  }

  /** The turn's connector client, without the SDK's own retries when the caller does its own. */
  private connectorOf(ctx: TurnContext): TurnConnector {
    const client = ctx.turnState.get<TurnConnector>(ctx.adapter.ConnectorClientKey);
    if (!this.sdkRetries) {
      // The pipeline is not part of ConnectorClient's typed surface; a test pins this down.
      const inner = (
        client as unknown as { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } }
      ).client;
      inner?.pipeline?.removePolicy({ name: SDK_RETRY_POLICY });
    }
    return client;
  }
}
