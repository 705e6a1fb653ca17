/**
 * The build's second step (`npm run build`): the compiler copies only the JSON files that code
 * imports, so the language folders (src/i18n/<tag>/) and the guidance translations
 * (src/guidance/content/i18n/), which are read from disk at start-up, are copied into dist here.
 * A language added as files then ships without a code change.
 */
import { cpSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders read from disk at run time, relative to the repository root. */
export const RUNTIME_ASSET_DIRS = ['src/i18n', 'src/guidance/content'] as const;

/** Copies every JSON file under the asset folders of `root` into the same place under `outDir`. */
export function copyAssets(root: string, outDir: string): string[] {
  const copied: string[] = [];
  for (const dir of RUNTIME_ASSET_DIRS) {
    const from = path.join(root, dir);
    if (!existsSync(from)) throw new Error(`copy-assets: ${dir} is missing`);
    cpSync(from, path.join(outDir, dir), {
      recursive: true,
      filter: (source) => {
        const keep = statSync(source).isDirectory() || source.endsWith('.json');
        if (keep && source.endsWith('.json')) copied.push(path.relative(root, source));
        return keep;
      },
    });
  }
  return copied;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '../..');
  const copied = copyAssets(root, path.join(root, 'dist'));
  process.stdout.write(`copy-assets: ${copied.length} files copied into dist\n`);
}
