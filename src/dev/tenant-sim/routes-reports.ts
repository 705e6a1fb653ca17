/**
 * Intune's report export (POST /deviceManagement/reports/exportJobs, then GET exportJobs('{id}')
 * until `completed`, then the zipped CSV from the job's `url`), for the `Devices` report only:
 * the one report the matching pass reads. Wire format as Microsoft documents it ("Export Intune
 * reports using Graph APIs"; the `Devices` report's columns in "Intune reports and properties
 * available using Graph API"): a job entity with `status` notStarted → inProgress → completed, and
 * a download URL outside Graph (a blob with its own signature, so no bearer token is sent there).
 */
import { randomUUID } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { GraphHttpError } from './graph-error';
import type { GraphRequest, GraphResponse, Route, RouteParams } from './graph-request';
import { ok } from './graph-request';
import type { ManagedDevice } from './model';
import type { Tenant } from './tenant';

type Column = (d: ManagedDevice) => string;

/** The documented columns of the `Devices` report; those the simulator does not model export empty. */
const DEVICES_COLUMNS: Readonly<Record<string, Column>> = {
  DeviceId: (d) => d.id,
  DeviceName: (d) => d.deviceName,
  DeviceType: () => '',
  ClientRegistrationStatus: () => '',
  OwnerType: (d) => d.managedDeviceOwnerType,
  CreatedDate: (d) => d.enrolledDateTime,
  LastContact: (d) => d.lastSyncDateTime,
  ManagementAgents: (d) => d.managementAgent,
  ManagementState: (d) => d.managementState,
  ReferenceId: (d) => d.azureADDeviceId,
  CategoryId: () => '',
  EnrollmentType: (d) => d.deviceEnrollmentType,
  CertExpirationDate: () => '',
  MDMStatus: () => '',
  OSVersion: (d) => d.osVersion,
  GraphDeviceIsManaged: () => 'True',
  EasID: () => '',
  SerialNumber: (d) => d.serialNumber,
  EnrolledByUser: (d) => d.userId,
  Manufacturer: (d) => d.manufacturer,
  Model: (d) => d.model,
  OSDescription: (d) => `${d.operatingSystem} ${d.osVersion}`,
  IsManaged: () => 'True',
  EasActivationStatus: () => '',
  IMEI: (d) => d.imei,
  EasLastSyncSuccessUtc: () => '',
  EasStateReason: () => '',
  EasAccessState: () => '',
  EncryptionStatus: () => '',
  SupervisedStatus: (d) => (d.isSupervised ? 'True' : 'False'),
  PhoneNumberE164Format: () => '',
  InGracePeriodUntil: () => '',
  AndroidPatchLevel: () => '',
  WifiMacAddress: () => '',
  SCCMCoManagementFeatures: () => '',
  MEID: (d) => d.meid,
  SubscriberCarrierNetwork: () => '',
  StorageTotal: () => '',
  StorageFree: () => '',
  ManagedDeviceName: (d) => d.deviceName,
  LastLoggedOnUserUPN: () => '',
  MDMWinsOverGPStartTime: () => '',
  StagedDeviceType: () => '',
  UserApprovedEnrollment: () => '',
  ExtendedProperties: () => '',
  EntitySource: () => '',
  PrimaryUser: (d) => d.userId,
  CategoryName: () => '',
  UserId: (d) => d.userId,
  UPN: (d) => d.userPrincipalName,
  UserEmail: (d) => d.emailAddress,
  UserName: (d) => d.userDisplayName,
  RetireAfterDatetime: () => '',
  PartnerDeviceId: () => '',
  HasUnlockToken: () => '',
  CompliantState: (d) => d.complianceState,
  ManagedBy: () => 'Intune',
  Ownership: (d) => d.managedDeviceOwnerType,
  DeviceState: () => '',
  DeviceRegistrationState: (d) => d.deviceRegistrationState,
  SupervisedStatusString: () => '',
  EncryptionStatusString: () => '',
  OS: (d) => d.operatingSystem,
  SkuFamily: () => '',
  JoinType: () => '',
  PhoneNumber: () => '',
  JailBroken: () => 'False',
  EasActivationStatusString: () => '',
};

interface ExportJob {
  id: string;
  select: string[];
  requestDateTime: string;
  readyAt: number;
  zip?: Uint8Array;
}

interface ExportState {
  jobs: Map<string, ExportJob>;
  /** How long a new job takes before it reports `completed`. */
  delayMs: number;
  /** Jobs created while set end `failed` (the service's answer when it cannot build the report). */
  failJobs: boolean;
}

const states = new WeakMap<Tenant, ExportState>();
/** Real exports take seconds to minutes; long enough here that a reader polls at least twice. */
const DEFAULT_DELAY_MS = 1_500;
const JOB_LIFETIME_MS = 6 * 3_600_000;
const NOT_STARTED_MS = 200;

function stateOf(tenant: Tenant): ExportState {
  let s = states.get(tenant);
  if (!s) {
    s = { jobs: new Map(), delayMs: DEFAULT_DELAY_MS, failJobs: false };
    states.set(tenant, s);
  }
  return s;
}

