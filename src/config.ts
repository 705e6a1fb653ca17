/**
 * Configuration: read and validated here, and only here. Every problem is collected so that one
 * failed start-up names every variable that needs attention, with what to put there.
 */

import { type HelpdeskRoute, parseHelpdeskRoutes } from './domain/helpdesk-routing';

export type BotAppType = 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI' | 'local';
export type GraphAuth =
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'managed-identity'; clientId?: string }
  /** Only against the local tenant simulator: a fixed development token. */
  | { kind: 'simulator' };

export type SourceMdm = 'workspace-one' | 'ivanti' | 'jamf' | 'blackberry' | 'citrix' | 'other';
export const SOURCE_MDMS: readonly SourceMdm[] = [
  'workspace-one',
  'ivanti',
  'jamf',
  'blackberry',
  'citrix',
  'other',
];

export interface BusinessHours {
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /** ISO weekday numbers, Monday = 1 … Sunday = 7. */
  days: number[];
}

export interface Config {
  production: boolean;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  publicBaseUrl?: string;
  bot: {
    appType: BotAppType;
    appId: string;
    appPassword?: string;
    tenantId?: string;
  };
  storage: {
    connectionString: string;
    /** Prefix for table, queue and container names, so several deployments (or test runs) can share an account. */
    prefix: string;
  };
  graph: {
    baseUrl: string;
    auth: GraphAuth;
    /** Attempts per request before a throttled or unavailable Graph call gives up. */
    maxAttempts: number;
  };
  helpdesk: {
    /** The default helpdesk channel. */
    channelId?: string;
    teamId?: string;
    /** `HELPDESK_ROUTES`, in order: the first rule matching a ticket picks its channel (src/domain/helpdesk-routing.ts). */
    routes?: readonly HelpdeskRoute[];
  };
  /** When the background job raises time-based escalations (see src/workers/escalation-triggers.ts). */
  escalation: EscalationTiming;
  admins: { groupId?: string; upns: string[] };
  sourceMdm: SourceMdm;
  /** An admin's guidance content file merged over the built-in guides. */
  guidanceOverridePath?: string;
  defaults: { locale: string; timeZone: string; businessHours: BusinessHours };
  broadcast: BroadcastSettings;
  /** Signs the expiring download links of CSV exports (HMAC-SHA256). */
  exportSigningKey: string;
}

export interface BroadcastSettings {
  /** Messages per second all instances together may send (Teams allows 50 per app per tenant). */
  ratePerSecond: number;
  /** Attempts per recipient before a delivery is recorded as failed. */
  maxAttempts: number;
  /** Bot Connector address for users the bot has never talked to (Teams: https://smba.trafficmanager.net/teams/). */
  serviceUrl: string;
  /** The Teams app's catalog id, installed for users with no conversation yet (Graph installedApps). */
  teamsAppId?: string;
  /** Where announcements are also posted, if set (a channel conversation id). */
  announcementsChannelId?: string;
}

/** Teams allows 50 messages per second per app per tenant; stay clearly below it. */
export const TEAMS_TENANT_RATE_LIMIT = 50;
export const DEFAULT_BROADCAST_RATE = 45;

export interface EscalationTiming {
  /** A started device with no progress for this many business hours (user's zone) → `no-progress`. */
  stuckAfterHours: number;
  /** A device enrolled but not compliant for this many hours → `noncompliant`. */
  noncompliantAfterHours: number;
  /** A ticket nobody took for this many business minutes (campaign zone) → one reminder in its thread. */
  slaAssignMinutes: number;
}

export const DEFAULT_ESCALATION_TIMING: Readonly<EscalationTiming> = {
  stuckAfterHours: 8,
  noncompliantAfterHours: 24,
  slaAssignMinutes: 60,
};

/** Upper bound of the escalation delays: a year, so that a typo cannot silently disable a trigger forever. */
const MAX_ESCALATION_HOURS = 24 * 365;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Migration Companion cannot start: ${problems.length} configuration problem(s).\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every setting.',
    );
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES: readonly BotAppType[] = ['SingleTenant', 'MultiTenant', 'UserAssignedMSI', 'local'];
const PUBLIC_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const GUIDISH = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Env = Record<string, string | undefined>;

