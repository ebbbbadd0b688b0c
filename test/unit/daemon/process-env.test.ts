import * as assert from 'node:assert/strict';
import { layerEnvironment, processEnvironment } from '../../../src/daemon/process-env';

const app = {
  name: 'api',
  env: { PATH: '/bin', SHARED: 'shell', OWN: 'env', STAGE: 'prod', LEFT: 'shell' },
  env_sources: { PATH: 'inherited', SHARED: 'inherited', OWN: 'env', STAGE: 'env_production', LEFT: 'inherited' },
  env_file: [],
};

describe('process env layering', () => {
  it('inherited < env files in order < env < env_<name>, with the source of each variable', () => {
    const { env, sources } = layerEnvironment(app, [
      { path: '/srv/.env', text: 'SHARED=first\nOWN=from-file\nFIRST=1\nSTAGE=file\n' },
      { path: '/srv/.env.local', text: null },
      { path: '/srv/.env.prod', text: 'SHARED=second\nURL=${FIRST}-${LEFT}\n' },
    ]);
    assert.deepEqual(env, { PATH: '/bin', SHARED: 'second', LEFT: 'shell', FIRST: '1', URL: '1-shell', OWN: 'env', STAGE: 'prod' });
    assert.deepEqual(sources, {
      PATH: 'inherited',
      LEFT: 'inherited',
      SHARED: 'env_file /srv/.env.prod',
      FIRST: 'env_file /srv/.env',
      URL: 'env_file /srv/.env.prod',
      OWN: 'env',
      STAGE: 'env_production',
    });
  });

  it("adds Corral's variables over the layers", () => {
    const layered = layerEnvironment({ ...app, env: { PORT: '4000' }, env_sources: { PORT: 'env' } }, []);
    const env = processEnvironment({ name: 'api', instance_var: 'NODE_APP_INSTANCE', interpreter: 'node', increment_var: 'PORT' }, layered, 7, 2, '/h');
    assert.deepEqual(env, { PORT: '4002', name: 'api', pm_id: '7', CORRAL_APP_NAME: 'api', CORRAL_HOME: '/h', NODE_APP_INSTANCE: '2' });
  });
});
