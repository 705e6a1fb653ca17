import {
  RestError,
  type TransactionAction as SdkAction,
  type TableClient,
  type TableEntityResult,
} from '@azure/data-tables';
import {
  ConcurrencyError,
  type EntityKey,
  MAX_TRANSACTION_ACTIONS,
  type Repository,
  type RowRange,
  type Stored,
  type TransactionAction,
  TransactionError,
} from '../../ports/store';
import { StorageGuard } from './storage-guard';

interface Row {
  partitionKey: string;
  rowKey: string;
  /** The entity as JSON; Azure Tables allows 64 KiB per string property. */
  data: string;
}

/** Largest JSON a row may hold (Azure Tables: 64 KiB per string property, stored as UTF-16). */
export const MAX_ENTITY_JSON_CHARS = 32_000;

const MAX_UPDATE_ATTEMPTS = 12;

/** Characters Azure Tables refuses in PartitionKey and RowKey (and control characters). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const BAD_KEY = /[/\\#?\u0000-\u001f\u007f-\u009f]/;
const MAX_KEY_CHARS = 512;
/** A string literal in an OData filter. */
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * One Azure Table holding one entity type, as JSON in a single column. Every write of an existing
 * row is conditional on its ETag; `update` turns that into a retrying read-modify-write.
 */
export class TableRepository<T> implements Repository<T> {
  constructor(
    private readonly table: TableClient,
    private readonly entityName: string,
    /** Bounds every call and recognises an outage; one per storage account. */
    private readonly guard: StorageGuard = new StorageGuard(),
  ) {}

