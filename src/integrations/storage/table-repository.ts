import { RestError, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { ConcurrencyError, type EntityKey, type Repository, type Stored } from '../../ports/store';

interface Row {
  partitionKey: string;
  rowKey: string;
  /** The entity as JSON; Azure Tables allows 64 KiB per string property. */
  data: string;
}

/** Largest JSON a row may hold (Azure Tables: 64 KiB per string property, stored as UTF-16). */
export const MAX_ENTITY_JSON_CHARS = 32_000;

const MAX_UPDATE_ATTEMPTS = 12;

/**
 * One Azure Table holding one entity type, as JSON in a single column. Every write of an existing
 * row is conditional on its ETag; `update` turns that into a retrying read-modify-write.
 */
export class TableRepository<T> implements Repository<T> {
  constructor(
    private readonly table: TableClient,
    private readonly entityName: string,
  ) {}

  async get(key: EntityKey): Promise<Stored<T> | undefined> {
    try {
      const row = await this.table.getEntity<Row>(key.partitionKey, key.rowKey);
      return { value: this.decode(row), etag: row.etag };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async insert(key: EntityKey, value: T): Promise<Stored<T>> {
    try {
      const res = await this.table.createEntity<Row>({ ...key, data: this.encode(value) });
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
    try {
      const res = await this.table.updateEntity<Row>({ ...key, data: this.encode(value) }, 'Replace', {
        etag,
      });
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
    try {
      await this.table.deleteEntity(key.partitionKey, key.rowKey, etag ? { etag } : undefined);
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

  async *listPartition(partitionKey: string): AsyncIterable<Stored<T> & { key: EntityKey }> {
    const filter = `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'`;
    for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) {
      yield {
        key: { partitionKey: row.partitionKey, rowKey: row.rowKey },
        value: this.decode(row),
        etag: row.etag,
      };
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
