/**
 * From what changed in the device directory to new journeys, as pure functions: the background
 * refresh learns which device records changed (not the whole picture of each user), and moves the
 * journeys those records belong to — or says that only a full look-up of the user can tell.
 */
import { sameJson } from './canonical';
import { type ComplianceState, type DeviceObservation, INTUNE_MDM_APP_ID, managementOf } from './device';
import { adoptJourneys, isOldMdmKey } from './device-sources';
import type { DeviceJourney, EnrollmentFailure, GraphView, JourneyEffect, TransitionResult } from './journey';
import { graphViewOf } from './journey-observation';
import { openJourney, transition } from './journey-transition';
import { type Participant, withPendingEscalations } from './participant';

/** An Intune record that changed. */
export interface IntuneChange {
  /** The journey key of the device: its Entra deviceId when Intune knows it, else Intune's id (lower case). */
  deviceKey: string;
  /** The user the device is enrolled for. */
  userId?: string;
  managedDeviceId: string;
  complianceState?: ComplianceState;
}

/** An Entra record that changed. Entra names no user: the device owner index finds the participant. */
export interface EntraChange {
  /** The Entra deviceId (lower case), which is the journey key. */
  deviceKey: string;
  record: NonNullable<DeviceObservation['entra']>;
}

/** A failed enrollment attempt, not yet pinned on a device. */
export interface EnrollmentFailureReport {
  id: string;
  /** ISO instant of the attempt. */
  at: string;
  userId?: string;
  /** The Entra deviceId, when the attempt got that far. */
  deviceId?: string;
  managedDeviceId?: string;
  category?: string;
  reason?: string;
}

/** What changed for one participant, keyed by device key. */
export interface ParticipantChanges {
  intune: ReadonlyMap<string, IntuneChange>;
  entra: ReadonlyMap<string, EntraChange>;
  failures: readonly EnrollmentFailureReport[];
}

/** An effect of one device's journey, with the device it concerns. */
export type DeviceEffect = JourneyEffect & { deviceKey: string };

export type JourneyAdvance =
  | { kind: 'look-up' }
  | {
      kind: 'advanced';
      participant: Participant;
      changed: boolean;
      effects: DeviceEffect[];
      devicesChanged: number;
      created: number;
    };

/**
 * Applies one participant's changes to their journeys. With a full look-up, every looked-up device is
 * observed (new ones get a journey); without one, each changed device is observed from its changed
 * record(s) plus what its journey last saw for the side that did not change. Returns 'look-up' when
 * that is not enough: a device with no journey, or records that contradict the journey's last view.
 */
export function advanceJourneys(
  current: Participant,
  changes: ParticipantChanges,
  looked: readonly DeviceObservation[] | undefined,
  now: Date,
): JourneyAdvance {
  const before = current.journeys;
  // A device only the old MDM knew may have just shown up in Intune or Entra: its journey carries on.
  const adopted = looked && before ? adoptJourneys(before, looked) : before;
  const journeys = [...(adopted ?? [])];
  const index = new Map(journeys.map((j, i) => [j.deviceKey.toLowerCase(), i]));
  const effects: DeviceEffect[] = [];
  let devicesChanged = 0;
  let created = 0;
  const failures = attributeFailures(changes.failures, journeys, looked);
  if (failures === 'look-up') return { kind: 'look-up' };

  const record = (key: string, i: number | undefined, result: TransitionResult): void => {
    const previous = i === undefined ? undefined : journeys[i];
    if (i === undefined) {
      journeys.push(result.journey);
      index.set(key, journeys.length - 1);
      created++;
    } else journeys[i] = result.journey;
    if (!previous || !sameJourney(previous, result.journey)) devicesChanged++;
    for (const e of result.effects)
      if (e.kind !== 'rejected') effects.push({ ...e, deviceKey: result.journey.deviceKey });
  };

  if (looked) {
    for (const device of looked) {
      const key = device.key.toLowerCase();
      const i = index.get(key);
      const f = failures.get(key);
      if (i === undefined) record(key, i, openJourney(device, now, f));
      else record(key, i, transition(journeys[i], { kind: 'observed', view: graphViewOf(device, f) }, now));
    }
  } else {
    const keys = new Set([...changes.intune.keys(), ...changes.entra.keys(), ...failures.keys()]);
    for (const key of keys) {
      const i = index.get(key);
      if (i === undefined) return { kind: 'look-up' };
      const view = partialView(
        journeys[i],
        changes.intune.get(key),
        changes.entra.get(key),
        failures.get(key),
      );
      if (view === 'look-up') return { kind: 'look-up' };
      record(key, i, transition(journeys[i], { kind: 'observed', view }, now));
    }
  }

  const changed = before === undefined || adopted !== before || devicesChanged > 0 || effects.length > 0;
  if (!changed) return { kind: 'advanced', participant: current, changed, effects, devicesChanged, created };
  const at = now.toISOString();
  const escalations = effects
    .filter((e) => e.kind === 'escalate')
    .map((e) => ({ reason: e.reason, deviceKey: e.deviceKey, detail: e.detail, at }));
  const cardChanged = effects.some((e) => e.kind === 'card-changed');
  const participant: Participant = {
    ...current,
    journeys,
    version: current.version + 1,
    observedAt: at,
    ...(cardChanged ? { journeyVersion: (current.journeyVersion ?? 0) + 1 } : {}),
  };
  return {
    kind: 'advanced',
    participant: withPendingEscalations(participant, escalations),
    changed,
    effects,
    devicesChanged,
    created,
  };
}

