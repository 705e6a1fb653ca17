/**
 * Finding participants by name or UPN for the "Migration status" search. Participants are stored by
 * Entra object id in 64 partitions, with no index by name; reading every row on each keystroke would
 * cost a full table scan per query. So each instance keeps a small index (id, name, UPN) built by one
 * scan and reused for a couple of minutes; a stale index answers at once while a fresh one loads.
 */

import { PARTICIPANT_PARTITIONS, type Participant } from '../../domain/participant';
import type { Clock } from '../../ports/clock';
import type { Store } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';

interface Entry {
  id: string;
  name: string;
  upn: string;
  /** Lower-case, accent-free words of the name and the UPN, for prefix matching. */
  words: string[];
}

/** How long an index answers before the next query rebuilds it. */
export const INDEX_TTL_MS = 2 * 60_000;
/** Partitions read at once while building: enough to be quick, few enough to stay polite to Storage. */
const SCAN_CONCURRENCY = 8;
/** Fewer characters than this match too many people to be useful. */
export const MIN_QUERY_CHARS = 2;

export class ParticipantIndex {
  private built?: { at: number; entries: Entry[] };
  private loading?: Promise<Entry[]>;

  constructor(
    private readonly store: Pick<Store, 'participants'>,
    private readonly clock: Clock,
    private readonly ttlMs = INDEX_TTL_MS,
  ) {}

  /** Object ids of the best matches, at most `limit`: exact UPN first, then names that start with the query. */
  async search(query: string, limit: number): Promise<string[]> {
    const q = fold(query).trim();
    if (q.length < MIN_QUERY_CHARS) return [];
    const tokens = q.split(/\s+/);
    const entries = await this.entries();
    return entries
      .filter((e) => e.upn.startsWith(q) || tokens.every((tok) => e.words.some((w) => w.startsWith(tok))))
      .map((e) => ({ e, rank: e.upn === q ? 0 : fold(e.name).startsWith(q) || e.upn.startsWith(q) ? 1 : 2 }))
      .sort((a, b) => a.rank - b.rank || a.e.name.localeCompare(b.e.name) || a.e.id.localeCompare(b.e.id))
      .slice(0, Math.max(0, limit))
      .map(({ e }) => e.id);
  }

  private async entries(): Promise<Entry[]> {
    const now = this.clock.now().getTime();
    if (this.built && now - this.built.at < this.ttlMs) return this.built.entries;
    this.loading ??= this.scan()
      .then((entries) => {
        this.built = { at: this.clock.now().getTime(), entries };
        return entries;
      })
      .finally(() => {
        this.loading = undefined;
      });
    // A stale index answers now; the refresh lands for the next query.
    if (this.built) {
      this.loading.catch(() => undefined);
      return this.built.entries;
    }
    return this.loading;
  }

  private async scan(): Promise<Entry[]> {
    const entries: Entry[] = [];
    await forEachBounded(PARTICIPANT_PARTITIONS, SCAN_CONCURRENCY, async (partition) => {
      for await (const row of this.store.participants.listPartition(partition))
        entries.push(entryOf(row.value));
    });
    return entries;
  }
}

function entryOf(p: Participant): Entry {
  const name = p.displayName ?? '';
  const upn = fold(p.userPrincipalName ?? '');
  const words = [...fold(name).split(/[\s,.'’()-]+/), ...upn.split(/[@._-]+/), upn].filter(Boolean);
  return { id: p.aadObjectId.toLowerCase(), name, upn, words };
}

/** Lower case without accents, so "bjorn" finds "Björn" and "Åsa" is found by "asa". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const indexes = new WeakMap<object, ParticipantIndex>();

/** The index of this store (one per app instance, shared by every search). */
export function participantIndexOf(deps: {
  store: Pick<Store, 'participants'>;
  clock: Clock;
}): ParticipantIndex {
  let index = indexes.get(deps.store);
  if (!index) {
    index = new ParticipantIndex(deps.store, deps.clock);
    indexes.set(deps.store, index);
  }
  return index;
}
