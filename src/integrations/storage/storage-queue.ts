import type { QueueClient } from '@azure/storage-queue';
import type { QueueMessage, WorkQueue } from '../../ports/queue';
import { StorageGuard } from './storage-guard';

/** An Azure Storage queue carrying JSON bodies (base64, as the portal and Functions expect). */
export class StorageWorkQueue<T> implements WorkQueue<T> {
  constructor(
    private readonly queue: QueueClient,
    private readonly guard: StorageGuard = new StorageGuard(),
  ) {}

  async enqueue(body: T, options?: { visibilityDelaySeconds?: number }): Promise<void> {
    const text = Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
    if (text.length > 64 * 1024)
      throw new Error(`queue message of ${text.length} bytes exceeds the 64 KiB limit`);
    await this.guard.run('enqueue', (abortSignal) =>
      this.queue.sendMessage(text, { visibilityTimeout: options?.visibilityDelaySeconds, abortSignal }),
    );
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueueMessage<T>[]> {
    const res = await this.guard.run('receive', (abortSignal) =>
      this.queue.receiveMessages({
        numberOfMessages: Math.min(32, Math.max(1, max)),
        visibilityTimeout: visibilityTimeoutSeconds,
        abortSignal,
      }),
    );
    return res.receivedMessageItems.map((m) => ({
      id: m.messageId,
      popReceipt: m.popReceipt,
      dequeueCount: m.dequeueCount,
      body: JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as T,
    }));
  }

  async complete(message: QueueMessage<T>): Promise<void> {
    await this.guard.run('complete', (abortSignal) =>
      this.queue.deleteMessage(message.id, message.popReceipt, { abortSignal }),
    );
  }

  async postpone(message: QueueMessage<T>, seconds: number): Promise<QueueMessage<T>> {
    const res = await this.guard.run('postpone', (abortSignal) =>
      this.queue.updateMessage(message.id, message.popReceipt, undefined, seconds, { abortSignal }),
    );
    return { ...message, popReceipt: res.popReceipt ?? message.popReceipt };
  }
}
