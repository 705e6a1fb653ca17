/**
 * Which Intune/Entra device, and which person, each device the old MDM lists is. Pure and
 * deterministic: the same inputs in any order give the same answer.
 *
 * Rules, strongest first: serial number, IMEI/MEID, UDID or Entra device id, then the person +
 * platform + device name. The first rule whose key the old device has and that finds anything
 * decides. A key shared by two candidates, or by two old devices, is ambiguous and listed for an
 * admin; a weaker rule never overrides a stronger identifier that disagrees; a candidate is never
 * given to two old devices. Nothing is guessed: no candidate means unmatched.
 */
import type { Platform } from './device';
import { normaliseIdentifier, type OldMdmDevice } from './old-mdm';

/** A device as Graph shows it (Intune managedDevice and/or Entra device). */
export interface MatchCandidate {
  /** DeviceObservation.key: the Entra deviceId when known, else the Intune managed device id. */
  key: string;
  name?: string;
  platform: Platform;
  serialNumber?: string;
  imei?: string;
  meid?: string;
  udid?: string;
  entraDeviceId?: string;
  userPrincipalName?: string;
  /** The Entra object id of the device's primary user or registered owner. */
  ownerId?: string;
}

export interface Person {
  /** Entra object id. */
  id: string;
  userPrincipalName: string;
  mail?: string;
}

/** People by UPN, by mail and by an admin's mapping of old-MDM user names; built by `indexPeople`. */
export interface PersonIndex {
  readonly byUpn: ReadonlyMap<string, Person>;
  readonly byId: ReadonlyMap<string, Person>;
  /** `null`: two people share the address, so it identifies nobody. */
  readonly byMail: ReadonlyMap<string, Person | null>;
  /** Old MDM user name (lower case) → UPN (lower case). */
  readonly mapping: ReadonlyMap<string, string>;
}

export type MatchRule = 'serial' | 'imei' | 'udid' | 'entra-device-id' | 'user-platform-name';

export type AmbiguityReason =
  /** The deciding key points at more than one Intune/Entra device. */
  | 'several-candidates'
  /** More than one old-MDM device carries the deciding key. */
  | 'several-old-devices'
  /** The only candidate is already another old device's match, or contested by one. */
  | 'candidate-taken';

export type DeviceMatchResult =
  | { kind: 'matched'; candidateKey: string; by: MatchRule; confidence: number }
  | { kind: 'ambiguous'; candidates: string[]; by: MatchRule; reason: AmbiguityReason }
  | { kind: 'unmatched' };

export type PersonMatch = { person: Person; by: 'upn' | 'mail' | 'mapping' };

export type PersonMissReason =
  /** The old MDM names no user for the device. */
  | 'no-user'
  /** No UPN, mail or mapping entry fits. */
  | 'not-found'
  /** The address is the mail of more than one person. */
  | 'ambiguous-mail'
  /** The admin's mapping names a UPN that is not among the people. */
  | 'mapping-target-unknown';

export interface DeviceMatch {
  device: OldMdmDevice;
  result: DeviceMatchResult;
  person?: PersonMatch;
  /** Why `person` is absent. */
  personMissing?: PersonMissReason;
}

export interface MatchOutcome {
  /** One per old device, in input order. */
  matches: DeviceMatch[];
  counts: { matched: number; ambiguous: number; unmatched: number; byRule: Record<MatchRule, number> };
}

export interface MatchOptions {
  /** Confidence of a user + platform + name match with the exact same name (default 0.8). */
  exactNameConfidence?: number;
  /** … with a name that differs only in case, spacing or punctuation (default 0.6). */
  similarNameConfidence?: number;
}

/** A hardware or directory identifier names exactly one device. */
const IDENTIFIER_CONFIDENCE = 1;

export function indexPeople(
  people: readonly Person[],
  mapping: Readonly<Record<string, string>> = {},
): PersonIndex {
  const byUpn = new Map<string, Person>();
  const byId = new Map<string, Person>();
  const byMail = new Map<string, Person | null>();
  for (const p of people) {
    byUpn.set(p.userPrincipalName.toLowerCase(), p);
    byId.set(p.id, p);
    const mail = p.mail?.toLowerCase();
    if (mail) byMail.set(mail, byMail.has(mail) && byMail.get(mail)?.id !== p.id ? null : p);
  }
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(mapping))
    map.set(from.trim().toLowerCase(), to.trim().toLowerCase());
  return { byUpn, byId, byMail, mapping: map };
}

