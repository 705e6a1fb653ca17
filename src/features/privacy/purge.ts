/**
 * The retention purge: one round walks every kind of data page by page (a table partition, a
 * broadcast, an audit day) and removes, or for the audit trail pseudonymises, what is past its
 * retention (src/domain/retention.ts). The cursor is written to `jobState` after each page, so a round
 * cut short by a crash resumes at the page it was on; a person's dependent rows go before their
 * participant row, so a cut-short person is found again and finished — never half left.
 */
import type { Deps } from '../../deps';
import { broadcastKey } from '../../domain/broadcast';
import { campaignKey } from '../../domain/campaign';
import { type InventoryDevice, inventoryPartitions } from '../../domain/inventory';
import { PARTICIPANT_PARTITIONS, participantKey } from '../../domain/participant';
import {
  auditDecision,
  deliveriesDueAt,
  draftDueAt,
  inventoryDueAt,
  isDue,
  PURGE_INTERVAL_MS,
  participantDueAt,
  pseudonymiseAudit,
  releaseDueAt,
  ticketDueAt,
} from '../../domain/retention';
import { ConcurrencyError, type EntityKey, type JobState } from '../../ports/store';
import { forEachBounded } from '../../shared/bounded';
import { deleteImportDraft } from '../admin/import-drafts';
import { listDeliveries } from '../broadcast/delivery-rows';
import { allReleases, RELEASE_PARTITION, type ReleaseRecord, releaseKey } from '../old-mdm/release-record';
import { wavesById } from '../waves';
import { type PersonDeps, personRows, removeDependents } from './person-data';

export type PurgeDeps = Pick<Deps, 'store' | 'clock' | 'logger' | 'config'>;

export const RETENTION_STATE_KEY = { partitionKey: 'job', rowKey: 'retention' };

export const PURGE_PHASES = [
  'participants',
  'owners',
  'tickets',
  'inventory',
  'deliveries',
  'drafts',
  'releases',
  'audit',
] as const;
export type PurgePhase = (typeof PURGE_PHASES)[number];

export interface RetentionState extends JobState {
  /** Set while a round is under way: the phase and page it resumes at. */
  phase?: PurgePhase;
  page?: number;
  roundStartedAt?: string;
  lastFinishedAt?: string;
  /** The audit days this round visits (fixed when the round starts): to delete, to pseudonymise. */
  auditDeleteFrom?: string;
  auditDeleteTo?: string;
  auditPseudoFrom?: string;
  auditPseudoTo?: string;
  /** Every audit day up to this one has been deleted / pseudonymised. */
  auditDeletedThrough?: string;
  auditPseudonymisedThrough?: string;
}

export interface PurgeCounts {
  participants: number;
  /** What writers racing an erasure left behind for an erased person (index rows, a ticket). */
  erasedLeftovers: number;
  tickets: number;
  inventoryRows: number;
  deliveries: number;
  drafts: number;
  releases: number;
  auditDeleted: number;
  auditPseudonymised: number;
  /** Rows that changed while being looked at; the next round sees them again. */
  skipped: number;
}

const DAY = 86_400_000;
const IN_FLIGHT = 8;
/** On the first round, how far before the campaign's start to look for audit days. */
const FIRST_AUDIT_LOOKBACK_DAYS = 30;
const DRAFT_HEADERS = 'import-draft';
const OWNER_PARTITIONS = Array.from({ length: 256 }, (_, b) => `d${b.toString(16).padStart(2, '0')}`);
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export async function readRetentionState(deps: Pick<Deps, 'store'>): Promise<RetentionState> {
  return ((await deps.store.jobState.get(RETENTION_STATE_KEY))?.value ?? {}) as RetentionState;
}

/** When the next round starts; undefined while one is under way. */
export function nextPurgeAt(state: RetentionState, now: Date): Date | undefined {
  if (state.phase) return undefined;
  const last = state.lastFinishedAt ? Date.parse(state.lastFinishedAt) : Number.NaN;
  return Number.isFinite(last) ? new Date(Math.max(last + PURGE_INTERVAL_MS, now.getTime())) : now;
}

