import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

describe('platform: process.platform is read in one place', () => {
  it('only src/shared/platform/platform.ts reads it (the rest takes the platform as a parameter)', () => {
    const src = path.join(ROOT, 'src');
    const readers = fs
      .readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .filter((file) => /process\s*\.\s*platform\b|os\.platform\(|\bplatform\(\)/.test(fs.readFileSync(path.join(src, file), 'utf8')))
      .map((file) => file.split(path.sep).join('/'));
    assert.deepEqual(readers, ['shared/platform/platform.ts']);
  });
});
