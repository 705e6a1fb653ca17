/**
 * Releasing a corporate device from the old MDM (Workspace ONE Enterprise Wipe, Jamf remove MDM
 * profile / unmanage) on a helpdesk member's or an admin's word. Refused when release is off for the
 * device's source (OLD_MDM_ALLOW_RELEASE), when the device is not corporate or supervised (its user
 * removes it), and when the old MDM no longer lists it. The durable record (release-record.ts) makes
 * it idempotent; the journey moves only once the old MDM itself says it no longer manages the device.
 */
import type { Deps } from '../../deps';
import { entriesOfJourney, type OldMdmEntry } from '../../domain/device-sources';
import type { DeviceJourney } from '../../domain/journey';
import { type Participant, participantKey } from '../../domain/participant';
import { SourceMdmError } from '../../ports/source-mdm';
import { type AuditActor, recordAudit } from '../audit';
import { oldMdmEntriesOf } from '../devices/device-facts';
import { recheckOldMdm } from './live-check';
import { afterConfirmed } from './release-notify';
import { claimRelease, type ReleaseRecord, releaseOf, updateRelease } from './release-record';

/** What the device is, found from storage (never from card data beyond the two ids). */
export interface ReleaseTarget {
  participant: Participant;
  journey: DeviceJourney;
  entry: OldMdmEntry;
}

export type TargetRefusal = 'no-device' | 'not-listed' | 'not-corporate' | 'release-off';

export type TargetLookup =
  | { ok: true; target: ReleaseTarget }
  | { ok: false; reason: TargetRefusal; vendor?: OldMdmEntry['vendor']; deviceName?: string };

/** Still managed by the old MDM as far as the stored inventory knows. */
export function stillListed(entry: OldMdmEntry): boolean {
  return !entry.device.goneAt && entry.device.enrollment !== 'unenrolled';
}

/** Corporate, shared or supervised: the devices whose users cannot remove the old MDM themselves. */
export function isCompanyDevice(entry: OldMdmEntry): boolean {
  const d = entry.device;
  return d.supervised === true || d.ownership === 'corporate' || d.ownership === 'shared';
}

/** The device behind a journey, with the refusals that apply before anything is claimed or sent. */
export async function findReleaseTarget(
  deps: Pick<Deps, 'store' | 'config' | 'oldMdmRelease'>,
  person: string,
  deviceKey: string,
): Promise<TargetLookup> {
  const participant = (await deps.store.participants.get(participantKey(person)))?.value;
  const wanted = deviceKey.toLowerCase();
  const journey = participant?.journeys?.find((j) => j.deviceKey.toLowerCase() === wanted);
  if (!participant || !journey) return { ok: false, reason: 'no-device' };
  const entries = entriesOfJourney(journey, await oldMdmEntriesOf(deps, participant.aadObjectId));
  const listed = entries.filter(stillListed);
  const first = listed[0] ?? entries[0];
  const named = { deviceName: journey.name, ...(first ? { vendor: first.vendor } : {}) };
  if (listed.length === 0) return { ok: false, reason: 'not-listed', ...named };
  const releasable = listed.find((e) => deps.oldMdmRelease?.has(e.device.source));
  if (!releasable) return { ok: false, reason: 'release-off', ...named };
  if (!isCompanyDevice(releasable))
    return { ok: false, reason: 'not-corporate', deviceName: journey.name, vendor: releasable.vendor };
  return { ok: true, target: { participant, journey, entry: releasable } };
}

export type ReleaseAnswer =
  /** The old MDM confirmed: it no longer manages the device (or already did not). */
  | { kind: 'confirmed'; record: ReleaseRecord }
  /** Accepted; the device acts on it when it next checks in. */
  | { kind: 'sent'; record: ReleaseRecord }
  /** Someone else's release of this device is in progress or done: nothing was sent again. */
  | { kind: 'already'; record: ReleaseRecord }
  | { kind: 'failed'; record: ReleaseRecord; failure: string; missing?: string }
  | { kind: 'refused'; reason: TargetRefusal };

/** The record a new release starts with. */
export function newRecord(
  target: { journey: { deviceKey: string; name?: string }; entry: OldMdmEntry; person: string },
  actor: AuditActor,
  now: Date,
  state: 'queued' | 'requested' = 'requested',
  bulkId?: string,
): ReleaseRecord {
  const d = target.entry.device;
  return {
    state,
    source: d.source,
    vendorId: d.vendorId,
    platform: d.platform,
    person: target.person.toLowerCase(),
    deviceKey: target.journey.deviceKey,
    ...(target.journey.name ? { deviceName: target.journey.name } : {}),
    by: actor.aadObjectId.toLowerCase(),
    ...(actor.name ? { byName: actor.name } : {}),
    requestedAt: now.toISOString(),
    ...(bulkId ? { bulkId } : {}),
  };
}

