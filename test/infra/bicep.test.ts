/**
 * The Bicep templates, checked offline as far as that goes without a Bicep compiler: wiring between
 * files (params, outputs, modules), the parameters file, every setting the bot reads, and the
 * properties the deployment promises (Node 22 LTS, /healthz, scale-out, no public blob access,
 * secrets only in Key Vault).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config';
import { REPO_ROOT } from '../../src/dev/processes';
import { bracketProblems, objectKeys, readBicep } from './bicep-reader';

const INFRA = path.join(REPO_ROOT, 'infra');
const main = readBicep(path.join(INFRA, 'azure.bicep'));
const moduleFiles = readdirSync(path.join(INFRA, 'modules')).filter((f) => f.endsWith('.bicep'));
const modules = new Map(
  moduleFiles.map((f) => [path.join(INFRA, 'modules', f), readBicep(path.join(INFRA, 'modules', f))]),
);
const all = [main, ...modules.values()];
const parameters = (
  JSON.parse(readFileSync(path.join(INFRA, 'azure.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  }
).parameters;

/** Every variable src/config.ts reads from the environment. */
function configVariables(): string[] {
  return [...CONFIG_VARIABLES].sort();
}

const SECRETS = ['botAppPassword', 'graphClientSecret', 'exportSigningKey'];

