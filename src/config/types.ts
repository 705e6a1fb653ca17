import type { BusinessHours } from '../domain/business-hours';
import type { Platform } from '../domain/device';
import type { HelpdeskRoute } from '../domain/helpdesk-routing';
import type { RetentionSettings } from '../domain/retention';
import type { SourceMdm } from '../domain/source-mdm';

export type BotAppType = 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI' | 'local';
export type GraphAuth =
  | { kind: 'client-secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'managed-identity'; clientId?: string }
  /** Only against the local tenant simulator: a fixed development token. */
  | { kind: 'simulator' };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  production: boolean;
  port: number;
  logLevel: LogLevel;
  publicBaseUrl?: string;
  bot: {
    appType: BotAppType;
    appId: string;
    appPassword?: string;
    tenantId?: string;
    /**
     * Development and tests only (refused in production): the local OpenID issuer whose keys sign the
     * tokens accepted on /api/messages, in place of Bot Framework's.
     */
    openIdIssuer?: string;
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
  /**
   * The languages this campaign speaks (CAMPAIGN_LANGUAGES, folders under src/i18n) and the helpdesk
   * channel's language (HELPDESK_LANGUAGE; unset: the language of DEFAULT_LOCALE).
   */
  languages: { campaign: string[]; helpdesk?: string };
  broadcast: BroadcastSettings;
  /** Signs the expiring download links of CSV exports (HMAC-SHA256). */
  exportSigningKey: string;
  oldMdm: OldMdmSettings;
  /** How long each kind of data is kept (RETENTION_*; docs/privacy.md). */
  retention: RetentionSettings;
  /** PRIVACY_PSEUDONYM_KEY: HMAC key of the stable pseudonyms in the audit trail. */
  pseudonymKey: string;
}

/** The old MDMs' APIs the background sync reads (`OLD_MDM_SOURCES`); export files need none. */
export interface OldMdmSettings {
  /** Empty: no API is read. */
  sources: OldMdmSourceConfig[];
  /** How often the background sync runs (incremental where the API allows). */
  syncMinutes: number;
  /** A full resync (which notices devices removed from the old MDM) at least this often. */
  fullSyncHours: number;
  /** A sent release not confirmed by the old MDM after this long is noted on the ticket, once. */
  releaseConfirmMinutes: number;
}

export type OldMdmApiSource = 'workspace-one' | 'jamf';

export type OldMdmSourceConfig =
  | {
      source: 'workspace-one';
      /** The platforms read from this source; empty: every platform it lists. */
      platforms: Platform[];
      /** OLD_MDM_ALLOW_RELEASE names this source: its devices may be released (absent: read-only). */
      allowRelease?: boolean;
      apiUrl: string;
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      /** The REST API key, sent as `aw-tenant-code`. */
      tenantCode: string;
    }
  | {
      source: 'jamf';
      platforms: Platform[];
      allowRelease?: boolean;
      /** The Jamf Pro URL (the API lives under /api). */
      baseUrl: string;
      clientId: string;
      clientSecret: string;
    };

export interface BroadcastSettings {
  /**
   * Connector calls per second all instances together make: the one outgoing budget that replies,
   * card updates, reminders, helpdesk posts and broadcasts share (Teams allows 50 per app per tenant).
   */
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

export interface EscalationTiming {
  /** A started device with no progress for this many business hours (user's zone) → `no-progress`. */
  stuckAfterHours: number;
  /** A device enrolled but not compliant for this many hours → `noncompliant`. */
  noncompliantAfterHours: number;
  /** A ticket nobody took for this many business minutes (campaign zone) → one reminder in its thread. */
  slaAssignMinutes: number;
}

/** Teams allows 50 messages per second per app per tenant; stay clearly below it. */
export const TEAMS_TENANT_RATE_LIMIT = 50;
