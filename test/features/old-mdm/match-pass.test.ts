import assert from 'node:assert/strict';
import type { InventoryDevice } from '../../../src/domain/inventory';
import { inventoryKey } from '../../../src/domain/inventory';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { participantKey } from '../../../src/domain/participant';
import { applyFileSnapshot } from '../../../src/features/old-mdm/inventory-sync';
import { readMatchPassState, runMatchPass } from '../../../src/features/old-mdm/match-pass';
import { matchSummary, oldMdmDevicesOf } from '../../../src/features/old-mdm/match-views';
import type { Store } from '../../../src/ports/store';
import { heapGrowthLowered } from '../../../src/shared/heap-growth';
import { FakeDirectory } from '../../helpers/fakes';
import { HOUR, NOW, syncDeps } from './old-mdm-fixtures';

const ALEX = 'a1ex0000-0000-0000-0000-000000000001';
const MEGAN = 'me9a0000-0000-0000-0000-000000000002';
const SOURCE = 'workspace-one';

const device = (vendorId: string, fields: Partial<OldMdmDevice> = {}): OldMdmDevice => ({
  source: SOURCE,
  vendor: 'workspace-one',
  vendorId,
  platform: 'ipados',
  ownership: 'personal',
  enrollment: 'enrolled',
  ...fields,
});

async function addParticipant(store: Store, aadObjectId: string, userPrincipalName: string) {
  const at = new Date(NOW).toISOString();
  await store.participants.insert(participantKey(aadObjectId), {
    aadObjectId,
    userPrincipalName,
    firstSeenAt: at,
    lastSeenAt: at,
    version: 1,
  });
}

async function row(store: Store, vendorId: string): Promise<InventoryDevice> {
  return (await store.oldMdmDevices.get(inventoryKey(SOURCE, vendorId)))!.value;
}

async function setup() {
  const deps = await syncDeps();
  const directory = new FakeDirectory();
  await addParticipant(deps.store, ALEX, 'alexw@example.com');
  await addParticipant(deps.store, MEGAN, 'meganb@example.com');
  const snapshot = (devices: OldMdmDevice[]) => applyFileSnapshot(deps, devices, { source: SOURCE });
  const pass = () => runMatchPass({ ...deps, directory });
  return { deps, directory, store: deps.store, snapshot, pass };
}

