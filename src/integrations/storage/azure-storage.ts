import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { AuditEvent } from '../../domain/audit';
import type { Broadcast, Delivery } from '../../domain/broadcast';
import type { Campaign, Wave, WaveMember } from '../../domain/campaign';
import type { DeviceOwner } from '../../domain/device-owner';
import type { Escalation } from '../../domain/escalation-model';
import type { InventoryDevice, PersonInventoryDevice } from '../../domain/inventory';
import type { BudgetState } from '../../domain/outgoing-budget';
import type { Participant } from '../../domain/participant';
import type { CounterRow } from '../../domain/wave-counters';
import type { Lock } from '../../ports/lock';
import type { WorkQueue } from '../../ports/queue';
import type { RateGate } from '../../ports/rate-gate';
import type { JobState, Store } from '../../ports/store';
import { BlobLock } from './blob-lock';
import { SharedRateGate, type SharedRateGateOptions } from './shared-rate-gate';
import { DEFAULT_STORAGE_TIMEOUTS, SDK_RETRIES, StorageGuard, type StorageTimeouts } from './storage-guard';
import { StorageWorkQueue } from './storage-queue';
import { TableRepository } from './table-repository';

export interface StorageOptions {
  connectionString: string;
  /** Lowercase letters/digits; prefixes every table, queue and container this app creates. */
  prefix: string;
  /** How long one call may wait, retries included; defaults suit a turn's 5 s budget. */
  timeouts?: Partial<StorageTimeouts>;
}

/** The tables this app keeps, by entity. Table names allow letters and digits only. */
const TABLES = {
  participants: 'Participants',
  audit: 'Audit',
  campaigns: 'Campaigns',
  waves: 'Waves',
  waveMembers: 'WaveMembers',
  jobState: 'JobState',
  deviceOwners: 'DeviceOwners',
  escalations: 'Escalations',
  broadcasts: 'Broadcasts',
  deliveries: 'Deliveries',
  oldMdmDevices: 'OldMdmDevices',
  oldMdmByPerson: 'OldMdmByPerson',
  counters: 'Counters',
  /** Shared send rates (broadcast pacing across instances); not an entity of the Store. */
  rateGates: 'RateGates',
} as const;
/** Queues (names allow lowercase letters, digits and dashes). */
export const QUEUES = { jobs: 'jobs', deliveries: 'deliveries' } as const;

export interface AzureStorage {
  store: Store;
  lock: Lock;
  queue<T>(name: keyof typeof QUEUES): WorkQueue<T>;
  /** A send rate shared by every instance on this storage account (one table row per gate name). */
  rateGate(options: SharedRateGateOptions): RateGate;
  /** Creates every table, queue and container; safe to call on every start and from every instance. */
  ensureCreated(): Promise<void>;
}

export function createAzureStorage(options: StorageOptions): AzureStorage {
  // Azurite speaks plain http; the SDKs refuse that unless told it is intended.
  const insecure = /^DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|http:\/\//i.test(
    options.connectionString,
  );
  // One guard per account: an outage seen by one call makes every other caller fail fast.
  const guard = new StorageGuard({ ...DEFAULT_STORAGE_TIMEOUTS, ...options.timeouts });
  const tableOptions = { allowInsecureConnection: insecure, retryOptions: SDK_RETRIES };
  const tableService = TableServiceClient.fromConnectionString(options.connectionString, tableOptions);
  const tableClient = (name: string) =>
    TableClient.fromConnectionString(options.connectionString, `${options.prefix}${name}`, tableOptions);
  // Queues and blobs take Storage's own retry options: a bounded try, few tries, short delays.
  const storageOptions = {
    retryOptions: {
      maxTries: SDK_RETRIES.maxRetries + 1,
      tryTimeoutInMs: guard.timeouts.callMs,
      retryDelayInMs: SDK_RETRIES.retryDelayInMs,
      maxRetryDelayInMs: SDK_RETRIES.maxRetryDelayInMs,
    },
  };
  const queueService = QueueServiceClient.fromConnectionString(options.connectionString, storageOptions);
  const blobService = BlobServiceClient.fromConnectionString(options.connectionString, storageOptions);
  const container = blobService.getContainerClient(`${options.prefix}-locks`);

  const repo = <T>(table: string, entityName: string) =>
    new TableRepository<T>(tableClient(table), entityName, guard);
  const participantsTable = tableClient(TABLES.participants);
  const store: Store = {
    participants: new TableRepository<Participant>(participantsTable, 'participant', guard),
    audit: repo<AuditEvent>(TABLES.audit, 'audit event'),
    campaigns: repo<Campaign>(TABLES.campaigns, 'campaign'),
    waves: repo<Wave>(TABLES.waves, 'wave'),
    waveMembers: repo<WaveMember>(TABLES.waveMembers, 'wave member'),
    jobState: repo<JobState>(TABLES.jobState, 'job state'),
    deviceOwners: repo<DeviceOwner>(TABLES.deviceOwners, 'device owner'),
    escalations: repo<Escalation>(TABLES.escalations, 'escalation'),
    broadcasts: repo<Broadcast>(TABLES.broadcasts, 'broadcast'),
    deliveries: repo<Delivery>(TABLES.deliveries, 'delivery'),
    oldMdmDevices: repo<InventoryDevice>(TABLES.oldMdmDevices, 'old-MDM device'),
    oldMdmByPerson: repo<PersonInventoryDevice>(TABLES.oldMdmByPerson, "person's old-MDM device"),
    counters: repo<CounterRow>(TABLES.counters, 'counter'),
    // Not through the cool-down: /readyz must see the moment storage answers again.
    ping: () =>
      new StorageGuard(guard.timeouts).run('ping', async (abortSignal) => {
        const pages = participantsTable.listEntities({ abortSignal }).byPage({ maxPageSize: 1 });
        await pages.next();
      }),
  };

  return {
    store,
    lock: new BlobLock(container, guard),
    queue: <T>(name: keyof typeof QUEUES) =>
      new StorageWorkQueue<T>(queueService.getQueueClient(`${options.prefix}-${QUEUES[name]}`), guard),
    rateGate: (gate: SharedRateGateOptions) =>
      new SharedRateGate(repo<BudgetState>(TABLES.rateGates, 'rate gate'), gate),
    async ensureCreated() {
      await Promise.all([
        ...Object.values(TABLES).map((t) =>
          guard.run('create table', (abortSignal) =>
            tableService.createTable(`${options.prefix}${t}`, { abortSignal }),
          ),
        ),
        ...Object.values(QUEUES).map((q) =>
          guard.run('create queue', (abortSignal) =>
            queueService.getQueueClient(`${options.prefix}-${q}`).createIfNotExists({ abortSignal }),
          ),
        ),
        guard.run('create container', (abortSignal) => container.createIfNotExists({ abortSignal })),
      ]);
    },
  };
}
