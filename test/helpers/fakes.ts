import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { AuditEvent } from '../../src/domain/audit';
import type { Broadcast, Delivery } from '../../src/domain/broadcast';
import type { Campaign, Wave, WaveMember } from '../../src/domain/campaign';
import type { DeviceObservation } from '../../src/domain/device';
import type { MatchCandidate } from '../../src/domain/device-matching';
import type { DeviceOwner } from '../../src/domain/device-owner';
import type { Escalation } from '../../src/domain/escalation-model';
import type { InventoryDevice, PersonInventoryDevice } from '../../src/domain/inventory';
import type { ConversationAddress, Participant } from '../../src/domain/participant';
import type { CounterRow } from '../../src/domain/wave-counters';
import type { Logger } from '../../src/logging';
import type { Clock } from '../../src/ports/clock';
import type {
  DeviceDirectory,
  DirectoryUser,
  EnrollmentFailureEvent,
} from '../../src/ports/device-directory';
import type { Messenger, OutgoingCard, PersonalChatOf } from '../../src/ports/messenger';
import {
  ConcurrencyError,
  type EntityKey,
  type JobState,
  type Repository,
  type RowRange,
  type Store,
  type Stored,
  type TransactionAction,
  TransactionError,
} from '../../src/ports/store';

/** Same contract as the Azure Table repository (ETags included), in memory. */
export class InMemoryRepository<T> implements Repository<T> {
  readonly rows = new Map<string, Stored<T>>();
  private id = (k: EntityKey) => `${k.partitionKey}\u0000${k.rowKey}`;

  async get(key: EntityKey) {
    const row = this.rows.get(this.id(key));
    return row ? { value: structuredClone(row.value), etag: row.etag } : undefined;
  }
  async insert(key: EntityKey, value: T) {
    if (this.rows.has(this.id(key))) throw new ConcurrencyError('exists', 'already-exists');
    const row = { value: structuredClone(value), etag: randomUUID() };
    this.rows.set(this.id(key), row);
    return row;
  }
  async replace(key: EntityKey, value: T, etag: string) {
    const cur = this.rows.get(this.id(key));
    if (!cur || cur.etag !== etag) throw new ConcurrencyError('changed', 'etag-mismatch');
    const row = { value: structuredClone(value), etag: randomUUID() };
    this.rows.set(this.id(key), row);
    return row;
  }
  async delete(key: EntityKey) {
    this.rows.delete(this.id(key));
  }
  async *listPartition(partitionKey: string, range?: RowRange) {
    yield* this.listPartitions({ from: partitionKey, to: `${partitionKey}\u0000` }, range);
  }
  async *listPartitions(partitions: { from: string; to: string }, range?: RowRange) {
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const found = [...this.rows]
      .map(([id, row]) => {
        const [pk, rk] = id.split('\u0000');
        return { ...row, key: { partitionKey: pk!, rowKey: rk! } };
      })
      .filter(
        (r) =>
          r.key.partitionKey >= partitions.from &&
          r.key.partitionKey < partitions.to &&
          (range?.from === undefined || r.key.rowKey >= range.from) &&
          (range?.to === undefined || r.key.rowKey < range.to),
      )
      .sort((a, b) => order(a.key.partitionKey, b.key.partitionKey) || order(a.key.rowKey, b.key.rowKey));
    yield* found;
  }
  async transact(partitionKey: string, actions: readonly TransactionAction<T>[]) {
    // Checked whole first, then applied: all or nothing, as Azure Tables does.
    actions.forEach((a, i) => {
      const cur = this.rows.get(this.id({ partitionKey, rowKey: a.rowKey }));
      if (a.kind === 'insert' && cur) throw new TransactionError('exists', 'already-exists', i);
      if (a.kind === 'replace' && (!cur || cur.etag !== a.etag))
        throw new TransactionError('changed', 'etag-mismatch', i);
    });
    return actions.map((a) => {
      const id = this.id({ partitionKey, rowKey: a.rowKey });
      if (a.kind === 'delete') {
        this.rows.delete(id);
        return '';
      }
      const row = { value: structuredClone(a.value), etag: randomUUID() };
      this.rows.set(id, row);
      return row.etag;
    });
  }
  async update(key: EntityKey, mutate: (current: T | undefined) => T | undefined) {
    const cur = await this.get(key);
    const next = mutate(cur?.value);
    if (next === undefined) return cur?.value;
    if (cur) await this.replace(key, next, cur.etag);
    else await this.insert(key, next);
    return next;
  }
  values(): T[] {
    return [...this.rows.values()].map((r) => r.value);
  }
}

