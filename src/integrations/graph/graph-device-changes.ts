/**
 * Device changes from Microsoft Graph, at a cost proportional to what changed:
 *
 * - Intune: managedDevices whose lastSyncDateTime is at or after `since` — one page per 1,000 changed
 *   devices;
 * - Entra: the devices/delta round that the cursor (a deltaLink) continues — one page per 999 changes
 *   (the very first round enumerates every device once, which is the baseline);
 * - enrollment failures: troubleshootingEvents since the same instant;
 * - full look-ups in $batch calls, three sub-requests per user, several users per call;
 * - or, when that is cheaper, every device of the tenant with its user (graph-tenant-devices.ts).
 */
import type { DeviceObservation } from '../../domain/device';
import type { EnrollmentFailureReport, EntraChange, IntuneChange } from '../../domain/device-changes';
import type { Logger } from '../../logging';
import type {
  DeviceChangeRound,
  DeviceChanges,
  DeviceLookupUser,
  TenantDevices,
} from '../../ports/device-changes';
import { forEachBounded } from '../../shared/bounded';
import { type BatchResponse, type GraphApi, GraphRequestError, MAX_BATCH_SIZE } from './graph-api';
import {
  DEVICE_FIELDS,
  type GraphDevice,
  type GraphManagedDevice,
  MANAGED_DEVICE_FIELDS,
  userDeviceRequests,
  userDevicesFrom,
} from './graph-device-directory';
import { readTenantDevices, relativeGraphPath, tenantReadRequests } from './graph-tenant-devices';

export interface GraphDeviceChangesOptions {
  /** Users whose look-ups share one GraphApi.batch call (three sub-requests each, 20 per $batch). Default 20. */
  usersPerLookup?: number;
  /** Look-up calls in flight at once. Default 4. */
  lookupConcurrency?: number;
}

const MANAGED_SELECT = `${MANAGED_DEVICE_FIELDS},userId`;
const EVENT_SELECT = 'id,eventDateTime,userId,deviceId,managedDeviceIdentifier,failureCategory,failureReason';
/** Graph's "no device" id, which failed enrollments and unjoined Intune records carry. */
const NO_DEVICE = '00000000-0000-0000-0000-000000000000';

interface GraphFailureEvent {
  id: string;
  eventDateTime: string;
  userId?: string;
  deviceId?: string;
  managedDeviceIdentifier?: string;
  failureCategory?: string;
  failureReason?: string;
}

type ChangedManagedDevice = GraphManagedDevice & { userId?: string };
type DeltaDevice = GraphDevice & { '@removed'?: unknown };