export function readConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const production = str('NODE_ENV') === 'production';

  const port = parsePort(str('PORT') ?? '3978');
  if (port === undefined)
    problems.push(`PORT: "${str('PORT')}" is not a port number; set 1-65535 (default 3978).`);

  const logLevelRaw = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw)
    ? (logLevelRaw as Config['logLevel'])
    : undefined;
  if (!logLevel) problems.push(`LOG_LEVEL: "${logLevelRaw}" is not one of ${LOG_LEVELS.join(', ')}.`);

  const publicBaseUrl = str('PUBLIC_BASE_URL');
  if (publicBaseUrl && !isHttpUrl(publicBaseUrl)) {
    problems.push(`PUBLIC_BASE_URL: "${publicBaseUrl}" is not an http(s) URL; set the bot's public address.`);
  }

  const bot = readBot(str, production, problems);
  const storage = readStorage(str, production, problems);
  const graph = readGraph(str, production, problems);

  const helpdeskChannelId = str('HELPDESK_CHANNEL_ID');
  if (production && !helpdeskChannelId) {
    problems.push(
      'HELPDESK_CHANNEL_ID: not set; set the conversation id of the helpdesk channel (19:…@thread.tacv2).',
    );
  }

  const helpdeskRoutes = parseHelpdeskRoutes(str('HELPDESK_ROUTES'));
  problems.push(...helpdeskRoutes.problems);

  const escalation: EscalationTiming = {
    stuckAfterHours: positiveHours(
      'ESCALATE_STUCK_AFTER_HOURS',
      str('ESCALATE_STUCK_AFTER_HOURS'),
      DEFAULT_ESCALATION_TIMING.stuckAfterHours,
      'business hours without progress before a started device is escalated',
      problems,
    ),
    noncompliantAfterHours: positiveHours(
      'ESCALATE_NONCOMPLIANT_AFTER_HOURS',
      str('ESCALATE_NONCOMPLIANT_AFTER_HOURS'),
      DEFAULT_ESCALATION_TIMING.noncompliantAfterHours,
      'hours a device may stay enrolled but not compliant before it is escalated',
      problems,
    ),
    slaAssignMinutes: positiveHours(
      'HELPDESK_SLA_ASSIGN_MINUTES',
      str('HELPDESK_SLA_ASSIGN_MINUTES'),
      DEFAULT_ESCALATION_TIMING.slaAssignMinutes,
      'business minutes a ticket may stay unassigned before its thread gets a reminder',
      problems,
      'minutes',
      MAX_ESCALATION_HOURS * 60,
    ),
  };

  const adminGroupId = str('ADMIN_GROUP_ID');
  // Development tenants (the simulator) may use short ids; a real Entra group id is a GUID.
  if (adminGroupId && production && !GUIDISH.test(adminGroupId)) {
    problems.push(`ADMIN_GROUP_ID: "${adminGroupId}" is not an Entra group object id (a GUID).`);
  }
  const adminUpns = (str('ADMIN_UPNS') ?? '')
    .split(/[,;\s]+/)
    .map((u) => u.trim().toLowerCase())
    .filter(Boolean);
  for (const upn of adminUpns) {
    if (!/^[^@\s]+@[^@\s]+$/.test(upn)) problems.push(`ADMIN_UPNS: "${upn}" is not a user principal name.`);
  }
  if (production && !adminGroupId && adminUpns.length === 0) {
    problems.push('ADMIN_GROUP_ID or ADMIN_UPNS: neither is set; name who may run the campaign.');
  }

  const sourceMdmRaw = (str('SOURCE_MDM') ?? 'other').toLowerCase();
  const sourceMdm = (SOURCE_MDMS as readonly string[]).includes(sourceMdmRaw)
    ? (sourceMdmRaw as SourceMdm)
    : undefined;
  if (!sourceMdm) problems.push(`SOURCE_MDM: "${sourceMdmRaw}" is not one of ${SOURCE_MDMS.join(', ')}.`);

  const locale = str('DEFAULT_LOCALE') ?? 'en-US';
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) {
    problems.push(`DEFAULT_LOCALE: "${locale}" is not a BCP 47 language tag such as en-US or sv-SE.`);
  }
  const timeZone = str('DEFAULT_TIME_ZONE') ?? 'UTC';
  if (!isTimeZone(timeZone)) {
    problems.push(`DEFAULT_TIME_ZONE: "${timeZone}" is not an IANA time zone such as Europe/Stockholm.`);
  }
  const businessHours = parseBusinessHours(
    str('BUSINESS_HOURS') ?? '08:00-17:00',
    str('BUSINESS_DAYS') ?? 'mon-fri',
    problems,
  );

  const broadcast = readBroadcast(str, problems);
  const exportSigningKey = str('EXPORT_SIGNING_KEY') ?? (production ? undefined : 'development-export-key');
  if (!exportSigningKey) {
    problems.push(
      'EXPORT_SIGNING_KEY: not set; set a random secret of at least 32 characters (signs CSV download links).',
    );
  } else if (production && exportSigningKey.length < 32) {
    problems.push('EXPORT_SIGNING_KEY: shorter than 32 characters; use a long random secret.');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    production,
    port: port!,
    logLevel: logLevel!,
    publicBaseUrl: publicBaseUrl?.replace(/\/+$/, ''),
    bot,
    storage,
    graph,
    helpdesk: {
      channelId: helpdeskChannelId,
      teamId: str('HELPDESK_TEAM_ID'),
      routes: helpdeskRoutes.routes,
    },
    escalation,
    admins: { groupId: adminGroupId, upns: adminUpns },
    sourceMdm: sourceMdm!,
    guidanceOverridePath: str('GUIDANCE_OVERRIDE_PATH'),
    defaults: { locale, timeZone, businessHours: businessHours! },
    broadcast,
    exportSigningKey: exportSigningKey!,
  };
}

