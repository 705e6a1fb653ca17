import { type ContainerClient, RestError } from '@azure/storage-blob';
import type { Lease, Lock } from '../../ports/lock';
import { StorageGuard } from './storage-guard';

/** Singleton jobs: one blob per lock name, held through a blob lease (15-60 s, renewable). */
export class BlobLock implements Lock {
  constructor(
    private readonly container: ContainerClient,
    private readonly guard: StorageGuard = new StorageGuard(),
  ) {}

  async tryAcquire(name: string, seconds: number): Promise<Lease | undefined> {
    if (seconds < 15 || seconds > 60)
      throw new Error(`lease duration ${seconds}s is outside Azure's 15-60 s`);
    const blob = this.container.getBlockBlobClient(`${name}.lock`);
    try {
      await this.guard.run('create lock', (abortSignal) =>
        blob.upload('', 0, { conditions: { ifNoneMatch: '*' }, abortSignal }),
      );
    } catch (err) {
      // 409 (leased) and 412 (exists) both mean the blob is already there, which is all we need.
      if (!(err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412))) throw err;
    }
    const leaseClient = blob.getBlobLeaseClient();
    try {
      await this.guard.run('acquire lease', (abortSignal) =>
        leaseClient.acquireLease(seconds, { abortSignal }),
      );
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return undefined;
      throw err;
    }
    return {
      name,
      renew: async () => {
        await this.guard.run('renew lease', (abortSignal) => leaseClient.renewLease({ abortSignal }));
      },
      release: async () => {
        try {
          await this.guard.run('release lease', (abortSignal) => leaseClient.releaseLease({ abortSignal }));
        } catch (err) {
          // An expired or stolen lease needs no release.
          if (!(err instanceof RestError && err.statusCode === 409)) throw err;
        }
      },
    };
  }
}
