/**
 * The old-MDM settings: which vendor APIs the background sync reads (`OLD_MDM_SOURCES`), for which
 * platforms, which of them may release devices (`OLD_MDM_ALLOW_RELEASE`, off by default), and the
 * checks on each vendor's credentials. Only a configured source's settings are required; production
 * refuses a loopback host (the simulators) and plain http.
 */
import type { Platform } from '../domain/device';
import type { Problem } from './settings';
import { isHttpUrl } from './settings';
import type { OldMdmApiSource, OldMdmSourceConfig } from './types';

/** `OLD_MDM_RELEASE_CONFIRM_MINUTES`: how long a sent release may wait for the old MDM's confirmation. */
export const RELEASE_CONFIRM_MINUTES = { byDefault: 30, min: 5, max: 1440 } as const;

export const OLD_MDM_API_SOURCES: readonly OldMdmApiSource[] = ['workspace-one', 'jamf'];
const PLATFORMS: readonly Platform[] = ['ios', 'ipados', 'android', 'windows', 'macos'];

export interface OldMdmSourceEntry {
  source: OldMdmApiSource;
  /** Empty: every platform the source lists. */
  platforms: Platform[];
}

/** `workspace-one:ios,ipados,android;jamf:macos` → one entry per source. */
export function parseOldMdmSources(raw: string | undefined, problem: Problem): OldMdmSourceEntry[] {
  const entries: OldMdmSourceEntry[] = [];
  const claimedBy = new Map<Platform, OldMdmApiSource>();
  for (const part of (raw ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', list] = part.split(':', 2).map((s) => s.trim());
    const source = OLD_MDM_API_SOURCES.find((s) => s === name.toLowerCase());
    if (!source) {
      problem(
        `OLD_MDM_SOURCES: "${name}" is not one of ${OLD_MDM_API_SOURCES.join(', ')} (e.g. workspace-one:ios,ipados,android;jamf:macos).`,
      );
      continue;
    }
    if (entries.some((e) => e.source === source)) {
      problem(`OLD_MDM_SOURCES: ${source} is listed twice; list its platforms once.`);
      continue;
    }
    const platforms: Platform[] = [];
    for (const p of (list ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)) {
      const platform = PLATFORMS.find((x) => x === p);
      if (!platform) {
        problem(`OLD_MDM_SOURCES: "${p}" (${source}) is not one of ${PLATFORMS.join(', ')}.`);
        continue;
      }
      const other = claimedBy.get(platform);
      if (other) {
        problem(
          `OLD_MDM_SOURCES: ${platform} is read from both ${other} and ${source}; give each platform one source.`,
        );
        continue;
      }
      claimedBy.set(platform, source);
      if (!platforms.includes(platform)) platforms.push(platform);
    }
    entries.push({ source, platforms });
  }
  return entries;
}

/** The vendor settings of one source, as read from the environment (undefined when unset). */
export interface OldMdmVariables {
  WORKSPACE_ONE_API_URL?: string;
  WORKSPACE_ONE_TOKEN_URL?: string;
  WORKSPACE_ONE_CLIENT_ID?: string;
  WORKSPACE_ONE_CLIENT_SECRET?: string;
  WORKSPACE_ONE_TENANT_CODE?: string;
  JAMF_URL?: string;
  JAMF_CLIENT_ID?: string;
  JAMF_CLIENT_SECRET?: string;
  OLD_MDM_ALLOW_RELEASE?: string;
}

const REQUIRED: Record<OldMdmApiSource, { name: keyof OldMdmVariables; what: string; url?: boolean }[]> = {
  'workspace-one': [
    { name: 'WORKSPACE_ONE_API_URL', what: 'the REST API host, e.g. https://as1234.awmdm.com', url: true },
    {
      name: 'WORKSPACE_ONE_TOKEN_URL',
      what: "the region's token URL, e.g. https://na.uemauth.workspaceone.com/connect/token",
      url: true,
    },
    {
      name: 'WORKSPACE_ONE_CLIENT_ID',
      what: 'the OAuth client id (Groups & Settings › Configurations › OAuth Client Management)',
    },
    { name: 'WORKSPACE_ONE_CLIENT_SECRET', what: 'the OAuth client secret' },
    { name: 'WORKSPACE_ONE_TENANT_CODE', what: 'the REST API key (aw-tenant-code)' },
  ],
  jamf: [
    { name: 'JAMF_URL', what: 'the Jamf Pro URL, e.g. https://example.jamfcloud.com', url: true },
    { name: 'JAMF_CLIENT_ID', what: 'the API client id (Settings › API roles and clients)' },
    { name: 'JAMF_CLIENT_SECRET', what: 'the API client secret' },
  ],
};

/** Loopback and development hosts: the simulators live there, a vendor never does. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    h === '0.0.0.0' ||
    /^127\./.test(h) ||
    h === 'host.docker.internal'
  );
}

/**
 * `OLD_MDM_ALLOW_RELEASE`: empty (the default) releases nothing; `all`, or the sources (from
 * OLD_MDM_SOURCES) whose API may release devices, comma-separated. Anything it cannot read is a
 * problem rather than "off", so a typo never silently hides a setting an admin meant to use.
 */
export function allowedReleaseSources(
  raw: string | undefined,
  entries: readonly OldMdmSourceEntry[],
  problem: (message: string) => void,
): Set<OldMdmApiSource> {
  const allowed = new Set<OldMdmApiSource>();
  const names = (raw ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const read = entries.map((e) => e.source);
  if (names.includes('all')) {
    if (names.length > 1)
      problem('OLD_MDM_ALLOW_RELEASE: "all" stands alone; name the sources or write all.');
    else for (const source of read) allowed.add(source);
    return allowed;
  }
  for (const name of names) {
    const source = OLD_MDM_API_SOURCES.find((s) => s === name);
    if (!source) {
      problem(
        `OLD_MDM_ALLOW_RELEASE: "${name}" is not one of ${OLD_MDM_API_SOURCES.join(', ')} or all (empty: no device is released).`,
      );
    } else if (!read.includes(source)) {
      problem(
        `OLD_MDM_ALLOW_RELEASE: ${source} is not read (add it to OLD_MDM_SOURCES) or take it out of OLD_MDM_ALLOW_RELEASE.`,
      );
    } else {
      allowed.add(source);
    }
  }
  return allowed;
}

/** Reports every missing or wrong setting of the configured sources, each under its own variable. */
export function checkOldMdmSettings(
  entries: readonly OldMdmSourceEntry[],
  env: OldMdmVariables,
  production: boolean,
  problem: (variable: keyof OldMdmVariables, message: string) => void,
): void {
  allowedReleaseSources(env.OLD_MDM_ALLOW_RELEASE, entries, (message) =>
    problem('OLD_MDM_ALLOW_RELEASE', message),
  );
  for (const { source } of entries) {
    for (const { name, what, url } of REQUIRED[source]) {
      const value = env[name];
      if (!value) {
        problem(name, `${name}: not set; OLD_MDM_SOURCES reads ${source}, so set ${what}.`);
        continue;
      }
      if (!url) continue;
      if (!isHttpUrl(value)) {
        problem(name, `${name}: "${value}" is not an http(s) URL; set ${what}.`);
        continue;
      }
      const parsed = new URL(value);
      if (production && isLoopback(parsed.hostname)) {
        problem(
          name,
          `${name}: "${value}" is a local address (the ${source} simulator is for development only); set ${what}.`,
        );
      } else if (production && parsed.protocol !== 'https:') {
        problem(name, `${name}: the vendor's API must be reached over https in production.`);
      }
    }
  }
}

/** The configured sources with their credentials; runs only after every check passed. */
export function oldMdmSourcesOf(
  entries: readonly OldMdmSourceEntry[],
  env: OldMdmVariables,
): OldMdmSourceConfig[] {
  const trim = (url: string | undefined) => (url ?? '').replace(/\/+$/, '');
  const release = allowedReleaseSources(env.OLD_MDM_ALLOW_RELEASE, entries, () => undefined);
  return entries.map(
    ({ source, platforms }): OldMdmSourceConfig =>
      source === 'workspace-one'
        ? {
            source,
            platforms,
            ...(release.has(source) ? { allowRelease: true } : {}),
            apiUrl: trim(env.WORKSPACE_ONE_API_URL),
            tokenUrl: env.WORKSPACE_ONE_TOKEN_URL ?? '',
            clientId: env.WORKSPACE_ONE_CLIENT_ID ?? '',
            clientSecret: env.WORKSPACE_ONE_CLIENT_SECRET ?? '',
            tenantCode: env.WORKSPACE_ONE_TENANT_CODE ?? '',
          }
        : {
            source,
            platforms,
            ...(release.has(source) ? { allowRelease: true } : {}),
            baseUrl: trim(env.JAMF_URL),
            clientId: env.JAMF_CLIENT_ID ?? '',
            clientSecret: env.JAMF_CLIENT_SECRET ?? '',
          },
  );
}