function readBroadcast(str: (n: string) => string | undefined, problems: string[]): BroadcastSettings {
  const rateRaw = str('BROADCAST_RATE_PER_SECOND');
  const rate = rateRaw === undefined ? DEFAULT_BROADCAST_RATE : Number(rateRaw);
  if (!Number.isFinite(rate) || rate <= 0 || rate >= TEAMS_TENANT_RATE_LIMIT) {
    problems.push(
      `BROADCAST_RATE_PER_SECOND: "${rateRaw}" must be a number above 0 and below Teams' limit of ${TEAMS_TENANT_RATE_LIMIT} messages per second per tenant (default ${DEFAULT_BROADCAST_RATE}).`,
    );
  }
  const attemptsRaw = str('BROADCAST_MAX_ATTEMPTS');
  const attempts = attemptsRaw === undefined ? 6 : Number(attemptsRaw);
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) {
    problems.push(
      `BROADCAST_MAX_ATTEMPTS: "${attemptsRaw}" must be a whole number from 1 to 20 (default 6).`,
    );
  }
  const serviceUrl = str('BOT_SERVICE_URL') ?? 'https://smba.trafficmanager.net/teams/';
  if (!isHttpUrl(serviceUrl)) problems.push(`BOT_SERVICE_URL: "${serviceUrl}" is not an http(s) URL.`);
  const announcementsChannelId = str('ANNOUNCEMENTS_CHANNEL_ID');
  if (announcementsChannelId && !announcementsChannelId.startsWith('19:')) {
    problems.push(
      `ANNOUNCEMENTS_CHANNEL_ID: "${announcementsChannelId}" is not a channel conversation id (19:…@thread.tacv2).`,
    );
  }
  return {
    ratePerSecond: rate,
    maxAttempts: attempts,
    serviceUrl,
    teamsAppId: str('TEAMS_APP_ID'),
    announcementsChannelId,
  };
}

