import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { AuditEvent } from '../../domain/audit';
import type { Broadcast, Delivery } from '../../domain/broadcast';
import type { RateGateState } from '../../domain/broadcast-pacing';
import type { Campaign, Wave, WaveMember } from '../../domain/campaign';
import type { DeviceOwner } from '../../domain/device-owner';
import type { Escalation } from '../../domain/escalation-model';
import type { InventoryDevice, PersonInventoryDevice } from '../../domain/inventory';
import type { Participant } from '../../domain/participant';
import type { Lock } from '../../ports/lock';
import type { WorkQueue } from '../../ports/queue';
import type { RateGate } from '../../ports/rate-gate';
import type { JobState, Store } from '../../ports/store';
import { BlobLock } from './blob-lock';
import { SharedRateGate, type SharedRateGateOptions } from './shared-rate-gate';
import { StorageWorkQueue } from './storage-queue';
import { TableRepository } from './table-repository';

export interface StorageOptions {
  connectionString: string;
  /** Lowercase letters/digits; prefixes every table, queue and container this app creates. */
  prefix: string;
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
  const tableService = TableServiceClient.fromConnectionString(options.connectionString, {
    allowInsecureConnection: insecure,
  });
  const tableClient = (name: string) =>
    TableClient.fromConnectionString(options.connectionString, `${options.prefix}${name}`, {
      allowInsecureConnection: insecure,
    });
  const queueService = QueueServiceClient.fromConnectionString(options.connectionString);
  const blobService = BlobServiceClient.fromConnectionString(options.connectionString);
  const container = blobService.getContainerClient(`${options.prefix}-locks`);

  const participantsTable = tableClient(TABLES.participants);
  const store: Store = {
    participants: new TableRepository<Participant>(participantsTable, 'participant'),
    audit: new TableRepository<AuditEvent>(tableClient(TABLES.audit), 'audit event'),
    campaigns: new TableRepository<Campaign>(tableClient(TABLES.campaigns), 'campaign'),
    waves: new TableRepository<Wave>(tableClient(TABLES.waves), 'wave'),
    waveMembers: new TableRepository<WaveMember>(tableClient(TABLES.waveMembers), 'wave member'),
    jobState: new TableRepository<JobState>(tableClient(TABLES.jobState), 'job state'),
    deviceOwners: new TableRepository<DeviceOwner>(tableClient(TABLES.deviceOwners), 'device owner'),
    escalations: new TableRepository<Escalation>(tableClient(TABLES.escalations), 'escalation'),
    broadcasts: new TableRepository<Broadcast>(tableClient(TABLES.broadcasts), 'broadcast'),
    deliveries: new TableRepository<Delivery>(tableClient(TABLES.deliveries), 'delivery'),
    oldMdmDevices: new TableRepository<InventoryDevice>(tableClient(TABLES.oldMdmDevices), 'old-MDM device'),
    oldMdmByPerson: new TableRepository<PersonInventoryDevice>(
      tableClient(TABLES.oldMdmByPerson),
      "person's old-MDM device",
    ),
    ping: async () => {
      const pages = participantsTable.listEntities().byPage({ maxPageSize: 1 });
      await pages.next();
    },
  };

  return {
    store,
    lock: new BlobLock(container),
    queue: <T>(name: keyof typeof QUEUES) =>
      new StorageWorkQueue<T>(queueService.getQueueClient(`${options.prefix}-${QUEUES[name]}`)),
    rateGate: (gate: SharedRateGateOptions) =>
      new SharedRateGate(
        new TableRepository<RateGateState>(tableClient(TABLES.rateGates), 'rate gate'),
        gate,
      ),
    async ensureCreated() {
      await Promise.all([
        ...Object.values(TABLES).map((t) => tableService.createTable(`${options.prefix}${t}`)),
        ...Object.values(QUEUES).map((q) =>
          queueService.getQueueClient(`${options.prefix}-${q}`).createIfNotExists(),
        ),
        container.createIfNotExists(),
      ]);
    },
  };
}
