import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, ConfigError, readConfig } from '../src/config';

const AZURITE =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';
const REAL_STORAGE =
  'DefaultEndpointsProtocol=https;AccountName=mcprod;AccountKey=a2V5;EndpointSuffix=core.windows.net';
const GUID = '11111111-2222-3333-4444-555555555555';

const local = { STORAGE_CONNECTION_STRING: AZURITE, GRAPH_BASE_URL: 'http://127.0.0.1:5055' };
const production = {
  NODE_ENV: 'production',
  BOT_APP_TYPE: 'SingleTenant',
  BOT_APP_ID: GUID,
  BOT_APP_PASSWORD: 'secret',
  BOT_TENANT_ID: GUID,
  STORAGE_CONNECTION_STRING: REAL_STORAGE,
  GRAPH_CLIENT_ID: GUID,
  GRAPH_CLIENT_SECRET: 'graph-secret',
  HELPDESK_CHANNEL_ID: '19:abc@thread.tacv2',
  ADMIN_UPNS: 'admin@contoso.com',
  EXPORT_SIGNING_KEY: 'k'.repeat(40),
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

describe('config: readConfig', () => {
  it('accepts a local development setup against Azurite and the tenant simulator', () => {
    const c = readConfig(local);
    assert.equal(c.production, false);
    assert.equal(c.bot.appType, 'local');
    assert.deepEqual(c.graph.auth, { kind: 'simulator' });
    assert.equal(c.port, 3978);
    assert.equal(c.defaults.locale, 'en-US');
    assert.deepEqual(c.defaults.businessHours, { startMinute: 480, endMinute: 1020, days: [1, 2, 3, 4, 5] });
  });

  it('accepts a complete production setup', () => {
    const c = readConfig(production);
    assert.equal(c.production, true);
    assert.equal(c.graph.baseUrl, 'https://graph.microsoft.com');
    assert.equal(c.graph.auth.kind, 'client-secret');
    assert.deepEqual(c.admins.upns, ['admin@contoso.com']);
  });

  it('in production, names every missing credential at once', () => {
    const p = problems({ NODE_ENV: 'production' });
    const names = p.map((x) => x.split(':')[0]);
    for (const name of [
      'BOT_APP_ID',
      'BOT_APP_PASSWORD',
      'BOT_TENANT_ID',
      'STORAGE_CONNECTION_STRING',
      'HELPDESK_CHANNEL_ID',
    ]) {
      assert.ok(names.includes(name), `${name} missing from ${JSON.stringify(names)}`);
    }
    assert.ok(
      p.some((x) =>
        x.startsWith('GRAPH_CLIENT_SECRET, GRAPH_CERTIFICATE_PATH or GRAPH_USE_MANAGED_IDENTITY'),
      ),
    );
  });

  it('refuses the tenant simulator and Azurite in production', () => {
    const p = problems({
      ...production,
      GRAPH_BASE_URL: 'http://127.0.0.1:5055',
      STORAGE_CONNECTION_STRING: AZURITE,
    });
    assert.ok(p.some((x) => x.startsWith('GRAPH_BASE_URL') && x.includes('development only')));
    assert.ok(p.some((x) => x.startsWith('STORAGE_CONNECTION_STRING') && x.includes('Azurite')));
  });

  it('refuses the credential-less local bot type in production', () => {
    const p = problems({ ...production, BOT_APP_TYPE: 'local' });
    assert.ok(p.some((x) => x.startsWith('BOT_APP_TYPE') && x.includes('refused in production')));
  });

  it('accepts a user-assigned managed identity without a bot password', () => {
    const c = readConfig({
      ...production,
      BOT_APP_TYPE: 'UserAssignedMSI',
      BOT_APP_PASSWORD: '',
      GRAPH_CLIENT_SECRET: '',
      GRAPH_USE_MANAGED_IDENTITY: 'true',
    });
    assert.equal(c.bot.appType, 'UserAssignedMSI');
    assert.deepEqual(c.graph.auth, { kind: 'managed-identity', clientId: GUID });
  });

  it('rejects both a Graph secret and a certificate', () => {
    const p = problems({ ...production, GRAPH_CERTIFICATE_PATH: '/certs/graph.pem' });
    assert.ok(p.some((x) => x.includes('set one of them, not both')));
  });

  it('explains malformed values: port, time zone, locale, business hours, UPNs, MDM', () => {
    const p = problems({
      ...local,
      PORT: 'eighty',
      DEFAULT_TIME_ZONE: 'Mars/Olympus',
      DEFAULT_LOCALE: 'english please',
      BUSINESS_HOURS: '17:00-08:00',
      BUSINESS_DAYS: 'someday',
      ADMIN_UPNS: 'not-an-upn',
      SOURCE_MDM: 'intune',
    });
    const names = p.map((x) => x.split(':')[0]).sort();
    assert.deepEqual(names, [
      'ADMIN_UPNS',
      'BUSINESS_DAYS',
      'BUSINESS_HOURS',
      'DEFAULT_LOCALE',
      'DEFAULT_TIME_ZONE',
      'PORT',
      'SOURCE_MDM',
    ]);
  });

  it('reads business days as ranges and lists, wrapping past Sunday', () => {
    assert.deepEqual(
      readConfig({ ...local, BUSINESS_DAYS: 'sun-thu' }).defaults.businessHours.days,
      [1, 2, 3, 4, 7],
    );
    assert.deepEqual(
      readConfig({ ...local, BUSINESS_DAYS: 'mon,wed,fri' }).defaults.businessHours.days,
      [1, 3, 5],
    );
  });

  it('reads the escalation delays, with defaults', () => {
    assert.deepEqual(readConfig(local).escalation, {
      stuckAfterHours: 8,
      noncompliantAfterHours: 24,
      slaAssignMinutes: 60,
    });
    assert.equal(readConfig({ ...local, HELPDESK_SLA_ASSIGN_MINUTES: '90' }).escalation.slaAssignMinutes, 90);
    assert.deepEqual(
      readConfig({ ...local, ESCALATE_STUCK_AFTER_HOURS: '4.5', ESCALATE_NONCOMPLIANT_AFTER_HOURS: '48' })
        .escalation,
      { stuckAfterHours: 4.5, noncompliantAfterHours: 48, slaAssignMinutes: 60 },
    );
  });

  it('explains invalid escalation delays, each by name', () => {
    const p = problems({
      ...local,
      ESCALATE_STUCK_AFTER_HOURS: '0',
      ESCALATE_NONCOMPLIANT_AFTER_HOURS: 'a day',
      HELPDESK_SLA_ASSIGN_MINUTES: 'soon',
    });
    assert.deepEqual(
      p.map((x) => x.split(':')[0]),
      ['ESCALATE_STUCK_AFTER_HOURS', 'ESCALATE_NONCOMPLIANT_AFTER_HOURS', 'HELPDESK_SLA_ASSIGN_MINUTES'],
    );
    assert.ok(problems({ ...local, ESCALATE_STUCK_AFTER_HOURS: '-3' }).length === 1);
    assert.ok(problems({ ...local, ESCALATE_NONCOMPLIANT_AFTER_HOURS: '99999' }).length === 1);
  });

  it('reads HELPDESK_ROUTES into an ordered list of rules (none when unset)', () => {
    assert.deepEqual(readConfig(local).helpdesk.routes, []);
    const c = readConfig({
      ...production,
      HELPDESK_ROUTES:
        'lang:sv=19:sv-desk@thread.tacv2; wave:pilot=19:pilot-desk@thread.tacv2;platform:macos=19:mac@thread.skype',
    });
    assert.equal(c.helpdesk.channelId, '19:abc@thread.tacv2', 'the default channel stays');
    assert.deepEqual(c.helpdesk.routes, [
      { kind: 'lang', value: 'sv', channelId: '19:sv-desk@thread.tacv2' },
      { kind: 'wave', value: 'pilot', channelId: '19:pilot-desk@thread.tacv2' },
      { kind: 'platform', value: 'macos', channelId: '19:mac@thread.skype' },
    ]);
  });

  it('explains every bad HELPDESK_ROUTES rule, naming the rule', () => {
    const p = problems({
      ...local,
      HELPDESK_ROUTES: [
        'lang:sv=19:ok@thread.tacv2',
        'country:se=19:x@thread.tacv2',
        'platform:linux=19:x@thread.tacv2',
        'lang:fi=19:x@thread.tacv2',
        'wave:=19:x@thread.tacv2',
        'platform:ios=General',
        'lang:sv=19:other@thread.tacv2',
        'just-a-channel',
        'wave:w1=19:x@thread.tacv2;messageid=123',
      ].join(';'),
    });
    assert.ok(
      p.every((x) => x.startsWith('HELPDESK_ROUTES: rule ')),
      p.join('\n'),
    );
    const about = (n: number) => p.filter((x) => x.startsWith(`HELPDESK_ROUTES: rule ${n} `));
    assert.equal(about(1).length, 0);
    assert.match(
      about(2).join(),
      /"country:se=19:x@thread.tacv2": kind "country" is not one of wave, platform, lang/,
    );
    assert.match(about(3).join(), /platform "linux" is not one of ios, ipados, android, windows, macos/);
    assert.match(about(4).join(), /language "fi" is not one of en, sv/);
    assert.match(about(5).join(), /"" is not a wave id/);
    assert.match(about(6).join(), /"General" is not a channel conversation id such as 19:abc@thread.tacv2/);
    assert.match(about(7).join(), /repeats rule 1 for lang:sv/);
    assert.match(about(8).join(), /is not <kind>:<value>=<channelId>/);
    // `;` separates rules: a thread address pasted in ends at its channel, the rest is malformed.
    assert.equal(about(9).length, 0);
    assert.match(about(10).join(), /"messageid=123" is not <kind>:<value>=<channelId>/);
    assert.equal(p.length, 8);
    // One ConfigError lists them all, next to other problems.
    const both = problems({ ...local, PORT: 'x', HELPDESK_ROUTES: 'lang:de=19:x@thread.tacv2' });
    assert.deepEqual(
      both.map((x) => x.split(':')[0]),
      ['PORT', 'HELPDESK_ROUTES'],
    );
  });

  it('requires Graph over https for public Graph hosts', () => {
    const p = problems({ ...production, GRAPH_BASE_URL: 'http://graph.microsoft.com' });
    assert.ok(p.some((x) => x.includes('must be reached over https')));
  });

  it('lists the problems in the order of the variables, whichever rule found them', () => {
    const p = problems({
      NODE_ENV: 'production',
      PORT: 'x',
      STORAGE_CONNECTION_STRING: AZURITE,
      SOURCE_MDM: 'intune',
      EXPORT_SIGNING_KEY: 'short',
    });
    const names = p.map((x) => x.split(':')[0]!);
    assert.deepEqual(names, [
      'PORT',
      'BOT_APP_ID',
      'BOT_APP_PASSWORD',
      'BOT_TENANT_ID',
      'STORAGE_CONNECTION_STRING',
      'GRAPH_CLIENT_SECRET, GRAPH_CERTIFICATE_PATH or GRAPH_USE_MANAGED_IDENTITY',
      'HELPDESK_CHANNEL_ID',
      'ADMIN_GROUP_ID or ADMIN_UPNS',
      'SOURCE_MDM',
      'EXPORT_SIGNING_KEY',
    ]);
  });

  it('documents every variable it reads in .env.example', () => {
    const example = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    for (const name of CONFIG_VARIABLES) assert.match(example, new RegExp(`^${name}=`, 'm'), name);
  });

  it('the error message names each variable and points at .env.example', () => {
    try {
      readConfig({});
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /STORAGE_CONNECTION_STRING: not set/);
      assert.match(err.message, /\.env\.example/);
    }
  });
  describe('old-MDM sources', () => {
    const ws1 = {
      WORKSPACE_ONE_API_URL: 'https://as1234.awmdm.com',
      WORKSPACE_ONE_TOKEN_URL: 'https://na.uemauth.workspaceone.com/connect/token',
      WORKSPACE_ONE_CLIENT_ID: 'client',
      WORKSPACE_ONE_CLIENT_SECRET: 'secret',
      WORKSPACE_ONE_TENANT_CODE: 'api-key',
    };
    const jamf = {
      JAMF_URL: 'https://example.jamfcloud.com/',
      JAMF_CLIENT_ID: 'jamf-client',
      JAMF_CLIENT_SECRET: 'jamf-secret',
    };

    it('reads no API by default, syncing every 15 minutes with a daily full resync', () => {
      assert.deepEqual(readConfig(local).oldMdm, {
        sources: [],
        syncMinutes: 15,
        fullSyncHours: 24,
        releaseConfirmMinutes: 30,
      });
    });

    it('reads a source per platform with its credentials', () => {
      const c = readConfig({
        ...production,
        ...ws1,
        ...jamf,
        OLD_MDM_SOURCES: 'workspace-one:ios,ipados,android; jamf:macos',
        OLD_MDM_SYNC_MINUTES: '30',
        OLD_MDM_FULL_SYNC_HOURS: '12',
      });
      assert.deepEqual(c.oldMdm.sources, [
        {
          source: 'workspace-one',
          platforms: ['ios', 'ipados', 'android'],
          apiUrl: 'https://as1234.awmdm.com',
          tokenUrl: ws1.WORKSPACE_ONE_TOKEN_URL,
          clientId: 'client',
          clientSecret: 'secret',
          tenantCode: 'api-key',
        },
        {
          source: 'jamf',
          platforms: ['macos'],
          baseUrl: 'https://example.jamfcloud.com',
          clientId: 'jamf-client',
          clientSecret: 'jamf-secret',
        },
      ]);
      assert.deepEqual([c.oldMdm.syncMinutes, c.oldMdm.fullSyncHours], [30, 12]);
      assert.deepEqual(
        readConfig({ ...local, ...jamf, OLD_MDM_SOURCES: 'jamf' }).oldMdm.sources[0]?.platforms,
        [],
      );
    });

    it('names every problem: unknown source or platform, a platform in two sources, missing settings, bad cadences', () => {
      const p = problems({
        ...local,
        OLD_MDM_SOURCES: 'workspace-one:ios,toaster;jamf:ios,macos;intune',
        WORKSPACE_ONE_API_URL: 'not a url',
        OLD_MDM_SYNC_MINUTES: '2',
        OLD_MDM_FULL_SYNC_HOURS: '200',
      });
      const about = (name: string, text: RegExp) =>
        assert.ok(
          p.some((x) => x.startsWith(`${name}:`) && text.test(x)),
          `${name} ${text}: ${p.join(' | ')}`,
        );
      about('OLD_MDM_SOURCES', /"toaster"/);
      about('OLD_MDM_SOURCES', /ios is read from both workspace-one and jamf/);
      about('OLD_MDM_SOURCES', /"intune" is not one of workspace-one, jamf/);
      about('WORKSPACE_ONE_API_URL', /not an http\(s\) URL/);
      for (const name of [
        'WORKSPACE_ONE_TOKEN_URL',
        'WORKSPACE_ONE_CLIENT_ID',
        'WORKSPACE_ONE_CLIENT_SECRET',
        'WORKSPACE_ONE_TENANT_CODE',
        'JAMF_URL',
        'JAMF_CLIENT_ID',
        'JAMF_CLIENT_SECRET',
      ]) {
        about(name, /not set; OLD_MDM_SOURCES reads/);
      }
      about('OLD_MDM_SYNC_MINUTES', /from 5 to 1440/);
      about('OLD_MDM_FULL_SYNC_HOURS', /from 1 to 168/);
    });

    it('does not ask for the settings of a source that is not configured', () => {
      const p = problems({ ...local, ...jamf, OLD_MDM_SOURCES: 'jamf:macos' });
      assert.deepEqual(p, []);
    });

    it('in production, refuses a simulator (loopback) or plain-http vendor URL', () => {
      const p = problems({
        ...production,
        ...ws1,
        ...jamf,
        OLD_MDM_SOURCES: 'workspace-one;jamf',
        WORKSPACE_ONE_API_URL: 'http://127.0.0.1:5057',
        WORKSPACE_ONE_TOKEN_URL: 'http://localhost:5057/connect/token',
        JAMF_URL: 'http://jamf.example.com',
      });
      assert.ok(
        p.some((x) => x.startsWith('WORKSPACE_ONE_API_URL:') && /development only/.test(x)),
        p.join(' | '),
      );
      assert.ok(p.some((x) => x.startsWith('WORKSPACE_ONE_TOKEN_URL:') && /development only/.test(x)));
      assert.ok(p.some((x) => x.startsWith('JAMF_URL:') && /https/.test(x)));
      // The same simulator URLs are fine on a developer's machine.
      assert.deepEqual(
        problems({
          ...local,
          ...ws1,
          OLD_MDM_SOURCES: 'workspace-one',
          WORKSPACE_ONE_API_URL: 'http://127.0.0.1:5057',
          WORKSPACE_ONE_TOKEN_URL: 'http://127.0.0.1:5057/connect/token',
        }),
        [],
      );
    });
  });
});
