/**
 * What /api/messages checks before and while it reads a body. Teams posts uncompressed JSON with a
 * bearer token, so anything else is refused from the headers alone, before a byte of the body is
 * read: a compressed body (a small request could inflate without bound), a form or any other media
 * type, a declared size over the limit, and — when the bot requires tokens — a request without one.
 * The body is then read up to the limit, counting the bytes that actually arrive.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface Refusal {
  status: 400 | 401 | 413 | 415;
  /** Sent to the caller: says what to change, names nothing internal. */
  error: string;
}

/** A bearer token shaped like a JWT (three base64url parts; the signature may be empty, and is then refused later). */
const BEARER_JWT = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Far above any Bot Framework token; a longer header is not one. */
const MAX_AUTHORIZATION_CHARS = 16 * 1024;

export const TOO_LARGE: Refusal = { status: 413, error: 'the activity is larger than this bot accepts' };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

export function refuseFromHeaders(
  headers: IncomingHttpHeaders,
  options: { maxBytes: number; requiresToken: boolean },
): Refusal | undefined {
  const encoding = single(headers['content-encoding'])?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    return { status: 415, error: 'compressed bodies are not accepted; send the activity uncompressed' };
  }
  const mediaType = single(headers['content-type'])?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return { status: 415, error: 'the activity must be sent as application/json' };
  }
  const declared = Number(single(headers['content-length']) ?? 0);
  if (!Number.isFinite(declared) || declared > options.maxBytes) return TOO_LARGE;
  if (options.requiresToken) {
    const authorization = single(headers.authorization) ?? '';
    if (authorization.length > MAX_AUTHORIZATION_CHARS || !BEARER_JWT.test(authorization)) {
      return { status: 401, error: 'unauthorized' };
    }
  }
  return undefined;
}

/**
 * The body as text, or TOO_LARGE as soon as more than `maxBytes` have arrived (reading stops there;
 * the caller answers and closes the connection).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | Refusal> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        stop();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
