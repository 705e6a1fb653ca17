import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyAssets } from '../../src/dev/copy-assets';
import { LANGUAGES } from '../../src/i18n';
import { readLanguages } from '../../src/i18n/catalog';

describe('build: copy-assets', () => {
  it('puts every language folder and guidance translation into dist, readable there', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    try {
      copyAssets(path.resolve(__dirname, '../..'), out);
      const copied = readLanguages(path.join(out, 'src/i18n')).map((l) => l.tag);
      assert.deepEqual(copied, [...LANGUAGES]);
      for (const tag of LANGUAGES.filter((l) => l !== 'en' && l !== 'sv')) {
        assert.ok(existsSync(path.join(out, 'src/guidance/content/i18n', `${tag}.json`)), tag);
      }
      assert.ok(!existsSync(path.join(out, 'src/i18n/index.ts')), 'only JSON is copied');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
