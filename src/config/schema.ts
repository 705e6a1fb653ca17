/**
 * The environment as a schema: one entry per variable (see .env.example), refinements for the rules
 * that involve several variables or only hold in production, and the shape of the `Config` built
 * from it. Entries are listed in the order their problems are reported.
 */
import { z } from 'zod';
import { parseHelpdeskRoutes } from '../domain/helpdesk-routing';
import { SOURCE_MDMS } from '../domain/source-mdm';
import { botConfigOf, checkBotSettings, isProduction, readEnvironment } from './bot';
import { parseCampaignLanguages, parseHelpdeskLanguage } from './languages';
import { checkOldMdmSettings, oldMdmSourcesOf, parseOldMdmSources, RELEASE_CONFIRM_MINUTES } from './old-mdm';
import { checkRetention, pseudonymKeyOf, RETENTION_VARIABLES, retentionOf } from './retention';
import {
  checked,
  GUIDISH,
  httpUrl,
  isHttpUrl,
  isTimeZone,
  oneOf,
  parseDays,
  parseHours,
  positive,
  setting,
  text,
} from './settings';
import {
  type Config,
  type EscalationTiming,
  type GraphAuth,
  type LogLevel,
  TEAMS_TENANT_RATE_LIMIT,
} from './types';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const PUBLIC_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);
const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';
/**
 * Every connector call of every instance shares this rate (replies, card updates, reminders,
 * helpdesk posts, broadcasts). 49, one below Teams' 50: the budget spaces calls one interval apart,
 * but a call made a little after its instant can share a sliding second with the 49 after it, so
 * at most 50 reach Teams in any second; 49 is also 98 % of the limit, so a broadcast uses it nearly all.
 */
const DEFAULT_BROADCAST_RATE = 49;
const DEFAULT_ESCALATION: EscalationTiming = {
  stuckAfterHours: 8,
  noncompliantAfterHours: 24,
  slaAssignMinutes: 60,
};
/** Upper bound of the escalation delays: a year, so that a typo cannot silently disable a trigger forever. */
const MAX_ESCALATION_HOURS = 24 * 365;
/** Signs export links on a developer's machine; production must set its own. */
const DEVELOPMENT_SIGNING_KEY = 'development-export-key';

