import type { AuditEvent } from '../../../src/domain/audit';
import { type Wave, type WaveState, waveKey } from '../../../src/domain/campaign';
import type { MemberToSave } from '../../../src/domain/wave-membership';
import { waveMembersOf } from '../../../src/features/waves';
import type { Store } from '../../../src/ports/store';
import { testDeps } from '../../helpers/activities';
import { FakeDirectory } from '../../helpers/fakes';
import { freshStorage } from '../../helpers/storage';

/** Fixtures shared by the tests of the import's resolve, save and draft modules. */
export const AT = '2026-11-20T10:00:00.000Z';
export const ADMIN = { aadObjectId: 'admin-1', name: 'Ada Admin' };
export const OTHER_ADMIN = { aadObjectId: 'admin-2', name: 'Bo Admin' };

export function wave(id: string, state: WaveState, order = 1): Wave {
  return {
    id,
    name: id.toUpperCase(),
    order,
    state,
    conditionalAccess: { kind: 'none' },
    reminders: { enabled: true, deferralLimit: 3 },
    estimatedMinutes: 20,
    createdAt: AT,
  };
}

export const member = (id: string, extra: Partial<MemberToSave> = {}): MemberToSave => ({
  aadObjectId: id,
  userPrincipalName: `${id}@contoso.com`,
  displayName: `User ${id}`,
  ...extra,
});

/** The campaign every stored-member test starts from. */
export async function seedWaves(store: Store): Promise<void> {
  for (const w of [
    wave('pilot', 'active', 0),
    wave('wave-1', 'draft', 1),
    wave('wave-2', 'draft', 2),
    wave('wave-3', 'scheduled', 3),
    wave('old', 'closed', 9),
  ]) {
    await store.waves.insert(waveKey(w.id), w);
  }
}

/** Counts look-ups in flight, to check the bound. */
export class CountingDirectory extends FakeDirectory {
  inFlight = 0;
  maxInFlight = 0;
  override async findUser(idOrUpn: string) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // A slow directory, so that look-ups overlap.
      await new Promise((r) => setTimeout(r, 5));
      if (idOrUpn.startsWith('flaky')) throw new Error('Graph kept answering 503');
      return await super.findUser(idOrUpn);
    } finally {
      this.inFlight--;
    }
  }
}

export async function indexRows(store: Store, waveId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of waveMembersOf(store, waveId)) out.push(row.aadObjectId);
  return out.sort();
}

export async function audits(store: Store, action: string): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const { value } of store.audit.listPartition('2026-11-23'))
    if (value.action === action) out.push(value);
  return out;
}

/** A fresh Azurite store with the waves seeded, a counting directory and the deps over both. */
export async function seededImportWorld() {
  const storage = await freshStorage();
  const store = storage.store;
  const directory = new CountingDirectory();
  const { deps } = testDeps({ store, directory });
  await seedWaves(store);
  return { storage, store, directory, deps };
}
