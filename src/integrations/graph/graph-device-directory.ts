import { type ComplianceState, type DeviceObservation, managementOf, platformOf } from '../../domain/device';
import type {
  DeviceDirectory,
  DirectoryUser,
  EnrollmentFailureEvent,
  MatchCandidates,
} from '../../ports/device-directory';
import { type BatchRequest, type BatchResponse, type GraphApi, GraphRequestError } from './graph-api';
import { type MatchCandidatesOptions, readMatchCandidates } from './graph-match-candidates';

export interface GraphManagedDevice {
  id: string;
  deviceName?: string;
  operatingSystem?: string;
  osVersion?: string;
  model?: string;
  complianceState?: ComplianceState;
  managementAgent?: string;
  enrolledDateTime?: string;
  lastSyncDateTime?: string;
  deviceEnrollmentType?: string;
  azureADDeviceId?: string;
  managedDeviceOwnerType?: string;
}

interface GraphTroubleshootingEvent {
  eventDateTime: string;
  deviceId?: string;
  managedDeviceIdentifier?: string;
  operatingSystem?: string;
  failureCategory?: string;
  failureReason?: string;
}

export interface GraphDevice {
  id: string;
  deviceId?: string;
  displayName?: string;
  operatingSystem?: string;
  operatingSystemVersion?: string;
  isManaged?: boolean | null;
  isCompliant?: boolean | null;
  mdmAppId?: string | null;
}

export const MANAGED_DEVICE_FIELDS =
  'id,deviceName,operatingSystem,osVersion,model,complianceState,managementAgent,enrolledDateTime,lastSyncDateTime,deviceEnrollmentType,azureADDeviceId,managedDeviceOwnerType';
export const DEVICE_FIELDS =
  'id,deviceId,displayName,operatingSystem,operatingSystemVersion,isManaged,isCompliant,mdmAppId';
const USER_FIELDS = 'id,userPrincipalName,displayName,mail,preferredLanguage';

/** Users and devices from Microsoft Graph: Intune managedDevices merged with Entra devices. */
const EXPORT_REFUSAL_MEMORY_MS = 24 * 3_600_000;

export class GraphDeviceDirectory implements DeviceDirectory {
  /** `matchRead`: how `matchCandidates` reads Intune (the export for large tenants by default). */
  private exportRefusedAt?: number;

  constructor(
    private readonly graph: GraphApi,
    private readonly matchRead: MatchCandidatesOptions = {},
  ) {}

  async findUser(idOrUpn: string): Promise<DirectoryUser | undefined> {
    try {
      return await this.graph.get<DirectoryUser>(
        `/users/${encodeURIComponent(idOrUpn)}?$select=${USER_FIELDS}`,
      );
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Users by object id or UPN through $batch: 20 look-ups per request (the Graph layer splits and retries). */
  async findUsers(idsOrUpns: readonly string[]): Promise<Map<string, DirectoryUser | null | Error>> {
    const unique = [...new Set(idsOrUpns)];
    const requests = unique.map(
      (key, i): BatchRequest => ({
        id: String(i),
        method: 'GET',
        url: `/users/${encodeURIComponent(key)}?$select=${USER_FIELDS}`,
      }),
    );
    const responses = await this.graph.batch<DirectoryUser | { error?: { code?: string; message?: string } }>(
      requests,
    );
    const out = new Map<string, DirectoryUser | null | Error>();
    unique.forEach((key, i) => {
      const r = responses.get(String(i));
      if (r && r.status >= 200 && r.status < 300) out.set(key, r.body as DirectoryUser);
      else if (r?.status === 404) out.set(key, null);
      else {
        const detail = (r?.body as { error?: { message?: string } } | undefined)?.error?.message;
        out.set(
          key,
          new GraphRequestError(
            `Microsoft Graph /users/${key} in $batch failed (${r?.status ?? 'no answer'})${detail ? `: ${detail}` : ''}`,
            r?.status ?? -1,
            undefined,
            1,
          ),
        );
      }
    });
    return out;
  }

  async devicesOfUser(user: { id: string; userPrincipalName: string }): Promise<DeviceObservation[]> {
    return (await this.lookUp(user)).devices;
  }

  async groupMembers(groupId: string): Promise<{ groupName?: string; users: DirectoryUser[] } | undefined> {
    const id = encodeURIComponent(groupId);
    let groupName: string | undefined;
    try {
      groupName = (await this.graph.get<{ displayName?: string }>(`/groups/${id}?$select=id,displayName`))
        .displayName;
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 404) return undefined;
      throw err;
    }
    const users: DirectoryUser[] = [];
    for await (const u of this.graph.pageAll<DirectoryUser>(
      `/groups/${id}/transitiveMembers/microsoft.graph.user?$select=${USER_FIELDS}&$top=999`,
    )) {
      users.push(u);
    }
    return { groupName, users };
  }

  async isMemberOfGroup(userId: string, groupId: string): Promise<boolean> {
    const filter = encodeURIComponent(`id eq '${userId.replace(/'/g, "''")}'`);
    try {
      const page = await this.graph.get<{ value: unknown[] }>(
        `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$filter=${filter}`,
        { ConsistencyLevel: 'eventual' },
      );
      return page.value.length > 0;
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 404) return false;
      throw err;
    }
  }

