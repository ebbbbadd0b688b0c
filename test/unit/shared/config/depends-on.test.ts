import * as assert from 'node:assert/strict';
import { dependencyProblems, normalizeApp, startWaves, stopWaves, withDependencies } from '../../../../src/shared/config';
import { ecosystemFromApps } from '../../../../src/client/ecosystem';

const node = (name: string, ...depends_on: string[]): { name: string; depends_on: string[] } => ({ name, depends_on });

describe('config: depends_on', () => {
  it('reads a name or a list of names, once each', () => {
    const context = { source: '', index: 0, baseDir: '/srv', baseEnv: {}, cpuCount: 1, fileExists: () => true };
    assert.deepEqual(normalizeApp({ script: '/srv/a.js', depends_on: 'db' }, context).app.depends_on, ['db']);
    assert.deepEqual(normalizeApp({ script: '/srv/a.js', depends_on: ['db', 'cache', 'db'] }, context).app.depends_on, ['db', 'cache']);
    assert.deepEqual(normalizeApp({ script: '/srv/a.js' }, context).app.depends_on, []);
    assert.throws(() => normalizeApp({ script: '/srv/a.js', depends_on: [1] }, context), /depends_on/);
  });

  it('names the file, the app and the cycle', () => {
    const apps = [node('db'), node('api', 'worker'), node('worker', 'api')];
    assert.deepEqual(dependencyProblems(apps, null, 'eco.json'), ['eco.json: apps[1].depends_on: cycle api -> worker -> api']);
    assert.deepEqual(dependencyProblems([node('api', 'api')], null, 'eco.json'), ['eco.json: apps[0].depends_on: "api" depends on itself']);
  });

  it('finds unknown names only when it knows the daemon apps, and cycles through them', () => {
    assert.deepEqual(dependencyProblems([node('api', 'db')], null), []);
    assert.deepEqual(dependencyProblems([node('api', 'db')], new Map()), ['apps[0].depends_on: no app named "db" in this file or known to the daemon']);
    assert.deepEqual(dependencyProblems([node('api', 'db')], new Map([['db', []]])), []);
    assert.deepEqual(dependencyProblems([node('api', 'db')], new Map([['db', ['api']]])), ['apps[0].depends_on: cycle api -> db -> api']);
  });

  it('orders starts in waves and stops in reverse', () => {
    const apps = [node('api', 'db', 'cache'), node('db'), node('cache'), node('web', 'api'), node('other', 'outside')];
    assert.deepEqual(startWaves(apps), [['db', 'cache', 'other'], ['api'], ['web']]);
    assert.deepEqual(stopWaves(apps), [['web'], ['api'], ['db', 'cache', 'other']]);
    assert.throws(() => startWaves([node('a', 'b'), node('b', 'a')]), /cycle/);
  });

  it('closes a set over its dependencies', () => {
    const graph = new Map([
      ['web', ['api']],
      ['api', ['db']],
      ['db', []],
    ]);
    assert.deepEqual(withDependencies(['web'], graph).sort(), ['api', 'db', 'web']);
  });

  it('an ecosystem file with a cycle is one error naming it; --only brings dependencies', () => {
    const apps = [
      { name: 'db', script: __filename },
      { name: 'api', script: __filename, depends_on: ['db'] },
    ];
    const only = ecosystemFromApps(apps, 'eco.json', '/srv', { only: ['api'], baseEnv: {} });
    assert.deepEqual(only.apps.map((app) => app.name).sort(), ['api', 'db']);
    assert.throws(
      () => ecosystemFromApps([{ ...apps[0], depends_on: 'api' }, apps[1]], 'eco.json', '/srv', { baseEnv: {} }),
      (error: Error) => error.message === 'eco.json: apps[0].depends_on: cycle db -> api -> db',
    );
  });
});