export function purgeDue(state: RetentionState, now: Date): boolean {
  const next = nextPurgeAt(state, now);
  return next === undefined || next.getTime() <= now.getTime();
}

/**
 * Runs (or resumes) one round to its end, unless `signal` aborts it; returns what it removed.
 * `done` is false when it stopped early (the cursor says where it resumes).
 */
export async function purgeRound(
  deps: PurgeDeps,
  signal?: AbortSignal,
): Promise<{ done: boolean; counts: PurgeCounts }> {
  const counts: PurgeCounts = {
    participants: 0,
    erasedLeftovers: 0,
    tickets: 0,
    inventoryRows: 0,
    deliveries: 0,
    drafts: 0,
    releases: 0,
    auditDeleted: 0,
    auditPseudonymised: 0,
    skipped: 0,
  };
  let state = await readRetentionState(deps);
  if (!state.phase) state = await startRound(deps, state);
  const waves = await wavesById(deps.store);
  const broadcasts: string[] = [];
  for await (const b of deps.store.broadcasts.listPartition(broadcastKey('x').partitionKey))
    broadcasts.push(b.value.id);
  broadcasts.sort();
  let erased: Set<string> | undefined;

  for (let p = PURGE_PHASES.indexOf(state.phase!); p < PURGE_PHASES.length; p++) {
    const phase = PURGE_PHASES[p]!;
    const pages = pagesOf(phase, state, broadcasts);
    for (let page = phase === state.phase ? (state.page ?? 0) : 0; page < pages.length; page++) {
      if (signal?.aborted) return { done: false, counts };
      const now = deps.clock.now();
      const s = deps.config.retention;
      const key = pages[page]!;
      if (phase === 'participants') {
        for await (const row of deps.store.participants.listPartition(key)) {
          if (row.value.erasedAt) {
            counts.erasedLeftovers += await sweepErased(deps, row.value.aadObjectId);
            continue;
          }
          if (!isDue(participantDueAt(row.value, waves, s), now)) continue;
          if (await purgePerson(deps, row.value.aadObjectId, row.etag)) counts.participants++;
          else counts.skipped++;
        }
      } else if (phase === 'owners') {
        erased ??= await erasedPeople(deps);
        counts.erasedLeftovers += await sweepOwners(deps, key, erased);
      } else if (phase === 'tickets') {
        for await (const row of deps.store.escalations.listPartition(key)) {
          if (!isDue(ticketDueAt(row.value, s), now)) continue;
          if (await deleteIfUnchanged(deps.store.escalations, row.key, row.etag)) counts.tickets++;
          else counts.skipped++;
        }
      } else if (phase === 'inventory') {
        counts.inventoryRows += await purgeInventoryPartition(deps, key, now);
      } else if (phase === 'deliveries') {
        const b = (await deps.store.broadcasts.get(broadcastKey(key)))?.value;
        if (b && isDue(deliveriesDueAt(b, s), now)) {
          const keys: EntityKey[] = [];
          for await (const row of listDeliveries(deps.store, b)) keys.push(row.key);
          await forEachBounded(keys, IN_FLIGHT, (k) => deps.store.deliveries.delete(k));
          counts.deliveries += keys.length;
        }
      } else if (phase === 'drafts') {
        const due: string[] = [];
        for await (const row of deps.store.jobState.listPartition(DRAFT_HEADERS))
          if (isDue(draftDueAt(row.value.createdAt as string | undefined, s), now)) due.push(row.key.rowKey);
        for (const id of due) await deleteImportDraft(deps, id);
        counts.drafts += due.length;
      } else if (phase === 'releases') {
        counts.releases += await purgeReleases(deps, now);
      } else {
        const done = await purgeAuditDay(deps, key, now);
        counts.auditDeleted += done.deleted;
        counts.auditPseudonymised += done.pseudonymised;
      }
      state = await saveCursor(deps, { ...state, phase, page: page + 1 });
    }
    const nextPhase = PURGE_PHASES[p + 1];
    if (nextPhase) state = await saveCursor(deps, { ...state, phase: nextPhase, page: 0 });
  }
  await finishRound(deps, state);
  return { done: true, counts };
}

