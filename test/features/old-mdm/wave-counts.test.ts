import assert from 'node:assert/strict';
import type { OldMdmDevice } from '../../../src/domain/old-mdm';
import { participantKey } from '../../../src/domain/participant';
import { applyFileSnapshot } from '../../../src/features/old-mdm/inventory-sync';
import { passSources, readMatchPassState, runMatchPass } from '../../../src/features/old-mdm/match-pass';
import {
  type CountedDevice,
  countByWave,
  readWaveCounts,
  WAVE_COUNTS_PARTITION,
} from '../../../src/features/old-mdm/wave-counts';
import type { Store } from '../../../src/ports/store';
import { FakeDirectory } from '../../helpers/fakes';
import { HOUR, NOW, syncDeps } from './old-mdm-fixtures';

const PEOPLE = {
  ann: { id: 'a0000000-0000-0000-0000-00000000000a', upn: 'ann@example.com', wave: 'pilot' },
  bob: { id: 'b0000000-0000-0000-0000-00000000000b', upn: 'bob@example.com', wave: 'pilot' },
  cai: { id: 'c0000000-0000-0000-0000-00000000000c', upn: 'cai@example.com', wave: 'wave-1' },
  /** Known to the bot but in no wave: counted nowhere. */
  dan: { id: 'd0000000-0000-0000-0000-00000000000d', upn: 'dan@example.com', wave: undefined },
} as const;

async function addPerson(store: Store, p: { id: string; upn: string; wave?: string }) {
  const at = new Date(NOW).toISOString();
  await store.participants.update(participantKey(p.id), (cur) => ({
    ...(cur ?? { firstSeenAt: at, lastSeenAt: at, version: 0 }),
    aadObjectId: p.id,
    userPrincipalName: p.upn,
    version: (cur?.version ?? 0) + 1,
    ...(p.wave ? { waveId: p.wave } : {}),
  }));
}

const ws1 = (vendorId: string, upn: string, serialNumber: string): OldMdmDevice => ({
  source: 'workspace-one',
  vendor: 'workspace-one',
  vendorId,
  platform: 'ios',
  ownership: 'corporate',
  enrollment: 'enrolled',
  serialNumber,
  userPrincipalName: upn,
});
const mac = (vendorId: string, upn: string, serialNumber: string): OldMdmDevice => ({
  source: 'jamf',
  vendor: 'jamf',
  vendorId,
  platform: 'macos',
  ownership: 'corporate',
  enrollment: 'enrolled',
  serialNumber,
  userPrincipalName: upn,
});

const WS1 = [
  ws1('1', PEOPLE.ann.upn, 'S1'), // matched
  ws1('2', PEOPLE.ann.upn, 'S2'), // only in Workspace ONE
  ws1('3', PEOPLE.bob.upn, 'TWIN'), // two Intune devices share the serial
  ws1('4', PEOPLE.cai.upn, 'S4'), // matched
  ws1('5', PEOPLE.dan.upn, 'S5'), // a person in no wave
  ws1('6', 'nobody@example.com', 'S6'), // nobody: no wave
];
const JAMF = [mac('j1', PEOPLE.bob.upn, 'M1'), mac('j2', PEOPLE.cai.upn, 'M2')];

async function setup() {
  const deps = await syncDeps();
  for (const p of Object.values(PEOPLE)) await addPerson(deps.store, p);
  const directory = new FakeDirectory();
  directory.candidates = [
    { key: 'intune-s1', platform: 'ios', serialNumber: 'S1' },
    { key: 'intune-twin-a', platform: 'ios', serialNumber: 'TWIN' },
    { key: 'intune-twin-b', platform: 'ios', serialNumber: 'TWIN' },
    { key: 'intune-s4', platform: 'ios', serialNumber: 'S4' },
    { key: 'intune-s5', platform: 'ios', serialNumber: 'S5' },
    { key: 'intune-m1', platform: 'macos', serialNumber: 'M1' },
  ];
  const snapshot = (source: string, devices: OldMdmDevice[]) => applyFileSnapshot(deps, devices, { source });
  const pass = () => runMatchPass({ ...deps, directory });
  return { deps, store: deps.store, snapshot, pass };
}

async function waveRowIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for await (const { key } of store.jobState.listPartition(WAVE_COUNTS_PARTITION))
    ids.push(decodeURIComponent(key.rowKey));
  return ids.sort();
}

