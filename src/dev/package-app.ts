/**
 * `npm run package [-- --env <name>]`: writes appPackage/build/appPackage.<name>.zip (manifest with
 * env/.env.<name> filled in, both icons, the Swedish strings) for upload to Teams. Default: dev.
 * Fails with every problem listed: placeholders without a value, schema violations, bad icons.
 */
import path from 'node:path';
import { AppPackageError, buildAppPackage } from './app-package';
import { REPO_ROOT } from './processes';

function envArgument(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--env' || a.startsWith('--env='));
  if (i < 0) return process.env.TEAMSFX_ENV || 'dev';
  const arg = argv[i]!;
  return arg.includes('=') ? arg.slice('--env='.length) : (argv[i + 1] ?? '');
}

try {
  const env = envArgument(process.argv.slice(2));
  const built = buildAppPackage(env, { processEnv: process.env });
  const rel = (p: string) => path.relative(REPO_ROOT, p);
  process.stdout.write(
    `Teams app package for "${env}": ${rel(built.zipPath)}\n` +
      `  holds ${built.entries.join(', ')}\n` +
      `  manifest (filled in): ${rel(built.manifestPath)}\n` +
      '  Upload it in Teams admin center (Teams apps → Manage apps → Upload new app), or see docs/deploy.md.\n',
  );
} catch (err) {
  process.stderr.write(`${err instanceof AppPackageError ? err.message : String(err)}\n`);
  process.exit(1);
}