describe('integration: old-MDM matching pass (Azurite)', () => {
  it('matches by serial, records the person, and indexes the device under that person', async () => {
    const { directory, store, snapshot, pass } = await setup();
    directory.candidates = [{ key: 'entra-ipad', platform: 'ipados', serialNumber: 'dmpx-1234' }];
    await snapshot([
      device('101', {
        name: "Alex's iPad",
        serialNumber: 'DMPX1234',
        userPrincipalName: 'AlexW@example.com',
      }),
      device('102', { name: 'Stranger', serialNumber: 'ZZZ', userPrincipalName: 'nobody@example.com' }),
    ]);

    const report = await pass();
    assert.deepEqual(
      [report.devices, report.matched, report.unmatched, report.personMissing, report.graphRequests],
      [2, 1, 1, 1, 1],
    );
    const ipad = await row(store, '101');
    assert.deepEqual(ipad.match, {
      kind: 'matched',
      candidateKey: 'entra-ipad',
      by: 'serial',
      confidence: 1,
    });
    assert.deepEqual(ipad.person, { aadObjectId: ALEX, by: 'upn' });
    assert.equal(ipad.matchedAt, new Date(NOW).toISOString());
    assert.equal(ipad.indexedUnder, ALEX);
    const stranger = await row(store, '102');
    assert.deepEqual(stranger.match, { kind: 'unmatched' });
    assert.deepEqual(stranger.person, { missing: 'not-found' });
    assert.equal(stranger.indexedUnder, undefined);

    const alexDevices = await oldMdmDevicesOf(store, ALEX.toUpperCase());
    assert.deepEqual(
      alexDevices.map((d) => [d.vendorId, d.name, d.ownership, d.match?.kind]),
      [['101', "Alex's iPad", 'personal', 'matched']],
    );
    assert.deepEqual(await oldMdmDevicesOf(store, MEGAN), []);

    const summary = await matchSummary(store);
    assert.deepEqual(summary.bySource[SOURCE], {
      listed: 2,
      matched: 1,
      ambiguous: 0,
      unmatched: 1,
      pending: 0,
      personMissing: 1,
    });
    assert.deepEqual(summary.review, [
      {
        source: SOURCE,
        vendorId: '102',
        name: 'Stranger',
        platform: 'ipados',
        user: 'nobody@example.com',
        match: 'unmatched',
        personMissing: 'not-found',
      },
    ]);
    assert.ok((await readMatchPassState(store)).lastPassAt);
  });

  it('asks Graph with the Entra ids the old MDM lists, under a lowered heap growth it gives back after', async () => {
    const { directory, snapshot, pass } = await setup();
    const asked: { entraIds?: string[]; lowered: boolean }[] = [];
    const read = directory.matchCandidates.bind(directory);
    directory.matchCandidates = (signal, entraDeviceIds) => {
      asked.push({ entraIds: entraDeviceIds && [...entraDeviceIds], lowered: heapGrowthLowered() });
      return read(signal, entraDeviceIds);
    };
    await snapshot([
      device('101', { name: "Alex's iPad", entraDeviceId: '{5E2C0A8B-0000-4000-8000-00000000A1A1}' }),
      device('102', { name: 'Stranger' }),
    ]);
    await pass();
    assert.deepEqual(asked, [{ entraIds: ['5E2C0A8B00004000800000000000A1A1'], lowered: true }]);
    assert.equal(heapGrowthLowered(), false);
  });

  it('stores an ambiguous pair as ambiguous with both candidate keys and lists it for admins', async () => {
    const { directory, store, snapshot, pass } = await setup();
    directory.candidates = [
      { key: 'intune-b', platform: 'ios', serialNumber: 'TWIN1' },
      { key: 'intune-a', platform: 'ios', serialNumber: 'twin1' },
    ];
    await snapshot([
      device('201', { platform: 'ios', serialNumber: 'TWIN1', userEmail: 'meganb@example.com' }),
    ]);

    const report = await pass();
    assert.equal(report.ambiguous, 1);
    const stored = await row(store, '201');
    assert.deepEqual(stored.match, {
      kind: 'ambiguous',
      by: 'serial',
      reason: 'several-candidates',
      candidateKeys: ['intune-a', 'intune-b'],
    });
    assert.deepEqual(stored.person, { aadObjectId: MEGAN, by: 'mail' });
    const summary = await matchSummary(store);
    assert.deepEqual(summary.review, [
      {
        source: SOURCE,
        vendorId: '201',
        platform: 'ios',
        user: 'meganb@example.com',
        match: 'ambiguous',
        by: 'serial',
        reason: 'several-candidates',
        candidateKeys: ['intune-a', 'intune-b'],
      },
    ]);
    assert.equal(summary.reviewLeftOff, 0);
  });

  it('caps the stored candidate list at five keys', async () => {
    const { directory, store, snapshot, pass } = await setup();
    directory.candidates = Array.from({ length: 8 }, (_, i) => ({
      key: `intune-${i}`,
      platform: 'ios' as const,
      serialNumber: 'SHARED',
    }));
    await snapshot([device('251', { platform: 'ios', serialNumber: 'SHARED' })]);
    await pass();
    const stored = await row(store, '251');
    assert.equal(stored.match?.kind, 'ambiguous');
    assert.deepEqual(stored.match?.kind === 'ambiguous' && stored.match.candidateKeys, [
      'intune-0',
      'intune-1',
      'intune-2',
      'intune-3',
      'intune-4',
    ]);
  });

  it('a device that changes owner moves in the person index', async () => {
    const { deps, store, snapshot, pass } = await setup();
    await snapshot([device('301', { name: 'Shared iPad', userPrincipalName: 'alexw@example.com' })]);
    await pass();
    assert.deepEqual(
      (await oldMdmDevicesOf(store, ALEX)).map((d) => d.vendorId),
      ['301'],
    );

    deps.clock.advance(HOUR);
    await snapshot([device('301', { name: 'Shared iPad', userPrincipalName: 'meganb@example.com' })]);
    const report = await pass();
    assert.deepEqual([report.indexWritten, report.indexDeleted, report.rowsWritten], [1, 1, 1]);
    assert.deepEqual(await oldMdmDevicesOf(store, ALEX), []);
    assert.deepEqual(
      (await oldMdmDevicesOf(store, MEGAN)).map((d) => d.vendorId),
      ['301'],
    );
    const stored = await row(store, '301');
    assert.deepEqual(stored.person, { aadObjectId: MEGAN, by: 'upn' });
    assert.equal(stored.matchedAt, new Date(NOW + HOUR).toISOString());
  });

  it('a gone device stays in the person index for a day, marked gone, then leaves it', async () => {
    const { deps, store, snapshot, pass } = await setup();
    await snapshot([
      device('401', { name: "Alex's iPad", userPrincipalName: 'alexw@example.com' }),
      device('402', { name: "Alex's iPhone", platform: 'ios', userPrincipalName: 'alexw@example.com' }),
    ]);
    await pass();

    deps.clock.advance(HOUR);
    await snapshot([
      device('402', { name: "Alex's iPhone", platform: 'ios', userPrincipalName: 'alexw@example.com' }),
    ]);
    const afterGone = await pass();
    assert.equal(afterGone.gone, 1);
    const listed = await oldMdmDevicesOf(store, ALEX);
    assert.deepEqual(
      listed.map((d) => [d.vendorId, d.goneAt]),
      [
        ['401', new Date(NOW + HOUR).toISOString()],
        ['402', undefined],
      ],
    );

    deps.clock.advance(25 * HOUR);
    const later = await pass();
    assert.equal(later.indexDeleted, 1);
    assert.deepEqual(
      (await oldMdmDevicesOf(store, ALEX)).map((d) => d.vendorId),
      ['402'],
    );
    const gone = await row(store, '401');
    assert.equal(gone.indexedUnder, undefined);
    assert.deepEqual(gone.person, { aadObjectId: ALEX, by: 'upn' }, 'whose it was is kept');
    assert.equal((await matchSummary(store)).bySource[SOURCE]!.listed, 1);
  });

  it('running the pass twice writes nothing the second time', async () => {
    const { directory, store, snapshot, pass } = await setup();
    directory.candidates = [{ key: 'intune-1', platform: 'ios', serialNumber: 'S1' }];
    await snapshot([
      device('501', { platform: 'ios', serialNumber: 'S1', userPrincipalName: 'alexw@example.com' }),
      device('502', { platform: 'ios', serialNumber: 'S2', userPrincipalName: 'meganb@example.com' }),
      device('503', { platform: 'android', serialNumber: 'S3' }),
    ]);
    const first = await pass();
    assert.deepEqual([first.rowsWritten, first.indexWritten], [3, 2]);
    const etags = async () =>
      Promise.all(
        ['501', '502', '503'].map(
          async (id) => (await store.oldMdmDevices.get(inventoryKey(SOURCE, id)))!.etag,
        ),
      );
    const before = await etags();

    const second = await pass();
    assert.deepEqual([second.rowsWritten, second.indexWritten, second.indexDeleted], [0, 0, 0]);
    assert.deepEqual(await etags(), before);
  });

  it('a sync that rewrites a row keeps its match, and the next pass refreshes the index copy', async () => {
    const { deps, directory, store, snapshot, pass } = await setup();
    directory.candidates = [{ key: 'intune-1', platform: 'ios', serialNumber: 'S1' }];
    const phone = device('601', {
      platform: 'ios',
      name: 'Old name',
      serialNumber: 'S1',
      userPrincipalName: 'alexw@example.com',
    });
    await snapshot([phone]);
    await pass();

    deps.clock.advance(HOUR);
    await snapshot([{ ...phone, name: 'New name', enrollment: 'unenrolled' }]);
    const rewritten = await row(store, '601');
    assert.equal(rewritten.match?.kind, 'matched', 'the sync carried the match over');
    assert.notEqual(rewritten.matchedRowAt, rewritten.lastSyncedAt);

    const report = await pass();
    assert.deepEqual([report.rowsWritten, report.indexWritten], [1, 1]);
    const [copy] = await oldMdmDevicesOf(store, ALEX);
    assert.deepEqual([copy!.name, copy!.enrollment], ['New name', 'unenrolled']);
    assert.equal(
      (await row(store, '601')).matchedAt,
      new Date(NOW).toISOString(),
      'the match itself did not change',
    );
  });
});
