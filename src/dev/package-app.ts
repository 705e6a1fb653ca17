/**
 * `npm run package [-- --env <name>]`: writes appPackage/build/appPackage.<name>.zip (manifest with
 * env/.env.<name> filled in, both icons, the Swedish strings) for upload to Teams. Default: dev.
 * Fails with every problem listed: placeholders without a value, schema violations, bad icons.
 * `--env-dir` and `--out` read and write elsewhere (CI, tests).
 */
import path from 'node:path';
import { AppPackageError, buildAppPackage } from './app-package';
import { REPO_ROOT } from './processes';

function option(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const arg = argv[i]!;
  return arg.includes('=') ? arg.slice(name.length + 3) : (argv[i + 1] ?? '');
}

try {
  const argv = process.argv.slice(2);
  const env = option(argv, 'env') ?? (process.env.TEAMSFX_ENV || 'dev');
  const envDir = option(argv, 'env-dir');
  const outDir = option(argv, 'out');
  const built = buildAppPackage(env, {
    processEnv: process.env,
    ...(envDir ? { envDir: path.resolve(envDir) } : {}),
    ...(outDir ? { outDir: path.resolve(outDir) } : {}),
  });
  const rel = (p: string) => path.relative(REPO_ROOT, p);
  process.stdout.write(
    `Teams app package for "${env}": ${rel(built.zipPath)}\n` +
      `  holds ${built.entries.join(', ')}\n` +
      `  manifest (filled in): ${rel(built.manifestPath)}\n` +
      '  Upload it in Teams admin center (Teams apps → Manage apps → Upload new app); docs/deploy.md has the steps.\n',
  );
} catch (err) {
  process.stderr.write(`${err instanceof AppPackageError ? err.message : String(err)}\n`);
  process.exit(1);
}
