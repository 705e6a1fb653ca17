/** Durable work queue (Azure Queues): a message stays invisible while processed and reappears if not deleted. */
export interface QueueMessage<T> {
  id: string;
  popReceipt: string;
  dequeueCount: number;
  body: T;
}

export interface WorkQueue<T> {
  enqueue(body: T, options?: { visibilityDelaySeconds?: number }): Promise<void>;
  receive(max: number, visibilityTimeoutSeconds: number): Promise<QueueMessage<T>[]>;
  complete(message: QueueMessage<T>): Promise<void>;
  /** Pushes the message's reappearance further out (still being worked on, or retry later). */
  postpone(message: QueueMessage<T>, seconds: number): Promise<QueueMessage<T>>;
}
