/**
 * What a delivery job carries besides whom it is for: the recipient's chat with the bot and language,
 * looked up once at queueing so that sending reads no participant row.
 */
import type { JobRecipient } from '../../domain/broadcast';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../../domain/participant';
import type { Store } from '../../ports/store';
import { mapBounded } from '../../shared/bounded';

/** Who a broadcast goes to, as the hooks name them (the shape of broadcast-service's Recipient). */
type Recipient = Pick<Participant, 'aadObjectId' | 'conversation' | 'locale' | 'language' | 'timeZone'>;

/** Up to this many recipients without a chat address are looked up one by one; more, by listing every participant. */
const LOOKUP_ONE_BY_ONE = 2_000;
/** Reads in flight when looking participants up one by one. */
const READS_IN_FLIGHT = 16;

export type KnownChat = Pick<Recipient, 'conversation' | 'locale' | 'language' | 'timeZone'> | 'erased';

export function jobRecipientOf(r: Recipient, known: KnownChat | undefined): JobRecipient {
  const p = known === 'erased' ? undefined : known;
  const chat = r.conversation ?? p?.conversation;
  const locale = r.locale ?? p?.locale;
  const language = r.language ?? p?.language;
  const timeZone = r.timeZone ?? p?.timeZone;
  return {
    id: r.aadObjectId.toLowerCase(),
    ...(chat ? { chat } : {}),
    ...(locale ? { locale } : {}),
    ...(language ? { language } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
}

/**
 * Chat address and language of the recipients the hook did not give them for, from their participant
 * rows: read one by one when they are few, else by listing every participant partition once (a
 * hundred requests for 100,000 people instead of 100,000).
 */
export async function chatsOf(
  store: Store,
  recipients: readonly Recipient[],
): Promise<Map<string, KnownChat>> {
  const out = new Map<string, KnownChat>();
  const wanted = new Set(recipients.filter((r) => !r.conversation).map((r) => r.aadObjectId.toLowerCase()));
  const keep = (p: Participant) => {
    const id = p.aadObjectId.toLowerCase();
    if (!wanted.has(id)) return;
    out.set(
      id,
      p.erasedAt
        ? 'erased'
        : { conversation: p.conversation, locale: p.locale, language: p.language, timeZone: p.timeZone },
    );
  };
  if (wanted.size === 0) return out;
  if (wanted.size <= LOOKUP_ONE_BY_ONE) {
    const rows = await mapBounded([...wanted], READS_IN_FLIGHT, (id) =>
      store.participants.get(participantKey(id)),
    );
    for (const row of rows) if (row) keep(row.value);
  } else {
    for (const partition of PARTICIPANT_PARTITIONS)
      for await (const { value } of store.participants.listPartition(partition)) keep(value);
  }
  return out;
}