export class InMemoryStore implements Store {
  participants = new InMemoryRepository<Participant>();
  audit = new InMemoryRepository<AuditEvent>();
  campaigns = new InMemoryRepository<Campaign>();
  waves = new InMemoryRepository<Wave>();
  waveMembers = new InMemoryRepository<WaveMember>();
  jobState = new InMemoryRepository<JobState>();
  deviceOwners = new InMemoryRepository<DeviceOwner>();
  escalations = new InMemoryRepository<Escalation>();
  broadcasts = new InMemoryRepository<Broadcast>();
  deliveries = new InMemoryRepository<Delivery>();
  oldMdmDevices = new InMemoryRepository<InventoryDevice>();
  oldMdmByPerson = new InMemoryRepository<PersonInventoryDevice>();
  counters = new InMemoryRepository<CounterRow>();
  async ping() {}
}

export class FakeClock implements Clock {
  constructor(public current = new Date('2026-11-23T09:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class FakeDirectory implements DeviceDirectory {
  users = new Map<string, DirectoryUser>();
  devices = new Map<string, DeviceObservation[]>();
  /** When set, every call waits this long first (to exercise the invoke budget). */
  delayMs = 0;
  failWith?: Error;
  calls = 0;

  async findUser(idOrUpn: string) {
    await this.pause();
    return [...this.users.values()].find((u) => u.id === idOrUpn || u.userPrincipalName === idOrUpn);
  }
  failures = new Map<string, EnrollmentFailureEvent[]>();
  /** Group id → display name and member ids (already flattened, as transitiveMembers returns them). */
  groups = new Map<string, { name: string; memberIds: string[] }>();
  async groupMembers(groupId: string) {
    await this.pause();
    const g = this.groups.get(groupId);
    if (!g) return undefined;
    return {
      groupName: g.name,
      users: g.memberIds.flatMap((id) => {
        const u = this.users.get(id) ?? [...this.users.values()].find((x) => x.id === id);
        return u ? [u] : [];
      }),
    };
  }
  async isMemberOfGroup(userId: string, groupId: string) {
    await this.pause();
    return this.groups.get(groupId)?.memberIds.includes(userId) ?? false;
  }
  async devicesOfUser(user: { id: string }) {
    await this.pause();
    return this.devices.get(user.id) ?? [];
  }
  async deviceStateOfUser(user: { id: string; userPrincipalName: string }, since: Date) {
    const devices = await this.devicesOfUser(user);
    const failures = (this.failures.get(user.id) ?? []).filter((f) => Date.parse(f.at) >= since.getTime());
    return { devices, failures };
  }
  /** Devices only matching sees (with serials etc.); the `devices` above are listed too. */
  candidates: MatchCandidate[] = [];
  async matchCandidates(_signal?: AbortSignal, _entraDeviceIds?: ReadonlySet<string>) {
    await this.pause();
    const fromDevices = [...this.devices].flatMap(([ownerId, list]) =>
      list.map(
        (d): MatchCandidate => ({
          key: d.key,
          name: d.name,
          platform: d.platform,
          entraDeviceId: d.entra?.deviceId,
          ownerId,
        }),
      ),
    );
    return { candidates: [...fromDevices, ...this.candidates], requests: 1 };
  }
  private async pause() {
    this.calls++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith;
  }
}

export class RecordingMessenger implements Messenger {
  sent: { to: ConversationAddress; message: OutgoingCard }[] = [];
  updated: { to: ConversationAddress; activityId: string; message: OutgoingCard }[] = [];
  async send(to: ConversationAddress, message: OutgoingCard) {
    this.sent.push({ to, message });
    return { activityId: `activity-${this.sent.length}` };
  }
  async update(to: ConversationAddress, activityId: string, message: OutgoingCard) {
    this.updated.push({ to, activityId, message });
  }
  /** Chats opened through the connector (a call), and those whose id Graph gave (no call). */
  opened: string[] = [];
  named: string[] = [];
  async openPersonalChat(user: PersonalChatOf): Promise<ConversationAddress> {
    (user.chatId ? this.named : this.opened).push(user.aadObjectId);
    return {
      serviceUrl: 'https://smba.example/teams/',
      channelId: 'msteams',
      conversationId: user.chatId ?? `a:chat-${user.aadObjectId}`,
      conversationType: 'personal',
      tenantId: user.tenantId,
      botId: 'bot',
      userId: user.aadObjectId,
    };
  }
}

export const silentLogger: Logger = pino({ level: 'silent' });