describe('integration: old-MDM devices per wave, counted by the matching pass (Azurite)', () => {
  it('counts each wave’s members’ listed devices by source, matched or not, after one pass', async () => {
    const { store, snapshot, pass } = await setup();
    await snapshot('workspace-one', WS1);
    await snapshot('jamf', JAMF);
    const report = await pass();
    assert.deepEqual([report.devices, report.waves, report.waveRowsWritten], [8, 2, 2]);

    assert.deepEqual(await readWaveCounts(store, 'pilot'), {
      bySource: {
        'workspace-one': { listed: 3, matched: 1, ambiguous: 1, unmatched: 1 },
        jamf: { listed: 1, matched: 1, ambiguous: 0, unmatched: 0 },
      },
      people: 2,
    });
    assert.deepEqual(await readWaveCounts(store, 'wave-1'), {
      bySource: {
        'workspace-one': { listed: 1, matched: 1, ambiguous: 0, unmatched: 0 },
        jamf: { listed: 1, matched: 0, ambiguous: 0, unmatched: 1 },
      },
      people: 1,
    });
    assert.deepEqual(await waveRowIds(store), ['pilot', 'wave-1'], 'no row for people in no wave');
    assert.deepEqual(passSources(await readMatchPassState(store)), ['jamf', 'workspace-one']);

    const again = await pass();
    assert.equal(again.waveRowsWritten, 0, 'unchanged counts are not written again');
  });

  it('follows the participants: a move, a device gone from the old MDM, a wave left with none', async () => {
    const { deps, store, snapshot, pass } = await setup();
    await snapshot('workspace-one', WS1);
    await snapshot('jamf', JAMF);
    await pass();

    deps.clock.advance(HOUR);
    await addPerson(store, { ...PEOPLE.cai, wave: 'pilot' });
    // Bob's twin-serial phone leaves Workspace ONE.
    await snapshot(
      'workspace-one',
      WS1.filter((d) => d.vendorId !== '3'),
    );
    const report = await pass();
    assert.equal(report.waves, 1);

    assert.deepEqual(await readWaveCounts(store, 'pilot'), {
      bySource: {
        'workspace-one': { listed: 3, matched: 2, ambiguous: 0, unmatched: 1 },
        jamf: { listed: 2, matched: 1, ambiguous: 0, unmatched: 1 },
      },
      people: 3,
    });
    assert.deepEqual(await readWaveCounts(store, 'wave-1'), { bySource: {}, people: 0 });
    assert.deepEqual(await waveRowIds(store), ['pilot'], 'the empty wave’s row is deleted');
  });

  it('counts 100,000 devices of 20,000 people in five waves in one sweep, exactly', () => {
    const waveOf = new Map<string, string>();
    for (let p = 0; p < 20_000; p++) waveOf.set(`p${p}`, `w${p % 5}`);
    const devices: CountedDevice[] = Array.from({ length: 100_000 }, (_, i) => ({
      source: i % 2 ? 'jamf' : 'workspace-one',
      match:
        i % 10 === 0
          ? { kind: 'unmatched' }
          : { kind: 'matched', candidateKey: `c${i}`, by: 'serial', confidence: 1 },
      // Every 50th device has no owner; the rest belong to p0 … p19999 in turn.
      person: i % 50 === 49 ? { missing: 'not-found' } : { aadObjectId: `P${i % 20_000}`, by: 'upn' },
    }));
    const counts = countByWave(devices, waveOf);
    assert.equal(counts.size, 5);
    let listed = 0;
    let unmatched = 0;
    // People p with p % 50 = 49 own nothing; they are all in w4 (p % 5 = 4): 400 fewer there.
    assert.deepEqual(
      [...counts].sort().map(([id, w]) => [id, w.people]),
      [
        ['w0', 4_000],
        ['w1', 4_000],
        ['w2', 4_000],
        ['w3', 4_000],
        ['w4', 3_600],
      ],
    );
    for (const w of counts.values()) {
      for (const s of Object.values(w.bySource)) {
        listed += s.listed;
        unmatched += s.unmatched;
        assert.equal(s.listed, s.matched + s.ambiguous + s.unmatched);
      }
    }
    assert.equal(listed, 100_000 - 2_000);
    assert.equal(unmatched, 10_000);
  });
});