  async deviceStateOfUser(
    user: { id: string; userPrincipalName: string },
    since: Date,
  ): Promise<{ devices: DeviceObservation[]; failures: EnrollmentFailureEvent[] }> {
    return this.lookUp(user, since);
  }

  /**
   * After Intune refuses the export for want of permission (the Graph reference lists ReadWrite
   * permissions for creating export jobs; this app holds Read.All), the next day's passes read the
   * pages straight away instead of asking again.
   */
  async matchCandidates(
    signal?: AbortSignal,
    entraDeviceIds?: ReadonlySet<string>,
  ): Promise<MatchCandidates> {
    const refusedLately =
      this.exportRefusedAt !== undefined && Date.now() - this.exportRefusedAt < EXPORT_REFUSAL_MEMORY_MS;
    const { exportRefused, ...read } = await readMatchCandidates(
      this.graph,
      signal,
      entraDeviceIds,
      refusedLately && this.matchRead.intuneRead !== 'export'
        ? { ...this.matchRead, intuneRead: 'paged' }
        : this.matchRead,
    );
    if (exportRefused) this.exportRefusedAt = Date.now();
    return refusedLately && !read.intuneReadNote
      ? {
          ...read,
          intuneReadNote: 'export not tried: Intune refused it for want of permission in the last day',
        }
      : read;
  }

  /** One round trip: Intune's view, both Entra relationships, and (optionally) recent enrollment failures. */
  private async lookUp(
    user: { id: string; userPrincipalName: string },
    failuresSince?: Date,
  ): Promise<{ devices: DeviceObservation[]; failures: EnrollmentFailureEvent[] }> {
    const requests: BatchRequest[] = userDeviceRequests(user.id);
    if (failuresSince) {
      const filter = `userId eq '${user.id.replace(/'/g, "''")}' and eventDateTime ge ${failuresSince.toISOString()}`;
      requests.push({
        id: 'failures',
        method: 'GET',
        url: `/deviceManagement/troubleshootingEvents?$filter=${encodeURIComponent(filter)}&$top=50`,
      });
    }
    const responses = await this.graph.batch(requests);
    const failures = failuresSince
      ? batchCollection<GraphTroubleshootingEvent>(responses, 'failures', user.userPrincipalName).map(
          (e) => ({
            deviceId: e.deviceId || e.managedDeviceIdentifier || undefined,
            operatingSystem: e.operatingSystem,
            category: e.failureCategory ?? 'unknown',
            reason: e.failureReason,
            at: e.eventDateTime,
          }),
        )
      : [];
    return { devices: userDevicesFrom(responses, user.userPrincipalName), failures };
  }
}

/**
 * The three sub-requests of one user's device look-up: Intune's view and both Entra relationships
 * (registered for BYOD, owned for joined devices). `idPrefix` keeps ids apart when several users'
 * look-ups share one $batch.
 */
