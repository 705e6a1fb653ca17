/**
 * The bot's adapter: Teams AI's TeamsAdapter (botbuilder's CloudAdapter), built from the bot's
 * identity, with one entry the HTTP server calls. Authentication goes through the AuthGate, so a bad
 * token is a 401 and an unreachable key endpoint a 503, each without the library's text; only an
 * authenticated activity reaches the turn.
 */
import { TeamsAdapter } from '@microsoft/teams-ai';
import {
  type Activity,
  CallerIdConstants,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConfigurationServiceClientCredentialFactory,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../../config';
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

export class BotAdapter extends TeamsAdapter {
  private readonly gate: AuthGate;

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
    const response = await this.processActivity(auth.result, activity, logic);
    return { kind: 'done', status: response?.status ?? 200, body: response?.body };
  }
}
