import {
  byWaveOrder,
  legacyWaveMembersPartition,
  WAVES_PARTITION,
  type Wave,
  type WaveMember,
  waveMembersPartitions,
} from '../domain/campaign';
import type { Store } from '../ports/store';
import { mapBounded } from '../shared/bounded';

/** The one way to list the campaign's waves: every wave, in campaign order. */
export async function listWaves(store: Pick<Store, 'waves'>): Promise<Wave[]> {
  const waves: Wave[] = [];
  for await (const { value } of store.waves.listPartition(WAVES_PARTITION)) waves.push(value);
  return waves.sort(byWaveOrder);
}

/** The campaign's waves by id. */
export async function wavesById(store: Pick<Store, 'waves'>): Promise<Map<string, Wave>> {
  return new Map((await listWaves(store)).map((w) => [w.id, w]));
}

/** Index partitions of one wave listed at once; only their rows are held in memory together. */
const BUCKETS_IN_FLIGHT = 8;

/**
 * A wave's membership index rows, streamed (a wave can hold tens of thousands of people): its 64
 * bucket partitions, a few at a time, then the partition of the earlier one-partition layout, whose
 * rows count only for users no bucket holds (an import moves them into the buckets; until then a
 * listing must not lose them). The port lists one partition per query, hence 65 listings; an empty
 * one costs a single request.
 */
export async function* waveMembersOf(
  store: Pick<Store, 'waveMembers'>,
  waveId: string,
): AsyncIterable<WaveMember> {
  const seen = new Set<string>();
  const buckets = waveMembersPartitions(waveId);
  for (let i = 0; i < buckets.length; i += BUCKETS_IN_FLIGHT) {
    const pages = await mapBounded(buckets.slice(i, i + BUCKETS_IN_FLIGHT), BUCKETS_IN_FLIGHT, async (pk) => {
      const rows: WaveMember[] = [];
      for await (const { key, value } of store.waveMembers.listPartition(pk)) {
        seen.add(key.rowKey);
        rows.push(value);
      }
      return rows;
    });
    for (const rows of pages) yield* rows;
  }
  for await (const { key, value } of store.waveMembers.listPartition(legacyWaveMembersPartition(waveId)))
    if (!seen.has(key.rowKey)) yield value;
}
