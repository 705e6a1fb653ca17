/**
 * What the old MDM still lists per wave, counted by the matching pass and kept in one small row per
 * wave (`jobState`, partition `old-mdm-waves`).
 *
 * Why here and not when a wave dashboard opens: the pass already reads every inventory row and knows
 * each row's person, and it scans the participants once (for the people index), which gives every
 * person's wave for free. Counting on the dashboard instead would mean a partition read of
 * `oldMdmByPerson` per member (10,000 reads for a wave of 10,000) or a scan of the whole inventory
 * (100,000 rows) on every open; this way a dashboard makes one point read, and the numbers are those
 * of the last pass (minutes old at most).
 */
import { canonicalJson, sameJson } from '../../domain/canonical';
import type { StoredMatch, StoredPerson } from '../../domain/inventory';
import type { EntityKey, JobState, Store, Stored } from '../../ports/store';
import { changePartition, type RowChange } from './grouped-writes';

/** One source's devices held by a wave's members (gone devices are not counted). */
export interface WaveSourceCounts {
  listed: number;
  /** Also an Intune or Entra device. */
  matched: number;
  ambiguous: number;
  /** Only the old MDM knows it: a device to move that no journey shows yet. */
  unmatched: number;
}

export interface WaveOldMdmCounts {
  bySource: Record<string, WaveSourceCounts>;
  /** Members with at least one listed device. */
  people: number;
}

/** What the pass knows of one listed device once matched. */
export interface CountedDevice {
  source: string;
  match: StoredMatch;
  person: StoredPerson;
}

export const WAVE_COUNTS_PARTITION = 'old-mdm-waves';

export function waveCountsKey(waveId: string): EntityKey {
  return { partitionKey: WAVE_COUNTS_PARTITION, rowKey: encodeURIComponent(waveId) };
}

/**
 * Per wave, the devices its members hold, by source. `waveOf` maps a person's Entra object id
 * (lower case) to their wave, as the participant row says; people in no wave are not counted.
 */
export function countByWave(
  devices: Iterable<CountedDevice>,
  waveOf: ReadonlyMap<string, string>,
): Map<string, WaveOldMdmCounts> {
  const waves = new Map<string, WaveOldMdmCounts>();
  const people = new Map<string, Set<string>>();
  for (const d of devices) {
    if (!('aadObjectId' in d.person)) continue;
    const person = d.person.aadObjectId.toLowerCase();
    const waveId = waveOf.get(person);
    if (!waveId) continue;
    let wave = waves.get(waveId);
    if (!wave) {
      wave = { bySource: {}, people: 0 };
      waves.set(waveId, wave);
      people.set(waveId, new Set());
    }
    wave.bySource[d.source] ??= { listed: 0, matched: 0, ambiguous: 0, unmatched: 0 };
    const counts = wave.bySource[d.source]!;
    counts.listed++;
    counts[d.match.kind]++;
    people.get(waveId)!.add(person);
  }
  for (const [waveId, wave] of waves) wave.people = people.get(waveId)!.size;
  return waves;
}

function toRow(counts: WaveOldMdmCounts): JobState {
  return { bySource: canonicalJson(counts.bySource), people: counts.people };
}

function isCounts(v: unknown): v is WaveSourceCounts {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return ['listed', 'matched', 'ambiguous', 'unmatched'].every((k) => typeof c[k] === 'number');
}

function fromRow(row: JobState): WaveOldMdmCounts {
  const bySource: Record<string, WaveSourceCounts> = {};
  try {
    const parsed = JSON.parse(typeof row.bySource === 'string' ? row.bySource : '{}') as unknown;
    if (parsed && typeof parsed === 'object') {
      for (const [source, counts] of Object.entries(parsed)) if (isCounts(counts)) bySource[source] = counts;
    }
  } catch {
    // A row that does not parse counts as nothing: the next pass rewrites it.
  }
  return { bySource, people: typeof row.people === 'number' ? row.people : 0 };
}

/**
 * Stores the pass's counts: a wave's row is written only when its numbers changed, and rows of waves
 * that hold no listed device any more are deleted — all in transactions on the one partition, each
 * conditional on the rows as just read (redone on fresh reads if another writer came first).
 */
export async function writeWaveCounts(
  store: Pick<Store, 'jobState'>,
  counts: ReadonlyMap<string, WaveOldMdmCounts>,
  signal?: AbortSignal,
): Promise<{ written: number; deleted: number }> {
  const known = new Map<string, Stored<JobState> | null>();
  for await (const row of store.jobState.listPartition(WAVE_COUNTS_PARTITION)) known.set(row.key.rowKey, row);
  const changes: RowChange<JobState>[] = [];
  for (const [waveId, c] of counts) {
    const value = toRow(c);
    const rowKey = waveCountsKey(waveId).rowKey;
    if (!known.has(rowKey)) known.set(rowKey, null);
    changes.push({ rowKey, next: (current) => (current && sameJson(current, value) ? undefined : value) });
  }
  for (const rowKey of known.keys()) {
    if (!counts.has(decodeURIComponent(rowKey))) changes.push({ rowKey, next: () => null });
  }
  let written = 0;
  let deleted = 0;
  await changePartition(store.jobState, WAVE_COUNTS_PARTITION, changes, {
    known,
    signal,
    onWritten: (rows) => {
      for (const r of rows) {
        if (r.after === null) deleted++;
        else written++;
      }
    },
  });
  return { written, deleted };
}

/** One wave's counts as the last pass stored them; a wave whose members hold no listed device has none. */
export async function readWaveCounts(
  store: Pick<Store, 'jobState'>,
  waveId: string,
): Promise<WaveOldMdmCounts> {
  const row = await store.jobState.get(waveCountsKey(waveId));
  return row ? fromRow(row.value) : { bySource: {}, people: 0 };
}
