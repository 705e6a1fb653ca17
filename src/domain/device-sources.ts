/**
 * One person's devices from every source: what Graph shows (Intune and Entra) and what the old MDM's
 * own inventory lists. The old MDM is the list of devices to migrate, so a device only it knows is a
 * device to move; and it is the authority on whether it still manages a device — Entra's `mdmAppId`
 * exists only when the old MDM is integrated with Entra, and can lag behind an unenrollment.
 */
import type { DeviceObservation, Management, OldMdmFact, Platform } from './device';
import { foldName, type MatchRule, platformFamily } from './device-matching';
import type { PersonInventoryDevice } from './inventory';
import type { DeviceJourney } from './journey';
import type { SourceMdm } from './source-mdm';

/** A person's device as an old-MDM source lists it, with the vendor behind that source. */
export interface OldMdmEntry {
  vendor: SourceMdm;
  device: PersonInventoryDevice;
}

const OLD_MDM_KEY_PREFIX = 'oldmdm:';

/** The journey key of a device only the old MDM knows: its source and the vendor's own id. */
export function oldMdmDeviceKey(source: string, vendorId: string): string {
  return `${OLD_MDM_KEY_PREFIX}${source}:${vendorId}`.toLowerCase();
}

export function isOldMdmKey(key: string): boolean {
  return key.startsWith(OLD_MDM_KEY_PREFIX);
}

/**
 * A person's journeys standing in for Graph's devices, where no live look-up is made (a broadcast,
 * "start" on journeys already made): each as its journey last saw it.
 */
export function journeyDevices(journeys: readonly DeviceJourney[]): DeviceObservation[] {
  return journeys.map((j) => ({
    key: j.deviceKey,
    name: j.name,
    platform: j.platform,
    management: j.lastSeen?.management ?? { kind: 'none' },
  }));
}

/** Rules that name one piece of hardware; owner + platform + name only makes it likely. */
const HARDWARE_RULES: ReadonlySet<MatchRule> = new Set(['serial', 'imei', 'udid', 'entra-device-id']);

/** Listed means the old MDM still manages it: present in its inventory and not reported unenrolled. */
export function factOf(entry: OldMdmEntry, identified: boolean): OldMdmFact {
  const d = entry.device;
  return {
    source: d.source,
    vendor: entry.vendor,
    vendorId: d.vendorId,
    listed: !d.goneAt && d.enrollment !== 'unenrolled',
    ...(d.lastSeen ? { lastSeen: d.lastSeen } : {}),
    identified,
  };
}

/**
 * Who manages the device once the old MDM's word is added to Graph's. Listed by the old MDM and
 * enrolled in Intune is dual enrollment only when a hardware identifier ties the two records; no
 * longer listed clears what Entra still says about the old MDM.
 */
export function withOldMdm(m: Management, fact: OldMdmFact | undefined): Management {
  if (!fact) return m;
  if (fact.listed) {
    switch (m.kind) {
      case 'intune':
        return fact.identified ? { ...m, alsoOldMdm: fact.source } : m;
      case 'partner':
        return { ...m, oldMdm: fact.source };
      case 'none':
        return { kind: 'partner', oldMdm: fact.source };
    }
  }
  switch (m.kind) {
    case 'intune':
      return { kind: 'intune' };
    case 'partner':
      return { kind: 'none' };
    case 'none':
      return m;
  }
}

const nameKey = (platform: Platform, name: string | undefined): string | undefined => {
  const folded = foldName(name);
  return folded ? `${platformFamily(platform)}\u0000${folded}` : undefined;
};

/**
 * Which of the person's Graph devices each old-MDM entry is. The matching pass decides where it could
 * (an identifier, or person + platform + name); an entry it left unmatched — typically a device the
 * old MDM manages that Entra lists without hardware ids or owner, or one enrolled in Intune since the
 * last pass — is this person's device of the same platform and name when exactly one of their Graph
 * devices fits and no other entry competes for it. Ambiguous entries are never placed here.
 */
export function attachToGraph<E extends { device: PersonInventoryDevice }>(
  oldMdm: readonly E[],
  devices: readonly Pick<DeviceObservation, 'key' | 'platform' | 'name'>[],
): Map<E, { key: string; identified: boolean }> {
  const keys = new Set(devices.map((d) => d.key));
  const attached = new Map<E, { key: string; identified: boolean }>();
  for (const e of oldMdm) {
    const m = e.device.match;
    if (m?.kind === 'matched' && keys.has(m.candidateKey))
      attached.set(e, { key: m.candidateKey, identified: HARDWARE_RULES.has(m.by) });
  }
  const taken = new Set([...attached.values()].map((a) => a.key));
  for (const e of oldMdm) {
    if (attached.has(e) || e.device.match?.kind === 'ambiguous') continue;
    const wanted = nameKey(e.device.platform, e.device.name);
    if (!wanted) continue;
    const fits = devices.filter((d) => !taken.has(d.key) && nameKey(d.platform, d.name) === wanted);
    const rivals = oldMdm.filter(
      (o) => o !== e && !attached.has(o) && nameKey(o.device.platform, o.device.name) === wanted,
    );
    if (fits.length === 1 && rivals.length === 0) {
      attached.set(e, { key: fits[0]!.key, identified: false });
      taken.add(fits[0]!.key);
    }
  }
  return attached;
}