export function userDeviceRequests(userId: string, idPrefix = ''): BatchRequest[] {
  const id = encodeURIComponent(userId);
  return [
    {
      id: `${idPrefix}intune`,
      method: 'GET',
      url: `/users/${id}/managedDevices?$select=${MANAGED_DEVICE_FIELDS}&$top=100`,
    },
    {
      id: `${idPrefix}registered`,
      method: 'GET',
      url: `/users/${id}/registeredDevices?$select=${DEVICE_FIELDS}&$top=100`,
    },
    {
      id: `${idPrefix}owned`,
      method: 'GET',
      url: `/users/${id}/ownedDevices?$select=${DEVICE_FIELDS}&$top=100`,
    },
  ];
}

/** The devices of one user from the answers to `userDeviceRequests`; a failed sub-request throws. */
export function userDevicesFrom(
  responses: ReadonlyMap<string, BatchResponse>,
  userPrincipalName: string,
  idPrefix = '',
): DeviceObservation[] {
  const part = <T>(name: string): T[] =>
    batchCollection<T>(responses, `${idPrefix}${name}`, userPrincipalName, name);
  const managed = part<GraphManagedDevice>('intune');
  const entraById = new Map<string, GraphDevice>();
  for (const d of [...part<GraphDevice>('registered'), ...part<GraphDevice>('owned')]) {
    entraById.set((d.deviceId ?? d.id).toLowerCase(), d);
  }
  return mergeDevices(managed, [...entraById.values()]);
}

function batchCollection<T>(
  responses: ReadonlyMap<string, BatchResponse>,
  id: string,
  userPrincipalName: string,
  name = id,
): T[] {
  const r = responses.get(id);
  if (!r || r.status >= 400) {
    const detail = (r?.body as { error?: { message?: string } } | undefined)?.error?.message ?? 'no response';
    throw new GraphRequestError(
      `Microsoft Graph ${name} of ${userPrincipalName} failed: ${detail}`,
      r?.status ?? -1,
      undefined,
      1,
    );
  }
  return ((r.body as { value?: T[] } | undefined)?.value ?? []) as T[];
}

/** One observation per physical device: Intune's record joined to Entra's through azureADDeviceId. */
export function mergeDevices(managed: GraphManagedDevice[], entra: GraphDevice[]): DeviceObservation[] {
  const entraByDeviceId = new Map(entra.filter((d) => d.deviceId).map((d) => [d.deviceId!.toLowerCase(), d]));
  const used = new Set<GraphDevice>();
  const out: DeviceObservation[] = [];
  for (const m of managed) {
    const e = m.azureADDeviceId ? entraByDeviceId.get(m.azureADDeviceId.toLowerCase()) : undefined;
    if (e) used.add(e);
    const intune = {
      managedDeviceId: m.id,
      complianceState: m.complianceState ?? 'unknown',
      managementAgent: m.managementAgent,
      enrolledDateTime: m.enrolledDateTime,
      lastSyncDateTime: m.lastSyncDateTime,
      deviceEnrollmentType: m.deviceEnrollmentType,
    };
    const entraPart = e ? entraOf(e) : undefined;
    out.push({
      key: (m.azureADDeviceId && m.azureADDeviceId !== '00000000-0000-0000-0000-000000000000'
        ? m.azureADDeviceId
        : m.id
      ).toLowerCase(),
      name: m.deviceName ?? e?.displayName ?? m.id,
      platform: platformOf(m.operatingSystem, m.model),
      osVersion: m.osVersion,
      model: m.model,
      ownership:
        m.managedDeviceOwnerType === 'company'
          ? 'company'
          : m.managedDeviceOwnerType === 'personal'
            ? 'personal'
            : undefined,
      management: managementOf(intune, entraPart),
      intune,
      entra: entraPart,
    });
  }
  for (const e of entra) {
    if (used.has(e)) continue;
    const entraPart = entraOf(e);
    out.push({
      key: (e.deviceId ?? e.id).toLowerCase(),
      name: e.displayName ?? e.id,
      platform: platformOf(e.operatingSystem),
      osVersion: e.operatingSystemVersion,
      management: managementOf(undefined, entraPart),
      entra: entraPart,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function entraOf(e: GraphDevice): NonNullable<DeviceObservation['entra']> {
  return {
    objectId: e.id,
    deviceId: e.deviceId ?? e.id,
    isManaged: e.isManaged ?? undefined,
    isCompliant: e.isCompliant,
    mdmAppId: e.mdmAppId,
  };
}
