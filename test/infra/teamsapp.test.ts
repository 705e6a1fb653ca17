/**
 * The Microsoft 365 Agents Toolkit project files: the current schema version, actions it knows,
 * files and npm scripts that exist, and every `${{NAME}}` either declared in the environment's file
 * or written by an earlier step (an action's writeToEnvironmentFile, a Bicep output).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseEnvFile } from '../../src/dev/app-package';
import { REPO_ROOT } from '../../src/dev/processes';
import { readBicep } from './bicep-reader';

interface Step {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface ProjectFile {
  version: string;
  environmentFolderPath?: string;
  provision?: Step[];
  deploy?: Step[];
  publish?: Step[];
}

/** Actions of the toolkit's v1.11 schema that these files may use. */
const KNOWN_ACTIONS = new Set([
  'teamsApp/create',
  'aadApp/create',
  'botFramework/create',
  'arm/deploy',
  'teamsApp/validateManifest',
  'teamsApp/zipAppPackage',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'teamsApp/publishAppPackage',
  'cli/runNpmCommand',
  'azureAppService/zipDeploy',
  'file/createOrUpdateEnvironmentFile',
  'script',
]);
/** Variables the toolkit itself provides. */
const BUILT_IN = new Set(['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME']);

const read = (file: string) => parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as ProjectFile;
const scripts = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const bicepOutputs = [...readBicep(path.join(REPO_ROOT, 'infra', 'azure.bicep')).outputs.keys()];

