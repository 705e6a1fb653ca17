/**
 * Helpdesk routing: which Teams channel a ticket's card goes to. One helpdesk channel by default
 * (`HELPDESK_CHANNEL_ID`); optional rules (`HELPDESK_ROUTES`, parsed in src/config.ts) send a wave,
 * a platform or a language to another channel. Pure: no I/O, no clock.
 */

export const ROUTE_KINDS = ['wave', 'platform', 'lang'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** Platforms a rule may name (the device platforms a journey knows, without `other`). */
export const ROUTE_PLATFORMS = ['ios', 'ipados', 'android', 'windows', 'macos'] as const;
export type RoutePlatform = (typeof ROUTE_PLATFORMS)[number];

/** Languages the app speaks; a rule matches the user's locale by its language (`sv` ← `sv-SE`). */
export const ROUTE_LANGUAGES = ['en', 'sv'] as const;
export type RouteLanguage = (typeof ROUTE_LANGUAGES)[number];

/** A Teams channel conversation id: `19:<id>@thread.<kind>` (tacv2, skype …), never a thread of it. */
export const CHANNEL_ID_PATTERN = /^19:[^\s;@]+@thread\.[a-z0-9]+$/i;

export type HelpdeskRoute =
  | { kind: 'wave'; value: string; channelId: string }
  | { kind: 'platform'; value: RoutePlatform; channelId: string }
  | { kind: 'lang'; value: RouteLanguage; channelId: string };

/** What routing looks at on a ticket; every field may be unknown. */
export interface RouteContext {
  waveId?: string;
  /** A device platform (`ios`, `windows` …); `other` or unknown matches no platform rule. */
  platform?: string;
  /** A language or a locale (`sv`, `sv-SE`, `en-US`). */
  language?: string;
}

/** The language part of a locale, lowercased: `sv-SE` → `sv`. */
function languagePart(language: string | undefined): string | undefined {
  const tag = language?.trim().toLowerCase();
  return tag ? tag.split(/[-_]/)[0] : undefined;
}

/** Whether one rule applies to the ticket. Wave ids compare case-insensitively. */
export function routeMatches(rule: HelpdeskRoute, ctx: RouteContext): boolean {
  switch (rule.kind) {
    case 'wave':
      return !!ctx.waveId && ctx.waveId.trim().toLowerCase() === rule.value.toLowerCase();
    case 'platform':
      return !!ctx.platform && ctx.platform.trim().toLowerCase() === rule.value;
    case 'lang':
      return languagePart(ctx.language) === rule.value;
  }
}

/**
 * The channel for a ticket: the first rule (in configured order) that matches, else the default
 * channel (undefined when none is configured either).
 */
export function routeFor(
  rules: readonly HelpdeskRoute[] | undefined,
  ctx: RouteContext,
  defaultChannel: string | undefined,
): string | undefined {
  for (const rule of rules ?? []) if (routeMatches(rule, ctx)) return rule.channelId;
  return defaultChannel;
}

/** Parsed `HELPDESK_ROUTES`, with every problem (each naming its rule) for ConfigError. */
export interface ParsedRoutes {
  routes: HelpdeskRoute[];
  problems: string[];
}

const WAVE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * `wave:<waveId>=<channelId>;platform:<ios|ipados|android|windows|macos>=<channelId>;lang:<en|sv>=<channelId>`:
 * rules separated by `;` (or new lines), kept in order. Empty input → no rules.
 */
export function parseHelpdeskRoutes(raw: string | undefined, name = 'HELPDESK_ROUTES'): ParsedRoutes {
  const routes: HelpdeskRoute[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const parts = (raw ?? '')
    .split(/[;\r\n]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  parts.forEach((text, i) => {
    const where = `${name}: rule ${i + 1} "${text.length > 120 ? `${text.slice(0, 120)}…` : text}"`;
    const m = /^([^:=]*):([^=]*)=(.*)$/.exec(text);
    if (!m) {
      problems.push(`${where} is not <kind>:<value>=<channelId> (for example lang:sv=19:abc@thread.tacv2).`);
      return;
    }
    const kind = m[1]!.trim().toLowerCase();
    const rawValue = m[2]!.trim();
    const channelId = m[3]!.trim();
    const before = problems.length;
    let route: HelpdeskRoute | undefined;
    if (kind === 'wave') {
      if (!WAVE_ID.test(rawValue))
        problems.push(`${where}: "${rawValue}" is not a wave id (letters, digits, ".", "_" or "-").`);
      else route = { kind, value: rawValue, channelId };
    } else if (kind === 'platform') {
      const value = rawValue.toLowerCase();
      if (!(ROUTE_PLATFORMS as readonly string[]).includes(value))
        problems.push(`${where}: platform "${rawValue}" is not one of ${ROUTE_PLATFORMS.join(', ')}.`);
      else route = { kind, value: value as RoutePlatform, channelId };
    } else if (kind === 'lang') {
      const value = rawValue.toLowerCase();
      if (!(ROUTE_LANGUAGES as readonly string[]).includes(value))
        problems.push(`${where}: language "${rawValue}" is not one of ${ROUTE_LANGUAGES.join(', ')}.`);
      else route = { kind, value: value as RouteLanguage, channelId };
    } else {
      problems.push(`${where}: kind "${m[1]!.trim()}" is not one of ${ROUTE_KINDS.join(', ')}.`);
    }
    if (!CHANNEL_ID_PATTERN.test(channelId)) {
      problems.push(`${where}: "${channelId}" is not a channel conversation id such as 19:abc@thread.tacv2.`);
    }
    if (!route || problems.length > before) return;
    const id = `${route.kind}:${route.value.toLowerCase()}`;
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`${where}: repeats rule ${first} for ${id}, so it would never apply; keep one.`);
      return;
    }
    seen.set(id, i + 1);
    routes.push(route);
  });
  return { routes, problems };
}