function ownershipOf(d: PersonInventoryDevice): DeviceObservation['ownership'] {
  // A supervised device's profile cannot be removed by its user, whoever paid for it.
  if (d.supervised || d.ownership === 'corporate' || d.ownership === 'shared') return 'company';
  return d.ownership === 'personal' ? 'personal' : undefined;
}

/**
 * The person's devices from every source. Graph devices carry the old MDM's word when an entry is
 * theirs (and the entries' keys as `formerKeys`, so a journey begun on an old-MDM-only device carries
 * on once Intune shows it). Entries no Graph device accounts for become devices of their own while the
 * old MDM lists them — or, once it no longer does, while a journey still follows them (`tracked`), so
 * that journey learns the device has left.
 */
export function mergeSources(
  graph: readonly DeviceObservation[],
  oldMdm: readonly OldMdmEntry[],
  tracked: ReadonlySet<string> = new Set(),
): DeviceObservation[] {
  const attached = attachToGraph(oldMdm, graph);
  const byGraphKey = new Map<string, { entry: OldMdmEntry; identified: boolean }[]>();
  for (const [entry, a] of attached) {
    const list = byGraphKey.get(a.key) ?? [];
    list.push({ entry, identified: a.identified });
    byGraphKey.set(a.key, list);
  }
  const merged = graph.map((d): DeviceObservation => {
    const entries = byGraphKey.get(d.key);
    if (!entries) return d;
    // Several sources may list one device; the one still managing it is the one that matters.
    const chosen =
      entries.find((e) => factOf(e.entry, e.identified).listed && e.identified) ??
      entries.find((e) => factOf(e.entry, e.identified).listed) ??
      entries[0]!;
    const fact = factOf(chosen.entry, chosen.identified);
    return {
      ...d,
      ...(d.ownership ? {} : { ownership: ownershipOf(chosen.entry.device) }),
      management: withOldMdm(d.management, fact),
      oldMdm: fact,
      formerKeys: entries.map((e) => oldMdmDeviceKey(e.entry.device.source, e.entry.device.vendorId)),
    };
  });
  for (const entry of oldMdm) {
    if (attached.has(entry)) continue;
    const fact = factOf(entry, false);
    const key = oldMdmDeviceKey(entry.device.source, entry.device.vendorId);
    if (!fact.listed && !tracked.has(key)) continue;
    const ownership = ownershipOf(entry.device);
    merged.push({
      key,
      name: entry.device.name ?? '',
      platform: entry.device.platform,
      ...(ownership ? { ownership } : {}),
      management: fact.listed ? { kind: 'partner', oldMdm: fact.source } : { kind: 'none' },
      oldMdm: fact,
    });
  }
  return merged;
}

/**
 * Carries journeys begun on old-MDM-only devices over to the Intune/Entra device they turned out to
 * be: by the device's `formerKeys`, else — the old MDM's record may be long gone by the time the
 * device enrolls — by platform and name, when exactly one such journey and one such device fit.
 * Returns the journeys unchanged (the same array) when nothing moves.
 */
export function adoptJourneys(
  journeys: readonly DeviceJourney[],
  devices: readonly DeviceObservation[],
): readonly DeviceJourney[] {
  const seen = new Set(devices.map((d) => d.key.toLowerCase()));
  const tracked = new Set(journeys.map((j) => j.deviceKey.toLowerCase()));
  const orphan = (j: DeviceJourney) => isOldMdmKey(j.deviceKey) && !seen.has(j.deviceKey.toLowerCase());
  let next: DeviceJourney[] | undefined;
  const rekey = (index: number, key: string) => {
    next ??= [...journeys];
    next[index] = { ...next[index]!, deviceKey: key };
    tracked.add(key.toLowerCase());
  };
  const newcomers = devices.filter((d) => !isOldMdmKey(d.key) && !tracked.has(d.key.toLowerCase()));
  for (const d of newcomers) {
    const former = new Set((d.formerKeys ?? []).map((k) => k.toLowerCase()));
    const index = (next ?? journeys).findIndex((j) => former.has(j.deviceKey.toLowerCase()) && orphan(j));
    if (index >= 0) rekey(index, d.key);
  }
  for (const d of newcomers) {
    if (tracked.has(d.key.toLowerCase())) continue;
    const wanted = nameKey(d.platform, d.name);
    if (!wanted) continue;
    const current = next ?? journeys;
    const fits = current.flatMap((j, i) => (orphan(j) && nameKey(j.platform, j.name) === wanted ? [i] : []));
    const rivals = newcomers.filter((o) => o !== d && nameKey(o.platform, o.name) === wanted);
    if (fits.length === 1 && rivals.length === 0) rekey(fits[0]!, d.key);
  }
  return next ?? journeys;
}

/**
 * The old-MDM entries that may be this journey's device, before Graph has answered: its own entry,
 * entries the matching pass tied to it, and unplaced entries of the same platform and name.
 */
export function entriesOfJourney<E extends OldMdmEntry>(
  journey: Pick<DeviceJourney, 'deviceKey' | 'platform' | 'name'>,
  entries: readonly E[],
): E[] {
  const key = journey.deviceKey.toLowerCase();
  const wanted = nameKey(journey.platform, journey.name);
  return entries.filter((e) => {
    const m = e.device.match;
    if (oldMdmDeviceKey(e.device.source, e.device.vendorId) === key) return true;
    if (m?.kind === 'matched') return m.candidateKey.toLowerCase() === key;
    return (
      m?.kind !== 'ambiguous' && wanted !== undefined && nameKey(e.device.platform, e.device.name) === wanted
    );
  });
}
