/**
 * The Teams app package: appPackage/manifest.json with its `${{NAME}}` placeholders filled from an
 * environment's files in env/ (the way Microsoft 365 Agents Toolkit does), checked against the
 * official manifest JSON schema shipped by @microsoft/app-manifest (offline), icons checked for size
 * and transparency, and zipped with the icons and the localization files.
 *
 * Development and deployment tooling; the running bot never loads it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { REPO_ROOT } from './processes';

export const APP_PACKAGE_DIR = path.join(REPO_ROOT, 'appPackage');
export const ENV_DIR = path.join(REPO_ROOT, 'env');

/** Values that provisioning writes into the environment file; the message says so. */
const PROVISIONED = new Set(['TEAMS_APP_ID', 'BOT_ID', 'BOT_DOMAIN', 'BOT_ENDPOINT']);
/** Placeholders that may be empty: the app name's suffix is empty outside development. */
const MAY_BE_EMPTY = new Set(['APP_NAME_SUFFIX']);
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export class AppPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The Teams app package cannot be built: ${problems.length} problem(s).\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'AppPackageError';
  }
}

/** KEY=VALUE lines as the toolkit writes them: `#` comments, optional quotes, no expansion. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const quoted = /^(["'])(.*)\1$/.exec(m[2]!);
    out[m[1]!] = quoted ? quoted[2]! : m[2]!.replace(/\s+#.*$/, '');
  }
  return out;
}

export interface EnvironmentValues {
  values: Record<string, string>;
  /** The files read, in order; later ones win. */
  files: string[];
}

/**
 * An environment's values: env/.env.<name>, then env/.env.<name>.user (secrets, never committed),
 * then variables of the calling process that name a placeholder (CI). TEAMSFX_ENV is the name.
 */
export function environmentValues(
  envName: string,
  options: { envDir?: string; processEnv?: Record<string, string | undefined> } = {},
): EnvironmentValues {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(envName))
    throw new AppPackageError([`"${envName}" is not an environment name (env/.env.<name>)`]);
  const dir = options.envDir ?? ENV_DIR;
  const files: string[] = [];
  const values: Record<string, string> = { TEAMSFX_ENV: envName };
  for (const file of [`.env.${envName}`, `.env.${envName}.user`]) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    Object.assign(values, parseEnvFile(readFileSync(full, 'utf8')));
    files.push(full);
  }
  if (files.length === 0) {
    throw new AppPackageError([
      `no environment "${envName}": create ${path.relative(REPO_ROOT, path.join(dir, `.env.${envName}`))}`,
    ]);
  }
  for (const [key, value] of Object.entries(options.processEnv ?? {})) {
    if (value !== undefined && key in values) values[key] = value;
  }
  return { values, files };
}

/** Fills `${{NAME}}`; returns the names that had no value (or an empty one where that is not allowed). */
export function fillPlaceholders(
  text: string,
  values: Record<string, string>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined || (value === '' && !MAY_BE_EMPTY.has(name))) {
      missing.add(name);
      return whole;
    }
    // The value lands inside a JSON string: escape it as one.
    return JSON.stringify(value).slice(1, -1);
  });
  return { text: filled, missing: [...missing].sort() };
}

/** The official Teams manifest schema of a manifest version (or its localization file schema), from npm. */
export function officialSchema(version: string, kind: 'manifest' | 'localization' = 'manifest'): object {
  const root = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(
    root,
    'build',
    'json-schemas',
    'teams',
    `v${version}`,
    kind === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json',
  );
  if (!existsSync(file))
    throw new AppPackageError([`manifest version ${version}: no official schema in @microsoft/app-manifest`]);
  // The published schemas write a bell character as "\a", which JSON Schema regexes do not accept.
  return JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\x07')) as object;
}

const validators = new Map<string, ReturnType<Ajv['compile']>>();

/** Problems of a document against the official schema, as "path message" lines; none when valid. */
export function schemaProblems(
  document: unknown,
  version: string,
  kind: 'manifest' | 'localization',
): string[] {
  const key = `${kind}@${version}`;
  let validate = validators.get(key);
  if (!validate) {
    // The published patterns are written for JavaScript's non-unicode regular expressions.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv, ['uri', 'email', 'regex']);
    validate = ajv.compile(officialSchema(version, kind));
    validators.set(key, validate);
  }
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) =>
    `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`.trim(),
  );
}

export interface IconRule {
  size: number;
  kind: 'color' | 'outline';
}

/**
 * Teams' icon rules: the colour icon fills its square (no transparency); the outline icon is white
 * on a transparent background.
 */
