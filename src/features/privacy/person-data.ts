/**
 * Everything stored about one person, found through the same keys the features write it under:
 * their participant row (journeys, chat address), wave membership, device ownership index, helpdesk
 * ticket, broadcast deliveries, old-MDM devices matched to them, import drafts that mention them and
 * audit events that name them. Used by the export (right of access), the erasure and the purge.
 */
import type { Deps } from '../../deps';
import type { AuditEvent } from '../../domain/audit';
import { type Broadcast, broadcastKey, type Delivery, deliveryKey } from '../../domain/broadcast';
import { legacyWaveMemberKey, type WaveMember, waveMemberKey } from '../../domain/campaign';
import { type DeviceOwner, deviceOwnerKey } from '../../domain/device-owner';
import { escalationKey } from '../../domain/escalation';
import type { Escalation } from '../../domain/escalation-model';
import { type InventoryDevice, inventoryKey, type PersonInventoryDevice } from '../../domain/inventory';
import { type Participant, participantKey } from '../../domain/participant';
import { inventoryWithoutPerson } from '../../domain/retention';
import type { EntityKey, Stored } from '../../ports/store';
import { forEachBounded, mapBounded } from '../../shared/bounded';
import { loadImportDraft } from '../admin/import-drafts';
import { USER_NAME_MAPPING_PARTITION } from '../old-mdm/file-import-mapping';
import { forgetPersonChanged, personChangedAt } from '../old-mdm/person-changes';
import { allReleases, type ReleaseRecord, releaseKey } from '../old-mdm/release-record';

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
  /** Where those delivery rows are (each broadcast spreads its rows over partitions of its own). */
  deliveryKeys: EntityKey[];
  /** The person index copies (row key → copy). */
  oldMdmByPerson: { rowKey: string; value: PersonInventoryDevice }[];
  /** The inventory rows those copies stand for. */
  oldMdmDevices: InventoryDevice[];
  /** Ids of import drafts whose content names the person. */
  draftIds: string[];
  /** Old-MDM releases of their devices. */
  releases: ReleaseRecord[];
  /** When the old-MDM sync last marked their journeys for a refresh (a marker still waiting). */
  personChangedAt?: string;
  /** Rows of the admin's user-name mapping that lead to their UPN. */
  userNameMappings: { rowKey: string; userName: string; upn: string }[];
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
  // A row of the index's earlier one-partition layout counts when the bucket has none.
  const waveMember = p?.waveId
    ? (
        (await store.waveMembers.get(waveMemberKey(p.waveId, id))) ??
        (await store.waveMembers.get(legacyWaveMemberKey(p.waveId, id)))
      )?.value
    : undefined;
  const keys = (p?.journeys ?? []).map((j) => j.deviceKey);
  const owners = await mapBounded(keys, IN_FLIGHT, (k) => store.deviceOwners.get(deviceOwnerKey(k)));
  const deviceOwners = owners.flatMap((o) =>
    o && o.value.aadObjectId.toLowerCase() === id ? [o.value] : [],
  );
  const ticket = (await store.escalations.get(escalationKey(id)))?.value;
  const broadcasts: Broadcast[] = [];
  if (everything)
    for await (const b of store.broadcasts.listPartition(broadcastKey('x').partitionKey))
      broadcasts.push(b.value);
  const found = await mapBounded(broadcasts, IN_FLIGHT, async (b) => {
    const key = deliveryKey(b, id);
    const row = await store.deliveries.get(key);
    return row ? { key, value: row.value } : undefined;
  });
  const deliveries = found.flatMap((d) => (d ? [d.value] : []));
  const deliveryKeys = found.flatMap((d) => (d ? [d.key] : []));
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
  // The purge leaves these to its own phase: one partition scan per person would not scale.
  const releases: ReleaseRecord[] = [];
  if (everything) for await (const r of allReleases(store)) if (r.person === id) releases.push(r);
  const changedAt = await personChangedAt(store, id);
  const upns = new Set(
    [p?.userPrincipalName, waveMember?.userPrincipalName, ...oldMdmDevices.map((d) => d.userPrincipalName)]
      .filter((u): u is string => !!u)
      .map((u) => u.toLowerCase()),
  );
  const userNameMappings: PersonRows['userNameMappings'] = [];
  if (everything && upns.size > 0)
    for await (const row of store.jobState.listPartition(USER_NAME_MAPPING_PARTITION)) {
      const upn = String(row.value.upn ?? '').toLowerCase();
      if (upns.has(upn))
        userNameMappings.push({ rowKey: row.key.rowKey, userName: String(row.value.userName ?? ''), upn });
    }
  return {
    aadObjectId: id,
    ...(participant ? { participant } : {}),
    ...(waveMember ? { waveMember } : {}),
    deviceOwners,
    ...(ticket ? { ticket } : {}),
    deliveries,
    deliveryKeys,
    oldMdmByPerson,
    oldMdmDevices,
    draftIds,
    releases,
    ...(changedAt !== undefined ? { personChangedAt: changedAt } : {}),
    userNameMappings,
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
    releases: rows.releases.length,
    userNames: rows.userNameMappings.length,
    waveMember: rows.waveMember ? 1 : 0,
  };
}

/**
 * Removes the person's rows other than the participant row itself (the caller tombstones or deletes
 * that): each delete is idempotent, so a crash part-way is finished by running it again. `erase`: at
 * the person's request — their old-MDM rows are marked erased (never matched to anyone again) and
 * their entries in the admin's user-name mapping go too.
 */
export async function removeDependents(
  deps: PersonDeps,
  rows: PersonRows,
  options: { waveId?: string; erase?: boolean } = {},
): Promise<void> {
  const { store } = deps;
  const id = rows.aadObjectId;
  const memberWave = options.waveId ?? rows.participant?.value.waveId;
  if (memberWave) {
    await store.waveMembers.delete(waveMemberKey(memberWave, id));
    await store.waveMembers.delete(legacyWaveMemberKey(memberWave, id));
  }
  await forEachBounded(rows.deviceOwners, IN_FLIGHT, (o) =>
    store.deviceOwners.delete(deviceOwnerKey(o.deviceKey)),
  );
  await forEachBounded(rows.deliveryKeys, IN_FLIGHT, (k) => store.deliveries.delete(k));
  // The inventory rows stay (they mirror the old MDM) without who they belong to.
  await forEachBounded(rows.oldMdmDevices, IN_FLIGHT, (d) =>
    store.oldMdmDevices.update(inventoryKey(d.source, d.vendorId), (cur) =>
      cur ? inventoryWithoutPerson(cur, options.erase === true) : undefined,
    ),
  );
  await forEachBounded(rows.oldMdmByPerson, IN_FLIGHT, (r) =>
    store.oldMdmByPerson.delete({ partitionKey: id, rowKey: r.rowKey }),
  );
  await forEachBounded(rows.releases, IN_FLIGHT, (r) =>
    store.jobState.delete(releaseKey(r.source, r.vendorId)),
  );
  if (options.erase)
    await forEachBounded(rows.userNameMappings, IN_FLIGHT, (m) =>
      store.jobState.delete({ partitionKey: USER_NAME_MAPPING_PARTITION, rowKey: m.rowKey }),
    );
  await forgetPersonChanged(store, id);
  await store.escalations.delete(escalationKey(id));
}
