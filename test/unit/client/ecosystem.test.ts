import * as assert from 'node:assert/strict';
import { isEcosystemFile, rawApps } from '../../../src/client/ecosystem';

describe('ecosystem shapes', () => {
  it('recognizes configuration files by name, as PM2 does', () => {
    for (const file of [
      'ecosystem.config.js',
      'ecosystem.config.cjs',
      'x.config.mjs',
      'apps.json',
      'apps.yml',
      'apps.yaml',
      'ecosystem.js',
      'ecosystem-prod.js',
    ])
      assert.ok(isEcosystemFile(file), file);
    for (const file of ['server.js', 'app.mjs', 'config.ts', 'run.sh']) assert.ok(!isEcosystemFile(file), file);
  });

  it('accepts { apps: [...] }, an array, one app, a single apps object and a default export', () => {
    const app = { script: 'a.js' };
    assert.deepEqual(rawApps({ apps: [app] }, 'f'), [app]);
    assert.deepEqual(rawApps([app, app], 'f'), [app, app]);
    assert.deepEqual(rawApps(app, 'f'), [app]);
    assert.deepEqual(rawApps({ apps: app }, 'f'), [app]);
    assert.deepEqual(rawApps({ default: { apps: [app] } }, 'f'), [app]);
  });

  it('names the file when the shape is wrong', () => {
    assert.throws(() => rawApps({ nothing: true }, 'eco.json'), /^CorralError: eco\.json: expected \{ apps: \[\.\.\.\] \}/);
    assert.throws(() => rawApps({ apps: 'x' }, 'eco.json'), /eco\.json: apps: expected an array of apps/);
    assert.throws(() => rawApps(null, 'eco.json'), /eco\.json/);
  });
});
