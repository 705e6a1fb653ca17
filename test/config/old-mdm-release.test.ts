import assert from 'node:assert/strict';
import { ConfigError, readConfig } from '../../src/config';
import {
  DEFAULT_CLIENT,
  type JamfSimulator,
  SEND_COMPUTER_UNMANAGE,
  startJamfSimulator,
} from '../../src/dev/jamf-sim';
import type { SourceMdmRelease } from '../../src/ports/source-mdm-release';
import { oldMdmInventories } from '../../src/runtime';
import { silentLogger } from '../helpers/fakes';

const local = {
  STORAGE_CONNECTION_STRING:
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;',
  GRAPH_BASE_URL: 'http://127.0.0.1:5055',
  WORKSPACE_ONE_API_URL: 'http://127.0.0.1:5056',
  WORKSPACE_ONE_TOKEN_URL: 'http://127.0.0.1:5056/connect/token',
  WORKSPACE_ONE_CLIENT_ID: 'client',
  WORKSPACE_ONE_CLIENT_SECRET: 'secret',
  WORKSPACE_ONE_TENANT_CODE: 'api-key',
  JAMF_URL: 'http://127.0.0.1:5057',
  JAMF_CLIENT_ID: 'jamf-client',
  JAMF_CLIENT_SECRET: 'jamf-secret',
};

function problems(env: Record<string, string>): string[] {
  try {
    readConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  return [];
}

const allowed = (env: Record<string, string>) =>
  readConfig({ ...local, ...env }).oldMdm.sources.map((s) => [s.source, s.allowRelease === true]);

describe('config: OLD_MDM_RELEASE_CONFIRM_MINUTES', () => {
  it('defaults to 30 minutes and takes a whole number of minutes from 5 to 1440', () => {
    assert.equal(readConfig(local).oldMdm.releaseConfirmMinutes, 30);
    assert.equal(
      readConfig({ ...local, OLD_MDM_RELEASE_CONFIRM_MINUTES: '90' }).oldMdm.releaseConfirmMinutes,
      90,
    );
  });

  for (const bad of ['4', '1441', '2.5', 'half an hour']) {
    it(`refuses "${bad}", naming the setting and its range`, () => {
      const found = problems({ ...local, OLD_MDM_RELEASE_CONFIRM_MINUTES: bad });
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(
        found[0]!,
        /OLD_MDM_RELEASE_CONFIRM_MINUTES: ".*" must be a whole number of minutes from 5 to 1440/,
      );
    });
  }
});

describe('config: OLD_MDM_ALLOW_RELEASE', () => {
  it('is off by default: every source is read-only', () => {
    assert.deepEqual(allowed({ OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos' }), [
      ['workspace-one', false],
      ['jamf', false],
    ]);
    assert.deepEqual(allowed({ OLD_MDM_SOURCES: 'jamf', OLD_MDM_ALLOW_RELEASE: ' ' }), [['jamf', false]]);
  });

  it('names the sources that may release, or all of them', () => {
    assert.deepEqual(
      allowed({ OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos', OLD_MDM_ALLOW_RELEASE: 'Jamf' }),
      [
        ['workspace-one', false],
        ['jamf', true],
      ],
    );
    assert.deepEqual(
      allowed({
        OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos',
        OLD_MDM_ALLOW_RELEASE: 'jamf, workspace-one',
      }),
      [
        ['workspace-one', true],
        ['jamf', true],
      ],
    );
    assert.deepEqual(
      allowed({ OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos', OLD_MDM_ALLOW_RELEASE: 'all' }),
      [
        ['workspace-one', true],
        ['jamf', true],
      ],
    );
  });

  it('refuses what it cannot read instead of silently releasing nothing (or something else)', () => {
    const about = (env: Record<string, string>, text: RegExp) => {
      const p = problems({ ...local, ...env });
      assert.ok(
        p.some((x) => x.startsWith('OLD_MDM_ALLOW_RELEASE:') && text.test(x)),
        `${text}: ${p.join(' | ')}`,
      );
    };
    about(
      { OLD_MDM_SOURCES: 'jamf', OLD_MDM_ALLOW_RELEASE: 'intune' },
      /"intune" is not one of workspace-one, jamf or all/,
    );
    about({ OLD_MDM_SOURCES: 'jamf', OLD_MDM_ALLOW_RELEASE: 'workspace-one' }, /workspace-one is not read/);
    about({ OLD_MDM_ALLOW_RELEASE: 'jamf' }, /jamf is not read \(add it to OLD_MDM_SOURCES\)/);
    about({ OLD_MDM_SOURCES: 'jamf', OLD_MDM_ALLOW_RELEASE: 'all,jamf' }, /"all" stands alone/);
  });
});

describe('composition root: release clients only for the sources OLD_MDM_ALLOW_RELEASE names', () => {
  let jamf: JamfSimulator | undefined;
  afterEach(async () => {
    await jamf?.stop();
    jamf = undefined;
  });

  const build = (env: Record<string, string>) => {
    const releases = new Map<string, SourceMdmRelease>();
    const inventories = oldMdmInventories(
      readConfig({ ...local, ...env }).oldMdm.sources,
      silentLogger,
      releases,
    );
    return { releases, inventories };
  };

  it('builds none by default, so nothing can be released', () => {
    const { releases, inventories } = build({ OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos' });
    assert.equal(inventories.length, 2);
    assert.equal(releases.size, 0);
  });

  it('builds one for the allowed source only, on the same connection as its inventory', async () => {
    jamf = await startJamfSimulator({
      computers: [{ name: 'MAC-1', serialNumber: 'C02CR0000001' }],
      mobileDevices: [],
      clients: [{ ...DEFAULT_CLIENT, privileges: [...DEFAULT_CLIENT.privileges, SEND_COMPUTER_UNMANAGE] }],
    });
    const { releases, inventories } = build({
      OLD_MDM_SOURCES: 'workspace-one:ios;jamf:macos',
      OLD_MDM_ALLOW_RELEASE: 'jamf',
      JAMF_URL: jamf.url,
      JAMF_CLIENT_ID: DEFAULT_CLIENT.clientId,
      JAMF_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    });
    assert.deepEqual([...releases.keys()], ['jamf']);
    assert.equal(releases.get('workspace-one'), undefined);
    const jamfInventory = inventories.find((i) => i.inventory.source === 'jamf')!.inventory;
    const result = await releases.get('jamf')!.release({ vendorId: '1', platform: 'macos' });
    assert.equal(result.outcome, 'released');
    assert.equal((await jamfInventory.deviceById?.('1'))?.enrollment, 'unenrolled');
    assert.equal(jamf.controls.tokensIssued, 1, 'one token serves the inventory and the release');
  });
});