/**
 * The view of a device from the records that changed; the side that did not change is rebuilt from
 * the journey's last snapshot. Intune's record is trusted to still exist when the journey last saw
 * one, unless the new Entra record says otherwise — then only a full look-up can tell.
 */
export function partialView(
  journey: DeviceJourney,
  intune: IntuneChange | undefined,
  entra: EntraChange | undefined,
  failures: EnrollmentFailure[] | undefined,
): GraphView | 'look-up' {
  const last = journey.lastSeen;
  // Graph's records alone cannot rebuild a view that the old MDM's inventory took part in.
  if (!last || last.oldMdm || isOldMdmKey(journey.deviceKey)) return 'look-up';
  const m = last.management;
  const partner = m.kind === 'partner' ? m.mdmAppId : m.kind === 'intune' ? m.alsoPartnerMdmAppId : undefined;
  // A compliance state is only ever known from an Intune record.
  const hadIntuneRecord = m.kind === 'intune' && last.complianceState !== undefined;
  const entraPart: NonNullable<DeviceObservation['entra']> = entra
    ? entra.record
    : {
        objectId: '',
        deviceId: journey.deviceKey,
        mdmAppId: partner ?? (m.kind === 'intune' ? INTUNE_MDM_APP_ID : null),
      };
  let intunePart: DeviceObservation['intune'];
  if (intune) {
    intunePart = {
      managedDeviceId: intune.managedDeviceId,
      complianceState: intune.complianceState ?? 'unknown',
    };
  } else if (hadIntuneRecord) {
    const expected = (partner ?? INTUNE_MDM_APP_ID).toLowerCase();
    if (entra && (entra.record.mdmAppId ?? '').toLowerCase() !== expected) return 'look-up';
    intunePart = { managedDeviceId: '', complianceState: last.complianceState ?? 'unknown' };
  }
  return {
    management: managementOf(intunePart, entraPart),
    complianceState: intunePart?.complianceState,
    ...(failures?.length ? { enrollmentFailures: failures } : {}),
  };
}

/**
 * Which device each enrollment failure is about: by Entra deviceId, else by Intune id, else — failed
 * enrollments often carry neither — the participant's only device that Intune does not manage yet.
 * A failure naming a device no journey tracks calls for a look-up (it may be a new device).
 */
export function attributeFailures(
  reports: readonly EnrollmentFailureReport[],
  journeys: readonly DeviceJourney[],
  looked: readonly DeviceObservation[] | undefined,
): Map<string, EnrollmentFailure[]> | 'look-up' {
  const out = new Map<string, EnrollmentFailure[]>();
  if (reports.length === 0) return out;
  const keys = new Set<string>([
    ...journeys.map((j) => j.deviceKey.toLowerCase()),
    ...(looked ?? []).map((d) => d.key.toLowerCase()),
  ]);
  const byManagedId = new Map<string, string>();
  for (const d of looked ?? [])
    if (d.intune) byManagedId.set(d.intune.managedDeviceId.toLowerCase(), d.key.toLowerCase());
  const notInIntune = looked
    ? looked.filter((d) => d.management.kind !== 'intune').map((d) => d.key.toLowerCase())
    : journeys.filter((j) => j.lastSeen?.management.kind !== 'intune').map((j) => j.deviceKey.toLowerCase());
  for (const e of reports) {
    const deviceId = e.deviceId ? e.deviceId.toLowerCase() : undefined;
    const managedId = e.managedDeviceId ? e.managedDeviceId.toLowerCase() : undefined;
    let key: string | undefined;
    if (deviceId && keys.has(deviceId)) key = deviceId;
    else if (managedId && (byManagedId.has(managedId) || keys.has(managedId)))
      key = byManagedId.get(managedId) ?? managedId;
    else if (deviceId && !looked) return 'look-up';
    else if (notInIntune.length === 1) key = notInIntune[0];
    if (!key) continue; // nothing to pin it on; the user's next "check my device" shows the state anyway
    const failure: EnrollmentFailure = {
      category: e.category ?? 'unknown',
      ...(e.reason ? { reason: e.reason } : {}),
      at: e.at,
    };
    out.set(key, [...(out.get(key) ?? []), failure]);
  }
  return out;
}

/** Same journey apart from when Graph was last asked: a repeated observation is no change. */
export function sameJourney(a: DeviceJourney, b: DeviceJourney): boolean {
  const strip = (j: DeviceJourney) => ({
    ...j,
    lastSeen: j.lastSeen ? { ...j.lastSeen, at: undefined } : undefined,
  });
  return a === b || sameJson(strip(a), strip(b));
}
