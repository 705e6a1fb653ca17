import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decideMembership, type MemberToSave } from '../../../src/domain/wave-membership';
import {
  deleteImportDraft,
  type ImportDraft,
  loadImportDraft,
  saveImportDraft,
} from '../../../src/features/admin/import-drafts';
import type { AzureStorage } from '../../../src/integrations/storage/azure-storage';
import type { Store } from '../../../src/ports/store';
import { testDeps } from '../../helpers/activities';
import { freshStorage } from '../../helpers/storage';
import { ADMIN, AT, indexRows, member, OTHER_ADMIN, seedWaves } from './member-fixtures';

describe('integration: import drafts (Azurite)', function () {
  this.timeout(60_000);
  let storage: AzureStorage;
  let store: Store;
  let deps: ReturnType<typeof testDeps>['deps'];
  let clock: ReturnType<typeof testDeps>['clock'];

  beforeEach(async () => {
    storage = await freshStorage();
    store = storage.store;
    ({ deps, clock } = testDeps({ store }));
    await seedWaves(store);
  });

  const draftOf = (members: MemberToSave[]): ImportDraft<{ name: string }> => ({
    actorAadObjectId: ADMIN.aadObjectId,
    waveId: 'wave-1',
    isNew: false,
    settings: { name: 'Wave 1' },
    source: { kind: 'csv', fileName: 'people.csv', count: members.length },
    resolved: decideMembership({
      wave: { id: 'wave-1', name: 'Wave 1', state: 'draft' },
      entries: members.map((m, i) => ({
        line: i + 2,
        upn: m.userPrincipalName,
        user: { id: m.aadObjectId, userPrincipalName: m.userPrincipalName, displayName: m.displayName },
      })),
      currentWaveOf: new Map(),
      waves: [],
    }),
    parseProblems: [{ line: 9, value: 'x', reason: 'not-a-upn' }],
    createdAt: AT,
  });

  it('nothing is imported until confirmed: the draft round-trips for its admin only, and expires after 24 h', async () => {
    const draft = draftOf([member('alex'), member('megan')]);
    const saved = await saveImportDraft(deps, draft);
    assert.ok(saved.ok);
    assert.equal(saved.expiresAt, '2026-11-24T09:00:00.000Z');
    assert.deepEqual(await indexRows(store, 'wave-1'), [], 'a draft writes no members');

    const loaded = await loadImportDraft<{ name: string }>(deps, saved.draftId, 'ADMIN-1');
    assert.ok(loaded.ok);
    assert.deepEqual(loaded.draft, draft);

    assert.deepEqual(await loadImportDraft(deps, saved.draftId, OTHER_ADMIN.aadObjectId), {
      ok: false,
      reason: 'not-yours',
    });
    assert.deepEqual(await loadImportDraft(deps, 'not-a-draft-id', ADMIN.aadObjectId), {
      ok: false,
      reason: 'not-found',
    });
    assert.deepEqual(await loadImportDraft(deps, randomUUID(), ADMIN.aadObjectId), {
      ok: false,
      reason: 'not-found',
    });

    clock.advance(24 * 3_600_000);
    assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
      ok: false,
      reason: 'expired',
    });
    assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
      ok: false,
      reason: 'not-found',
    });
    let left = 0;
    for await (const _ of store.jobState.listPartition(`import-draft-${saved.draftId}`)) left++;
    assert.equal(left, 0, 'an expired draft leaves no rows');
  });

  it('a full-size import (50,000 users) fits, chunked under the table row limit', async () => {
    const members = Array.from({ length: 50_000 }, (_, i) =>
      member(randomUUID(), {
        userPrincipalName: `firstname.lastname${i}@contoso.com`,
        displayName: `Firstname Lastname ${i}`,
      }),
    );
    const saved = await saveImportDraft(deps, draftOf(members));
    assert.ok(saved.ok, JSON.stringify(saved));
    let chunks = 0;
    for await (const _ of store.jobState.listPartition(`import-draft-${saved.draftId}`)) chunks++;
    assert.ok(chunks > 1, `${chunks} chunk rows`);
    const loaded = await loadImportDraft<{ name: string }>(deps, saved.draftId, ADMIN.aadObjectId);
    assert.ok(loaded.ok);
    assert.equal(loaded.draft.resolved!.add.length, 50_000);
    assert.equal(
      loaded.draft.resolved!.add[49_999]!.userPrincipalName,
      'firstname.lastname49999@contoso.com',
    );
    await deleteImportDraft(deps, saved.draftId);
    assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
      ok: false,
      reason: 'not-found',
    });
  });

  it('refuses a draft too large to keep, and reports a draft with a missing part as damaged', async () => {
    const incompressible = (n: number) => randomUUID().repeat(1) + String(n) + Math.random().toString(36);
    const huge = draftOf([]);
    (huge.settings as { name: string; noise?: string[] }).noise = Array.from({ length: 200_000 }, (_, i) =>
      incompressible(i),
    );
    const refused = await saveImportDraft(deps, huge);
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'too-large');

    const big = draftOf(Array.from({ length: 2_000 }, () => member(randomUUID())));
    const saved = await saveImportDraft(deps, big);
    assert.ok(saved.ok);
    await store.jobState.delete({ partitionKey: `import-draft-${saved.draftId}`, rowKey: '0000' });
    assert.deepEqual(await loadImportDraft(deps, saved.draftId, ADMIN.aadObjectId), {
      ok: false,
      reason: 'damaged',
    });
  });
});
