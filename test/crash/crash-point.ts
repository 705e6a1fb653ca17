import type { Messenger } from '../../src/ports/messenger';
import type { Repository, Store } from '../../src/ports/store';

/** What a process that died throws from everything it still tries: nothing after it happens. */
export class Crashed extends Error {
  constructor() {
    super('the instance died here');
    this.name = 'Crashed';
  }
}

/**
 * A process that dies at a numbered point: every write to storage and every message to Teams is two
 * points, just before it and just after it has landed (the caller never learns it did). From the
 * point on, every call — reads too — throws `Crashed`, as nothing runs in a dead process.
 * `points` counts the points a run passed, so a test can try each one: when a run dies at none,
 * every point has been tried.
 */
export class CrashPoint {
  points = 0;
  dead = false;
  constructor(readonly at: number) {}

  private pass(): void {
    if (this.dead) throw new Crashed();
    if (this.points++ === this.at) {
      this.dead = true;
      throw new Crashed();
    }
  }

  async effect<T>(op: () => Promise<T>): Promise<T> {
    this.pass();
    const result = await op();
    this.pass();
    return result;
  }

  async read<T>(op: () => Promise<T>): Promise<T> {
    if (this.dead) throw new Crashed();
    return op();
  }

  repository<T>(inner: Repository<T>): Repository<T> {
    const self = this;
    return {
      get: (key) => this.read(() => inner.get(key)),
      insert: (key, value) => this.effect(() => inner.insert(key, value)),
      replace: (key, value, etag) => this.effect(() => inner.replace(key, value, etag)),
      delete: (key, etag) => this.effect(() => inner.delete(key, etag)),
      update: (key, mutate) => this.effect(() => inner.update(key, mutate)),
      transact: (partitionKey, actions) => this.effect(() => inner.transact(partitionKey, actions)),
      async *listPartition(partitionKey, range) {
        for await (const row of inner.listPartition(partitionKey, range)) {
          if (self.dead) throw new Crashed();
          yield row;
        }
      },
      async *listPartitions(partitions, rows) {
        for await (const row of inner.listPartitions(partitions, rows)) {
          if (self.dead) throw new Crashed();
          yield row;
        }
      },
    };
  }

  /** The store with every repository behind this crash point (other members as they are). */
  store(inner: Store): Store {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(inner)) {
      const isRepo =
        value && typeof value === 'object' && 'listPartition' in value && 'update' in value && 'get' in value;
      out[name] = isRepo ? this.repository(value as Repository<unknown>) : value;
    }
    return out as unknown as Store;
  }

  messenger(inner: Messenger): Messenger {
    return {
      send: (to, message) => this.effect(() => inner.send(to, message)),
      update: (to, id, message) => this.effect(() => inner.update(to, id, message)),
      openPersonalChat: (user) => this.effect(() => inner.openPersonalChat(user)),
    };
  }
}

/**
 * For crash point 0, 1, 2, …: a fresh world from `setup`, `once` run in it dying at that point, then
 * `check` (which reruns the work on a live instance and asserts the outcome) — until a run passes
 * every point alive. Returns how many crash points were tried.
 */
export async function atEveryCrashPoint<W>(
  setup: () => Promise<W>,
  once: (world: W, crash: CrashPoint) => Promise<unknown>,
  check: (world: W, crash: CrashPoint) => Promise<void>,
  limit = 200,
): Promise<number> {
  for (let at = 0; at < limit; at++) {
    const world = await setup();
    const crash = new CrashPoint(at);
    try {
      await once(world, crash);
    } catch (err) {
      if (!(err instanceof Crashed)) throw err;
    }
    await check(world, crash);
    if (!crash.dead) return at + 1;
  }
  throw new Error(`more than ${limit} crash points: the work does not finish`);
}
