import * as assert from 'node:assert/strict';
import { withCallerEnv } from '../../../src/daemon/app-changes';
import { normalizeApp } from '../../../src/shared/config';

describe('app changes: --update-env', () => {
  const { app } = normalizeApp(
    { script: '/srv/a.js', env: { OWN: 'env', SHARED: 'env' }, filter_env: ['SECRET_'] },
    { source: '', baseDir: '/srv', baseEnv: { PATH: '/bin', GONE: 'x', SHARED: 'shell' }, cpuCount: 1 },
  );

  it("replaces the inherited env with the caller's: removed variables go, the app's own stay and win", () => {
    const changed = withCallerEnv(app, { PATH: '/usr/bin', NEW: 'y', SHARED: 'caller', SECRET_KEY: 'no' });
    assert.deepEqual(changed.env, { PATH: '/usr/bin', NEW: 'y', SHARED: 'env', OWN: 'env' });
    assert.deepEqual(changed.env_sources, { PATH: 'inherited', NEW: 'inherited', SHARED: 'env', OWN: 'env' });
  });
});
