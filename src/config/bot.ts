/**
 * The environment the bot runs in (`NODE_ENV`) and its identity (`BOT_APP_TYPE` and credentials).
 * The safe side is the default: an unknown environment is refused instead of silently running
 * without production's checks, a deployment that reaches a real storage account must say which
 * environment it is, and the credential-less `local` type (no token check on /api/messages) runs
 * only in development.
 */
import { GUIDISH, isHttpUrl } from './settings';
import { isStorageEmulator, usesPlainHttp } from './storage-account';
import type { BotAppType, Config } from './types';

export const ENVIRONMENTS = ['production', 'development', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const APP_TYPES: readonly BotAppType[] = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI', 'local'];

/** The variables these rules read. */
export interface BotVariables {
  /** A known environment, or undefined when unset (an unknown value is reported when read). */
  NODE_ENV?: Environment;
  BOT_APP_TYPE?: string;
  BOT_APP_ID?: string;
  BOT_APP_PASSWORD?: string;
  BOT_TENANT_ID?: string;
  BOT_ALLOW_MULTI_TENANT: boolean;
  BOT_OPENID_ISSUER?: string;
  /** Empty when unset or malformed (reported with that variable). */
  STORAGE_CONNECTION_STRING: string;
}

type Report = (variable: keyof BotVariables, message: string) => void;

/**
 * `NODE_ENV` as read: exactly one of ENVIRONMENTS, or unset. Anything else is reported and stands
 * in as production, so that the rest of the configuration is checked as strictly as it can be.
 */
export function readEnvironment(raw: string | undefined, problem: (message: string) => void) {
  if (raw === undefined) return undefined;
  const known = ENVIRONMENTS.find((e) => e === raw);
  if (known) return known;
  problem(
    `NODE_ENV: "${raw}" is not one of ${ENVIRONMENTS.join(', ')} (exactly, in lower case); production's checks apply only to "production", so any other value is refused rather than run without them.`,
  );
  return 'production' as const;
}

/** A real Azure Storage account: a deployment, not a developer's emulator. */
function reachesRealStorage(env: BotVariables): boolean {
  const storage = env.STORAGE_CONNECTION_STRING;
  return storage !== '' && !isStorageEmulator(storage);
}

/** Production's rules apply: NODE_ENV says so, or it is unset while real storage is configured. */
export function isProduction(env: BotVariables): boolean {
  return env.NODE_ENV === 'production' || (env.NODE_ENV === undefined && reachesRealStorage(env));
}

/** The bot's app type; undefined when the setting names none. `local` only by default in development. */
export function appTypeOf(env: BotVariables): BotAppType | undefined {
  const raw = env.BOT_APP_TYPE ?? (isProduction(env) ? 'SingleTenant' : 'local');
  return APP_TYPES.find((t) => t.toLowerCase() === raw.toLowerCase());
}

export function checkBotSettings(env: BotVariables, problem: Report): void {
  const production = isProduction(env);
  if (env.NODE_ENV === undefined && reachesRealStorage(env)) {
    problem(
      'NODE_ENV',
      'NODE_ENV: not set, but STORAGE_CONNECTION_STRING names a real Azure Storage account; set NODE_ENV=production for a deployment (or development to develop against that account).',
    );
  }

  const appType = appTypeOf(env);
  if (!appType) {
    problem('BOT_APP_TYPE', `BOT_APP_TYPE: "${env.BOT_APP_TYPE}" is not one of ${APP_TYPES.join(', ')}.`);
  } else if (appType === 'local') {
    if (production) {
      problem(
        'BOT_APP_TYPE',
        'BOT_APP_TYPE: "local" runs without bot credentials and is refused in production; set SingleTenant or UserAssignedMSI.',
      );
    }
  } else {
    checkCredentials(env, appType, problem);
    if (appType === 'MultiTenant' && production && !env.BOT_ALLOW_MULTI_TENANT) {
      problem(
        'BOT_APP_TYPE',
        'BOT_APP_TYPE: MultiTenant is refused in production: Microsoft stopped creating multi-tenant bots after 31 July 2025; register the bot as SingleTenant or UserAssignedMSI. An existing multi-tenant bot may keep running with BOT_ALLOW_MULTI_TENANT=true.',
      );
    }
  }

  const issuer = env.BOT_OPENID_ISSUER;
  if (issuer && !isHttpUrl(issuer)) {
    problem('BOT_OPENID_ISSUER', `BOT_OPENID_ISSUER: "${issuer}" is not an http(s) URL.`);
  } else if (issuer && production) {
    problem(
      'BOT_OPENID_ISSUER',
      'BOT_OPENID_ISSUER: a local token issuer is for development and tests only and is refused in production; remove it (Bot Framework signs the tokens Teams sends).',
    );
  }

  const storage = env.STORAGE_CONNECTION_STRING;
  if (production && storage && isStorageEmulator(storage)) {
    problem(
      'STORAGE_CONNECTION_STRING',
      'STORAGE_CONNECTION_STRING: points at the storage emulator (Azurite: a loopback or IP address, devstoreaccount1 or UseDevelopmentStorage), which is refused in production; set the connection string of an Azure Storage account.',
    );
  } else if (production && storage && usesPlainHttp(storage)) {
    problem(
      'STORAGE_CONNECTION_STRING',
      'STORAGE_CONNECTION_STRING: uses plain http, which is refused in production; use DefaultEndpointsProtocol=https.',
    );
  }
}

function checkCredentials(env: BotVariables, appType: Exclude<BotAppType, 'local'>, problem: Report) {
  const appId = env.BOT_APP_ID;
  if (!appId) {
    problem('BOT_APP_ID', `BOT_APP_ID: not set; set the bot's Microsoft Entra application (client) id.`);
  } else if (!GUIDISH.test(appId)) {
    problem('BOT_APP_ID', `BOT_APP_ID: "${appId}" is not an application id (a GUID).`);
  }
  if (appType !== 'UserAssignedMSI' && !env.BOT_APP_PASSWORD) {
    problem(
      'BOT_APP_PASSWORD',
      `BOT_APP_PASSWORD: not set; set the client secret of the bot's app registration.`,
    );
  }
  if (appType !== 'MultiTenant' && !env.BOT_TENANT_ID) {
    problem(
      'BOT_TENANT_ID',
      `BOT_TENANT_ID: not set; a ${appType} bot needs the Entra tenant id it lives in.`,
    );
  }
}

/** Runs only when every check passed. */
export function botConfigOf(env: BotVariables): Config['bot'] {
  const appType = appTypeOf(env)!;
  const openIdIssuer = env.BOT_OPENID_ISSUER?.replace(/\/+$/, '');
  if (appType === 'local') return { appType, appId: env.BOT_APP_ID ?? '' };
  return {
    appType,
    appId: env.BOT_APP_ID ?? '',
    appPassword: env.BOT_APP_PASSWORD,
    tenantId: env.BOT_TENANT_ID,
    ...(openIdIssuer ? { openIdIssuer } : {}),
  };
}
