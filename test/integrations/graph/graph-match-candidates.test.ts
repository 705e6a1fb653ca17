import assert from 'node:assert/strict';
import { startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { guidKey } from '../../../src/domain/device-matching';
import { GraphDeviceDirectory } from '../../../src/integrations/graph/graph-device-directory';
import { bigSeed } from './big-seed';
import { simulatorGraphApi } from './simulator-graph';

async function graphGet(sim: TenantSimulator, path: string): Promise<{ value: Record<string, unknown>[] }> {
  const res = await fetch(`${sim.url}/v1.0${path}`, { headers: { Authorization: 'Bearer test-token' } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { value: Record<string, unknown>[] };
}

describe('integration: match candidates over Graph (tenant simulator)', () => {
  let sim: TenantSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('pages every Intune and Entra device with the largest pages and merges them per physical device', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    const directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api, { intuneRead: 'paged' });
    sim.stats.reset();
    const { candidates, requests } = await directory.matchCandidates();
    assert.equal(sim.stats.byRoute['GET /deviceManagement/managedDevices'], 2, '1,100 at $top=1000');
    assert.equal(sim.stats.byRoute['GET /devices'], 3, '2,150 at $top=999');
    assert.equal(requests, 5);
    assert.equal(candidates.length, 2150, 'an enrolled device appears once, not once per side');
    assert.equal(new Set(candidates.map((c) => c.key)).size, 2150);

    const enrolled = candidates.find((c) => c.serialNumber === 'SER7')!;
    assert.deepEqual(enrolled, {
      key: 'b0000000-0000-4000-8000-000000000007',
      name: 'Device 7',
      platform: 'ios',
      serialNumber: 'SER7',
      imei: '350000000000007',
      udid: '00008120-0000000000000007',
      entraDeviceId: 'b0000000-0000-4000-8000-000000000007',
      userPrincipalName: 'pat@example.com',
      ownerId: 'u-pat',
    });
    const windows = candidates.find((c) => c.serialNumber === 'SER8')!;
    assert.equal(windows.imei, undefined, "Graph's empty strings are not identifiers");
    const entraOnly = candidates.find((c) => c.name === 'Device 5001')!;
    assert.deepEqual(entraOnly, {
      key: 'b0000000-0000-4000-8000-000000005001',
      name: 'Device 5001',
      platform: 'ios',
      entraDeviceId: 'b0000000-0000-4000-8000-000000005001',
    });
  });

  it('reads Entra only when the old MDM lists an Entra device id no Intune record carries', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    const directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api, { intuneRead: 'paged' });
    const ids = (...raw: string[]) => new Set(raw.map((id) => guidKey(id)!));

    sim.stats.reset();
    const none = await directory.matchCandidates(undefined, ids());
    assert.equal(sim.stats.byRoute['GET /devices'] ?? 0, 0, 'no Entra id listed: Entra is not read');
    assert.equal(none.requests, 2);
    assert.equal(none.entraRead, false);
    assert.equal(none.candidates.length, 1100, 'the Intune devices, each keyed by its Entra id');
    assert.equal(
      none.candidates.find((c) => c.serialNumber === 'SER7')?.key,
      'b0000000-0000-4000-8000-000000000007',
    );

    sim.stats.reset();
    const twinned = await directory.matchCandidates(undefined, ids('{B0000000-0000-4000-8000-000000000007}'));
    assert.equal(
      sim.stats.byRoute['GET /devices'] ?? 0,
      0,
      'an id an Intune record carries needs no Entra read',
    );
    assert.equal(twinned.requests, 2);

    sim.stats.reset();
    const entraOnly = await directory.matchCandidates(undefined, ids('b0000000-0000-4000-8000-000000005001'));
    assert.equal(sim.stats.byRoute['GET /devices'], 3, 'an Entra-only id: the whole collection, 999 a page');
    assert.equal(entraOnly.requests, 5);
    assert.equal(entraOnly.entraRead, true);
    assert.ok(entraOnly.candidates.some((c) => c.entraDeviceId === 'b0000000-0000-4000-8000-000000005001'));
  });

  it('asks Graph only for the properties matching needs, and the simulator honours $select', async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    sim.tenant.applyUserAction('alexw@example.com', 'enroll', "Alex's iPhone");
    const selected = await graphGet(
      sim,
      '/deviceManagement/managedDevices?$select=id,serialNumber,imei,meid,udid&$top=1',
    );
    assert.deepEqual(Object.keys(selected.value[0]!).sort(), ['id', 'imei', 'meid', 'serialNumber', 'udid']);
    const plain = await graphGet(sim, '/deviceManagement/managedDevices?$top=1');
    assert.ok('imei' in plain.value[0]! && 'serialNumber' in plain.value[0]!);
    assert.ok(!('udid' in plain.value[0]!), 'udid only when $select names it, as Graph documents');

    const { candidates } = await new GraphDeviceDirectory(simulatorGraphApi(sim).api).matchCandidates();
    const iphone = candidates.find((c) => c.name === "Alex's iPhone")!;
    assert.equal(iphone.serialNumber, 'F2LXK1ABCD01');
    assert.equal(iphone.imei, '352090000000013');
    assert.equal(iphone.udid, '00008120-001A2B3C4D5E6F01');
    assert.equal(iphone.ownerId, '00000000-0000-0000-0000-0000000000020');
    const ipad = candidates.find((c) => c.name === "Megan's iPad")!;
    assert.equal(ipad.platform, 'ipados', 'Entra-only, its platform from Entra');
    assert.equal(ipad.serialNumber, undefined, 'Entra does not carry serial numbers');
    assert.ok(!candidates.some((c) => c.name === "Alex's iPad"), 'only Workspace ONE knows the iPad');
  });

  it('stops between pages when the sync is cancelled', async () => {
    sim = await startTenantSimulator({ seed: bigSeed() });
    const directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(directory.matchCandidates(controller.signal), { name: 'AbortError' });
  });
});