function pagesOf(phase: PurgePhase, state: RetentionState, broadcasts: readonly string[]): string[] {
  if (phase === 'participants' || phase === 'tickets') return [...PARTICIPANT_PARTITIONS];
  if (phase === 'owners') return OWNER_PARTITIONS;
  if (phase === 'inventory') return inventoryPartitions();
  if (phase === 'deliveries') return [...broadcasts];
  if (phase === 'drafts') return [DRAFT_HEADERS];
  if (phase === 'releases') return [RELEASE_PARTITION];
  const days = new Set<string>();
  const range = (from?: string, to?: string) => {
    if (!from || !to) return;
    for (let t = Date.parse(from); t <= Date.parse(to); t += DAY) days.add(dayOf(t));
  };
  range(state.auditDeleteFrom, state.auditDeleteTo);
  range(state.auditPseudoFrom, state.auditPseudoTo);
  return [...days].sort();
}

async function startRound(deps: PurgeDeps, state: RetentionState): Promise<RetentionState> {
  const now = deps.clock.now().getTime();
  const s = deps.config.retention;
  // Nothing is audited before the campaign: the first round starts a little before it.
  const campaign = (await deps.store.campaigns.get(campaignKey()))?.value;
  const started = campaign ? Date.parse(campaign.createdAt) : now - s.auditPseudonymiseDays * DAY;
  const first = (Number.isFinite(started) ? started : now) - FIRST_AUDIT_LOOKBACK_DAYS * DAY;
  const after = (day: string | undefined) => (day ? Date.parse(day) + DAY : first);
  return saveCursor(deps, {
    ...state,
    phase: PURGE_PHASES[0],
    page: 0,
    roundStartedAt: new Date(now).toISOString(),
    auditDeleteFrom: dayOf(after(state.auditDeletedThrough)),
    auditDeleteTo: dayOf(now - (s.auditDays + 1) * DAY),
    auditPseudoFrom: dayOf(after(state.auditPseudonymisedThrough)),
    auditPseudoTo: dayOf(now - (s.auditPseudonymiseDays + 1) * DAY),
  });
}

async function finishRound(deps: PurgeDeps, state: RetentionState): Promise<void> {
  const { phase: _p, page: _g, auditDeleteFrom: _a, auditPseudoFrom: _b, ...rest } = state;
  const later = (x?: string, y?: string) => (!x ? y : !y ? x : x > y ? x : y);
  await deps.store.jobState.update(RETENTION_STATE_KEY, () => ({
    ...rest,
    lastFinishedAt: deps.clock.now().toISOString(),
    auditDeletedThrough: later(state.auditDeletedThrough, state.auditDeleteTo),
    auditPseudonymisedThrough: later(state.auditPseudonymisedThrough, state.auditPseudoTo),
  }));
}

async function saveCursor(deps: PurgeDeps, state: RetentionState): Promise<RetentionState> {
  await deps.store.jobState.update(RETENTION_STATE_KEY, () => state);
  return state;
}

/**
 * An erased person's rows that a writer racing the erasure wrote after it (the tombstone stops every
 * writer, but one that read the person just before may still land one write): gone on the next round.
 */
async function sweepErased(deps: PurgeDeps, aadObjectId: string): Promise<number> {
  const rows = await personRows(deps, aadObjectId, false);
  const left = rows.oldMdmByPerson.length + (rows.ticket ? 1 : 0) + (rows.personChangedAt ? 1 : 0);
  if (left > 0) await removeDependents(deps, rows, { erase: true });
  return left;
}

async function erasedPeople(deps: PurgeDeps): Promise<Set<string>> {
  const erased = new Set<string>();
  await forEachBounded(PARTICIPANT_PARTITIONS, IN_FLIGHT, async (partition) => {
    for await (const row of deps.store.participants.listPartition(partition))
      if (row.value.erasedAt) erased.add(row.value.aadObjectId.toLowerCase());
  });
  return erased;
}

