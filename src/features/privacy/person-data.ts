/**
 * Everything stored about one person, found through the same keys the features write it under:
 * their participant row (journeys, chat address), wave membership, device ownership index, helpdesk
 * ticket, broadcast deliveries, old-MDM devices matched to them, import drafts that mention them and
 * audit events that name them. Used by the export (right of access), the erasure and the purge.
 */
import type { Deps } from '../../deps';
import type { AuditEvent } from '../../domain/audit';
import { broadcastKey, type Delivery, deliveryKey } from '../../domain/broadcast';
import { type WaveMember, waveMemberKey } from '../../domain/campaign';
import { type DeviceOwner, deviceOwnerKey } from '../../domain/device-owner';
import { escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import { type InventoryDevice, inventoryKey, type PersonInventoryDevice } from '../../domain/inventory';
import { type Participant, participantKey } from '../../domain/participant';
import type { Stored } from '../../ports/store';
import { forEachBounded, mapBounded } from '../../shared/bounded';
import { loadImportDraft } from '../admin/import-drafts';

export type PersonDeps = Pick<Deps, 'store' | 'clock' | 'logger' | 'config'>;

/** Storage calls in flight while one person's rows are read or removed. */
const IN_FLIGHT = 8;
/** The header rows of import drafts (src/features/admin/import-drafts.ts). */
const DRAFT_HEADERS = 'import-draft';
const DAY = 86_400_000;

export interface PersonRows {
  aadObjectId: string;
  participant?: Stored<Participant>;
  waveMember?: WaveMember;
  deviceOwners: DeviceOwner[];
  ticket?: Escalation;
  deliveries: Delivery[];
  /** The person index copies (row key → copy). */
  oldMdmByPerson: { rowKey: string; value: PersonInventoryDevice }[];
  /** The inventory rows those copies stand for. */
  oldMdmDevices: InventoryDevice[];
  /** Ids of import drafts whose content names the person. */
  draftIds: string[];
}

/** Object ids are stored in lower case everywhere. */
export const normaliseId = (id: string) => id.trim().toLowerCase();

/**
 * Reads every row about the person (the audit trail separately: `auditAbout`). The purge leaves out
 * deliveries and drafts (`everything: false`): they have retention rules of their own.
 */
export async function personRows(
  deps: PersonDeps,
  aadObjectId: string,
  everything = true,
): Promise<PersonRows> {
  const id = normaliseId(aadObjectId);
  const { store } = deps;
  const participant = await store.participants.get(participantKey(id));
  const p = participant?.value;
  const waveMember = p?.waveId
    ? (await store.waveMembers.get(waveMemberKey(p.waveId, id)))?.value
    : undefined;
  const keys = (p?.journeys ?? []).map((j) => j.deviceKey);
  const owners = await mapBounded(keys, IN_FLIGHT, (k) => store.deviceOwners.get(deviceOwnerKey(k)));
  const deviceOwners = owners.flatMap((o) =>
    o && o.value.aadObjectId.toLowerCase() === id ? [o.value] : [],
  );
  const ticket = (await store.escalations.get(escalationKey(id)))?.value;
  const broadcastIds: string[] = [];
  if (everything)
    for await (const b of store.broadcasts.listPartition(broadcastKey('x').partitionKey))
      broadcastIds.push(b.value.id);
  const found = await mapBounded(broadcastIds, IN_FLIGHT, (b) => store.deliveries.get(deliveryKey(b, id)));
  const deliveries = found.flatMap((d) => (d ? [d.value] : []));
  const oldMdmByPerson: PersonRows['oldMdmByPerson'] = [];
  for await (const row of store.oldMdmByPerson.listPartition(id))
    oldMdmByPerson.push({ rowKey: row.key.rowKey, value: row.value });
  const inventory = await mapBounded(oldMdmByPerson, IN_FLIGHT, (r) =>
    store.oldMdmDevices.get(inventoryKey(r.value.source, r.value.vendorId)),
  );
  const oldMdmDevices = inventory.flatMap((d) => (d ? [d.value] : []));
  const needles = [id, p?.userPrincipalName?.toLowerCase(), waveMember?.userPrincipalName?.toLowerCase()];
  const draftIds = everything
    ? await draftsMentioning(
        deps,
        needles.filter((n): n is string => !!n),
      )
    : [];
  return {
    aadObjectId: id,
    ...(participant ? { participant } : {}),
    ...(waveMember ? { waveMember } : {}),
    deviceOwners,
    ...(ticket ? { ticket } : {}),
    deliveries,
    oldMdmByPerson,
    oldMdmDevices,
    draftIds,
  };
}

/** Import drafts (member lists, old-MDM exports) whose content names one of `needles`. */
export async function draftsMentioning(deps: PersonDeps, needles: readonly string[]): Promise<string[]> {
  const headers: { id: string; actor: string }[] = [];
  for await (const row of deps.store.jobState.listPartition(DRAFT_HEADERS))
    headers.push({ id: row.key.rowKey, actor: String(row.value.actor ?? '') });
  const hits = await mapBounded(headers, 2, async (h) => {
    const loaded = await loadImportDraft(deps, h.id, h.actor);
    if (!loaded.ok) return undefined;
    const text = JSON.stringify(loaded.draft).toLowerCase();
    return needles.some((n) => text.includes(n)) ? h.id : undefined;
  });
  return hits.filter((h): h is string => h !== undefined);
}

/** Audit events the person did or that name them, over the days the audit trail is kept. */
export async function auditAbout(deps: PersonDeps, aadObjectId: string): Promise<AuditEvent[]> {
  const id = normaliseId(aadObjectId);
  const now = deps.clock.now().getTime();
  const days = Array.from({ length: deps.config.retention.auditDays + 1 }, (_, i) =>
    new Date(now - i * DAY).toISOString().slice(0, 10),
  );
  const out: AuditEvent[][] = await mapBounded(days, IN_FLIGHT, async (day) => {
    const hits: AuditEvent[] = [];
    for await (const row of deps.store.audit.listPartition(day)) {
      if (JSON.stringify(row.value).toLowerCase().includes(id)) hits.push(row.value);
    }
    return hits;
  });
  return out.flat().sort((a, b) => a.at.localeCompare(b.at));
}

/** How much of each kind the erasure will remove: what the confirmation names. */
export function countsOf(rows: PersonRows) {
  return {
    journeys: rows.participant?.value.journeys?.length ?? 0,
    ticket: rows.ticket ? 1 : 0,
    deliveries: rows.deliveries.length,
    deviceOwners: rows.deviceOwners.length,
    oldMdmDevices: rows.oldMdmByPerson.length,
    drafts: rows.draftIds.length,
    waveMember: rows.waveMember ? 1 : 0,
  };
}

/**
 * Removes the person's rows other than the participant row itself (the caller tombstones or deletes
 * that): each delete is idempotent, so a crash part-way is finished by running it again.
 */
export async function removeDependents(deps: PersonDeps, rows: PersonRows, waveId?: string): Promise<void> {
  const { store } = deps;
  const id = rows.aadObjectId;
  const memberWave = waveId ?? rows.participant?.value.waveId;
  if (memberWave) await store.waveMembers.delete(waveMemberKey(memberWave, id));
  await forEachBounded(rows.deviceOwners, IN_FLIGHT, (o) =>
    store.deviceOwners.delete(deviceOwnerKey(o.deviceKey)),
  );
  await forEachBounded(rows.deliveries, IN_FLIGHT, (d) =>
    store.deliveries.delete(deliveryKey(d.broadcastId, id)),
  );
  // The inventory rows stay (they mirror the old MDM) without who they belong to.
  await forEachBounded(rows.oldMdmDevices, IN_FLIGHT, (d) =>
    store.oldMdmDevices.update(inventoryKey(d.source, d.vendorId), (cur) => {
      if (!cur) return undefined;
      const {
        userPrincipalName: _u,
        userEmail: _e,
        userName: _n,
        person: _p,
        indexedUnder: _i,
        ...rest
      } = cur;
      return rest;
    }),
  );
  await forEachBounded(rows.oldMdmByPerson, IN_FLIGHT, (r) =>
    store.oldMdmByPerson.delete({ partitionKey: id, rowKey: r.rowKey }),
  );
  await store.escalations.delete(escalationKey(id));
}