export function iconProblems(name: string, data: Buffer, rule: IconRule): string[] {
  let png: PNG;
  try {
    png = PNG.sync.read(data);
  } catch (err) {
    return [`${name}: not a PNG (${err instanceof Error ? err.message : String(err)})`];
  }
  const problems: string[] = [];
  if (png.width !== rule.size || png.height !== rule.size) {
    problems.push(`${name}: ${png.width}×${png.height}, must be ${rule.size}×${rule.size}`);
  }
  let transparent = 0;
  let notWhite = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const alpha = png.data[i + 3]!;
    if (alpha < 255) transparent++;
    if (alpha > 0 && (png.data[i]! < 250 || png.data[i + 1]! < 250 || png.data[i + 2]! < 250)) notWhite++;
  }
  if (rule.kind === 'color' && transparent > 0)
    problems.push(`${name}: ${transparent} transparent pixel(s); the colour icon must be full-bleed`);
  if (rule.kind === 'outline') {
    if (transparent === 0)
      problems.push(`${name}: no transparent pixels; the outline icon needs a transparent background`);
    if (notWhite > 0) problems.push(`${name}: ${notWhite} visible pixel(s) that are not white`);
  }
  return problems;
}

interface Manifest {
  manifestVersion?: string;
  icons?: { color?: string; outline?: string };
  localizationInfo?: { additionalLanguages?: { file: string }[] };
}

export interface BuiltPackage {
  zipPath: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
  /** Names inside the zip. */
  entries: string[];
}

/**
 * Fills, checks and zips the package for an environment. Every problem is collected before anything
 * is written, so one run names all of them: unfilled placeholders, schema violations, bad icons.
 */
export function buildAppPackage(
  envName: string,
  options: {
    envDir?: string;
    packageDir?: string;
    outDir?: string;
    processEnv?: Record<string, string | undefined>;
  } = {},
): BuiltPackage {
  const dir = options.packageDir ?? APP_PACKAGE_DIR;
  const outDir = options.outDir ?? path.join(dir, 'build');
  const { values, files } = environmentValues(envName, options);
  const problems: string[] = [];
  const read = (name: string): Buffer | undefined => {
    const file = path.join(dir, name);
    if (!existsSync(file)) {
      problems.push(`${name}: missing from ${path.relative(REPO_ROOT, dir) || dir}`);
      return undefined;
    }
    return readFileSync(file);
  };
  const fillJson = (name: string): Record<string, unknown> | undefined => {
    const raw = read(name);
    if (!raw) return undefined;
    const { text, missing } = fillPlaceholders(raw.toString('utf8'), values);
    const where = files.map((f) => path.relative(REPO_ROOT, f)).join(' or ');
    for (const m of missing) {
      const how = PROVISIONED.has(m)
        ? `provision the environment first (teamsapp provision --env ${envName}), or set ${m} in ${where}`
        : `set ${m} in ${where}`;
      problems.push(`${name}: \${{${m}}} has no value; ${how}`);
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      problems.push(`${name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      return undefined;
    }
  };

  const manifest = fillJson('manifest.json');
  const entries: Record<string, Uint8Array> = {};
  if (manifest) {
    const m = manifest as Manifest;
    const version = m.manifestVersion ?? '';
    // With placeholders left unfilled the schema would only repeat them (as invalid ids and URLs).
    if (problems.length === 0) {
      for (const p of schemaProblems(manifest, version, 'manifest')) problems.push(`manifest.json: ${p}`);
    }
    entries['manifest.json'] = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    for (const [kind, size] of [
      ['color', 192],
      ['outline', 32],
    ] as const) {
      const name = m.icons?.[kind];
      if (!name) {
        problems.push(`manifest.json: icons.${kind} is not set`);
        continue;
      }
      const data = read(name);
      if (!data) continue;
      problems.push(...iconProblems(name, data, { size, kind }));
      entries[name] = data;
    }
    for (const { file } of m.localizationInfo?.additionalLanguages ?? []) {
      const localized = fillJson(file);
      if (!localized) continue;
      for (const p of schemaProblems(localized, version, 'localization')) problems.push(`${file}: ${p}`);
      entries[file] = Buffer.from(`${JSON.stringify(localized, null, 2)}\n`);
    }
  }
  if (problems.length > 0 || !manifest) throw new AppPackageError(problems);

  mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, `appPackage.${envName}.zip`);
  const manifestPath = path.join(outDir, `manifest.${envName}.json`);
  // A fixed timestamp keeps the zip byte-identical for identical input.
  const mtime = new Date('2026-01-01T00:00:00Z');
  writeFileSync(
    zipPath,
    zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { mtime }]]))),
  );
  writeFileSync(manifestPath, entries['manifest.json']!);
  return { zipPath, manifestPath, manifest, entries: Object.keys(entries) };
}