/** The person an old-MDM device belongs to: by UPN, then by mail, then by the admin's mapping. */
export function findPerson(
  device: Pick<OldMdmDevice, 'userPrincipalName' | 'userEmail' | 'userName'>,
  people: PersonIndex,
): { match: PersonMatch } | { missing: PersonMissReason } {
  const upn = device.userPrincipalName?.trim().toLowerCase() || undefined;
  const email = device.userEmail?.trim().toLowerCase() || undefined;
  const userName = device.userName?.trim().toLowerCase() || undefined;
  if (!upn && !email && !userName) return { missing: 'no-user' };
  const byUpn = upn && people.byUpn.get(upn);
  if (byUpn) return { match: { person: byUpn, by: 'upn' } };
  // Exports often carry the sign-in address in the mail column, or the mail in the user column.
  let ambiguousMail = false;
  for (const address of [email, upn]) {
    if (!address) continue;
    const byMail = people.byMail.get(address);
    if (byMail) return { match: { person: byMail, by: 'mail' } };
    if (byMail === null) ambiguousMail = true;
    const mailIsUpn = address === email ? people.byUpn.get(address) : undefined;
    if (mailIsUpn) return { match: { person: mailIsUpn, by: 'mail' } };
  }
  if (ambiguousMail) return { missing: 'ambiguous-mail' };
  for (const name of [userName, upn, email]) {
    const target = name && people.mapping.get(name);
    if (!target) continue;
    const mapped = people.byUpn.get(target);
    return mapped ? { match: { person: mapped, by: 'mapping' } } : { missing: 'mapping-target-unknown' };
  }
  return { missing: 'not-found' };
}

// ---------------------------------------------------------------------------------------------
// Keys

/** IMEIs are written with or without their Luhn check digit: compare the first 14 digits. */
function imeiKey(value: string | undefined): string | undefined {
  const v = normaliseIdentifier(value);
  return v && /^\d{15}$/.test(v) ? v.slice(0, 14) : v;
}

/** Entra device ids are GUIDs, written in either case and with or without braces. */
export function guidKey(value: string | undefined): string | undefined {
  return normaliseIdentifier(value?.replace(/[{}]/g, ''));
}

/** Names compared without case, accents, spacing or punctuation ("Alex’s iPad" = "alexs ipad"). */
export function foldName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  // Most names are ASCII; the Unicode path costs several times more per name.
  const v = ASCII.test(name)
    ? name.toLowerCase().replace(/[^a-z0-9]/g, '')
    : name
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]/gu, '');
  return v ? v : undefined;
}

const ASCII = /^[\x20-\x7e]*$/;

/** Apple reports iPads as iOS in several old MDMs (Workspace ONE's "Apple"), so they share a family. */
export function platformFamily(platform: Platform): string {
  return platform === 'ipados' ? 'ios' : platform;
}

interface Keys {
  serial?: string;
  imeis: readonly string[];
  udid?: string;
  entra?: string;
}

/** Most devices have no IMEI: one shared empty list rather than one per device. */
const NO_IMEIS: readonly string[] = [];

function oldKeys(d: OldMdmDevice): Keys {
  const imei = imeiKey(d.imei);
  return {
    serial: normaliseIdentifier(d.serialNumber),
    imeis: imei ? [imei] : NO_IMEIS,
    udid: normaliseIdentifier(d.udid),
    entra: guidKey(d.entraDeviceId),
  };
}

function candidateKeys(c: MatchCandidate): Keys {
  const imeis = [imeiKey(c.imei), imeiKey(c.meid)].filter((v): v is string => v !== undefined);
  return {
    serial: normaliseIdentifier(c.serialNumber),
    imeis: [...new Set(imeis)],
    udid: normaliseIdentifier(c.udid),
    entra: guidKey(c.entraDeviceId),
  };
}

const TIERS = ['serial', 'imei', 'device-id', 'name'] as const;
type Tier = (typeof TIERS)[number];

/** Whether two records carry the same kind of identifier with different values, at a rule stronger than `tier`. */
function contradicts(a: Keys, b: Keys, tier: Tier): boolean {
  const rank = TIERS.indexOf(tier);
  if (rank > 0 && a.serial && b.serial && a.serial !== b.serial) return true;
  if (rank > 1 && a.imeis.length > 0 && b.imeis.length > 0 && !a.imeis.some((i) => b.imeis.includes(i)))
    return true;
  if (rank > 2 && a.udid && b.udid && a.udid !== b.udid) return true;
  if (rank > 2 && a.entra && b.entra && a.entra !== b.entra) return true;
  return false;
}

