/**
 * Recounting from the rows: a wave's counters and stuck index, and a broadcast's delivery counts, as
 * the rows say now — then written as the scope's new base (counter-table.ts) with the drift it found.
 *
 * Who is a member follows the wave's index as the dashboards always have: a listed user without a
 * participant row is a member with no devices, a row naming no wave is taken as the index says, a row
 * naming another wave is left out; their tickets count as `ticketCounts` says. The live counting
 * (counting-store.ts) counts an index row as a member with no devices and a participant row as what
 * it adds to that in its own wave, which the membership code keeps in step with the index; where they
 * differ (a crash between the two writes) the recount wins.
 */

import { broadcastKey } from '../../domain/broadcast';
import type { Wave } from '../../domain/campaign';
import { escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import { PARTICIPANT_PARTITIONS, type Participant, participantKey } from '../../domain/participant';
import {
  add,
  broadcastScope,
  type Counts,
  deliveryCounts,
  memberCounts,
  memberWithoutRowCounts,
  type StuckEntry,
  stuckEntries,
  ticketCounts,
  waveScope,
} from '../../domain/wave-counters';
import type { Logger } from '../../logging';
import type { Store } from '../../ports/store';
import { forEachBounded, mapBounded } from '../../shared/bounded';
import { listDeliveries } from '../broadcast/delivery-rows';
import { waveMembersOf } from '../waves';
import { commitBase, readScope, syncStuck } from './counter-table';

/** From this many members to recount, the participant and escalation tables are read whole. */
export const SCAN_FROM_MEMBERS = 2_000;
const READS_IN_FLIGHT = 16;
const SCANS_IN_FLIGHT = 8;

type RecountStore = Pick<
  Store,
  'waveMembers' | 'participants' | 'escalations' | 'deliveries' | 'counters' | 'broadcasts'
>;

interface UserRows {
  participant?: Participant;
  escalation?: Escalation;
}

export interface WaveRecount {
  counts: Counts;
  stuck: StuckEntry[];
}

async function readUsers(store: RecountStore, ids: readonly string[]): Promise<Map<string, UserRows>> {
  const rows = new Map<string, UserRows>();
  if (ids.length >= SCAN_FROM_MEMBERS) {
    const wanted = new Set(ids);
    const of = (id: string) => {
      let r = rows.get(id);
      if (!r) {
        r = {};
        rows.set(id, r);
      }
      return r;
    };
    await forEachBounded(PARTICIPANT_PARTITIONS, SCANS_IN_FLIGHT, async (pk) => {
      for await (const { key, value } of store.participants.listPartition(pk))
        if (wanted.has(key.rowKey)) of(key.rowKey).participant = value;
      for await (const { key, value } of store.escalations.listPartition(pk))
        if (wanted.has(key.rowKey)) of(key.rowKey).escalation = value;
    });
    return rows;
  }
  const read = await mapBounded(ids, READS_IN_FLIGHT, async (id) => {
    const [p, e] = await Promise.all([
      store.participants.get(participantKey(id)),
      store.escalations.get(escalationKey(id)),
    ]);
    return { participant: p?.value, escalation: e?.value };
  });
  ids.forEach((id, i) => {
    rows.set(id, read[i]!);
  });
  return rows;
}

/** The waves' counts and stuck entries from their index and their members' rows (each user read once). */
export async function recountWaves(
  store: RecountStore,
  waveIds: readonly string[],
): Promise<Map<string, WaveRecount>> {
  const members = new Map<string, Set<string>>();
  const everyone = new Set<string>();
  for (const waveId of waveIds) {
    const ids = new Set<string>();
    for await (const m of waveMembersOf(store, waveId)) {
      if (!m.aadObjectId) continue;
      ids.add(m.aadObjectId.toLowerCase());
      everyone.add(m.aadObjectId.toLowerCase());
    }
    members.set(waveId, ids);
  }
  const rows = await readUsers(store, [...everyone]);
  const out = new Map<string, WaveRecount>();
  for (const waveId of waveIds) {
    const counts: Counts = {};
    const stuck: StuckEntry[] = [];
    for (const id of members.get(waveId) ?? []) {
      const { participant: p, escalation: e } = rows.get(id) ?? {};
      if (p && p.waveId !== undefined && p.waveId !== waveId) continue;
      if (p) {
        const member = { ...p, waveId };
        add(counts, memberCounts(member));
        stuck.push(...stuckEntries(member));
      } else add(counts, memberWithoutRowCounts());
      if (e) add(counts, ticketCounts(e, waveId));
    }
    out.set(waveId, { counts, stuck });
  }
  return out;
}

export async function recountBroadcast(store: RecountStore, broadcastId: string): Promise<Counts> {
  const counts: Counts = {};
  const b = (await store.broadcasts.get(broadcastKey(broadcastId)))?.value ?? { id: broadcastId };
  for await (const { value } of listDeliveries(store, b))
    add(counts, deliveryCounts({ ...value, broadcastId }).get(broadcastScope(broadcastId)) ?? {});
  return counts;
}

/** How far the stored counters were from the recount: the sum of the differences, over how many keys. */
export function driftOf(stored: Counts, recounted: Counts): { drift: number; keys: number } {
  const diff = add(add({}, recounted), stored, -1);
  let drift = 0;
  for (const v of Object.values(diff)) drift += Math.abs(v);
  return { drift, keys: Object.keys(diff).length };
}

export interface RebuildReport {
  scopes: number;
  /** Sum over scopes of how far the counters were off. */
  drift: number;
  stuckRowsChanged: number;
}

/**
 * Recounts the waves and broadcasts named and writes each as its scope's new base, ETag-safe (a
 * concurrent rebuild of the same scope makes this one give up on it). Logs the drift found (counts only).
 */
export async function rebuildCounters(
  deps: { store: RecountStore; logger: Logger; now?: () => number },
  targets: { waves?: readonly Pick<Wave, 'id'>[]; broadcasts?: readonly string[] },
): Promise<RebuildReport> {
  const now = deps.now ?? Date.now;
  const repo = deps.store.counters;
  const report: RebuildReport = { scopes: 0, drift: 0, stuckRowsChanged: 0 };
  const waveIds = (targets.waves ?? []).map((w) => w.id);
  const record = async (scope: string, startedAt: number, count: () => Promise<Counts>) => {
    const before = await readScope(repo, scope);
    const counts = await count();
    await commitBase(repo, scope, counts, startedAt, before, now());
    const { drift, keys } = driftOf(before.counts, counts);
    report.scopes += 1;
    if (before.head) report.drift += drift;
    if (before.head && drift > 0)
      deps.logger.warn({ scope, drift, keys }, 'counters had drifted from the rows; repaired');
  };
  if (waveIds.length > 0) {
    const startedAt = now();
    const before = new Map(
      await Promise.all(waveIds.map(async (id) => [id, await readScope(repo, waveScope(id))] as const)),
    );
    const recounted = await recountWaves(deps.store, waveIds);
    for (const id of waveIds) {
      const r = recounted.get(id)!;
      report.stuckRowsChanged += await syncStuck(repo, id, r.stuck);
      const prior = before.get(id)!;
      await commitBase(repo, waveScope(id), r.counts, startedAt, prior, now());
      const { drift, keys } = driftOf(prior.counts, r.counts);
      report.scopes += 1;
      if (prior.head) report.drift += drift;
      if (prior.head && drift > 0)
        deps.logger.warn({ wave: id, drift, keys }, 'wave counters had drifted from the rows; repaired');
    }
  }
  for (const id of targets.broadcasts ?? [])
    await record(broadcastScope(id), now(), () => recountBroadcast(deps.store, id));
  return report;
}