describe('infra: Bicep templates', () => {
  it('are well formed: brackets balance outside strings and comments', () => {
    for (const f of all) assert.deepEqual(bracketProblems(f.text), [], path.relative(REPO_ROOT, f.file));
    assert.deepEqual(bracketProblems("var x = '${a('}')}'"), [], 'interpolations are code');
    assert.ok(bracketProblems('var x = {\n  a: [1, 2)\n}').length > 0, 'the check can fail');
  });

  it('wire the modules: each exists, gets every parameter it needs and only parameters it has', () => {
    assert.ok(main.modules.length >= 5, main.modules.map((m) => m.symbol).join());
    for (const m of main.modules) {
      assert.ok(existsSync(m.file), `${m.symbol}: ${m.file} missing`);
      const mod = modules.get(m.file)!;
      for (const p of m.params)
        assert.ok(
          mod.params.has(p),
          `${m.symbol} passes ${p}, which ${path.basename(m.file)} does not declare`,
        );
      for (const p of mod.params.values()) {
        if (!p.hasDefault)
          assert.ok(m.params.includes(p.name), `${m.symbol} does not pass the required parameter ${p.name}`);
      }
    }
    for (const [, symbol, output] of main.text.matchAll(/\b(\w+)\.outputs\.(\w+)/g)) {
      const m = main.modules.find((x) => x.symbol === symbol);
      assert.ok(m, `${symbol} is no module`);
      assert.ok(
        modules.get(m.file)!.outputs.has(output!),
        `${symbol}.outputs.${output} is not an output of ${path.basename(m.file)}`,
      );
    }
  });

  it('use every parameter they declare', () => {
    for (const f of all) {
      for (const p of f.params.keys()) {
        const uses = f.text.match(new RegExp(`\\b${p}\\b`, 'g'))?.length ?? 0;
        assert.ok(uses > 1, `${path.basename(f.file)}: parameter ${p} is never used`);
      }
    }
  });

  it('set every setting the bot reads (PORT comes from App Service, PUBLIC_BASE_URL from the host)', () => {
    const settings = objectKeys(main.text, 'settings');
    const appService = modules.get(path.join(INFRA, 'modules', 'app-service.bicep'))!;
    for (const name of configVariables()) {
      if (name === 'PORT') continue;
      if (name === 'PUBLIC_BASE_URL') {
        assert.match(appService.text, /PUBLIC_BASE_URL: 'https:\/\/\$\{publicHost\}'/);
        continue;
      }
      assert.ok(settings.includes(name), `${name} is read by src/config.ts but not set in infra/azure.bicep`);
    }
    assert.match(main.text, /NODE_ENV: 'production'/);
  });

  it('keep secrets in Key Vault: secure parameters, Key Vault references, nothing secret in outputs', () => {
    for (const name of SECRETS)
      assert.ok(main.params.get(name)?.decorators.includes('@secure()'), `${name} is not @secure()`);
    const vault = modules.get(path.join(INFRA, 'modules', 'key-vault.bicep'))!;
    for (const name of SECRETS) assert.ok(vault.params.get(name)?.decorators.includes('@secure()'));
    for (const name of ['STORAGE_CONNECTION_STRING', 'BOT_APP_PASSWORD', 'EXPORT_SIGNING_KEY']) {
      assert.match(
        main.text,
        new RegExp(`${name}: .*(@Microsoft\\.KeyVault|SecretRef)`),
        `${name} is not a Key Vault reference`,
      );
    }
    for (const f of all) {
      for (const line of f.text.split('\n').filter((l) => l.startsWith('output '))) {
        const value = line.slice(line.indexOf('=') + 1);
        assert.doesNotMatch(value, /listKeys|\.properties\.value\b/, `${path.basename(f.file)}: ${line}`);
        for (const secret of SECRETS) {
          assert.doesNotMatch(
            value,
            new RegExp(`\\b${secret}\\b`),
            `${path.basename(f.file)} outputs ${secret}: ${line}`,
          );
        }
      }
    }
    assert.match(vault.text, /enableRbacAuthorization: true/);
    assert.match(vault.text, /enablePurgeProtection: true/);
    assert.match(vault.text, /4633458b-17de-408a-b874-0445c86b69e6/, 'Key Vault Secrets User, read only');
  });

  it('run Node 22 LTS on Linux, probe /healthz and scale out to several instances', () => {
    const app = modules.get(path.join(INFRA, 'modules', 'app-service.bicep'))!.text;
    assert.match(app, /kind: 'app,linux'/);
    assert.match(app, /reserved: true/);
    assert.match(app, /linuxFxVersion: 'NODE\|22-lts'/);
    assert.match(app, /healthCheckPath: '\/healthz'/);
    assert.match(app, /appCommandLine: 'node dist\/src\/index\.js'/);
    assert.match(app, /httpsOnly: true/);
    assert.match(app, /clientAffinityEnabled: false/);
    assert.match(app, /Microsoft\.Insights\/autoscalesettings/);
    assert.equal(parameters.minimumInstances?.value, 2);
    assert.ok((parameters.maximumInstances?.value as number) > 2);
    assert.match(main.text, /@maxValue\(30\)\n@description\('Autoscale ceiling/);
  });

  it('create the Azure Bot single-tenant or with a user-assigned managed identity, with the Teams channel', () => {
    const bot = modules.get(path.join(INFRA, 'modules', 'bot.bicep'))!;
    assert.match(bot.params.get('appType')!.decorators.join('\n'), /'SingleTenant'[\s\S]*'UserAssignedMSI'/);
    assert.doesNotMatch(bot.text, /MultiTenant/);
    assert.match(bot.text, /msaAppTenantId: tenant\(\)\.tenantId/);
    assert.match(bot.text, /channelName: 'MsTeamsChannel'/);
    assert.match(main.text, /messagingEndpoint: 'https:\/\/\$\{app\.outputs\.host\}\/api\/messages'/);
  });

  it('give Storage tables, queues and blobs with no public access, TLS 1.2 and HTTPS only', () => {
    const storage = modules.get(path.join(INFRA, 'modules', 'storage.bicep'))!.text;
    assert.match(storage, /allowBlobPublicAccess: false/);
    assert.match(storage, /minimumTlsVersion: 'TLS1_2'/);
    assert.match(storage, /supportsHttpsTrafficOnly: true/);
    assert.match(storage, /kind: 'StorageV2'/);
  });

  it('send telemetry to Application Insights backed by Log Analytics', () => {
    assert.match(main.text, /APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring\.outputs\.connectionString/);
    const monitoring = modules.get(path.join(INFRA, 'modules', 'monitoring.bicep'))!.text;
    assert.match(monitoring, /WorkspaceResourceId: workspace\.id/);
  });

  it('have a parameters file that names only declared parameters and every required one', () => {
    for (const name of Object.keys(parameters))
      assert.ok(main.params.has(name), `azure.parameters.json sets unknown ${name}`);
    for (const p of main.params.values()) {
      if (!p.hasDefault)
        assert.ok(p.name in parameters, `required parameter ${p.name} is missing from azure.parameters.json`);
    }
    for (const name of SECRETS) {
      assert.match(
        String(parameters[name]?.value),
        /^\$\{\{SECRET_[A-Z_]+\}\}$/,
        `${name} comes from a SECRET_ variable`,
      );
    }
  });
});
