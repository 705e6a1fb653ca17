import type { TurnContext } from 'botbuilder';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Fields that hold personal data, whatever object they sit in: names, UPNs, e-mail addresses,
 * typed text, serial numbers and IMEIs. Log lines carry ids and counts instead.
 */
const PERSONAL_FIELDS = [
  'displayName',
  'name',
  'userPrincipalName',
  'upn',
  'mail',
  'email',
  'userEmail',
  'userName',
  'givenName',
  'surname',
  'text',
  'note',
  'comment',
  'serialNumber',
  'serial',
  'imei',
  'udid',
  'deviceName',
];
const PERSONAL_KEYS = new Set(PERSONAL_FIELDS.map((k) => k.toLowerCase()));
/** Child loggers' bindings reach serializers, not the log formatter: the same fields go there too. */
const REDACTING_SERIALIZERS = Object.fromEntries(PERSONAL_FIELDS.map((k) => [k, () => '[redacted]']));
/** Secrets that must never be logged either. */
const SECRET_PATHS = ['*.appPassword', '*.clientSecret', '*.connectionString', 'req.headers.authorization'];
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
/** Teams channel and chat ids (`19:…@thread.tacv2`) look like addresses but name no one. */
const TEAMS_THREAD = /@(thread\.|unq\.gbl\.spaces)/i;
const MAX_DEPTH = 6;

/** E-mail addresses and UPNs inside free strings (error messages, URLs) become a mark. */
export function scrubText(text: string): string {
  return text.replace(EMAIL, (match) => (TEAMS_THREAD.test(match) ? match : '[email]'));
}

/** A copy of a log object without personal fields; ids, counts and states pass. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      PERSONAL_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null
        ? '[redacted]'
        : scrub(v, depth + 1);
  }
  return out;
}

/** Errors keep their type, message and stack (addresses scrubbed); personal fields they carry go. */
function scrubError(err: unknown): unknown {
  if (!(err instanceof Error)) return scrub(err);
  const { message, stack, name, ...rest } = pino.stdSerializers.err(err) as unknown as Record<
    string,
    unknown
  >;
  return {
    ...(scrub(rest) as Record<string, unknown>),
    // An error's `name` is its class (GraphRequestError), not a person's: it stays.
    ...(typeof name === 'string' && /^[A-Za-z]*Error$/.test(name) ? { name } : {}),
    message: typeof message === 'string' ? scrubText(message) : message,
    stack: typeof stack === 'string' ? scrubText(stack) : stack,
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'migration-companion' },
      redact: SECRET_PATHS,
      serializers: { ...REDACTING_SERIALIZERS, err: scrubError },
      formatters: {
        log: (object) => scrub(object) as Record<string, unknown>,
        bindings: (bindings) => scrub(bindings) as Record<string, unknown>,
      },
      hooks: {
        // The message itself is a constant in our code, but one built from data must not carry an address.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}

const TURN_LOGGER = Symbol('turnLogger');

/** The server attaches a child logger carrying the turn's correlation id; handlers log through it. */
export function setTurnLogger(context: TurnContext, logger: Logger): void {
  context.turnState.set(TURN_LOGGER, logger);
}

export function turnLogger(context: TurnContext, fallback: Logger): Logger {
  return (context.turnState.get(TURN_LOGGER) as Logger | undefined) ?? fallback;
}