/** For tests and the control API: how long jobs take, and whether new ones fail. */
export function exportJobSettings(tenant: Tenant, settings: { delayMs?: number; failJobs?: boolean }): void {
  const s = stateOf(tenant);
  if (settings.delayMs !== undefined) s.delayMs = Math.max(0, settings.delayMs);
  if (settings.failJobs !== undefined) s.failJobs = settings.failJobs;
}

const quote = (v: string): string => `"${v.replace(/"/g, '""')}"`;

function buildZip(tenant: Tenant, job: ExportJob): Uint8Array {
  const columns = job.select.map((name) => DEVICES_COLUMNS[name]!);
  const lines = [job.select.map(quote).join(',')];
  for (const d of tenant.managedDevices()) lines.push(columns.map((c) => quote(c(d) ?? '')).join(','));
  return zipSync({ [`${job.id}.csv`]: strToU8(`${lines.join('\r\n')}\r\n`) });
}

function statusOf(job: ExportJob, now: number): 'notStarted' | 'inProgress' | 'completed' | 'failed' {
  if (job.readyAt < 0) return 'failed';
  if (now >= job.readyAt) return 'completed';
  return now - Date.parse(job.requestDateTime) < NOT_STARTED_MS ? 'notStarted' : 'inProgress';
}

function entity(req: GraphRequest, job: ExportJob): Record<string, unknown> {
  const status = statusOf(job, Date.now());
  const done = status === 'completed';
  return {
    '@odata.context': `${req.origin}/v1.0/$metadata#deviceManagement/reports/exportJobs/$entity`,
    id: job.id,
    reportName: 'Devices',
    filter: null,
    select: job.select,
    format: 'csv',
    snapshotId: null,
    localizationType: 'localizedValuesAsAdditionalColumn',
    status,
    url: done ? `${req.origin}/_blob/exports/${job.id}.zip?sv=2019-02-02&sr=b&sp=r&sig=simulator` : null,
    requestDateTime: job.requestDateTime,
    expirationDateTime: done
      ? new Date(Date.parse(job.requestDateTime) + JOB_LIFETIME_MS).toISOString()
      : '0001-01-01T00:00:00Z',
  };
}

function createExportJob(req: GraphRequest, _params: RouteParams, tenant: Tenant): GraphResponse {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (body.reportName !== 'Devices') {
    throw new GraphHttpError(
      400,
      'BadRequest',
      `The tenant simulator exports the Devices report only, not ${JSON.stringify(body.reportName)}.`,
    );
  }
  if (body.filter !== undefined && body.filter !== null && body.filter !== '') {
    throw new GraphHttpError(400, 'BadRequest', 'The tenant simulator does not filter report exports.');
  }
  if (body.format !== undefined && body.format !== 'csv') {
    throw new GraphHttpError(400, 'BadRequest', 'The tenant simulator exports csv only.');
  }
  const select =
    Array.isArray(body.select) && body.select.length > 0 ? body.select : Object.keys(DEVICES_COLUMNS);
  const unknown = select.filter((c) => typeof c !== 'string' || !(c in DEVICES_COLUMNS));
  if (unknown.length > 0) {
    throw new GraphHttpError(
      400,
      'BadRequest',
      `Invalid select column(s) for report Devices: ${unknown.join(', ')}.`,
    );
  }
  const state = stateOf(tenant);
  const now = Date.now();
  const job: ExportJob = {
    id: `Devices_${randomUUID()}`,
    select: select as string[],
    requestDateTime: new Date(now).toISOString(),
    readyAt: state.failJobs ? -1 : now + state.delayMs,
  };
  state.jobs.set(job.id, job);
  // As Graph answers: a new job has not started yet, however quickly it will finish.
  return ok(
    { ...entity(req, job), status: 'notStarted', url: null, expirationDateTime: '0001-01-01T00:00:00Z' },
    201,
  );
}

const JOB_SEGMENT = /^exportJobs\('([^']+)'\)$/i;

function getExportJobs(req: GraphRequest, params: RouteParams, tenant: Tenant): GraphResponse {
  const state = stateOf(tenant);
  if (params.job.toLowerCase() === 'exportjobs') {
    return ok({
      '@odata.context': `${req.origin}/v1.0/$metadata#deviceManagement/reports/exportJobs`,
      value: [...state.jobs.values()].map((j) => entity(req, j)),
    });
  }
  const id = JOB_SEGMENT.exec(params.job)?.[1];
  const job = id ? state.jobs.get(id) : undefined;
  if (!job) {
    throw new GraphHttpError(404, 'ResourceNotFound', `No export job ${params.job} in this tenant.`);
  }
  return ok(entity(req, job));
}

/** GET /_blob/exports/{id}.zip: the finished export's file, as the job's `url` names it. */
export function exportDownload(tenant: Tenant, name: string): Uint8Array | undefined {
  const job = stateOf(tenant).jobs.get(name.replace(/\.zip$/, ''));
  if (!job || job.readyAt < 0 || Date.now() < job.readyAt) return undefined;
  job.zip ??= buildZip(tenant, job);
  return job.zip;
}

export const reportRoutes: Route[] = [
  { method: 'POST', pattern: '/deviceManagement/reports/exportJobs', handler: createExportJob },
  { method: 'GET', pattern: '/deviceManagement/reports/{job}', handler: getExportJobs },
];