function readBot(
  str: (n: string) => string | undefined,
  production: boolean,
  problems: string[],
): Config['bot'] {
  const appTypeRaw = str('BOT_APP_TYPE') ?? (production ? 'SingleTenant' : 'local');
  const appType = APP_TYPES.find((t) => t.toLowerCase() === appTypeRaw.toLowerCase());
  const appId = str('BOT_APP_ID') ?? '';
  const appPassword = str('BOT_APP_PASSWORD');
  const tenantId = str('BOT_TENANT_ID');
  if (!appType) {
    problems.push(`BOT_APP_TYPE: "${appTypeRaw}" is not one of ${APP_TYPES.join(', ')}.`);
    return { appType: 'local', appId };
  }
  if (appType === 'local') {
    if (production) {
      problems.push(
        'BOT_APP_TYPE: "local" runs without bot credentials and is refused in production; set SingleTenant, MultiTenant or UserAssignedMSI.',
      );
    }
    return { appType, appId };
  }
  if (!appId) problems.push(`BOT_APP_ID: not set; set the bot's Microsoft Entra application (client) id.`);
  else if (!GUIDISH.test(appId)) problems.push(`BOT_APP_ID: "${appId}" is not an application id (a GUID).`);
  if (appType !== 'UserAssignedMSI' && !appPassword) {
    problems.push(`BOT_APP_PASSWORD: not set; set the client secret of the bot's app registration.`);
  }
  if (appType !== 'MultiTenant' && !tenantId) {
    problems.push(`BOT_TENANT_ID: not set; a ${appType} bot needs the Entra tenant id it lives in.`);
  }
  return { appType, appId, appPassword, tenantId };
}

function readStorage(
  str: (n: string) => string | undefined,
  production: boolean,
  problems: string[],
): Config['storage'] {
  const connectionString = str('STORAGE_CONNECTION_STRING') ?? '';
  if (!connectionString) {
    problems.push(
      'STORAGE_CONNECTION_STRING: not set; set the Azure Storage connection string (npm run dev sets one for Azurite).',
    );
  } else if (!/AccountName=|UseDevelopmentStorage=true|TableEndpoint=/i.test(connectionString)) {
    problems.push('STORAGE_CONNECTION_STRING: does not look like an Azure Storage connection string.');
  } else if (production && /devstoreaccount1|UseDevelopmentStorage/i.test(connectionString)) {
    problems.push(
      'STORAGE_CONNECTION_STRING: points at the Azurite emulator, which is refused in production.',
    );
  }
  const prefix = (str('STORAGE_PREFIX') ?? 'mc').toLowerCase();
  if (!/^[a-z][a-z0-9]{0,15}$/.test(prefix)) {
    problems.push(
      `STORAGE_PREFIX: "${prefix}" must be 1-16 lowercase letters or digits, starting with a letter.`,
    );
  }
  return { connectionString, prefix };
}

