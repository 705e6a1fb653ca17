/**
 * Which of the bot's own guide pages a pasted link points at, for link unfurling. Pure, and as
 * strict as the pages themselves (src/guidance/guide-routes.ts): another host, another path, an
 * unknown vendor or platform, or a query the pages would refuse is no guide link, and Teams shows
 * the link as it is.
 */
import type { SourceMdm } from '../../domain/source-mdm';
import { type GuideKey, isGuidePlatform, isOwnership, isSourceMdm } from '../../guidance/guidance';
import type { Language } from '../../i18n';

export type GuideLink =
  | { kind: 'guide'; key: GuideKey; language?: Language }
  | { kind: 'index'; language?: Language };

const MAX_URL_LENGTH = 2048;

export function parseGuideLink(raw: string, publicBaseUrl: string | undefined): GuideLink | undefined {
  if (!publicBaseUrl || typeof raw !== 'string' || raw.length > MAX_URL_LENGTH) return undefined;
  let url: URL;
  let base: URL;
  try {
    url = new URL(raw);
    base = new URL(publicBaseUrl);
  } catch {
    return undefined;
  }
  if (url.host.toLowerCase() !== base.host.toLowerCase()) return undefined;
  if (url.protocol !== 'https:' && url.protocol !== base.protocol) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  if (!url.pathname.startsWith(`${prefix}/guides`)) return undefined;
  const rest = url.pathname.slice(prefix.length);

  const lang = single(url.searchParams, 'lang');
  const ownership = single(url.searchParams, 'ownership');
  if (lang === null || ownership === null) return undefined;
  if (lang !== undefined && lang !== 'en' && lang !== 'sv') return undefined;
  if (ownership !== undefined && !isOwnership(ownership)) return undefined;
  const language = lang as Language | undefined;

  if (/^\/guides\/?$/.test(rest)) return { kind: 'index', ...(language ? { language } : {}) };
  const m = /^\/guides\/([^/]+)\/([^/]+)\/?$/.exec(rest);
  if (!m) return undefined;
  const vendor = decode(m[1]!);
  const platform = decode(m[2]!);
  if (!vendor || !platform || !isSourceMdm(vendor) || !isGuidePlatform(platform)) return undefined;
  return {
    kind: 'guide',
    key: { vendor: vendor as SourceMdm, platform, ownership: ownership ?? 'personal' },
    ...(language ? { language } : {}),
  };
}

/** The parameter's one value; null when it is repeated (the pages answer 400 then). */
function single(params: URLSearchParams, name: string): string | undefined | null {
  const values = params.getAll(name);
  if (values.length > 1) return null;
  return values[0];
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