interface DeltaPage {
  value?: DeltaDevice[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export class GraphDeviceChanges implements DeviceChanges {
  private readonly usersPerLookup: number;
  private readonly lookupConcurrency: number;

  constructor(
    private readonly graph: GraphApi,
    private readonly logger: Logger,
    options: GraphDeviceChangesOptions = {},
  ) {
    this.usersPerLookup = options.usersPerLookup ?? 20;
    this.lookupConcurrency = options.lookupConcurrency ?? 4;
  }

  async changedSince(
    since: Date,
    entraCursor: string | undefined,
    signal?: AbortSignal,
  ): Promise<DeviceChangeRound> {
    // Three independent queries, side by side.
    const [intune, entra, failures] = await Promise.all([
      this.changedManagedDevices(since, signal),
      this.changedEntraDevices(entraCursor, signal),
      this.failureEvents(since, signal),
    ]);
    return {
      intune,
      entra: entra.records,
      failures,
      entraCursor: entra.deltaLink,
      entraResynced: entra.resynced,
    };
  }

  /** Full look-ups: three sub-requests per user, `usersPerLookup` users per batch call. */
  async lookUp(
    users: readonly DeviceLookupUser[],
    signal?: AbortSignal,
  ): Promise<Map<string, DeviceObservation[] | Error>> {
    const out = new Map<string, DeviceObservation[] | Error>();
    const chunks: DeviceLookupUser[][] = [];
    for (let i = 0; i < users.length; i += this.usersPerLookup) {
      chunks.push(users.slice(i, i + this.usersPerLookup));
    }
    await forEachBounded(
      chunks,
      this.lookupConcurrency,
      async (chunk) => {
        let responses: Map<string, BatchResponse>;
        try {
          responses = await this.graph.batch(chunk.flatMap((u, i) => userDeviceRequests(u.id, `u${i}.`)));
        } catch (err) {
          for (const u of chunk) out.set(u.id, asError(err));
          return;
        }
        chunk.forEach((u, i) => {
          try {
            out.set(u.id, userDevicesFrom(responses, u.userPrincipalName, `u${i}.`));
          } catch (err) {
            out.set(u.id, asError(err));
          }
        });
      },
      { signal },
    );
    return out;
  }

  lookUpCost(users: number): number {
    const perCall = Math.ceil((Math.min(users, this.usersPerLookup) * 3) / MAX_BATCH_SIZE);
    return Math.ceil(users / this.usersPerLookup) * perCall;
  }

  tenantReadCost(counts: { entraDevices: number; managedDevices?: number }): number {
    // Unknown until read once: nearly every Intune device is also in Entra, so Entra's count stands in.
    return tenantReadRequests(counts.entraDevices, counts.managedDevices ?? counts.entraDevices);
  }

  readTenant(signal?: AbortSignal): Promise<TenantDevices> {
    return readTenantDevices(this.graph, signal);
  }

  private async changedManagedDevices(since: Date, signal?: AbortSignal): Promise<IntuneChange[]> {
    const out: IntuneChange[] = [];
    const filter = `lastSyncDateTime ge ${since.toISOString()}`;
    const path = `/deviceManagement/managedDevices?$filter=${encodeURIComponent(filter)}&$select=${MANAGED_SELECT}&$top=1000`;
    for await (const m of this.graph.pageAll<ChangedManagedDevice>(path)) {
      signal?.throwIfAborted();
      out.push({
        deviceKey: managedKey(m),
        ...(m.userId ? { userId: m.userId } : {}),
        managedDeviceId: m.id,
        ...(m.complianceState != null ? { complianceState: m.complianceState } : {}),
      });
    }
    return out;
  }

  private async failureEvents(since: Date, signal?: AbortSignal): Promise<EnrollmentFailureReport[]> {
    const out: EnrollmentFailureReport[] = [];
    const filter = `eventDateTime ge ${since.toISOString()}`;
    const path = `/deviceManagement/troubleshootingEvents?$filter=${encodeURIComponent(filter)}&$select=${EVENT_SELECT}&$top=1000`;
    for await (const e of this.graph.pageAll<GraphFailureEvent>(path)) {
      signal?.throwIfAborted();
      out.push({
        id: e.id,
        at: e.eventDateTime,
        ...(e.userId ? { userId: e.userId } : {}),
        ...(e.deviceId && e.deviceId !== NO_DEVICE ? { deviceId: e.deviceId } : {}),
        ...(e.managedDeviceIdentifier ? { managedDeviceId: e.managedDeviceIdentifier } : {}),
        ...(e.failureCategory != null ? { category: e.failureCategory } : {}),
        ...(e.failureReason ? { reason: e.failureReason } : {}),
      });
    }
    return out;
  }

  /** Follows the stored deltaLink; without one, or when Entra has forgotten it, starts a full round. */
  private async changedEntraDevices(
    deltaLink: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ records: EntraChange[]; deltaLink: string; resynced: boolean }> {
    const initial = `/devices/delta?$select=${DEVICE_FIELDS}`;
    if (!deltaLink) return { ...(await this.followDelta(initial, signal)), resynced: true };
    try {
      return { ...(await this.followDelta(deltaLink, signal)), resynced: false };
    } catch (err) {
      if (!isExpiredDelta(err)) throw err;
      this.logger.warn({ err }, 'Entra forgot our devices/delta round; starting a full one');
      return { ...(await this.followDelta(initial, signal)), resynced: true };
    }
  }

  private async followDelta(
    start: string,
    signal?: AbortSignal,
  ): Promise<{ records: EntraChange[]; deltaLink: string }> {
    // A device changed twice in a round may come twice; the last one is the newest.
    const byKey = new Map<string, GraphDevice>();
    let next: string | undefined = start;
    while (next) {
      signal?.throwIfAborted();
      const page: DeltaPage = await this.graph.get<DeltaPage>(relativeGraphPath(next), {
        Prefer: 'odata.maxpagesize=999',
      });
      for (const d of page.value ?? []) {
        // A deleted device has no journey to move: whoever still has one sees it gone on their next look-up.
        if (d['@removed'] !== undefined) continue;
        byKey.set((d.deviceId ?? d.id).toLowerCase(), d);
      }
      const deltaLink = page['@odata.deltaLink'];
      if (deltaLink) return { records: [...byKey].map(([key, d]) => entraChange(key, d)), deltaLink };
      next = page['@odata.nextLink'];
    }
    throw new Error('Microsoft Graph devices/delta ended without an @odata.deltaLink');
  }
}

function entraChange(deviceKey: string, d: GraphDevice): EntraChange {
  return {
    deviceKey,
    record: {
      objectId: d.id,
      deviceId: d.deviceId ?? d.id,
      isManaged: d.isManaged ?? undefined,
      isCompliant: d.isCompliant,
      mdmAppId: d.mdmAppId,
    },
  };
}

/** The journey key of an Intune record, as mergeDevices makes it. */
function managedKey(m: GraphManagedDevice): string {
  return (m.azureADDeviceId && m.azureADDeviceId !== NO_DEVICE ? m.azureADDeviceId : m.id).toLowerCase();
}

function isExpiredDelta(err: unknown): boolean {
  return (
    err instanceof GraphRequestError &&
    (err.status === 410 || err.code === 'syncStateNotFound' || err.code === 'resyncRequired')
  );
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