const variables = z.object({
  NODE_ENV: setting(readEnvironment),
  PORT: checked(z.coerce.number().int().min(0).max(65535), {
    byDefault: '3978',
    explain: (raw) => `PORT: "${raw}" is not a port number; set 1-65535 (default 3978).`,
  }),
  LOG_LEVEL: checked(oneOf(LOG_LEVELS), {
    byDefault: 'info',
    explain: (raw) => `LOG_LEVEL: "${raw.toLowerCase()}" is not one of ${LOG_LEVELS.join(', ')}.`,
  }),
  PUBLIC_BASE_URL: checked(httpUrl.transform(withoutTrailingSlashes).optional(), {
    explain: (raw) => `PUBLIC_BASE_URL: "${raw}" is not an http(s) URL; set the bot's public address.`,
  }),

  BOT_APP_TYPE: text,
  BOT_APP_ID: text,
  BOT_APP_PASSWORD: text,
  BOT_TENANT_ID: text,
  /** Lets an existing multi-tenant bot run in production (Microsoft no longer creates them). */
  BOT_ALLOW_MULTI_TENANT: setting((raw) => /^(1|true|yes)$/i.test(raw ?? '')),
  /** Development and tests only: a local OpenID issuer whose keys sign the tokens the bot accepts. */
  BOT_OPENID_ISSUER: text,

  /** Empty when unset or malformed (reported here), so that the production rule sees only real ones. */
  STORAGE_CONNECTION_STRING: setting((raw, problem) => {
    if (!raw) {
      problem(
        'STORAGE_CONNECTION_STRING: not set; set the Azure Storage connection string (npm run dev sets one for Azurite).',
      );
      return '';
    }
    if (!/AccountName=|UseDevelopmentStorage=true|TableEndpoint=/i.test(raw)) {
      problem('STORAGE_CONNECTION_STRING: does not look like an Azure Storage connection string.');
      return '';
    }
    return raw;
  }),
  STORAGE_PREFIX: checked(
    z
      .string()
      .toLowerCase()
      .regex(/^[a-z][a-z0-9]{0,15}$/),
    {
      byDefault: 'mc',
      explain: (raw) =>
        `STORAGE_PREFIX: "${raw.toLowerCase()}" must be 1-16 lowercase letters or digits, starting with a letter.`,
    },
  ),

  /** The address and its host; the host is empty when the address is not a URL at all. */
  GRAPH_BASE_URL: setting((raw, problem) => {
    const baseUrl = (raw ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
    if (!isHttpUrl(baseUrl)) {
      problem(`GRAPH_BASE_URL: "${baseUrl}" is not an http(s) URL.`);
      return { baseUrl, host: '' };
    }
    const host = new URL(baseUrl).hostname;
    if (PUBLIC_GRAPH_HOSTS.has(host) && !baseUrl.startsWith('https://')) {
      problem('GRAPH_BASE_URL: Microsoft Graph must be reached over https.');
    }
    return { baseUrl, host };
  }),
  GRAPH_MAX_ATTEMPTS: checked(z.coerce.number().int().min(1).max(10), {
    byDefault: '5',
    explain: (raw) => `GRAPH_MAX_ATTEMPTS: "${raw}" must be a whole number from 1 to 10.`,
  }),
  GRAPH_TENANT_ID: text,
  GRAPH_CLIENT_ID: text,
  GRAPH_CLIENT_SECRET: text,
  GRAPH_CERTIFICATE_PATH: text,
  GRAPH_USE_MANAGED_IDENTITY: setting((raw) => /^(1|true|yes)$/i.test(raw ?? '')),

  HELPDESK_CHANNEL_ID: text,
  HELPDESK_ROUTES: setting((raw, problem) => {
    const parsed = parseHelpdeskRoutes(raw);
    parsed.problems.forEach(problem);
    return parsed.routes;
  }),
  HELPDESK_TEAM_ID: text,

  ESCALATE_STUCK_AFTER_HOURS: positive(
    'ESCALATE_STUCK_AFTER_HOURS',
    DEFAULT_ESCALATION.stuckAfterHours,
    'business hours without progress before a started device is escalated',
    'hours',
    MAX_ESCALATION_HOURS,
  ),
  ESCALATE_NONCOMPLIANT_AFTER_HOURS: positive(
    'ESCALATE_NONCOMPLIANT_AFTER_HOURS',
    DEFAULT_ESCALATION.noncompliantAfterHours,
    'hours a device may stay enrolled but not compliant before it is escalated',
    'hours',
    MAX_ESCALATION_HOURS,
  ),
  HELPDESK_SLA_ASSIGN_MINUTES: positive(
    'HELPDESK_SLA_ASSIGN_MINUTES',
    DEFAULT_ESCALATION.slaAssignMinutes,
    'business minutes a ticket may stay unassigned before its thread gets a reminder',
    'minutes',
    MAX_ESCALATION_HOURS * 60,
  ),

  ADMIN_GROUP_ID: text,
  ADMIN_UPNS: setting((raw, problem) => {
    const upns = (raw ?? '')
      .split(/[,;\s]+/)
      .map((u) => u.trim().toLowerCase())
      .filter(Boolean);
    for (const upn of upns) {
      if (!/^[^@\s]+@[^@\s]+$/.test(upn)) problem(`ADMIN_UPNS: "${upn}" is not a user principal name.`);
    }
    return upns;
  }),

  SOURCE_MDM: checked(oneOf(SOURCE_MDMS), {
    byDefault: 'other',
    explain: (raw) => `SOURCE_MDM: "${raw.toLowerCase()}" is not one of ${SOURCE_MDMS.join(', ')}.`,
  }),
  DEFAULT_LOCALE: checked(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/), {
    byDefault: 'en-US',
    explain: (raw) => `DEFAULT_LOCALE: "${raw}" is not a BCP 47 language tag such as en-US or sv-SE.`,
  }),
  CAMPAIGN_LANGUAGES: setting((raw, problem) => parseCampaignLanguages(raw, problem)),
  HELPDESK_LANGUAGE: setting((raw, problem) => parseHelpdeskLanguage(raw, problem)),
  DEFAULT_TIME_ZONE: checked(z.string().refine(isTimeZone), {
    byDefault: 'UTC',
    explain: (raw) => `DEFAULT_TIME_ZONE: "${raw}" is not an IANA time zone such as Europe/Stockholm.`,
  }),
  BUSINESS_HOURS: setting((raw, problem) => parseHours(raw ?? '08:00-17:00', problem)),
  BUSINESS_DAYS: setting((raw, problem) => parseDays(raw ?? 'mon-fri', problem)),

  BROADCAST_RATE_PER_SECOND: checked(z.coerce.number().gt(0).lt(TEAMS_TENANT_RATE_LIMIT), {
    byDefault: String(DEFAULT_BROADCAST_RATE),
    explain: (raw) =>
      `BROADCAST_RATE_PER_SECOND: "${raw}" must be a number above 0 and below Teams' limit of ${TEAMS_TENANT_RATE_LIMIT} requests per second per app per tenant; it paces every connector call, not only broadcasts (default ${DEFAULT_BROADCAST_RATE}).`,
  }),
  BROADCAST_MAX_ATTEMPTS: checked(z.coerce.number().int().min(1).max(20), {
    byDefault: '6',
    explain: (raw) => `BROADCAST_MAX_ATTEMPTS: "${raw}" must be a whole number from 1 to 20 (default 6).`,
  }),
  BOT_SERVICE_URL: checked(httpUrl, {
    byDefault: 'https://smba.trafficmanager.net/teams/',
    explain: (raw) => `BOT_SERVICE_URL: "${raw}" is not an http(s) URL.`,
  }),
  ANNOUNCEMENTS_CHANNEL_ID: checked(z.string().startsWith('19:').optional(), {
    explain: (raw) =>
      `ANNOUNCEMENTS_CHANNEL_ID: "${raw}" is not a channel conversation id (19:…@thread.tacv2).`,
  }),
  TEAMS_APP_ID: text,

  GUIDANCE_OVERRIDE_PATH: text,
  EXPORT_SIGNING_KEY: text,

  OLD_MDM_SOURCES: setting((raw, problem) => parseOldMdmSources(raw, problem)),
  WORKSPACE_ONE_API_URL: text,
  WORKSPACE_ONE_TOKEN_URL: text,
  WORKSPACE_ONE_CLIENT_ID: text,
  WORKSPACE_ONE_CLIENT_SECRET: text,
  WORKSPACE_ONE_TENANT_CODE: text,
  JAMF_URL: text,
  JAMF_CLIENT_ID: text,
  JAMF_CLIENT_SECRET: text,
  OLD_MDM_ALLOW_RELEASE: text,
  OLD_MDM_RELEASE_CONFIRM_MINUTES: checked(
    z.coerce.number().int().min(RELEASE_CONFIRM_MINUTES.min).max(RELEASE_CONFIRM_MINUTES.max),
    {
      byDefault: String(RELEASE_CONFIRM_MINUTES.byDefault),
      explain: (raw) =>
        `OLD_MDM_RELEASE_CONFIRM_MINUTES: "${raw}" must be a whole number of minutes from ${RELEASE_CONFIRM_MINUTES.min} to ${RELEASE_CONFIRM_MINUTES.max} (how long a sent release may wait for the old MDM's confirmation before the ticket says so; default ${RELEASE_CONFIRM_MINUTES.byDefault}).`,
    },
  ),
  OLD_MDM_SYNC_MINUTES: checked(z.coerce.number().int().min(5).max(1440), {
    byDefault: '15',
    explain: (raw) =>
      `OLD_MDM_SYNC_MINUTES: "${raw}" must be a whole number of minutes from 5 to 1440 (how often the old MDM is read; default 15).`,
  }),
  OLD_MDM_FULL_SYNC_HOURS: checked(z.coerce.number().int().min(1).max(168), {
    byDefault: '24',
    explain: (raw) =>
      `OLD_MDM_FULL_SYNC_HOURS: "${raw}" must be a whole number of hours from 1 to 168 (how often the whole inventory is re-read; default 24).`,
  }),
  RETENTION_PARTICIPANT_DAYS: RETENTION_VARIABLES.RETENTION_PARTICIPANT_DAYS,
  RETENTION_TICKET_DAYS: RETENTION_VARIABLES.RETENTION_TICKET_DAYS,
  RETENTION_DELIVERY_DAYS: RETENTION_VARIABLES.RETENTION_DELIVERY_DAYS,
  RETENTION_DRAFT_HOURS: RETENTION_VARIABLES.RETENTION_DRAFT_HOURS,
  RETENTION_AUDIT_PSEUDONYMISE_DAYS: RETENTION_VARIABLES.RETENTION_AUDIT_PSEUDONYMISE_DAYS,
  RETENTION_AUDIT_DAYS: RETENTION_VARIABLES.RETENTION_AUDIT_DAYS,
  PRIVACY_PSEUDONYM_KEY: RETENTION_VARIABLES.PRIVACY_PSEUDONYM_KEY,
});