/** Key → indexes, one number until a second one shares the key (most keys are unique). */
class MultiMap {
  private readonly map = new Map<string, number | number[]>();
  add(key: string | undefined, index: number): void {
    if (key === undefined) return;
    const found = this.map.get(key);
    if (found === undefined) this.map.set(key, index);
    else if (typeof found === 'number') {
      if (found !== index) this.map.set(key, [found, index]);
    } else if (found[found.length - 1] !== index) found.push(index);
  }
  has(key: string | undefined): boolean {
    return key !== undefined && this.map.has(key);
  }
  get(key: string | undefined): readonly number[] {
    const found = key === undefined ? undefined : this.map.get(key);
    return found === undefined ? NONE : typeof found === 'number' ? [found] : found;
  }
  count(key: string | undefined): number {
    const found = key === undefined ? undefined : this.map.get(key);
    return found === undefined ? 0 : typeof found === 'number' ? 1 : found.length;
  }
}

const NONE: readonly number[] = [];

// ---------------------------------------------------------------------------------------------
// Matching

interface Hit {
  candidates: number[];
  by: MatchRule;
  /** Set when the deciding key is carried by more than one old device. */
  sharedOnOldSide: boolean;
  confidence: number;
}

export function matchDevices(
  oldDevices: readonly OldMdmDevice[],
  intuneSide: readonly MatchCandidate[],
  people: PersonIndex,
  options: MatchOptions = {},
): MatchOutcome {
  const exact = options.exactNameConfidence ?? 0.8;
  const similar = options.similarNameConfidence ?? 0.6;
  const oKeys = oldDevices.map(oldKeys);
  const cKeys = intuneSide.map(candidateKeys);
  const persons = oldDevices.map((d) => findPerson(d, people));
  const ownerUpn = (d: number): string | undefined => {
    const found = persons[d]!;
    if ('match' in found) return found.match.person.userPrincipalName.toLowerCase();
    const own = oldDevices[d]!.userPrincipalName?.trim().toLowerCase();
    return own?.includes('@') ? own : undefined;
  };
  const candidateUpn = (c: MatchCandidate): string | undefined =>
    c.userPrincipalName?.toLowerCase() ??
    (c.ownerId ? people.byId.get(c.ownerId)?.userPrincipalName.toLowerCase() : undefined);
  const nameKey = (upn: string | undefined, platform: Platform, name: string | undefined) => {
    const folded = foldName(name);
    return upn && folded ? `${upn}\u0000${platformFamily(platform)}\u0000${folded}` : undefined;
  };

  // Every key on both sides, so "shared by two" is known before anything is decided.
  const cSerial = new MultiMap();
  const cImei = new MultiMap();
  const cUdid = new MultiMap();
  const cEntra = new MultiMap();
  const cName = new MultiMap();
  intuneSide.forEach((c, i) => {
    const k = cKeys[i]!;
    cSerial.add(k.serial, i);
    for (const imei of k.imeis) cImei.add(imei, i);
    cUdid.add(k.udid, i);
    cEntra.add(k.entra, i);
    cName.add(nameKey(candidateUpn(c), c.platform, c.name), i);
  });
  // Old-side keys are only counted where a candidate has them: a key no candidate shares decides nothing.
  const oSerial = new MultiMap();
  const oImei = new MultiMap();
  const oUdid = new MultiMap();
  const oEntra = new MultiMap();
  const oName = new MultiMap();
  // Only name keys a candidate shares are kept: the others decide nothing, and at 100,000 devices
  // they are some 10 MB of strings held through every tier.
  const oNameKeys = oldDevices.map((d, i) => {
    const key = nameKey(ownerUpn(i), d.platform, d.name);
    return cName.has(key) ? key : undefined;
  });
  oKeys.forEach((k, i) => {
    if (cSerial.has(k.serial)) oSerial.add(k.serial, i);
    for (const imei of k.imeis) if (cImei.has(imei)) oImei.add(imei, i);
    if (cUdid.has(k.udid)) oUdid.add(k.udid, i);
    if (cEntra.has(k.entra)) oEntra.add(k.entra, i);
    if (cName.has(oNameKeys[i])) oName.add(oNameKeys[i], i);
  });

  const keep = (k: Keys, list: readonly number[], tier: Tier) =>
    list.length === 0 ? list : list.filter((c) => !contradicts(k, cKeys[c]!, tier));
  const hitAt = (d: number, tier: Tier): Hit | undefined => {
    const k = oKeys[d]!;
    if (tier === 'serial') {
      const found = cSerial.get(k.serial);
      return found.length ? hit(found, 'serial', oSerial.count(k.serial) > 1) : undefined;
    }
    if (tier === 'imei') {
      if (!k.imeis.some((imei) => cImei.has(imei))) return undefined;
      const found = keep(
        k,
        k.imeis.flatMap((imei) => cImei.get(imei)),
        tier,
      );
      return found.length
        ? hit(
            found,
            'imei',
            k.imeis.some((imei) => oImei.count(imei) > 1),
          )
        : undefined;
    }
    if (tier === 'device-id') {
      if (!cUdid.has(k.udid) && !cEntra.has(k.entra)) return undefined;
      const byUdid = keep(k, cUdid.get(k.udid), tier);
      const byEntra = keep(k, cEntra.get(k.entra), tier);
      const found = [...byUdid, ...byEntra];
      if (!found.length) return undefined;
      const shared =
        (byUdid.length > 0 && oUdid.count(k.udid) > 1) || (byEntra.length > 0 && oEntra.count(k.entra) > 1);
      return hit(found, byUdid.length ? 'udid' : 'entra-device-id', shared);
    }
    const key = oNameKeys[d];
    if (!cName.has(key)) return undefined;
    const found = keep(k, cName.get(key), tier);
    if (!found.length) return undefined;
    const sameName = found.length === 1 && intuneSide[found[0]!]!.name === oldDevices[d]!.name;
    return hit(found, 'user-platform-name', oName.count(key) > 1, sameName ? exact : similar);
  };

  const results: (DeviceMatchResult | undefined)[] = oldDevices.map(() => undefined);
  /** Candidates matched or contested at a stronger rule: a weaker rule may not hand them out. */
  const taken = new Set<number>();
  let pending = oldDevices.map((_, d) => d);
  for (const tier of TIERS) {
    const hits = new Map<number, Hit>();
    const claims = new Map<number, number>();
    for (const d of pending) {
      const h = hitAt(d, tier);
      if (!h) continue;
      hits.set(d, h);
      for (const c of h.candidates) claims.set(c, (claims.get(c) ?? 0) + 1);
    }
    const contested: number[] = [];
    for (const [d, h] of hits) {
      const only = h.candidates[0]!;
      const keys = () => h.candidates.map((c) => intuneSide[c]!.key).sort();
      if (h.candidates.length > 1) {
        results[d] = { kind: 'ambiguous', candidates: keys(), by: h.by, reason: 'several-candidates' };
      } else if (h.sharedOnOldSide) {
        results[d] = { kind: 'ambiguous', candidates: keys(), by: h.by, reason: 'several-old-devices' };
      } else if (taken.has(only) || claims.get(only)! > 1) {
        results[d] = { kind: 'ambiguous', candidates: keys(), by: h.by, reason: 'candidate-taken' };
      } else {
        results[d] = {
          kind: 'matched',
          candidateKey: intuneSide[only]!.key,
          by: h.by,
          confidence: h.confidence,
        };
      }
      contested.push(...h.candidates);
    }
    for (const c of contested) taken.add(c);
    pending = pending.filter((d) => !hits.has(d));
  }

  const byRule: Record<MatchRule, number> = {
    serial: 0,
    imei: 0,
    udid: 0,
    'entra-device-id': 0,
    'user-platform-name': 0,
  };
  const counts = { matched: 0, ambiguous: 0, unmatched: 0, byRule };
  const matches = oldDevices.map((device, d): DeviceMatch => {
    const result = results[d] ?? { kind: 'unmatched' };
    counts[result.kind]++;
    if (result.kind === 'matched') byRule[result.by]++;
    const found = persons[d]!;
    return 'match' in found
      ? { device, result, person: found.match }
      : { device, result, personMissing: found.missing };
  });
  return { matches, counts };
}

function hit(
  candidates: readonly number[],
  by: MatchRule,
  sharedOnOldSide: boolean,
  confidence = IDENTIFIER_CONFIDENCE,
): Hit {
  const unique = candidates.length === 1 ? [candidates[0]!] : [...new Set(candidates)];
  return { candidates: unique, by, sharedOnOldSide, confidence };
}
