/**
 * Storage round trips of this process, counted where they leave it: every HTTP request Node's http
 * module starts (the Azure SDKs use it) towards one of the account's endpoints, by service. Nothing
 * is wrapped or changed in the product's storage code.
 */
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface StorageRequests {
  table: number;
  queue: number;
  blob: number;
  /** Table requests by kind: queries (a filter, the emulator scans the table for each), transactions, the rest. */
  tableKinds: { query: number; transaction: number; other: number };
}

/** Starts counting the requests to the endpoints of `connectionString`; returns the running totals. */
export function countStorageRequests(connectionString: string): () => StorageRequests {
  const services = new Map<string, keyof StorageRequests>();
  for (const [name, service] of [
    ['TableEndpoint', 'table'],
    ['QueueEndpoint', 'queue'],
    ['BlobEndpoint', 'blob'],
  ] as const) {
    const m = new RegExp(`${name}=([^;]+)`).exec(connectionString);
    if (m) services.set(new URL(m[1]!).host, service);
  }
  const totals: StorageRequests = {
    table: 0,
    queue: 0,
    blob: 0,
    tableKinds: { query: 0, transaction: 0, other: 0 },
  };
  diagnostics.subscribe('http.client.request.start', (message) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? request.host);
    const service = services.get(host);
    if (!service) return;
    totals[service]++;
    if (service !== 'table') return;
    const target = decodeURIComponent(request.path);
    if (target.includes('$batch')) totals.tableKinds.transaction++;
    else if (request.method === 'GET' && target.includes('$filter')) totals.tableKinds.query++;
    else totals.tableKinds.other++;
  });
  return () => ({ ...totals, tableKinds: { ...totals.tableKinds } });
}

export const totalOf = (r: StorageRequests): number => r.table + r.queue + r.blob;