type Variables = z.output<typeof variables>;

/** Every environment variable the configuration reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(variables.shape);

/** The environment (`process.env` or a test's) → the validated `Config`. */
export const configSchema = variables.superRefine(checkTogether).transform(toConfig);

/** The credentials Graph is reached with; undefined when real Graph would have none. */
function graphAuthOf(env: Variables): GraphAuth | undefined {
  const tenantId = env.GRAPH_TENANT_ID ?? env.BOT_TENANT_ID ?? '';
  const clientId = env.GRAPH_CLIENT_ID;
  if (env.GRAPH_USE_MANAGED_IDENTITY) return { kind: 'managed-identity', clientId };
  if (env.GRAPH_CERTIFICATE_PATH) {
    return {
      kind: 'certificate',
      tenantId,
      clientId: clientId ?? '',
      certificatePath: env.GRAPH_CERTIFICATE_PATH,
    };
  }
  if (env.GRAPH_CLIENT_SECRET) {
    return {
      kind: 'client-secret',
      tenantId,
      clientId: clientId ?? '',
      clientSecret: env.GRAPH_CLIENT_SECRET,
    };
  }
  const { host } = env.GRAPH_BASE_URL;
  if (host && !PUBLIC_GRAPH_HOSTS.has(host) && !isProduction(env)) return { kind: 'simulator' };
  return undefined;
}

