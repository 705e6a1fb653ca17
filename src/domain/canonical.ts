import { createHash } from 'node:crypto';

/** JSON with object keys sorted and undefined members left out: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whether two JSON-like values are equal, ignoring key order and undefined members. */
export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || canonicalJson(a) === canonicalJson(b);
}

/** A stable fingerprint of `text`: the first `hexDigits` hex digits of its SHA-256. */
export function fingerprint(text: string, hexDigits = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexDigits);
}

/** Spreads keys evenly over `buckets` (≤ 65,536) buckets: the same key always lands in the same one. */
export function bucketOf(key: string, buckets: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % buckets;
}
