import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import {
  AppPackageError,
  buildAppPackage,
  fillPlaceholders,
  iconProblems,
  parseEnvFile,
  schemaProblems,
} from '../../src/dev/app-package';
import { colorIcon } from '../../src/dev/make-icons';
import { REPO_ROOT, TSX_CLI } from '../../src/dev/processes';

const APP = path.join(REPO_ROOT, 'appPackage');

/** What provisioning would have written, for an environment called "test". */
const FILLED = [
  'TEAMSFX_ENV=test',
  'APP_NAME_SUFFIX=',
  'APP_VERSION=1.2.3',
  'APP_PUBLISHER="Contoso IT"',
  'APP_PRIVACY_URL=https://contoso.example/privacy',
  'APP_TERMS_URL=https://contoso.example/terms',
  'TEAMS_APP_ID=2b9c7c34-6a5e-4f7e-9a52-1c1f0b6f3f10',
  'BOT_ID=5d0f2b7e-3c1a-4e8b-9f6d-7a2c4b1e9d33',
  'BOT_DOMAIN=mc-prod.azurewebsites.net',
].join('\n');

function envDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-env-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

interface FilledManifest {
  manifestVersion: string;
  id: string;
  version: string;
  developer: { name: string; websiteUrl: string };
  bots: { botId: string; scopes: string[] }[];
  validDomains: string[];
  webApplicationInfo: { id: string };
  composeExtensions: { messageHandlers: { value: { domains: string[] } }[] }[];
}

const placeholders = (text: string) => [...text.matchAll(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]!);