function signingKeyOf(env: Variables): string | undefined {
  return env.EXPORT_SIGNING_KEY ?? (isProduction(env) ? undefined : DEVELOPMENT_SIGNING_KEY);
}

/** The rules that involve several variables, most of them production's. */
function checkTogether(env: Variables, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof Variables, message: string) =>
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [variable], message });
  const production = isProduction(env);

  checkBotSettings(env, problem);

  const { baseUrl, host } = env.GRAPH_BASE_URL;
  if (production && host && !PUBLIC_GRAPH_HOSTS.has(host)) {
    problem(
      'GRAPH_BASE_URL',
      `GRAPH_BASE_URL: "${baseUrl}" is not Microsoft Graph (the tenant simulator is for development only); set https://graph.microsoft.com.`,
    );
  }
  const auth = graphAuthOf(env);
  if (auth?.kind === 'certificate' || auth?.kind === 'client-secret') {
    if (!auth.tenantId) {
      problem('GRAPH_TENANT_ID', 'GRAPH_TENANT_ID: not set; set the Entra tenant id the Graph app lives in.');
    }
    if (!auth.clientId) {
      problem(
        'GRAPH_CLIENT_ID',
        'GRAPH_CLIENT_ID: not set; set the application (client) id that reads Graph.',
      );
    }
    if (env.GRAPH_CLIENT_SECRET && env.GRAPH_CERTIFICATE_PATH) {
      problem(
        'GRAPH_CLIENT_SECRET',
        'GRAPH_CLIENT_SECRET and GRAPH_CERTIFICATE_PATH: set one of them, not both.',
      );
    }
  } else if (!auth) {
    problem(
      'GRAPH_CLIENT_SECRET',
      'GRAPH_CLIENT_SECRET, GRAPH_CERTIFICATE_PATH or GRAPH_USE_MANAGED_IDENTITY: none is set; Microsoft Graph needs credentials (or point GRAPH_BASE_URL at the tenant simulator in development).',
    );
  }

  if (production && !env.HELPDESK_CHANNEL_ID) {
    problem(
      'HELPDESK_CHANNEL_ID',
      'HELPDESK_CHANNEL_ID: not set; set the conversation id of the helpdesk channel (19:…@thread.tacv2).',
    );
  }

  const groupId = env.ADMIN_GROUP_ID;
  // Development tenants (the simulator) may use short ids; a real Entra group id is a GUID.
  if (groupId && production && !GUIDISH.test(groupId)) {
    problem('ADMIN_GROUP_ID', `ADMIN_GROUP_ID: "${groupId}" is not an Entra group object id (a GUID).`);
  }
  if (production && !groupId && env.ADMIN_UPNS.length === 0) {
    problem('ADMIN_UPNS', 'ADMIN_GROUP_ID or ADMIN_UPNS: neither is set; name who may run the campaign.');
  }

  const signingKey = signingKeyOf(env);
  if (!signingKey) {
    problem(
      'EXPORT_SIGNING_KEY',
      'EXPORT_SIGNING_KEY: not set; set a random secret of at least 32 characters (signs CSV download links).',
    );
  } else if (production && signingKey.length < 32) {
    problem(
      'EXPORT_SIGNING_KEY',
      'EXPORT_SIGNING_KEY: shorter than 32 characters; use a long random secret.',
    );
  }

  checkOldMdmSettings(env.OLD_MDM_SOURCES, env, production, problem);
  checkRetention(env, problem);
}

