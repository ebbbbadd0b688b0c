import * as assert from 'node:assert/strict';
import { ConfigError, normalizeApp, revalidateApp, type NormalizeContext } from '../../../../src/shared/config';

const ctx: NormalizeContext = {
  source: 'eco.config.js',
  index: 0,
  baseDir: '/srv/app',
  baseEnv: { PATH: '/bin', SHARED: 'shell' },
  envName: 'production',
  cpuCount: 1,
  fileExists: () => true,
};

function problems(raw: Record<string, unknown>): string[] {
  try {
    normalizeApp({ script: 'a.js', ...raw }, ctx);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config: env_file and env_sources', () => {
  it('takes a path, an object or a list, resolved against cwd', () => {
    const { app } = normalizeApp({ script: 'a.js', cwd: 'web', env_file: ['.env', { path: '/etc/app.env', optional: true }, { path: 'x.env' }] }, ctx);
    assert.deepEqual(app.env_file, [
      { path: '/srv/app/web/.env', optional: false },
      { path: '/etc/app.env', optional: true },
      { path: '/srv/app/web/x.env', optional: false },
    ]);
    assert.deepEqual(normalizeApp({ script: 'a.js', env_file: '.env' }, ctx).app.env_file, [{ path: '/srv/app/.env', optional: false }]);
    assert.deepEqual(normalizeApp({ script: 'a.js' }, ctx).app.env_file, []);
  });

  it('names the entry that is wrong', () => {
    assert.deepEqual(problems({ env_file: 3 }), ['eco.config.js: apps[0].env_file: expected a file path, { path, optional } or a list of them, got 3']);
    assert.deepEqual(problems({ env_file: ['.env', { path: '' }] }), ['eco.config.js: apps[0].env_file[1]: path: expected a file path, got ""']);
    assert.deepEqual(problems({ env_file: [{ path: '.env', optional: 'yes' }] }), [
      'eco.config.js: apps[0].env_file[0]: optional: expected true or false, got "yes"',
    ]);
    assert.deepEqual(problems({ env_file: { file: '.env' } }), ['eco.config.js: apps[0].env_file: unknown key "file" (an env file takes path and optional)']);
  });

  it('records where each variable of env came from, and ignores a given env_sources', () => {
    const { app, warnings } = normalizeApp(
      { script: 'a.js', env: { SHARED: 'env', OWN: '1' }, env_production: { STAGE: 'prod' }, port: 3000, env_sources: { PATH: 'env' } },
      ctx,
    );
    assert.deepEqual(app.env_sources, { PATH: 'inherited', SHARED: 'env', OWN: 'env', STAGE: 'env_production', PORT: 'port' });
    assert.deepEqual(warnings, ['eco.config.js: apps[0].env_sources: set by Corral, ignored']);
  });

  it('survives the trip to the daemon; a dump without env_sources counts every variable as the app own', () => {
    const { app } = normalizeApp({ script: 'a.js', env: { OWN: '1' }, env_file: '.env' }, ctx);
    assert.deepEqual(revalidateApp(JSON.parse(JSON.stringify(app)), 0), app);
    const { env_sources: _sources, ...old } = app;
    assert.deepEqual(revalidateApp(JSON.parse(JSON.stringify(old)), 0).env_sources, { PATH: 'env', SHARED: 'env', OWN: 'env' });
    assert.throws(() => revalidateApp({ ...app, env_sources: { OWN: 'made-up' } }, 0), /apps\[0\]\.env_sources\.OWN: expected/);
  });
});
