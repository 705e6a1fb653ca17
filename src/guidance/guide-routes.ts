/**
 * GET /guides and GET /guides/:vendor/:platform — the guide web pages. The route handlers only
 * adapt HTTP; `guideResponse` decides everything and is tested without a server.
 *
 * Every part of the URL a user can type is checked against the known values before it is used,
 * and nothing from the URL is echoed into the page.
 */
import type restify from 'restify';
import { LANGUAGES, type Language, matchLanguage } from '../i18n';
import type { GuidePlatform, Ownership } from './guidance-schema';
import { type Guidance, isGuidePlatform, isOwnership, isSourceMdm } from './guide-model';
import { GUIDE_PAGE_CSP, type GuideListKind, renderGuideListPage, renderGuidePage } from './guide-page';

export interface GuideRequest {
  vendor?: string;
  platform?: string;
  query: URLSearchParams;
  acceptLanguage?: string;
}

export interface GuideResponse {
  status: 200 | 400 | 404;
  language: Language;
  html: string;
  headers: Record<string, string>;
}

/** Guides change with a deployment, not by the minute; an hour of caching spares the bot. */
const CACHE_OK = 'public, max-age=3600';
/** A 404 may become a page after a content change; cache it briefly. A 400 is the caller's typo. */
const CACHE_NOT_FOUND = 'public, max-age=300';
const CACHE_BAD_REQUEST = 'no-store';
const MAX_ACCEPT_LANGUAGE = 512;

export function registerGuideRoutes(server: restify.Server, guidance: Guidance): void {
  const handler = async (req: restify.Request, res: restify.Response) => {
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const response = guideResponse(guidance, {
      vendor: params.vendor,
      platform: params.platform,
      query: new URL(req.url ?? '/', 'http://guides.invalid').searchParams,
      acceptLanguage: req.header('accept-language') || undefined,
    });
    res.sendRaw(response.status, response.html, response.headers);
  };
  for (const path of ['/guides', '/guides/:vendor', '/guides/:vendor/:platform']) {
    server.get(path, handler);
    server.head(path, handler);
  }
}

/** Decides the page for a request: the guide, the index, or a helpful 404/400 page. */
export function guideResponse(guidance: Guidance, request: GuideRequest): GuideResponse {
  const query = readQuery(request.query);
  const language = query.language ?? languageFromHeader(request.acceptLanguage);
  if (query.invalid) return listPage(guidance, 'bad-request', language);
  if (request.vendor === undefined && request.platform === undefined) {
    return listPage(guidance, 'index', language);
  }
  const vendor = request.vendor ?? '';
  const platform = request.platform ?? '';
  if (!isSourceMdm(vendor) || !isGuidePlatform(platform)) return listPage(guidance, 'not-found', language);
  return guidePage(guidance, vendor, platform, query.ownership ?? 'personal', language);
}

function guidePage(
  guidance: Guidance,
  vendor: Parameters<Guidance['unenroll']>[0],
  platform: GuidePlatform,
  ownership: Ownership,
  language: Language,
): GuideResponse {
  const html = renderGuidePage({
    unenroll: guidance.unenroll(vendor, platform, ownership, language),
    enroll: guidance.enroll(platform, language),
  });
  return { status: 200, language, html, headers: headers(language, CACHE_OK) };
}

function listPage(guidance: Guidance, kind: GuideListKind, language: Language): GuideResponse {
  const guides = guidance.list().map((key) => guidance.summarize(key, language));
  const html = renderGuideListPage({ kind, language, guides });
  const [status, cache] = {
    index: [200, CACHE_OK] as const,
    'not-found': [404, CACHE_NOT_FOUND] as const,
    'bad-request': [400, CACHE_BAD_REQUEST] as const,
  }[kind];
  return { status, language, html, headers: headers(language, cache) };
}

function headers(language: Language, cacheControl: string): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Language': language,
    'Cache-Control': cacheControl,
    // The language can come from Accept-Language, so a shared cache must keep one copy per value.
    Vary: 'Accept-Language',
    'Content-Security-Policy': GUIDE_PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

interface GuideQuery {
  language?: Language;
  ownership?: Ownership;
  invalid: boolean;
}

/** Only `lang` and `ownership` mean anything; other parameters (tracking tags) are ignored. */
function readQuery(params: URLSearchParams): GuideQuery {
  const lang = single(params, 'lang');
  const ownership = single(params, 'ownership');
  const language = lang.value !== undefined && LANGUAGES.includes(lang.value) ? lang.value : undefined;
  const owner = ownership.value !== undefined && isOwnership(ownership.value) ? ownership.value : undefined;
  const invalid =
    lang.repeated ||
    ownership.repeated ||
    (lang.value !== undefined && !language) ||
    (ownership.value !== undefined && !owner);
  return { language, ownership: owner, invalid };
}

function single(params: URLSearchParams, name: string): { value?: string; repeated: boolean } {
  const values = params.getAll(name);
  return { value: values[0], repeated: values.length > 1 };
}

/**
 * The first language with files that the browser asks for, by q-value ("nb-NO", "no" and "ar-SA"
 * included); English when it asks for none (the product's reference language).
 */
export function languageFromHeader(header: string | undefined): Language {
  const ranked = (header ?? '')
    .slice(0, MAX_ACCEPT_LANGUAGE)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...attrs] = part.trim().toLowerCase().split(';');
      const q = attrs.map((a) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(a)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(r.tag))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const language = matchLanguage(tag);
    if (language) return language;
  }
  return 'en';
}
