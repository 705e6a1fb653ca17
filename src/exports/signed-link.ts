/**
 * Download links for CSV exports: HMAC-SHA256 over what is exported, to whom the link was issued and
 * when it expires. Whoever holds the link may download until it expires (it is a bearer link, like a
 * SAS URL), so links are short-lived and every download is audited under the admin it was issued to.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type ExportKind = 'participants' | 'deliveries' | 'old-mdm-review' | 'person';
export const EXPORT_KINDS: readonly ExportKind[] = ['participants', 'deliveries', 'old-mdm-review', 'person'];

export interface ExportRequest {
  kind: ExportKind;
  /** Participants: one wave's (absent: everyone). */
  waveId?: string;
  /** Deliveries: the broadcast (required). */
  broadcastId?: string;
  /** Person: the Entra object id whose data the JSON document holds (required). */
  personId?: string;
  /** The admin the link is issued to. */
  actorAadObjectId: string;
  /** Language of the CSV's column headings (default English). */
  language?: 'en' | 'sv';
  expiresAt: Date;
}

export type VerifyError =
  /** Missing, repeated or invalid parameters: the link was cut or edited. */
  | 'malformed'
  /** The signature does not match: the link was altered or signed with another key. */
  | 'bad-signature'
  | 'expired';

export type VerifyResult =
  | { ok: true; request: ExportRequest }
  /** `expiredAt` comes with `expired` only, i.e. only for a genuine link. */
  | { ok: false; error: VerifyError; expiredAt?: Date };

/** How long a link works unless the issuer says otherwise. */
export const EXPORT_LINK_LIFETIME_MS = 15 * 60_000;
/** No link is accepted for longer than this ahead, whatever it says. */
export const MAX_EXPORT_LINK_LIFETIME_MS = 24 * 3_600_000;

/** Ids are Entra object ids, wave slugs and broadcast ids: nothing that needs escaping in a signature. */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SIG = /^[A-Za-z0-9_-]{43}$/;
const EXP = /^\d{1,12}$/;

export function exportPath(kind: ExportKind): string {
  return `/exports/${kind}.${kind === 'person' ? 'json' : 'csv'}`;
}

export function exportExpiry(now: Date, lifetimeMs = EXPORT_LINK_LIFETIME_MS): Date {
  return new Date(now.getTime() + lifetimeMs);
}

/** The link's path and query (append it to PUBLIC_BASE_URL). Throws on a request no route would accept. */
export function signExport(request: ExportRequest, key: string): string {
  const problem = requestProblem(request);
  if (problem) throw new Error(`cannot sign an export link: ${problem}`);
  if (!key) throw new Error('cannot sign an export link without a signing key');
  const exp = Math.floor(request.expiresAt.getTime() / 1000);
  const params = new URLSearchParams();
  if (request.waveId) params.set('wave', request.waveId);
  if (request.broadcastId) params.set('broadcast', request.broadcastId);
  if (request.personId) params.set('person', request.personId);
  params.set('actor', request.actorAadObjectId);
  if (request.language) params.set('lang', request.language);
  params.set('exp', String(exp));
  params.set('sig', signature({ ...request, expiresAt: new Date(exp * 1000) }, key));
  return `${exportPath(request.kind)}?${params.toString()}`;
}

/**
 * Checks a link's query for the export `kind` its path names. Order matters for what the caller
 * learns: a malformed link says so, a link that was altered is refused as such even when it is also
 * expired, and only a genuine link can be "expired".
 */
