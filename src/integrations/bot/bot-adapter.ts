/**
 * The bot's adapter: Teams AI's TeamsAdapter (botbuilder's CloudAdapter), built from the bot's
 * identity, with one entry the HTTP server calls. Authentication goes through the AuthGate, so a bad
 * token is a 401 and an unreachable key endpoint a 503, each without the library's text; only an
 * authenticated activity reaches the turn.
 */
import { TeamsAdapter } from '@microsoft/teams-ai';
import {
  type Activity,
  ActivityTypes,
  CallerIdConstants,
  Channels,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConfigurationServiceClientCredentialFactory,
  type ConversationReference,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../../config';
import type { RateGate } from '../../ports/rate-gate';
import { AuthGate, type AuthGateOptions } from './auth-gate';

export type BotIdentity = Config['bot'];

/** What the server sends back for one POST to /api/messages. */
export type TurnOutcome =
  | { kind: 'done'; status: number; body?: unknown }
  | { kind: 'unauthorized'; reason: string }
  | { kind: 'unavailable'; reason: string; retryAfterSeconds: number };

/**
 * Bot Framework's public-cloud endpoints, as botframework-connector's AuthenticationConstants has
 * them. Setting any of the library's endpoint options switches it to taking all of them from
 * configuration, so a local issuer needs the rest spelled out.
 */
export const PUBLIC_CLOUD = {
  ValidateAuthority: true,
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: CallerIdConstants.PublicAzureChannel,
} as const;

/** The library's settings for this identity; with `openIdIssuer` (development and tests only) its keys sign tokens. */
export function authSettingsOf(bot: BotIdentity): ConfigurationBotFrameworkAuthenticationOptions {
  if (bot.appType === 'local') return {};
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.tenantId,
  };
  if (!bot.openIdIssuer) return settings;
  // OpenID Connect discovery: the metadata lives at a fixed path under the issuer.
  const metadataUrl = `${bot.openIdIssuer}/.well-known/openid-configuration`;
  return {
    ...settings,
    ...PUBLIC_CLOUD,
    ToBotFromChannelTokenIssuer: bot.openIdIssuer,
    ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: metadataUrl,
  };
}

/** Marks a turn that came in over /api/messages: its connector calls wait for an interactive turn. */
const BUDGETED_TURN = Symbol('outgoing budget');

/**
 * Whether the adapter makes a connector call for this activity. An invoke response travels in the
 * HTTP response, a delay is a pause, and a trace goes nowhere outside the Emulator; replies to an
 * `expectReplies` request are buffered by the turn and never reach the adapter.
 */
export function reachesConnector(activity: Partial<Activity>): boolean {
  if (activity.type === ActivityTypes.InvokeResponse || activity.type === 'delay') return false;
  return !(activity.type === ActivityTypes.Trace && activity.channelId !== Channels.Emulator);
}

export class BotAdapter extends TeamsAdapter {
  private readonly gate: AuthGate;
  private budget?: RateGate;

  constructor(
    readonly identity: BotIdentity,
    gateOptions: AuthGateOptions = {},
  ) {
    const settings = authSettingsOf(identity);
    super(
      settings,
      identity.appType === 'local' ? undefined : new ConfigurationServiceClientCredentialFactory(settings),
    );
    this.gate = new AuthGate(gateOptions);
  }

  /** Whether /api/messages needs a bearer token (every app type but the development-only `local`). */
  get requiresToken(): boolean {
    return this.identity.appType !== 'local';
  }

  /**
   * From now on every connector call a turn makes (replies, typing, card updates and deletes) first
   * waits for an interactive turn of the one outgoing budget. Proactive calls (BotMessenger) are not
   * turns of this kind: they pass the budget where they are made.
   */
  useOutgoingBudget(budget: RateGate): void {
    this.budget = budget;
  }

  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    const budget = this.budgetOf(context);
    if (!budget) return super.sendActivities(context, activities);
    // One at a time, each right after its own turn: taking them all first would bunch the calls.
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (reachesConnector(activity)) await budget.take(undefined, 'interactive');
      responses.push(...(await super.sendActivities(context, [activity])));
    }
    return responses;
  }

  override async updateActivity(
    context: TurnContext,
    activity: Partial<Activity>,
  ): ReturnType<TeamsAdapter['updateActivity']> {
    await this.budgetOf(context)?.take(undefined, 'interactive');
    return super.updateActivity(context, activity);
  }

  override async deleteActivity(
    context: TurnContext,
    reference: Partial<ConversationReference>,
  ): Promise<void> {
    await this.budgetOf(context)?.take(undefined, 'interactive');
    return super.deleteActivity(context, reference);
  }

  private budgetOf(context: TurnContext): RateGate | undefined {
    return context.turnState.get(BUDGETED_TURN) === true ? this.budget : undefined;
  }

  /**
   * Authenticates the activity and, once it is, runs the turn. Errors from the turn itself are
   * thrown for the caller's error policy; authentication never throws.
   */
  async handle(
    activity: Activity,
    authorization: string,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<TurnOutcome> {
    const auth = await this.gate.authenticate(() =>
      this.botFrameworkAuthentication.authenticateRequest(activity, authorization),
    );
    if (auth.kind !== 'authenticated') return auth;
    const response = await this.processActivity(auth.result, activity, (context) => {
      context.turnState.set(BUDGETED_TURN, true);
      return logic(context);
    });
    return { kind: 'done', status: response?.status ?? 200, body: response?.body };
  }
}