const placeholders = (text: string) =>
  [...text.matchAll(/\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!);

function steps(project: ProjectFile): Step[] {
  return [...(project.provision ?? []), ...(project.deploy ?? []), ...(project.publish ?? [])];
}

/**
 * Every placeholder a project file uses (the files it hands to the toolkit included) must be known
 * by the time it is read: declared in the environment, built in, or written by an earlier step.
 */
function undeclared(file: string, envName: string): string[] {
  const project = read(file);
  const declared = new Set([
    ...Object.keys(parseEnvFile(readFileSync(path.join(REPO_ROOT, 'env', `.env.${envName}`), 'utf8'))),
    ...BUILT_IN,
  ]);
  const missing: string[] = [];
  for (const step of steps(project)) {
    const texts = [JSON.stringify(step.with ?? {})];
    if (step.uses === 'arm/deploy') {
      for (const t of (step.with?.templates as { parameters: string }[]) ?? []) {
        texts.push(readFileSync(path.join(REPO_ROOT, t.parameters), 'utf8'));
      }
    }
    if (step.uses === 'teamsApp/zipAppPackage' || step.uses === 'teamsApp/validateManifest') {
      texts.push(readFileSync(path.join(REPO_ROOT, String(step.with?.manifestPath)), 'utf8'));
    }
    for (const name of texts.flatMap(placeholders)) {
      // Secrets live in the git-ignored env/.env.<name>.user; docs/deploy.md says which to set.
      if (!declared.has(name) && !name.startsWith('SECRET_')) missing.push(`${step.uses}: ${name}`);
    }
    for (const written of Object.values(step.writeToEnvironmentFile ?? {})) declared.add(written);
    if (step.uses === 'arm/deploy') for (const o of bicepOutputs) declared.add(o);
  }
  return missing;
}

describe('infra: Microsoft 365 Agents Toolkit project files', () => {
  const files = [
    { file: 'teamsapp.yml', env: 'dev' },
    { file: 'teamsapp.local.yml', env: 'local' },
    { file: 'teamsapp.testtool.yml', env: 'playground' },
  ];

  for (const { file, env } of files) {
    it(`${file} follows the current schema and uses known actions, existing files and scripts`, () => {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      assert.match(
        text,
        /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/v1\.11\/yaml\.schema\.json/,
      );
      const project = read(file);
      assert.equal(project.version, 'v1.11');
      assert.ok(existsSync(path.join(REPO_ROOT, 'env', `.env.${env}`)), `env/.env.${env}`);
      for (const step of steps(project)) {
        assert.ok(KNOWN_ACTIONS.has(step.uses), `${file}: unknown action ${step.uses}`);
        if (step.uses === 'cli/runNpmCommand') {
          const args = String(step.with?.args);
          const run = /^run ([\w:-]+)/.exec(args);
          if (run) assert.ok(scripts[run[1]!], `${file}: npm script ${run[1]} does not exist`);
          else assert.match(args, /^ci\b/, `${file}: ${args}`);
        }
        for (const key of ['manifestPath']) {
          const value = step.with?.[key];
          if (typeof value === 'string')
            assert.ok(existsSync(path.join(REPO_ROOT, value)), `${file}: ${value}`);
        }
      }
    });

    it(`${file} only uses variables that are declared or written by an earlier step`, () => {
      assert.deepEqual(undeclared(file, env), []);
    });
  }

  it('teamsapp.yml provisions the Teams app, a single-tenant bot app registration and the Bicep deployment', () => {
    const project = read('teamsapp.yml');
    const uses = project.provision!.map((s) => s.uses);
    assert.deepEqual(uses.slice(0, 3), ['teamsApp/create', 'aadApp/create', 'arm/deploy']);
    const aad = project.provision![1]!;
    assert.equal(aad.with?.signInAudience, 'AzureADMyOrg');
    assert.equal(aad.with?.generateServicePrincipal, true);
    assert.equal(aad.writeToEnvironmentFile?.clientId, 'BOT_ID');
    assert.equal(aad.writeToEnvironmentFile?.clientSecret, 'SECRET_BOT_PASSWORD');
    const arm = project.provision![2]!.with as { templates: { path: string; parameters: string }[] };
    assert.ok(existsSync(path.join(REPO_ROOT, arm.templates[0]!.path)));
    assert.ok(existsSync(path.join(REPO_ROOT, arm.templates[0]!.parameters)));
    assert.ok(uses.includes('teamsApp/update'));
  });

  it('teamsapp.yml deploys the build, with production dependencies only, by zip deploy to App Service', () => {
    const deploy = read('teamsapp.yml').deploy!;
    assert.deepEqual(
      deploy.map((s) => s.uses),
      ['cli/runNpmCommand', 'cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy'],
    );
    assert.deepEqual(
      deploy.slice(0, 3).map((s) => s.with?.args),
      ['ci --no-audit --no-fund', 'run build', 'run stage:azure'],
    );
    const zip = deploy[3]!.with!;
    assert.equal(zip.artifactFolder, './.data/deploy/app');
    assert.equal(zip.resourceId, '${{AZURE_APP_SERVICE_RESOURCE_ID}}');
    assert.ok(bicepOutputs.includes('AZURE_APP_SERVICE_RESOURCE_ID'));
    assert.match(
      readFileSync(path.join(REPO_ROOT, 'src', 'dev', 'stage-deploy.ts'), 'utf8'),
      /'\.data', 'deploy', 'app'/,
    );
  });

  it('the local file registers the bot at the dev tunnel and starts the stack for real Teams', () => {
    const project = read('teamsapp.local.yml');
    const bot = project.provision!.find((s) => s.uses === 'botFramework/create')!;
    assert.equal(bot.with?.messagingEndpoint, '${{BOT_ENDPOINT}}/api/messages');
    const envFile = project.deploy!.find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!;
    assert.equal(envFile.with?.target, './.data/teams-local.env');
    const envs = envFile.with?.envs as Record<string, string>;
    assert.equal(envs.BOT_APP_TYPE, 'MultiTenant');
    assert.equal(envs.BOT_APP_ID, '${{BOT_ID}}');
    assert.equal(envs.PUBLIC_BASE_URL, '${{BOT_ENDPOINT}}');
    assert.equal(project.deploy!.at(-1)!.with?.args, 'run dev:background -- --teams');
  });

  it('the playground file starts the local stack like npm run dev', () => {
    const project = read('teamsapp.testtool.yml');
    assert.equal(project.provision, undefined, 'nothing to provision: no tenant, no Azure');
    assert.equal(project.deploy!.at(-1)!.with?.args, 'run dev:background');
    assert.equal(scripts['dev:background'], 'tsx src/dev/background-stack.ts start');
    assert.equal(scripts['dev:stop'], 'tsx src/dev/background-stack.ts stop');
  });

  it('never commits secrets: SECRET_ values in committed environments are empty, .user files are ignored', () => {
    for (const env of ['dev', 'local', 'playground']) {
      const values = parseEnvFile(readFileSync(path.join(REPO_ROOT, 'env', `.env.${env}`), 'utf8'));
      for (const [k, v] of Object.entries(values))
        if (k.startsWith('SECRET_')) assert.equal(v, '', `${env}: ${k}`);
    }
    assert.match(readFileSync(path.join(REPO_ROOT, 'env', '.gitignore'), 'utf8'), /^\.env\.\*\.user$/m);
  });
});