/** Claims the device's release and sends the command; one answer per press, whatever the race. */
export async function requestRelease(
  deps: Deps,
  target: ReleaseTarget,
  actor: AuditActor,
): Promise<ReleaseAnswer> {
  const now = deps.clock.now();
  const record = newRecord({ ...target, person: target.participant.aadObjectId }, actor, now);
  const claim = await claimRelease(deps.store, record, now);
  if (!claim.ok) {
    deps.logger.info(
      { source: record.source, state: claim.current.state },
      'release already claimed; nothing sent',
    );
    return { kind: 'already', record: claim.current };
  }
  await recordAudit(deps.store, {
    at: now,
    actor,
    action: 'old-mdm.release.requested',
    target: `${record.source}:${record.vendorId}`,
    after: { person: record.person, deviceKey: record.deviceKey },
  });
  return sendClaimed(deps, claim.record);
}

/**
 * Sends the command of a claimed record and records what the old MDM answered; then asks it at
 * once whether the device has left (a device that is online acts on the command within seconds).
 * Used by a press, by the bulk runner and by the job that takes over claims of a dead instance.
 */
export async function sendClaimed(deps: Deps, claimed: ReleaseRecord): Promise<ReleaseAnswer> {
  const log = deps.logger.child({ feature: 'old-mdm-release', source: claimed.source });
  const client = deps.oldMdmRelease?.get(claimed.source);
  const at = () => deps.clock.now().toISOString();
  if (!client) {
    const failed = await markFailed(deps, claimed, 'release-off', 'OLD_MDM_ALLOW_RELEASE');
    return { kind: 'failed', record: failed, failure: 'release-off', missing: 'OLD_MDM_ALLOW_RELEASE' };
  }
  let sent: ReleaseRecord | undefined;
  try {
    const result = await client.release({
      vendorId: claimed.vendorId,
      platform: claimed.platform as ReleaseTarget['journey']['platform'],
    });
    sent = await updateRelease(deps.store, claimed.source, claimed.vendorId, (cur) =>
      cur.state === 'requested' || cur.state === 'queued'
        ? {
            ...cur,
            state: 'sent',
            sentAt: at(),
            outcome: result.outcome,
            ...(result.commandId ? { commandId: result.commandId } : {}),
          }
        : undefined,
    );
    log.info({ outcome: result.outcome }, 'old MDM release command answered');
  } catch (err) {
    const failure = err instanceof SourceMdmError ? err.failure : 'unavailable';
    const missing = err instanceof SourceMdmError ? err.missing : undefined;
    log.warn({ err, failure }, 'old MDM release failed');
    const failed = await markFailed(deps, claimed, failure, missing);
    return { kind: 'failed', record: failed, failure, ...(missing ? { missing } : {}) };
  }
  const current = sent ?? (await releaseOf(deps.store, claimed.source, claimed.vendorId)) ?? claimed;
  return (await confirmIfGone(deps, current)) ?? { kind: 'sent', record: current };
}

async function markFailed(
  deps: Deps,
  claimed: ReleaseRecord,
  failure: string,
  missing: string | undefined,
): Promise<ReleaseRecord> {
  const now = deps.clock.now();
  const failed = await updateRelease(deps.store, claimed.source, claimed.vendorId, (cur) => {
    const { missing: _m, failure: _f, ...rest } = cur;
    return cur.state === 'confirmed'
      ? undefined
      : { ...rest, state: 'failed', failedAt: now.toISOString(), failure, ...(missing ? { missing } : {}) };
  });
  await recordAudit(deps.store, {
    at: now,
    actor: { aadObjectId: claimed.by, ...(claimed.byName ? { name: claimed.byName } : {}) },
    action: 'old-mdm.release.failed',
    target: `${claimed.source}:${claimed.vendorId}`,
    reason: missing ? `${failure}: ${missing}` : failure,
  });
  return failed ?? { ...claimed, state: 'failed', failure };
}

/**
 * Asks the old MDM whether a sent release took effect (writing its answer back to the inventory, as
 * "Check my device" does). The first caller to see it gone marks the record confirmed and moves the
 * journey; every later one finds it confirmed and does nothing.
 */
export async function confirmIfGone(
  deps: Deps,
  record: ReleaseRecord,
): Promise<{ kind: 'confirmed'; record: ReleaseRecord } | undefined> {
  if (record.state !== 'sent') return undefined;
  const entries = (await oldMdmEntriesOf(deps, record.person)).filter(
    (e) => e.device.source === record.source && e.device.vendorId === record.vendorId,
  );
  const gone =
    entries.length === 0
      ? record.outcome === 'already-gone'
      : (await recheckOldMdm(deps, record.person, entries)).every((e) => !stillListed(e));
  if (!gone) return undefined;
  let flipped = false;
  const confirmed = await updateRelease(deps.store, record.source, record.vendorId, (cur) => {
    if (cur.state !== 'sent') return undefined;
    flipped = true;
    return { ...cur, state: 'confirmed', confirmedAt: deps.clock.now().toISOString() };
  });
  if (!flipped || !confirmed) return undefined;
  await recordAudit(deps.store, {
    at: deps.clock.now(),
    actor: { aadObjectId: record.by, ...(record.byName ? { name: record.byName } : {}) },
    action: 'old-mdm.release.confirmed',
    target: `${record.source}:${record.vendorId}`,
    after: { outcome: record.outcome ?? 'released' },
  });
  await afterConfirmed(deps, confirmed);
  return { kind: 'confirmed', record: confirmed };
}
