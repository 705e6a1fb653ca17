import { type ContainerClient, RestError } from '@azure/storage-blob';
import type { Lease, Lock } from '../../ports/lock';

/** Singleton jobs: one blob per lock name, held through a blob lease (15-60 s, renewable). */
export class BlobLock implements Lock {
  constructor(private readonly container: ContainerClient) {}

  async tryAcquire(name: string, seconds: number): Promise<Lease | undefined> {
    if (seconds < 15 || seconds > 60)
      throw new Error(`lease duration ${seconds}s is outside Azure's 15-60 s`);
    const blob = this.container.getBlockBlobClient(`${name}.lock`);
    try {
      await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      // 409 (leased) and 412 (exists) both mean the blob is already there, which is all we need.
      if (!(err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412))) throw err;
    }
    const leaseClient = blob.getBlobLeaseClient();
    try {
      await leaseClient.acquireLease(seconds);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return undefined;
      throw err;
    }
    return {
      name,
      renew: async () => {
        await leaseClient.renewLease();
      },
      release: async () => {
        try {
          await leaseClient.releaseLease();
        } catch (err) {
          // An expired or stolen lease needs no release.
          if (!(err instanceof RestError && err.statusCode === 409)) throw err;
        }
      },
    };
  }
}
