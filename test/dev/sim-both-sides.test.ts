import assert from 'node:assert/strict';
import { startJamfSimulator } from '../../src/dev/jamf-sim';
import { run } from '../../src/dev/sim-cli';
import {
  startTenantSimulator,
  type TenantSimulator,
  WORKSPACE_ONE_MDM_APP_ID,
} from '../../src/dev/tenant-sim';
import { startWorkspaceOneSimulator, type WorkspaceOneSimulator } from '../../src/dev/workspace-one-sim';

const ALEX = 'alexw@example.com';

describe('dev: `npm run sim` moves a device on both sides', () => {
  let tenant: TenantSimulator;
  let ws1: WorkspaceOneSimulator;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    tenant = await startTenantSimulator({ seed: 'demo' });
    ws1 = await startWorkspaceOneSimulator();
    env = { SIM_URL: tenant.url, OLD_MDM_SIM: 'workspace-one', OLD_MDM_SIM_URL: ws1.url };
  });
  afterEach(async () => {
    await Promise.all([tenant.close(), ws1.stop()]);
  });

  const entraOf = (name: string) =>
    tenant.tenant
      .devicesOf('00000000-0000-0000-0000-0000000000020')
      .find((d) => d.entra.displayName === name);
  const ws1Status = (name: string) => ws1.controls.find({ user: ALEX, name })?.EnrollmentStatus;

  it('unenroll takes a device known to both out of Entra/Intune and out of Workspace ONE', async () => {
    assert.equal(entraOf("Alex's iPhone")?.partnerMdmAppId, WORKSPACE_ONE_MDM_APP_ID);
    assert.equal(ws1Status("Alex's iPhone"), 'Enrolled');
    const out = await run(['unenroll', ALEX, "Alex's iPhone"], env);
    assert.equal(entraOf("Alex's iPhone")?.partnerMdmAppId, null);
    assert.equal(ws1Status("Alex's iPhone"), 'Unenrolled');
    assert.match(out, /Workspace ONE: Alex's iPhone Enrolled -> Unenrolled/);
  });

  it("unenrolls Alex's iPad, known only to Workspace ONE, there only; enroll then creates its Intune record with the same serial", async () => {
    const before = tenant.tenant.deviceCount;
    const out = await run(['unenroll', ALEX, "Alex's iPad"], env);
    assert.match(out, /known to Workspace ONE only/);
    assert.equal(ws1Status("Alex's iPad"), 'Unenrolled');
    assert.equal(tenant.tenant.deviceCount, before, 'the tenant still does not know the iPad');

    const enrolled = await run(['enroll', ALEX, "Alex's iPad"], env);
    assert.match(enrolled, /registered in Entra from Workspace ONE's record \(serial DMPXK9ABCD12\)/);
    const ipad = entraOf("Alex's iPad");
    assert.ok(ipad?.intune, 'enrolled in Intune');
    assert.equal(ipad.intune.serialNumber, 'DMPXK9ABCD12');
    assert.equal(ipad.intune.udid, ws1.controls.find({ user: ALEX, name: "Alex's iPad" })?.Udid);
    assert.equal(ipad.entra.operatingSystem, 'iPadOS');
    assert.equal(ipad.ownership, 'personal');

    await run(['comply', ALEX, "Alex's iPad"], env);
    assert.equal(entraOf("Alex's iPad")?.intune?.complianceState, 'compliant');
  });

  it('enroll while Workspace ONE still lists the device says it is enrolled in both', async () => {
    const out = await run(['enroll', ALEX, "Alex's iPhone"], env);
    assert.match(out, /Workspace ONE still lists Alex's iPhone \(Enrolled\): enrolled in both/);
    assert.equal(ws1Status("Alex's iPhone"), 'Enrolled');
  });

  it('moves the tenant alone, and says so, when the old-MDM simulator is not running', async () => {
    const dead = { ...env, OLD_MDM_SIM_URL: 'http://127.0.0.1:9' };
    const out = await run(['unenroll', ALEX, "Alex's iPhone"], dead);
    assert.match(out, /Workspace ONE simulator not running/);
    assert.equal(entraOf("Alex's iPhone")?.partnerMdmAppId, null);
    await assert.rejects(run(['unenroll', ALEX, "Alex's iPad"], dead), /has no device "Alex's iPad"/);
  });

  it('list shows Graph and Workspace ONE side by side', async () => {
    const out = await run(['list', ALEX], env);
    assert.match(out, /\[Workspace ONE\] Alex's iPad .* Enrolled/);
    assert.match(out, /Alex's iPhone .* Workspace ONE/);
  });

  it('with Jamf Pro as the old MDM, unenroll makes Jamf stop managing the Mac', async () => {
    const jamf = await startJamfSimulator();
    try {
      const jamfEnv = { SIM_URL: tenant.url, OLD_MDM_SIM: 'jamf', OLD_MDM_SIM_URL: jamf.url };
      const out = await run(['unenroll', 'adelev@example.com', "Adele's MacBook Pro"], jamfEnv);
      assert.match(out, /Jamf Pro: Adele's MacBook Pro managed -> unmanaged/);
      const mac = jamf.controls.devices().find((d) => d.name === "Adele's MacBook Pro");
      assert.equal(mac?.managed, false);
    } finally {
      await jamf.stop();
    }
  });

  it("the control page's old-MDM view lists what Workspace ONE lists, or says it is not running", async () => {
    const view = async (sim: TenantSimulator) => {
      const res = await fetch(`${sim.url}/_sim/old-mdm`);
      assert.equal(res.status, 200);
      return (await res.json()) as {
        configured: boolean;
        running?: boolean;
        name?: string;
        devices?: { name: string; user: string; status: string; serialNumber?: string }[];
      };
    };
    assert.deepEqual(await view(tenant), { configured: false });
    const withWs1 = await startTenantSimulator({ oldMdm: { kind: 'workspace-one', url: ws1.url } });
    const withDead = await startTenantSimulator({
      oldMdm: { kind: 'workspace-one', url: 'http://127.0.0.1:9' },
    });
    try {
      await run(['unenroll', ALEX, "Alex's iPad"], { ...env, SIM_URL: withWs1.url });
      const seen = await view(withWs1);
      assert.equal(seen.running, true);
      assert.equal(seen.name, 'Workspace ONE');
      const ipad = seen.devices!.find((d) => d.name === "Alex's iPad")!;
      assert.deepEqual([ipad.user, ipad.status, ipad.serialNumber], [ALEX, 'Unenrolled', 'DMPXK9ABCD12']);
      assert.equal((await view(withDead)).running, false);
      const page = await (await fetch(`${withWs1.url}/`)).text();
      assert.match(page, /\/_sim\/old-mdm/);
    } finally {
      await Promise.all([withWs1.close(), withDead.close()]);
    }
  });
});
