import type { Activity } from 'botbuilder';
import { z } from 'zod';

/**
 * The edge for the fields of an incoming activity that the features read. Teams sends them well
 * formed, but the endpoint is public: a field of another type must never reach a handler (a 500
 * with internal text) or storage (a row every later turn or export trips over). Fields the product
 * can do without are dropped or capped; a field it cannot do without, in a form Teams never sends,
 * refuses the whole activity with a clear answer and nothing read or written.
 */

/** Longest display name kept; Entra allows 256. Longer ones are cut, never stored whole. */
export const MAX_NAME_CHARS = 256;
/** Longest message text handled; Teams' own limit is about 28 KB of text. */
export const MAX_TEXT_CHARS = 28_000;
const MAX_ID_CHARS = 256;

/** Entra object ids are GUIDs; test tenants and the playground use other letters and digits too. */
export const AadObjectId = z.string().regex(/^[0-9A-Za-z-]{1,64}$/);
/** A BCP 47 tag such as "sv-SE". */
const Locale = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/);
/** An IANA zone the runtime knows ("Europe/Stockholm"). */
const TimeZone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  });
/** Activity and conversation ids: opaque, but text of a sane length. */
const OpaqueId = z.string().min(1).max(MAX_ID_CHARS);
const JsonObject = z.record(z.unknown());
/** Display text: control characters (other than tab, newline) removed, capped. */
const Text = (max: number) =>
  z.string().transform((s) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
    return clean.length > max ? clean.slice(0, max) : clean;
  });

const Mention = z.object({
  mentioned: z.object({ id: z.string() }).passthrough(),
  text: z.string(),
});
const ClientInfo = z.object({ type: z.literal('clientInfo') }).passthrough();

/** Card actions (Universal Actions): `value.action` is an object with a text verb and object data. */
const CardActionValue = z
  .object({
    action: z
      .object({
        type: z.literal('Action.Execute'),
        verb: z.string().max(200).optional(),
        data: JsonObject.optional(),
      })
      .passthrough(),
  })
  .passthrough();

export type InvokeKind = 'card-action' | 'extension-query' | 'task' | 'other';

export function invokeKindOf(name: unknown): InvokeKind {
  if (name === 'adaptiveCard/action') return 'card-action';
  if (name === 'composeExtension/fetchTask' || name === 'composeExtension/submitAction') return 'task';
  if (typeof name === 'string' && name.startsWith('composeExtension/')) return 'extension-query';
  if (name === 'task/fetch' || name === 'task/submit') return 'task';
  return 'other';
}

export interface ActivityVerdict {
  /** The activity may go on to the routes (after the repairs below were made in place). */
  ok: boolean;
  /** Field paths that were dropped, capped or refused; for the log (names only, never values). */
  problems: string[];
}

/**
 * Checks and repairs `activity` in place. Optional fields of the wrong type or form are removed,
 * text is capped; an identity, recipient or invoke payload in a form Teams never sends refuses it.
 */
export function checkActivity(activity: Partial<Activity>): ActivityVerdict {
  const problems: string[] = [];
  let ok = true;
  const a = activity as Record<string, unknown>;
  const refuse = (path: string) => {
    problems.push(path);
    ok = false;
  };
  const drop = (holder: Record<string, unknown>, key: string, path: string) => {
    if (holder[key] !== undefined) problems.push(path);
    delete holder[key];
  };

  const from = asObject(a.from);
  if (!from) refuse('from');
  else {
    if (from.aadObjectId !== undefined && !AadObjectId.safeParse(from.aadObjectId).success) {
      refuse('from.aadObjectId');
    }
    const name = Text(MAX_NAME_CHARS).safeParse(from.name);
    if (name.success) {
      if (name.data !== from.name) problems.push('from.name');
      from.name = name.data;
    } else drop(from, 'name', 'from.name');
  }

  const recipient = asObject(a.recipient);
  if (!recipient || typeof recipient.id !== 'string') refuse('recipient.id');
  else if (recipient.name !== undefined && typeof recipient.name !== 'string') {
    drop(recipient, 'name', 'recipient.name');
  }

  const conversation = asObject(a.conversation);
  if (!conversation || !OpaqueId.safeParse(conversation.id).success) refuse('conversation.id');
  else {
    for (const key of ['conversationType', 'tenantId', 'name'] as const) {
      if (conversation[key] !== undefined && typeof conversation[key] !== 'string') {
        drop(conversation, key, `conversation.${key}`);
      }
    }
    if (conversation.isGroup !== undefined && typeof conversation.isGroup !== 'boolean') {
      drop(conversation, 'isGroup', 'conversation.isGroup');
    }
  }

  if (a.entities !== undefined) {
    if (!Array.isArray(a.entities)) {
      problems.push('entities');
      a.entities = [];
    } else {
      const kept = a.entities.filter(isUsableEntity);
      if (kept.length !== a.entities.length) problems.push('entities[]');
      a.entities = kept;
    }
  }
  if (a.locale !== undefined && !Locale.safeParse(a.locale).success) drop(a, 'locale', 'locale');
  if (a.replyToId !== undefined && !OpaqueId.safeParse(a.replyToId).success) {
    drop(a, 'replyToId', 'replyToId');
  }
  if (a.channelData !== undefined && !asObject(a.channelData)) drop(a, 'channelData', 'channelData');
  if (a.text !== undefined) {
    const text = Text(MAX_TEXT_CHARS).safeParse(a.text);
    if (text.success) a.text = text.data;
    else drop(a, 'text', 'text');
  }
  for (const key of ['membersAdded', 'membersRemoved', 'attachments'] as const) {
    if (a[key] !== undefined && !Array.isArray(a[key])) drop(a, key, key);
    else if (Array.isArray(a[key])) a[key] = (a[key] as unknown[]).filter((x) => asObject(x));
  }

  if (a.type === 'invoke') {
    const kind = invokeKindOf(a.name);
    if (a.value !== undefined && !asObject(a.value)) refuse('value');
    else if (kind === 'card-action' && !CardActionValue.safeParse(a.value).success) refuse('value.action');
  }
  return { ok, problems };
}

/** A mention Teams' SDK can strip, a clientInfo with usable locale and time zone, or another typed entity. */
function isUsableEntity(entity: unknown): boolean {
  const e = asObject(entity);
  if (!e || typeof e.type !== 'string') return false;
  if (e.type.toLowerCase() === 'mention') return Mention.safeParse(e).success;
  if (ClientInfo.safeParse(e).success) {
    if (e.locale !== undefined && !Locale.safeParse(e.locale).success) delete e.locale;
    if (e.timezone !== undefined && !TimeZone.safeParse(e.timezone).success) delete e.timezone;
  }
  return true;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