  async get(key: EntityKey): Promise<Stored<T> | undefined> {
    this.checkKey(key);
    try {
      const row = await this.guard.run(`read ${this.entityName}`, (abortSignal) =>
        this.table.getEntity<Row>(key.partitionKey, key.rowKey, { abortSignal }),
      );
      return { value: this.decode(row), etag: row.etag };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async insert(key: EntityKey, value: T): Promise<Stored<T>> {
    this.checkKey(key);
    const data = this.encode(value);
    try {
      const res = await this.guard.run(`insert ${this.entityName}`, (abortSignal) =>
        this.table.createEntity<Row>({ ...key, data }, { abortSignal }),
      );
      return { value, etag: res.etag ?? '' };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) {
        throw new ConcurrencyError(
          `${this.entityName} ${key.partitionKey}/${key.rowKey} already exists`,
          'already-exists',
        );
      }
      throw err;
    }
  }

  async replace(key: EntityKey, value: T, etag: string): Promise<Stored<T>> {
    this.checkKey(key);
    const data = this.encode(value);
    try {
      const res = await this.guard.run(`replace ${this.entityName}`, (abortSignal) =>
        this.table.updateEntity<Row>({ ...key, data }, 'Replace', { etag, abortSignal }),
      );
      return { value, etag: res.etag ?? '' };
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 404)) {
        throw new ConcurrencyError(
          `${this.entityName} ${key.partitionKey}/${key.rowKey} changed since it was read`,
          'etag-mismatch',
        );
      }
      throw err;
    }
  }

  async delete(key: EntityKey, etag?: string): Promise<void> {
    this.checkKey(key);
    try {
      await this.guard.run(`delete ${this.entityName}`, (abortSignal) =>
        this.table.deleteEntity(key.partitionKey, key.rowKey, etag ? { etag, abortSignal } : { abortSignal }),
      );
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return;
      if (err instanceof RestError && err.statusCode === 412) {
        throw new ConcurrencyError(
          `${this.entityName} ${key.rowKey} changed since it was read`,
          'etag-mismatch',
        );
      }
      throw err;
    }
  }

  listPartition(partitionKey: string, range?: RowRange): AsyncIterable<Stored<T> & { key: EntityKey }> {
    this.checkKey({ partitionKey, rowKey: range?.from ?? '' });
    return this.query(`PartitionKey eq ${quote(partitionKey)}`, range);
  }

  listPartitions(
    partitions: { from: string; to: string },
    rows?: RowRange,
  ): AsyncIterable<Stored<T> & { key: EntityKey }> {
    this.checkKey({ partitionKey: partitions.from, rowKey: rows?.from ?? '' });
    this.checkKey({ partitionKey: partitions.to, rowKey: '' });
    return this.query(
      `PartitionKey ge ${quote(partitions.from)} and PartitionKey lt ${quote(partitions.to)}`,
      rows,
    );
  }

  private async *query(partitions: string, range?: RowRange): AsyncIterable<Stored<T> & { key: EntityKey }> {
    if (range?.to !== undefined) this.checkKey({ partitionKey: '', rowKey: range.to });
    let filter = partitions;
    if (range?.from !== undefined) filter += ` and RowKey ge ${quote(range.from)}`;
    if (range?.to !== undefined) filter += ` and RowKey lt ${quote(range.to)}`;
    const pages = this.guard.pages(`list ${this.entityName}`, (abortSignal) =>
      this.table.listEntities<Row>({ queryOptions: { filter }, abortSignal }).byPage(),
    );
    for await (const page of pages) {
      for (const row of page) {
        yield {
          key: { partitionKey: row.partitionKey, rowKey: row.rowKey },
          value: this.decode(row),
          etag: row.etag,
        };
      }
    }
  }

  async transact(partitionKey: string, actions: readonly TransactionAction<T>[]): Promise<string[]> {
    if (actions.length === 0) return [];
    if (actions.length > MAX_TRANSACTION_ACTIONS) {
      throw new Error(`a transaction holds at most ${MAX_TRANSACTION_ACTIONS} writes, not ${actions.length}`);
    }
    const seen = new Set<string>();
    const sdk: SdkAction[] = actions.map((a) => {
      this.checkKey({ partitionKey, rowKey: a.rowKey });
      // The service refuses a transaction that touches one row twice; say so before sending it.
      if (seen.has(a.rowKey)) throw new Error(`${this.entityName} transaction names a row twice`);
      seen.add(a.rowKey);
      const key = { partitionKey, rowKey: a.rowKey };
      switch (a.kind) {
        case 'insert':
          return ['create', { ...key, data: this.encode(a.value) }];
        case 'replace':
          return ['update', { ...key, data: this.encode(a.value) }, 'Replace', { etag: a.etag }];
        case 'upsert':
          return ['upsert', { ...key, data: this.encode(a.value) }, 'Replace'];
        default:
          return ['delete', key];
      }
    });
    try {
      const res = await this.guard.run(`transaction ${this.entityName}`, () =>
        this.table.submitTransaction(sdk),
      );
      return actions.map((a, i) =>
        a.kind === 'delete'
          ? ''
          : (res.subResponses[i]?.etag ?? res.getResponseForEntity(a.rowKey)?.etag ?? ''),
      );
    } catch (err) {
      if (err instanceof RestError && [404, 409, 412].includes(err.statusCode ?? 0)) {
        throw new TransactionError(
          `${this.entityName} transaction in ${partitionKey} refused (${err.statusCode})`,
          err.statusCode === 409 ? 'already-exists' : 'etag-mismatch',
          failedIndex(err.message),
        );
      }
      throw err;
    }
  }

  async update(key: EntityKey, mutate: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      const next = mutate(current?.value);
      if (next === undefined) return current?.value;
      try {
        if (current) await this.replace(key, next, current.etag);
        else await this.insert(key, next);
        return next;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_UPDATE_ATTEMPTS) throw err;
        // Someone else wrote first: back off a little (jittered) and redo the change on fresh data.
        await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
      }
    }
  }

  /** A key Azure would refuse fails here at once, instead of as a request the SDK retries. */
  private checkKey(key: EntityKey): void {
    for (const part of [key.partitionKey, key.rowKey]) {
      if (typeof part !== 'string' || part.length > MAX_KEY_CHARS || BAD_KEY.test(part)) {
        throw new InvalidKeyError(`${this.entityName} key is not one Azure Tables accepts`);
      }
    }
  }

  private encode(value: T): string {
    const json = JSON.stringify(value);
    if (json.length > MAX_ENTITY_JSON_CHARS) {
      throw new Error(
        `${this.entityName} is ${json.length} characters as JSON, over the ${MAX_ENTITY_JSON_CHARS} a table row holds`,
      );
    }
    return json;
  }

  private decode(row: TableEntityResult<Row>): T {
    try {
      return JSON.parse(row.data) as T;
    } catch {
      throw new Error(`${this.entityName} ${row.partitionKey}/${row.rowKey} holds data that is not JSON`);
    }
  }
}

/** A key with characters Azure Tables refuses, or of another type than text; nothing was sent. */
export class InvalidKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeyError';
  }
}

/** The service starts a failed transaction's message with the failing action's index ("3:The specified…"). */
function failedIndex(message: string): number | undefined {
  const m = /^(\d+):/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
