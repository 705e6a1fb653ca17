/** Who did what, when: admin actions, overrides and broadcasts are recorded and never edited. */
export interface AuditEvent {
  at: string;
  actorAadObjectId: string;
  actorName?: string;
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

/** Row keys sort newest first inside a day's partition. */
export function auditKey(at: Date, uniqueSuffix: string): { partitionKey: string; rowKey: string } {
  const day = at.toISOString().slice(0, 10);
  const inverted = (8_640_000_000_000_000 - at.getTime()).toString().padStart(16, '0');
  return { partitionKey: day, rowKey: `${inverted}-${uniqueSuffix}` };
}