export function verifyExport(
  kind: ExportKind,
  params: URLSearchParams | Record<string, string | string[] | undefined>,
  key: string,
  now: Date,
): VerifyResult {
  const query = params instanceof URLSearchParams ? params : toSearchParams(params);
  const one = (name: string): string | undefined | null => {
    const values = query.getAll(name);
    if (values.length > 1) return null;
    return values[0];
  };
  const wave = one('wave');
  const broadcast = one('broadcast');
  const person = one('person');
  const actor = one('actor');
  const lang = one('lang');
  const exp = one('exp');
  const sig = one('sig');
  if ([wave, broadcast, person, actor, lang, exp, sig].includes(null))
    return { ok: false, error: 'malformed' };
  if (!EXPORT_KINDS.includes(kind) || !actor || !exp || !sig || !EXP.test(exp) || !SIG.test(sig)) {
    return { ok: false, error: 'malformed' };
  }
  if (lang !== undefined && lang !== 'en' && lang !== 'sv') return { ok: false, error: 'malformed' };
  const request: ExportRequest = {
    kind,
    ...(wave !== undefined ? { waveId: wave as string } : {}),
    ...(broadcast !== undefined ? { broadcastId: broadcast as string } : {}),
    ...(person !== undefined ? { personId: person as string } : {}),
    actorAadObjectId: actor,
    ...(lang ? { language: lang } : {}),
    expiresAt: new Date(Number(exp) * 1000),
  };
  if (requestProblem(request)) return { ok: false, error: 'malformed' };
  if (!key) return { ok: false, error: 'bad-signature' };
  const expected = Buffer.from(signature(request, key), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, error: 'bad-signature' };
  }
  const t = now.getTime();
  if (request.expiresAt.getTime() <= t) return { ok: false, error: 'expired', expiredAt: request.expiresAt };
  // Only a signing bug could issue this; refuse rather than honour a link that never dies.
  if (request.expiresAt.getTime() - t > MAX_EXPORT_LINK_LIFETIME_MS) return { ok: false, error: 'malformed' };
  return { ok: true, request };
}

function requestProblem(r: ExportRequest): string | undefined {
  if (!EXPORT_KINDS.includes(r.kind)) return `unknown kind "${String(r.kind)}"`;
  if (!ID.test(r.actorAadObjectId ?? '')) return 'the actor id is missing or invalid';
  if (r.waveId !== undefined && !ID.test(r.waveId)) return 'the wave id is invalid';
  if (r.broadcastId !== undefined && !ID.test(r.broadcastId)) return 'the broadcast id is invalid';
  if (r.kind === 'deliveries' && r.broadcastId === undefined) return 'a deliveries export needs a broadcast';
  if (r.kind === 'deliveries' && r.waveId !== undefined) return 'a deliveries export takes no wave';
  if (r.kind === 'participants' && r.broadcastId !== undefined)
    return 'a participants export takes no broadcast';
  if (r.kind === 'old-mdm-review' && (r.waveId !== undefined || r.broadcastId !== undefined))
    return 'the devices-to-review export takes no wave or broadcast';
  if ((r.kind === 'person') !== (r.personId !== undefined && ID.test(r.personId)))
    return 'a person export needs (only) a valid person id';
  if (r.kind === 'person' && (r.waveId !== undefined || r.broadcastId !== undefined))
    return 'a person export takes no wave or broadcast';
  if (r.language !== undefined && r.language !== 'en' && r.language !== 'sv') return 'unknown language';
  if (!(r.expiresAt instanceof Date) || !Number.isFinite(r.expiresAt.getTime())) return 'no valid expiry';
  return undefined;
}

/** Fields joined with newlines, which no field may contain, so two requests never sign alike. */
function signature(r: ExportRequest, key: string): string {
  const canonical = [
    'mc-export-v1',
    r.kind,
    r.waveId ?? '',
    r.broadcastId ?? '',
    r.actorAadObjectId,
    r.language ?? '',
    String(Math.floor(r.expiresAt.getTime() / 1000)),
    // Only person links sign the person, so links of the other kinds keep their signatures.
    ...(r.kind === 'person' ? [r.personId ?? ''] : []),
  ].join('\n');
  return createHmac('sha256', key).update(canonical).digest('base64url');
}

function toSearchParams(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(record)) {
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else if (value !== undefined) out.append(name, value);
  }
  return out;
}
