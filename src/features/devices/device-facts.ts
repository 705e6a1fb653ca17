/**
 * A person's devices from every source, for journeys: Graph's live answer merged with what the old
 * MDM's inventory lists for them (src/domain/device-sources.ts). Every journey path — "start",
 * "Check my device", the background refresh — goes through here, so they all see the same devices.
 */
import type { Deps } from '../../deps';
import type { DeviceObservation } from '../../domain/device';
import { entriesOfJourney, mergeSources, type OldMdmEntry } from '../../domain/device-sources';
import type { DeviceJourney } from '../../domain/journey';
import type { DirectoryUser, EnrollmentFailureEvent } from '../../ports/device-directory';
import { recheckOldMdm } from '../old-mdm/live-check';
import { oldMdmDevicesOf, vendorOfSource } from '../old-mdm/match-views';

export interface DeviceFacts {
  devices: DeviceObservation[];
  failures: EnrollmentFailureEvent[];
}

/**
 * A person's old-MDM entries, each with its vendor. Unlike the device list's read, a storage failure
 * throws: a journey observed without the old MDM's word could lose a dual-enrollment flag.
 */
export async function oldMdmEntriesOf(
  deps: Pick<Deps, 'store' | 'config'>,
  aadObjectId: string,
): Promise<OldMdmEntry[]> {
  const devices = await oldMdmDevicesOf(deps.store, aadObjectId);
  return devices.map((device) => ({ vendor: vendorOfSource(device.source, deps.config.sourceMdm), device }));
}

export interface DeviceFactsOptions {
  /** The person's journeys: an old-MDM device no longer listed is still reported for these. */
  journeys?: readonly DeviceJourney[];
  /** Ask the old MDM live about this journey's device (a "Check my device"). */
  recheck?: DeviceJourney;
  signal?: AbortSignal;
}

export async function deviceFactsOf(
  deps: Deps,
  user: Pick<DirectoryUser, 'id' | 'userPrincipalName'>,
  since: Date,
  options: DeviceFactsOptions = {},
): Promise<DeviceFacts> {
  const oldMdm = (async () => {
    const entries = await oldMdmEntriesOf(deps, user.id);
    const ask = options.recheck ? entriesOfJourney(options.recheck, entries) : [];
    if (ask.length === 0) return entries;
    const rechecked = new Map(
      (await recheckOldMdm(deps, user.id, ask, options.signal)).map((e, i) => [ask[i]!, e] as const),
    );
    return entries.map((e) => rechecked.get(e) ?? e);
  })();
  const [graph, entries] = await Promise.all([deps.directory.deviceStateOfUser(user, since), oldMdm]);
  const tracked = new Set((options.journeys ?? []).map((j) => j.deviceKey.toLowerCase()));
  return { devices: mergeSources(graph.devices, entries, tracked), failures: graph.failures };
}
