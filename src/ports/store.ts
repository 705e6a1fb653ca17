/**
 * Entity storage with optimistic concurrency. Every read returns the entity's ETag and every
 * write of an existing entity must present it; the `update` helper retries a read-modify-write
 * until it lands, so concurrent writers never lose each other's changes.
 */
export interface Stored<T> {
  value: T;
  etag: string;
}

export interface EntityKey {
  partitionKey: string;
  rowKey: string;
}

/** Thrown when an ETag no longer matches (someone else wrote first) or an insert finds the row taken. */
export class ConcurrencyError extends Error {
  constructor(
    message: string,
    readonly kind: 'etag-mismatch' | 'already-exists',
  ) {
    super(message);
    this.name = 'ConcurrencyError';
  }
}

/** One write of an all-or-nothing transaction (Azure Tables entity-group transaction). */
export type TransactionAction<T> =
  | { kind: 'insert'; rowKey: string; value: T }
  | { kind: 'replace'; rowKey: string; value: T; etag: string }
  | { kind: 'upsert'; rowKey: string; value: T }
  /** Unconditional: the SDK's transaction has no ETag for a delete. */
  | { kind: 'delete'; rowKey: string };

/** Most writes one transaction may hold (Azure Tables' limit for an entity-group transaction). */
export const MAX_TRANSACTION_ACTIONS = 100;

/**
 * A transaction refused as a whole: nothing of it was written. `index` names the action that failed
 * when the service says which (an ETag that no longer matches, a row already there, a row gone).
 */
export class TransactionError extends ConcurrencyError {
  constructor(
    message: string,
    kind: ConcurrencyError['kind'],
    readonly index: number | undefined,
  ) {
    super(message, kind);
    this.name = 'TransactionError';
  }
}

/** Row keys from `from` (inclusive) to `to` (exclusive); either end may be open. */
export interface RowRange {
  from?: string;
  to?: string;
}

export interface Repository<T> {
  get(key: EntityKey): Promise<Stored<T> | undefined>;
  /** Inserts a new entity; throws ConcurrencyError('already-exists') when the key is taken. */
  insert(key: EntityKey, value: T): Promise<Stored<T>>;
  /** Replaces an entity only if its ETag still matches; throws ConcurrencyError('etag-mismatch') otherwise. */
  replace(key: EntityKey, value: T, etag: string): Promise<Stored<T>>;
  delete(key: EntityKey, etag?: string): Promise<void>;
  listPartition(partitionKey: string, range?: RowRange): AsyncIterable<Stored<T> & { key: EntityKey }>;
  /**
   * The rows of every partition whose key lies in `partitions` (from inclusive, to exclusive), in
   * partition and row-key order; with `rows`, only those whose row key lies in that range.
   */
  listPartitions(
    partitions: { from: string; to: string },
    rows?: RowRange,
  ): AsyncIterable<Stored<T> & { key: EntityKey }>;
  /**
   * Up to MAX_TRANSACTION_ACTIONS writes to one partition, all or none; returns each action's new
   * ETag in order ('' for a delete). A conflict throws TransactionError and writes nothing.
   */
  transact(partitionKey: string, actions: readonly TransactionAction<T>[]): Promise<string[]>;
  /**
   * Read-modify-write with ETag retries. `mutate` receives the current value (undefined when absent)
   * and returns the new one, or `undefined` to leave the entity untouched. It may run several times.
   */
  update(key: EntityKey, mutate: (current: T | undefined) => T | undefined): Promise<T | undefined>;
}

export interface JobState {
  /** Graph delta link (Entra devices) from the previous cycle. */
  deltaLink?: string;
  /** Start of the previous successful cycle (ISO), the "changed since" for the next one. */
  lastCycleStartedAt?: string;
  [key: string]: string | number | boolean | undefined;
}

/** Which repositories the product keeps; one Azure Table each. */
export interface Store {
  participants: Repository<import('../domain/participant').Participant>;
  audit: Repository<import('../domain/audit').AuditEvent>;
  campaigns: Repository<import('../domain/campaign').Campaign>;
  waves: Repository<import('../domain/campaign').Wave>;
  /** Index of wave membership, one partition per wave. */
  waveMembers: Repository<import('../domain/campaign').WaveMember>;
  /** Small state of singleton jobs, e.g. the progress refresher's Graph delta link. */
  jobState: Repository<JobState>;
  /** Device key → participant, so that Entra device changes (which name no user) find their journey. */
  deviceOwners: Repository<import('../domain/device-owner').DeviceOwner>;
  /** One row per user holding their current helpdesk ticket (see `escalationKey`). */
  escalations: Repository<import('../domain/escalation-model').Escalation>;
  /** Admin broadcasts (announcements, reminders to stragglers). */
  broadcasts: Repository<import('../domain/broadcast').Broadcast>;
  /** One row per broadcast × recipient, partitioned by broadcast. */
  deliveries: Repository<import('../domain/broadcast').Delivery>;
  /**
   * The old MDMs' inventories as last synced (src/domain/inventory.ts), one row per source × device,
   * spread over `inventoryPartitions()`; sync state per source lives in `jobState`.
   */
  oldMdmDevices: Repository<import('../domain/inventory').InventoryDevice>;
  /**
   * A person's old-MDM devices: partition = the person's Entra object id (lower case), row key =
   * the inventory row key; kept in step with `oldMdmDevices` by the matching pass.
   */
  oldMdmByPerson: Repository<import('../domain/inventory').PersonInventoryDevice>;
  /** Per-wave and per-broadcast counters and the stuck index (src/domain/wave-counters.ts). */
  counters: Repository<import('../domain/wave-counters').CounterRow>;
  /** Liveness of the backing storage, for /readyz. */
  ping(): Promise<void>;
}
