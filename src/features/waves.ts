import {
  byWaveOrder,
  WAVES_PARTITION,
  type Wave,
  type WaveMember,
  waveMembersPartition,
} from '../domain/campaign';
import type { Store } from '../ports/store';

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

/** A wave's membership index rows, streamed (a wave can hold tens of thousands of people). */
export async function* waveMembersOf(
  store: Pick<Store, 'waveMembers'>,
  waveId: string,
): AsyncIterable<WaveMember> {
  for await (const { value } of store.waveMembers.listPartition(waveMembersPartition(waveId))) yield value;
}
