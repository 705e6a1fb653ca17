/**
 * What a storage connection string points at. Production must reach a real Azure Storage account:
 * the emulator (Azurite) keeps nothing durable and accepts a publicly known key, whichever account
 * name it is given and however its address is spelled.
 */
import { isIP } from 'node:net';

/** `Key=Value;…` → keys in lower case; values keep their `=` (account keys end in them). */
function entriesOf(connectionString: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) entries.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return entries;
}

/** Loopback names and addresses, and any IP literal: Azure Storage endpoints are always DNS names. */
function isEmulatorHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'azurite') return true;
  return isIP(host) !== 0;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** True when the connection string names the storage emulator rather than an Azure account. */
export function isStorageEmulator(connectionString: string): boolean {
  const entries = entriesOf(connectionString);
  if (/^true$/i.test(entries.get('usedevelopmentstorage') ?? '')) return true;
  if (entries.has('developmentstorageproxyuri')) return true;
  if ((entries.get('accountname') ?? '').toLowerCase() === 'devstoreaccount1') return true;
  for (const [key, value] of entries) {
    if (key.endsWith('endpoint')) {
      const host = hostOf(value);
      if (host === undefined || isEmulatorHost(host)) return true;
    }
  }
  const suffix = entries.get('endpointsuffix');
  return suffix !== undefined && isEmulatorHost(suffix.split(':')[0] ?? '');
}

/** True when any endpoint would be reached over plain http (the account key signs every request). */
export function usesPlainHttp(connectionString: string): boolean {
  const entries = entriesOf(connectionString);
  if ((entries.get('defaultendpointsprotocol') ?? '').toLowerCase() === 'http') return true;
  return [...entries].some(([key, value]) => key.endsWith('endpoint') && /^http:/i.test(value));
}
