/** A lease held by one instance at a time (Azure Blob leases); used for singleton jobs such as scheduler ticks. */
export interface Lease {
  readonly name: string;
  renew(): Promise<void>;
  release(): Promise<void>;
}

export interface Lock {
  /** Returns the lease when this instance got it, undefined when another instance holds it. */
  tryAcquire(name: string, seconds: number): Promise<Lease | undefined>;
}
