import assert from 'node:assert/strict';
import { startTenantSimulator, type TenantSimulator } from '../../../src/dev/tenant-sim';
import { GraphDeviceDirectory } from '../../../src/integrations/graph/graph-device-directory';
import { simulatorGraphApi } from './simulator-graph';

const ALEX_ID = '00000000-0000-0000-0000-0000000000020';

describe('integration: device directory over Graph (tenant simulator)', () => {
  let sim: TenantSimulator;
  let directory: GraphDeviceDirectory;
  beforeEach(async () => {
    sim = await startTenantSimulator({ seed: 'demo' });
    directory = new GraphDeviceDirectory(simulatorGraphApi(sim).api);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('finds Alex by object id and lists his iPhone, still managed by Workspace ONE', async () => {
    const alex = await directory.findUser(ALEX_ID);
    assert.equal(alex?.userPrincipalName, 'alexw@example.com');
    const devices = await directory.devicesOfUser(alex!);
    const iphone = devices.find((d) => d.platform === 'ios');
    assert.ok(iphone, `no iPhone in ${devices.map((d) => d.name).join(', ')}`);
    assert.equal(iphone.management.kind, 'partner');
    assert.equal(iphone.intune, undefined);
    assert.ok(devices.length >= 2);
  });

  it('follows a device from Workspace ONE to Intune and compliance as the simulator moves it', async () => {
    const alex = (await directory.findUser('alexw@example.com'))!;
    const before = await directory.devicesOfUser(alex);
    const first = before[0]!;
    sim.tenant.applyUserAction('alexw@example.com', 'enroll', first.name);
    let now = (await directory.devicesOfUser(alex)).find((d) => d.key === first.key)!;
    assert.equal(now.management.kind, 'intune');
    assert.ok(
      now.management.kind === 'intune' && now.management.alsoPartnerMdmAppId,
      'enrolled while Workspace ONE still manages it',
    );
    sim.tenant.applyUserAction('alexw@example.com', 'unenroll', first.name);
    sim.tenant.applyUserAction('alexw@example.com', 'comply', first.name);
    now = (await directory.devicesOfUser(alex)).find((d) => d.key === first.key)!;
    assert.deepEqual(now.management, { kind: 'intune' });
    assert.equal(now.intune?.complianceState, 'compliant');
    assert.equal(
      (await directory.devicesOfUser(alex)).length,
      before.length,
      'one record per physical device',
    );
  });

  it('finds 45 users by UPN or object id in three $batch round trips, unknown ones as null', async () => {
    const sample = ['alexw@example.com', ALEX_ID, 'ghost@example.com', 'lynner@example.com'];
    const filler = Array.from({ length: 41 }, (_, i) => `nobody${i}@example.com`);
    sim.stats.reset();
    const found = await directory.findUsers([...sample, ...filler, 'alexw@example.com']);
    assert.equal(sim.stats.total, 3, 'ceil(45 / 20) $batch calls');
    assert.equal(found.size, 45);
    assert.equal((found.get('alexw@example.com') as { displayName?: string })?.displayName, 'Alex Wilber');
    assert.equal(
      (found.get(ALEX_ID) as { userPrincipalName?: string })?.userPrincipalName,
      'alexw@example.com',
    );
    assert.equal(found.get('ghost@example.com'), null);
    assert.ok(found.get('lynner@example.com') && !(found.get('lynner@example.com') instanceof Error));
    assert.ok(filler.every((f) => found.get(f) === null));
  });

  it('reports a look-up that failed inside a $batch as an error for that user only', async () => {
    const { api } = simulatorGraphApi(sim, { maxAttempts: 2, fastSleep: true });
    const dir = new GraphDeviceDirectory(api);
    sim.faults.add({ path: '/users/lynner', status: 503, times: Number.POSITIVE_INFINITY });
    const found = await dir.findUsers(['alexw@example.com', 'lynner@example.com']);
    assert.equal((found.get('alexw@example.com') as { displayName?: string })?.displayName, 'Alex Wilber');
    const failed = found.get('lynner@example.com');
    assert.ok(failed instanceof Error, String(failed));
    assert.match(failed.message, /503/);
  });

  it('reports an unknown user as absent rather than failing', async () => {
    assert.equal(await directory.findUser('ghost@example.com'), undefined);
  });

  it('lists a user with no devices as an empty list in a single $batch round trip', async () => {
    const user = (await directory.findUser('lynner@example.com'))!;
    sim.tenant.load({
      tenantId: 'x',
      users: [{ id: user.id, userPrincipalName: user.userPrincipalName, displayName: 'Lynne' }],
    });
    sim.stats.reset();
    assert.deepEqual(await directory.devicesOfUser(user), []);
    assert.equal(sim.stats.total, 1);
  });
});