/** Device-owner index rows that point at an erased person (their journeys are gone, so nothing lists them). */
async function sweepOwners(deps: PurgeDeps, partition: string, erased: ReadonlySet<string>): Promise<number> {
  if (erased.size === 0) return 0;
  const keys: EntityKey[] = [];
  for await (const row of deps.store.deviceOwners.listPartition(partition))
    if (erased.has(row.value.aadObjectId.toLowerCase())) keys.push(row.key);
  await forEachBounded(keys, IN_FLIGHT, (k) => deps.store.deviceOwners.delete(k));
  return keys.length;
}

/** Removes a person whose retention ran out: their dependent rows, then (if unchanged) their row. */
async function purgePerson(deps: PersonDeps, aadObjectId: string, etag: string): Promise<boolean> {
  const rows = await personRows(deps, aadObjectId, false);
  if (!rows.participant || rows.participant.etag !== etag) return false;
  await removeDependents(deps, rows);
  return deleteIfUnchanged(deps.store.participants, participantKey(rows.aadObjectId), etag);
}

async function deleteIfUnchanged(
  repo: { delete(key: EntityKey, etag?: string): Promise<void> },
  key: EntityKey,
  etag: string,
): Promise<boolean> {
  try {
    await repo.delete(key, etag);
    return true;
  } catch (err) {
    if (err instanceof ConcurrencyError) return false;
    throw err;
  }
}

async function purgeInventoryPartition(deps: PurgeDeps, partition: string, now: Date): Promise<number> {
  const due: { key: EntityKey; value: InventoryDevice }[] = [];
  for await (const row of deps.store.oldMdmDevices.listPartition(partition))
    if (isDue(inventoryDueAt(row.value, deps.config.retention), now))
      due.push({ key: row.key, value: row.value });
  await forEachBounded(due, IN_FLIGHT, async (d) => {
    // The person's copy first: a crash in between leaves the row, which the next round finds again.
    if (d.value.indexedUnder)
      await deps.store.oldMdmByPerson.delete({ partitionKey: d.value.indexedUnder, rowKey: d.key.rowKey });
    await deps.store.oldMdmDevices.delete(d.key);
  });
  return due.length;
}

/**
 * Release records past their retention, and finished ones whose person is gone (purged with their
 * wave, or erased): the person's own purge leaves them to this page, one partition read per round.
 */
async function purgeReleases(deps: PurgeDeps, now: Date): Promise<number> {
  const due: ReleaseRecord[] = [];
  for await (const r of allReleases(deps.store)) {
    const finished = releaseDueAt(r, { ...deps.config.retention, participantDays: 0 }) !== undefined;
    if (isDue(releaseDueAt(r, deps.config.retention), now)) due.push(r);
    else if (finished) {
      const p = (await deps.store.participants.get(participantKey(r.person)))?.value;
      if (!p || p.erasedAt) due.push(r);
    }
  }
  await forEachBounded(due, IN_FLIGHT, (r) => deps.store.jobState.delete(releaseKey(r.source, r.vendorId)));
  return due.length;
}

async function purgeAuditDay(deps: PurgeDeps, day: string, now: Date) {
  let deleted = 0;
  let pseudonymised = 0;
  const rows: { key: EntityKey; etag: string; value: import('../../domain/audit').AuditEvent }[] = [];
  for await (const row of deps.store.audit.listPartition(day)) rows.push(row);
  await forEachBounded(rows, IN_FLIGHT, async (row) => {
    const decision = auditDecision(row.value, deps.config.retention, now);
    if (decision === 'delete') {
      await deps.store.audit.delete(row.key);
      deleted++;
    } else if (decision === 'pseudonymise') {
      await deps.store.audit.replace(
        row.key,
        pseudonymiseAudit(row.value, deps.config.pseudonymKey),
        row.etag,
      );
      pseudonymised++;
    }
  });
  return { deleted, pseudonymised };
}