function readGraph(
  str: (n: string) => string | undefined,
  production: boolean,
  problems: string[],
): Config['graph'] {
  const baseUrl = (str('GRAPH_BASE_URL') ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
  let host = '';
  if (!isHttpUrl(baseUrl)) {
    problems.push(`GRAPH_BASE_URL: "${baseUrl}" is not an http(s) URL.`);
  } else {
    host = new URL(baseUrl).hostname;
  }
  const isPublicGraph = PUBLIC_GRAPH_HOSTS.has(host);
  if (production && host && !isPublicGraph) {
    problems.push(
      `GRAPH_BASE_URL: "${baseUrl}" is not Microsoft Graph (the tenant simulator is for development only); set https://graph.microsoft.com.`,
    );
  }
  if (host && isPublicGraph && !baseUrl.startsWith('https://')) {
    problems.push(`GRAPH_BASE_URL: Microsoft Graph must be reached over https.`);
  }

  const maxAttempts = Number(str('GRAPH_MAX_ATTEMPTS') ?? '5');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
    problems.push(`GRAPH_MAX_ATTEMPTS: "${str('GRAPH_MAX_ATTEMPTS')}" must be a whole number from 1 to 10.`);
  }

  const tenantId = str('GRAPH_TENANT_ID') ?? str('BOT_TENANT_ID');
  const clientId = str('GRAPH_CLIENT_ID');
  const clientSecret = str('GRAPH_CLIENT_SECRET');
  const certificatePath = str('GRAPH_CERTIFICATE_PATH');
  const managedIdentity = /^(1|true|yes)$/i.test(str('GRAPH_USE_MANAGED_IDENTITY') ?? '');

  let auth: GraphAuth;
  if (managedIdentity) {
    auth = { kind: 'managed-identity', clientId };
  } else if (clientSecret || certificatePath) {
    if (!tenantId) problems.push('GRAPH_TENANT_ID: not set; set the Entra tenant id the Graph app lives in.');
    if (!clientId)
      problems.push('GRAPH_CLIENT_ID: not set; set the application (client) id that reads Graph.');
    if (clientSecret && certificatePath) {
      problems.push('GRAPH_CLIENT_SECRET and GRAPH_CERTIFICATE_PATH: set one of them, not both.');
    }
    auth = certificatePath
      ? { kind: 'certificate', tenantId: tenantId ?? '', clientId: clientId ?? '', certificatePath }
      : {
          kind: 'client-secret',
          tenantId: tenantId ?? '',
          clientId: clientId ?? '',
          clientSecret: clientSecret ?? '',
        };
  } else if (host && !isPublicGraph && !production) {
    auth = { kind: 'simulator' };
  } else {
    problems.push(
      'GRAPH_CLIENT_SECRET, GRAPH_CERTIFICATE_PATH or GRAPH_USE_MANAGED_IDENTITY: none is set; Microsoft Graph needs credentials (or point GRAPH_BASE_URL at the tenant simulator in development).',
    );
    auth = { kind: 'simulator' };
  }
  return { baseUrl, auth, maxAttempts };
}

/** A positive number of hours (fractions allowed, e.g. 0.5), at most a year; the default when unset. */
function positiveHours(
  name: string,
  raw: string | undefined,
  fallback: number,
  meaning: string,
  problems: string[],
  unit = 'hours',
  max = MAX_ESCALATION_HOURS,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    problems.push(
      `${name}: "${raw}" must be a number of ${unit} above 0 and at most ${max} (${meaning}; default ${fallback}).`,
    );
    return fallback;
  }
  return n;
}

function parsePort(raw: string): number | undefined {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseBusinessHours(hours: string, days: string, problems: string[]): BusinessHours | undefined {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(hours);
  let startMinute = 0;
  let endMinute = 0;
  if (!m) {
    problems.push(`BUSINESS_HOURS: "${hours}" is not a range such as 08:00-17:00.`);
  } else {
    startMinute = Number(m[1]) * 60 + Number(m[2]);
    endMinute = Number(m[3]) * 60 + Number(m[4]);
    if (startMinute >= endMinute || endMinute > 24 * 60 || Number(m[2]) > 59 || Number(m[4]) > 59) {
      problems.push(`BUSINESS_HOURS: "${hours}" must start before it ends, within one day.`);
    }
  }
  const dayList: number[] = [];
  for (const part of days.toLowerCase().split(',')) {
    const [a, b] = part.split('-').map((s) => WEEKDAYS.indexOf(s.trim().slice(0, 3)));
    if (a === undefined || a < 0 || (b !== undefined && b < 0)) {
      problems.push(`BUSINESS_DAYS: "${days}" is not a list of weekdays such as mon-fri or mon,tue,thu.`);
      return undefined;
    }
    const end = b ?? a;
    for (let d = a; d !== (end + 1) % 7; d = (d + 1) % 7) {
      if (!dayList.includes(d + 1)) dayList.push(d + 1);
      if (dayList.length >= 7) break;
    }
  }
  return { startMinute, endMinute, days: dayList.sort((x, y) => x - y) };
}
