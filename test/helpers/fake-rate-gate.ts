import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/ports/clock';
import type { QueueMessage, WorkQueue } from '../../src/ports/queue';
import { AbortedError, type RateGate } from '../../src/ports/rate-gate';

/** A rate gate that lets every call through at once and records what it was asked. */
export class FakeRateGate implements RateGate {
  taken = 0;
  pauses: Date[] = [];
  /** While set, take() waits for it (to hold senders at the gate). */
  hold?: Promise<void>;

  async take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError();
    if (this.hold) {
      await Promise.race([
        this.hold,
        new Promise<never>((_, reject) =>
          signal?.addEventListener('abort', () => reject(new AbortedError())),
        ),
      ]);
    }
    this.taken++;
  }
  async pauseUntil(until: Date): Promise<void> {
    this.pauses.push(until);
  }
  pausedUntil(): Date | undefined {
    return this.pauses.at(-1);
  }
}

interface Held<T> {
  id: string;
  popReceipt: string;
  dequeueCount: number;
  visibleAt: number;
  body: T;
}

/** Azure Queue semantics in memory: received messages stay invisible until completed, postponed or expired. */
export class InMemoryWorkQueue<T> implements WorkQueue<T> {
  readonly messages: Held<T>[] = [];
  enqueued = 0;

  constructor(private readonly clock: Clock) {}

  async enqueue(body: T, options?: { visibilityDelaySeconds?: number }): Promise<void> {
    this.enqueued++;
    this.messages.push({
      id: randomUUID(),
      popReceipt: randomUUID(),
      dequeueCount: 0,
      visibleAt: this.now() + (options?.visibilityDelaySeconds ?? 0) * 1000,
      body: structuredClone(body),
    });
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueueMessage<T>[]> {
    const now = this.now();
    const out: QueueMessage<T>[] = [];
    for (const m of this.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.visibleAt = now + visibilityTimeoutSeconds * 1000;
      m.popReceipt = randomUUID();
      m.dequeueCount++;
      out.push({
        id: m.id,
        popReceipt: m.popReceipt,
        dequeueCount: m.dequeueCount,
        body: structuredClone(m.body),
      });
    }
    return out;
  }

  async complete(message: QueueMessage<T>): Promise<void> {
    const i = this.messages.findIndex((m) => m.id === message.id && m.popReceipt === message.popReceipt);
    if (i < 0) throw new Error(`message ${message.id}: pop receipt no longer valid`);
    this.messages.splice(i, 1);
  }

  async postpone(message: QueueMessage<T>, seconds: number): Promise<QueueMessage<T>> {
    const m = this.messages.find((x) => x.id === message.id && x.popReceipt === message.popReceipt);
    if (!m) throw new Error(`message ${message.id}: pop receipt no longer valid`);
    m.visibleAt = this.now() + seconds * 1000;
    m.popReceipt = randomUUID();
    return { ...message, popReceipt: m.popReceipt };
  }

  /** As if every visibility timeout ran out (the instance holding them died). */
  expireAll(): void {
    for (const m of this.messages) m.visibleAt = 0;
  }

  get size(): number {
    return this.messages.length;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