/** Runs only when every check passed, so the values looked up here exist. */
function toConfig(env: Variables): Config {
  return {
    production: isProduction(env),
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    bot: botConfigOf(env),
    storage: { connectionString: env.STORAGE_CONNECTION_STRING, prefix: env.STORAGE_PREFIX },
    graph: {
      baseUrl: env.GRAPH_BASE_URL.baseUrl,
      auth: graphAuthOf(env)!,
      maxAttempts: env.GRAPH_MAX_ATTEMPTS,
    },
    helpdesk: {
      channelId: env.HELPDESK_CHANNEL_ID,
      teamId: env.HELPDESK_TEAM_ID,
      routes: env.HELPDESK_ROUTES,
    },
    escalation: {
      stuckAfterHours: env.ESCALATE_STUCK_AFTER_HOURS,
      noncompliantAfterHours: env.ESCALATE_NONCOMPLIANT_AFTER_HOURS,
      slaAssignMinutes: env.HELPDESK_SLA_ASSIGN_MINUTES,
    },
    admins: { groupId: env.ADMIN_GROUP_ID, upns: env.ADMIN_UPNS },
    sourceMdm: env.SOURCE_MDM,
    guidanceOverridePath: env.GUIDANCE_OVERRIDE_PATH,
    defaults: {
      locale: env.DEFAULT_LOCALE,
      timeZone: env.DEFAULT_TIME_ZONE,
      businessHours: { ...env.BUSINESS_HOURS, days: env.BUSINESS_DAYS },
    },
    languages: { campaign: env.CAMPAIGN_LANGUAGES, helpdesk: env.HELPDESK_LANGUAGE },
    broadcast: {
      ratePerSecond: env.BROADCAST_RATE_PER_SECOND,
      maxAttempts: env.BROADCAST_MAX_ATTEMPTS,
      serviceUrl: env.BOT_SERVICE_URL,
      teamsAppId: env.TEAMS_APP_ID,
      announcementsChannelId: env.ANNOUNCEMENTS_CHANNEL_ID,
    },
    exportSigningKey: signingKeyOf(env)!,
    oldMdm: {
      sources: oldMdmSourcesOf(env.OLD_MDM_SOURCES, env),
      syncMinutes: env.OLD_MDM_SYNC_MINUTES,
      fullSyncHours: env.OLD_MDM_FULL_SYNC_HOURS,
      releaseConfirmMinutes: env.OLD_MDM_RELEASE_CONFIRM_MINUTES,
    },
    retention: retentionOf(env),
    pseudonymKey: pseudonymKeyOf(env),
  };
}

function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
