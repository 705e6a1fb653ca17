import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  diffInventory,
  goneNow,
  type InventoryDevice,
  inventoryKey,
  LAST_SEEN_RESOLUTION_MS,
  listedAgain,
  MAX_FIELD_CHARS,
} from '../../src/domain/inventory';
import type { OldMdmDevice } from '../../src/domain/old-mdm';

const NOW = '2026-11-23T09:00:00.000Z';
const BASE = Date.parse('2026-11-20T00:00:00.000Z');

const device = (vendorId: string, fields: Partial<OldMdmDevice> = {}): OldMdmDevice => ({
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId,
  platform: 'ios',
  ownership: 'corporate',
  enrollment: 'enrolled',
  ...fields,
});

const stored = (d: OldMdmDevice, fields: Partial<InventoryDevice> = {}): InventoryDevice => ({
  ...d,
  firstSeenAt: '2026-11-01T00:00:00.000Z',
  lastSyncedAt: '2026-11-01T00:00:00.000Z',
  ...fields,
});

const arbDevice = fc.record({
  vendorId: fc.integer({ min: 1, max: 30 }).map(String),
  name: fc.constantFrom('iPad', 'iPhone', 'Pixel'),
  enrollment: fc.constantFrom('enrolled' as const, 'unenrolled' as const),
  lastSeenHours: fc.integer({ min: 0, max: 48 }),
});
const toDevice = (a: {
  vendorId: string;
  name: string;
  enrollment: OldMdmDevice['enrollment'];
  lastSeenHours: number;
}) =>
  device(a.vendorId, {
    name: a.name,
    enrollment: a.enrollment,
    lastSeen: new Date(BASE + a.lastSeenHours * 3_600_000).toISOString(),
  });
const arbStored = fc
  .uniqueArray(fc.tuple(arbDevice, fc.boolean()), { selector: ([d]) => d.vendorId, maxLength: 20 })
  .map((rows) => rows.map(([d, gone]) => stored(toDevice(d), gone ? { goneAt: NOW } : {})));
const arbSnapshot = fc.array(arbDevice, { maxLength: 25 }).map((ds) => ds.map(toDevice));

/** The rows after applying a diff the way the sync does (read-modify-write per device). */
function apply(rows: InventoryDevice[], snapshot: OldMdmDevice[], full: boolean): InventoryDevice[] {
  const byId = new Map(rows.map((r) => [r.vendorId, r]));
  const diff = diffInventory(rows, snapshot, { full });
  for (const d of [...diff.insert, ...diff.update, ...diff.revive]) {
    const next = listedAgain(byId.get(d.vendorId), d, { now: NOW, snapshotId: 's1' });
    if (next) byId.set(d.vendorId, next);
  }
  for (const id of diff.gone) {
    const next = goneNow(byId.get(id), NOW);
    if (next) byId.set(id, next);
  }
  return [...byId.values()].sort((a, b) => a.vendorId.localeCompare(b.vendorId));
}

describe('inventory: snapshot diff', () => {
  it('inserts new devices, updates changed ones, revives returning ones and marks the unlisted gone', () => {
    const rows = [
      stored(device('1', { name: 'same' })),
      stored(device('2', { name: 'old name' })),
      stored(device('3'), { goneAt: '2026-11-10T00:00:00.000Z' }),
      stored(device('4')),
    ];
    const diff = diffInventory(
      rows,
      [device('1', { name: 'same' }), device('2', { name: 'new name' }), device('3'), device('5')],
      { full: true },
    );
    assert.deepEqual(
      diff.insert.map((d) => d.vendorId),
      ['5'],
    );
    assert.deepEqual(
      diff.update.map((d) => d.vendorId),
      ['2'],
    );
    assert.deepEqual(
      diff.revive.map((d) => d.vendorId),
      ['3'],
    );
    assert.deepEqual(diff.gone, ['4']);
  });

  it('an incremental page never marks anything gone', () => {
    fc.assert(
      fc.property(arbStored, arbSnapshot, (rows, page) => {
        assert.deepEqual(diffInventory(rows, page, { full: false }).gone, []);
      }),
    );
  });

  it('is independent of the order of the stored rows and of the snapshot', () => {
    fc.assert(
      fc.property(arbStored, arbSnapshot, fc.boolean(), (rows, snapshot, full) => {
        const a = diffInventory(rows, snapshot, { full });
        const b = diffInventory([...rows].reverse(), [...snapshot].reverse(), { full });
        assert.deepEqual(a, b);
      }),
    );
  });

  it('applying the same full snapshot twice writes nothing the second time', () => {
    fc.assert(
      fc.property(arbStored, arbSnapshot, (rows, snapshot) => {
        const once = apply(rows, snapshot, true);
        const again = diffInventory(once, snapshot, { full: true });
        assert.deepEqual(again, { insert: [], update: [], revive: [], gone: [] });
      }),
    );
  });

  it('after a full snapshot exactly the listed devices are present, and every other stored one is gone', () => {
    fc.assert(
      fc.property(arbStored, arbSnapshot, (rows, snapshot) => {
        const after = apply(rows, snapshot, true);
        const listed = new Set(snapshot.map((d) => d.vendorId));
        for (const row of after) assert.equal(!row.goneAt, listed.has(row.vendorId), row.vendorId);
        for (const id of listed) assert.ok(after.some((r) => r.vendorId === id));
      }),
    );
  });

  it('a later check-in alone is written only once it moved by the resolution', () => {
    const seen = (ms: number) => new Date(BASE + ms).toISOString();
    const row = stored(device('1', { lastSeen: seen(0) }));
    assert.equal(
      listedAgain(row, device('1', { lastSeen: seen(LAST_SEEN_RESOLUTION_MS - 1) }), { now: NOW }),
      undefined,
    );
    const moved = listedAgain(row, device('1', { lastSeen: seen(LAST_SEEN_RESOLUTION_MS) }), { now: NOW });
    assert.equal(moved?.lastSeen, seen(LAST_SEEN_RESOLUTION_MS));
    assert.equal(moved?.firstSeenAt, row.firstSeenAt, 'first seen is kept');
    assert.equal(moved?.lastSyncedAt, NOW);
  });

  it('keeps rows small: long text is cut, and comparing a long listing to its stored row finds no change', () => {
    const long = device('1', { name: 'x'.repeat(50_000) });
    const row = listedAgain(undefined, long, { now: NOW })!;
    assert.equal(row.name?.length, MAX_FIELD_CHARS);
    assert.ok(JSON.stringify(row).length < 32_000);
    assert.equal(listedAgain(row, long, { now: NOW }), undefined);
  });

  it('keys are safe for Azure Tables and spread over 64 partitions', () => {
    const key = inventoryKey('workspace-one', 'a/b\\c#d?e\u0001');
    assert.doesNotMatch(key.rowKey, /[/\\#?]/);
    assert.ok(
      [...key.rowKey].every(
        (c) => c.charCodeAt(0) > 0x1f && (c.charCodeAt(0) < 0x7f || c.charCodeAt(0) > 0x9f),
      ),
    );
    assert.match(key.partitionKey, /^o[0-6][0-9]$/);
    assert.deepEqual(inventoryKey('workspace-one', 'a/b\\c#d?e\u0001'), key, 'stable');
    const partitions = new Set(
      Array.from({ length: 2000 }, (_, i) => inventoryKey('jamf', String(i)).partitionKey),
    );
    assert.equal(partitions.size, 64);
  });
});