describe('app package: manifest and npm run package', () => {
  let dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });
  const temp = (files: Record<string, string>) => {
    const d = envDir(files);
    dirs.push(d);
    return d;
  };

  it('fills the manifest from the environment and validates it against the official schema, offline', () => {
    const dir = temp({ '.env.test': FILLED });
    const built = buildAppPackage('test', { envDir: dir, outDir: path.join(dir, 'out') });
    const m = built.manifest as unknown as FilledManifest;
    assert.equal(m.manifestVersion, '1.29');
    assert.equal(m.id, '2b9c7c34-6a5e-4f7e-9a52-1c1f0b6f3f10');
    assert.equal(m.version, '1.2.3');
    assert.equal(m.developer.name, 'Contoso IT');
    assert.equal(m.developer.websiteUrl, 'https://mc-prod.azurewebsites.net/guides');
    assert.equal(m.bots[0].botId, '5d0f2b7e-3c1a-4e8b-9f6d-7a2c4b1e9d33');
    assert.deepEqual(m.bots[0].scopes, ['personal', 'team', 'groupChat']);
    assert.deepEqual(m.validDomains, ['mc-prod.azurewebsites.net']);
    assert.equal(m.webApplicationInfo.id, m.bots[0].botId);
    assert.deepEqual(m.composeExtensions[0].messageHandlers[0].value.domains, ['mc-prod.azurewebsites.net']);
    assert.doesNotMatch(JSON.stringify(m), /\$\{\{/);
    assert.deepEqual(schemaProblems(m, '1.29', 'manifest'), []);
    const sv = JSON.parse(readFileSync(path.join(APP, 'sv-se.json'), 'utf8')) as object;
    assert.deepEqual(schemaProblems(sv, '1.29', 'localization'), []);
  });

  it('the schema check is real: it catches what Teams would refuse', () => {
    const dir = temp({ '.env.test': FILLED.replace(/^BOT_ID=.*$/m, 'BOT_ID=not-a-guid') });
    assert.throws(
      () => buildAppPackage('test', { envDir: dir, outDir: path.join(dir, 'out') }),
      (err: AppPackageError) => {
        assert.ok(err instanceof AppPackageError);
        assert.ok(
          err.problems.some((p) => p.includes('/bots/0/botId') && p.includes('pattern')),
          err.message,
        );
        return true;
      },
    );
    assert.ok(schemaProblems({}, '1.29', 'manifest').some((p) => /required/.test(p)));
    assert.ok(schemaProblems({ 'name.short': 'x'.repeat(31) }, '1.29', 'localization').length > 0);
  });

  it('writes a zip holding manifest.json, both icons at their sizes, and the Swedish strings', () => {
    const dir = temp({ '.env.test': FILLED });
    const built = buildAppPackage('test', { envDir: dir, outDir: path.join(dir, 'out') });
    assert.equal(path.basename(built.zipPath), 'appPackage.test.zip');
    const files = unzipSync(readFileSync(built.zipPath));
    assert.deepEqual(Object.keys(files).sort(), ['color.png', 'manifest.json', 'outline.png', 'sv-se.json']);
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8'));
    assert.equal(manifest.icons.color, 'color.png');
    const color = PNG.sync.read(Buffer.from(files['color.png']!));
    const outline = PNG.sync.read(Buffer.from(files['outline.png']!));
    assert.deepEqual([color.width, color.height], [192, 192]);
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    let opaque = true;
    for (let i = 3; i < color.data.length; i += 4) opaque &&= color.data[i] === 255;
    assert.ok(opaque, 'the colour icon is full-bleed');
    let clear = 0;
    let visibleNotWhite = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      if (outline.data[i + 3] === 0) clear++;
      else if (outline.data[i] !== 255 || outline.data[i + 1] !== 255 || outline.data[i + 2] !== 255)
        visibleNotWhite++;
    }
    assert.ok(clear > 32 * 32 * 0.5, `mostly transparent (${clear} clear pixels)`);
    assert.equal(visibleNotWhite, 0, 'white only');
  });

  it('fails with a clear message naming every placeholder left unfilled, and writes nothing', () => {
    const dir = temp({ '.env.test': 'TEAMSFX_ENV=test\nAPP_VERSION=1.0.0\nBOT_ID=\n' });
    try {
      buildAppPackage('test', { envDir: dir, outDir: path.join(dir, 'out') });
      assert.fail('built without values');
    } catch (err) {
      assert.ok(err instanceof AppPackageError);
      const text = err.message;
      for (const name of [
        'TEAMS_APP_ID',
        'BOT_ID',
        'BOT_DOMAIN',
        'APP_PUBLISHER',
        'APP_PRIVACY_URL',
        'APP_TERMS_URL',
      ]) {
        assert.match(text, new RegExp(`\\$\\{\\{${name}\\}\\} has no value`), name);
      }
      assert.match(text, /provision the environment first \(teamsapp provision --env test\)/);
    }
    assert.throws(() => buildAppPackage('nowhere', { envDir: dir }), /no environment "nowhere"/);
  });

  it('reads secrets from the .user file and lets the calling process override a value (CI)', () => {
    const dir = temp({
      '.env.test': FILLED.replace(/^BOT_DOMAIN=.*$/m, 'BOT_DOMAIN='),
      '.env.test.user': 'BOT_DOMAIN=from-user-file.example.com\n',
    });
    const fromUser = buildAppPackage('test', { envDir: dir, outDir: path.join(dir, 'out') });
    assert.deepEqual((fromUser.manifest as { validDomains: string[] }).validDomains, [
      'from-user-file.example.com',
    ]);
    const fromCi = buildAppPackage('test', {
      envDir: dir,
      outDir: path.join(dir, 'out'),
      processEnv: { BOT_DOMAIN: 'from-ci.example.com', UNRELATED: 'x' },
    });
    assert.deepEqual((fromCi.manifest as { validDomains: string[] }).validDomains, ['from-ci.example.com']);
  });

  it('npm run package builds the zip, and exits non-zero naming what is missing', function () {
    this.timeout(60_000);
    const dir = temp({ '.env.test': FILLED, '.env.empty': 'TEAMSFX_ENV=empty\n' });
    const run = (env: string) =>
      spawnSync(
        process.execPath,
        [TSX_CLI, 'src/dev/package-app.ts', '--env', env, '--env-dir', dir, '--out', path.join(dir, 'out')],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
    const ok = run('test');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /appPackage\.test\.zip/);
    assert.match(ok.stdout, /manifest\.json, color\.png, outline\.png, sv-se\.json/);
    const bad = run('empty');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /\$\{\{TEAMS_APP_ID\}\} has no value/);
    const scripts = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    assert.equal(scripts.package, 'tsx src/dev/package-app.ts');
  });

  it('every placeholder of the manifest is declared in the committed environments', () => {
    const used = new Set(placeholders(readFileSync(path.join(APP, 'manifest.json'), 'utf8')));
    assert.deepEqual(
      placeholders(readFileSync(path.join(APP, 'sv-se.json'), 'utf8')),
      [],
      'no placeholders in localization files',
    );
    for (const env of ['.env.dev', '.env.local']) {
      const declared = parseEnvFile(readFileSync(path.join(REPO_ROOT, 'env', env), 'utf8'));
      for (const name of used) {
        if (name === 'TEAMSFX_ENV') continue;
        assert.ok(name in declared, `${name} is used by the manifest but not declared in env/${env}`);
      }
    }
  });

  it('escapes values as JSON and keeps an empty app-name suffix', () => {
    const { text, missing } = fillPlaceholders('{"a":"${{A}}","b":"x${{APP_NAME_SUFFIX}}","c":"${{C}}"}', {
      A: 'say "hi"\\',
      APP_NAME_SUFFIX: '',
      C: '',
    });
    assert.deepEqual(JSON.parse(text.replace('${{C}}', '')), { a: 'say "hi"\\', b: 'x', c: '' });
    assert.deepEqual(missing, ['C']);
  });

  it('checks icons: size, full bleed for colour, white on transparent for outline', () => {
    const small = PNG.sync.write(colorIcon(64));
    assert.match(
      iconProblems('color.png', small, { size: 192, kind: 'color' }).join(),
      /64×64, must be 192×192/,
    );
    assert.match(
      iconProblems('outline.png', PNG.sync.write(colorIcon(32)), { size: 32, kind: 'outline' }).join(),
      /no transparent pixels/,
    );
    assert.match(
      iconProblems('x.png', Buffer.from('not a png'), { size: 32, kind: 'outline' }).join(),
      /not a PNG/,
    );
    assert.deepEqual(
      iconProblems('color.png', readFileSync(path.join(APP, 'color.png')), { size: 192, kind: 'color' }),
      [],
    );
    assert.deepEqual(
      iconProblems('outline.png', readFileSync(path.join(APP, 'outline.png')), { size: 32, kind: 'outline' }),
      [],
    );
  });
});
